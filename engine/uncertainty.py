"""Monte Carlo uncertainty and sensitivity analysis over the alternatives a ruleset declares.

Each uncertain choice is one input factor: the imputation, the normaliser, the weights of a node
(a draw among weight vectors perturbed around the nominal ones) and the aggregator of a node.
The factors are sampled with Saltelli's scheme on a scrambled Sobol' sequence (SALib), so one set of
runs gives both every unit's rank distribution and the first-order and total Sobol' indices of the
mean absolute rank shift.

The data are loaded once and each (imputation, normaliser) pair is prepared once; a configuration
then only computes the nodes again, with weights and aggregators swapped in, and ranks the units.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass, replace

import numpy as np

from . import lazy
from .diagnostics import EngineError, said, within
from .execute import Prepared, node_values, period_codes, prepare, ranking_values
from .loading import Data
from .messages import Both, listed, say
from .model import Alternative, Node, Ruleset
from .plugins import Plugins
from .ranking import rank
from .values import number_or_none

pa = lazy.module("pyarrow")

_UNIT_BLOCK = 8192  # units per block when taking rank percentiles (bounds the temporary copies)
RANKS_IN_MEMORY = 1 << 30  # a larger rank matrix (runs × units) is kept in a temporary file instead


@dataclass(frozen=True)
class Factor:
    name: str  # "missing", "normalise", "weights.H" or "aggregation.H"
    kind: str
    node: str | None
    labels: tuple[str, ...] = ()  # the alternatives, as the ruleset writes them (none for weights: a draw each run)


def analyse(ruleset: Ruleset, plugins: Plugins, data: Data, samples: int | None = None, seed: int | None = None) -> dict:
    """Score the sampled configurations; per unit the nominal, median, 5% and 95% rank, per factor
    its Sobol' indices, and every configuration with its mean absolute rank shift."""
    u = ruleset.uncertainty
    if u is None:
        raise EngineError([said("E_SCHEMA_REQUIRED", "uncertainty.none", file=ruleset.file,
                                hint=Both('add an "uncertainty" section (see docs/rulesets.md), or use engine sensitivity '
                                          "--leave-one-out", '请加上 "uncertainty" 部分（见 docs/rulesets.md），或用 engine '
                                          "sensitivity --leave-one-out"))])
    samples = u.samples if samples is None else samples
    seed = u.seed if seed is None else seed
    nominal_prepared = prepare(ruleset, plugins, data)
    codes = period_codes(data, nominal_prepared.active)
    values, nominal_weights, _, _ = node_values(ruleset, plugins, nominal_prepared)
    nominal_rank = _rank(ruleset, values, nominal_prepared, codes)
    factors = _factors(ruleset)
    design = _design(factors, samples, seed)
    runs = len(design)
    replicates = _weight_replicates(ruleset, nominal_weights, runs, seed)
    prepared: dict[tuple, tuple[Ruleset, Prepared]] = {}
    ranks = _rank_matrix(runs, len(nominal_rank))
    mean_shift = np.empty(runs)
    configurations = []
    for i, levels in enumerate(design):
        chosen = dict(zip((f.name for f in factors), levels))
        key = (chosen.get("missing"), chosen.get("normalise"))
        if key not in prepared:
            variant = _with_indicators(ruleset, *key)
            prepared[key] = (variant, _prepared(variant, plugins, data, nominal_prepared, chosen, factors))
        variant, inputs = prepared[key]
        nodes = dict(variant.nodes)
        for f in factors:
            if f.kind == "weights":
                nodes[f.node] = replace(nodes[f.node], weights=replicates[f.node][chosen[f.name]])
            elif f.kind == "aggregation":
                nodes[f.node] = _with_aggregator(nodes[f.node], u.aggregators[f.node][chosen[f.name]])
        try:
            values = node_values(replace(variant, nodes=nodes), plugins, inputs)[0]
        except EngineError as exc:
            raise _in_configuration(exc, _describe(factors, chosen, nodes)) from None
        ranks[i] = _rank(ruleset, values, inputs, codes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # no unit ranked at all: NaN, as it should be
            mean_shift[i] = np.nanmean(np.abs(ranks[i] - nominal_rank))
        configurations.append(_describe(factors, chosen, nodes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units with no rank anywhere give NaN, as they should
        low, median, high = _percentiles(ranks)
    for c, y in zip(configurations, mean_shift):
        c["mean_absolute_rank_shift"] = float(y)
    return {
        "samples": runs, "base_samples": runs // (len(factors) + 2), "seed": seed,
        "factors": _indices(factors, design, mean_shift, seed, ruleset),
        "units": nominal_prepared.ids.to_pylist(), "periods": _periods(data, nominal_prepared.active),
        "nominal_rank": nominal_rank,
        "median_rank": median, "rank_5": low, "rank_95": high,
        "configurations": configurations,
    }


def as_json(found: dict) -> dict:
    """The analysis as plain JSON: what engine sensitivity --format json prints and the JSON output's
    "sensitivity" section holds."""
    columns = ("nominal_rank", "median_rank", "rank_5", "rank_95")
    return {
        "samples": found["samples"], "base_samples": found["base_samples"], "seed": found["seed"],
        "factors": found["factors"],
        "units": [{"unit": u, **({} if found["periods"] is None else {"period": found["periods"][i]}),
                   **{k: number_or_none(found[k][i]) for k in columns}} for i, u in enumerate(found["units"])],
        "configurations": found["configurations"],
    }


def _periods(data: Data, active: np.ndarray) -> list | None:
    """The period of each kept unit, with panel data (a unit then appears once per period)."""
    periods = data.units.get("period")
    return None if periods is None else periods.filter(pa.array(active)).to_pylist()


def _rank(ruleset: Ruleset, values: dict, inputs: Prepared, codes) -> np.ndarray:
    """The units' ranks on the score, as a run of the ruleset ranks them (within periods)."""
    value = values[ruleset.score] if ruleset.score in values else inputs.normalised[ruleset.score]
    return rank(ranking_values(ruleset, value), ruleset.rank_order, ruleset.rank_ties, codes)


def _factors(ruleset: Ruleset) -> list[Factor]:
    u = ruleset.uncertainty
    out = []
    if u.imputations:
        out.append(Factor("missing", "missing", None, u.imputations))
    if u.normalisers:
        out.append(Factor("normalise", "normalise", None, tuple(a.label for a in u.normalisers)))
    out += [Factor(f"weights.{n}", "weights", n) for n in u.weight_noise]
    out += [Factor(f"aggregation.{n}", "aggregation", n, tuple(a.label for a in alts)) for n, alts in u.aggregators.items()]
    return out


def _design(factors: list[Factor], samples: int, seed: int) -> np.ndarray:
    """The level of each factor in each run: Saltelli's N·(D + 2) points, N = samples // (D + 2).
    A weight factor's level picks one of as many perturbed weight vectors as there are runs."""
    from SALib.sample import sobol

    d = len(factors)
    base = max(1, samples // (d + 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib asks for N a power of 2; the estimates hold without it
        x = sobol.sample(_problem(factors), base, calc_second_order=False, scramble=True, seed=seed)
    runs = len(x)
    levels = np.array([len(f.labels) or runs for f in factors])
    return np.minimum((x * levels).astype(int), levels - 1)


def _problem(factors: list[Factor]) -> dict:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def _weight_replicates(ruleset: Ruleset, nominal_weights: dict, runs: int, seed: int) -> dict[str, np.ndarray]:
    """For each node whose weights vary, ``runs`` weight vectors drawn around its nominal weights;
    each weight group (a ratio's numerator and denominator) keeps its nominal total."""
    rng = np.random.default_rng([seed, 1])  # its own stream, apart from the sample design
    out = {}
    for name, (kind, size) in ruleset.uncertainty.weight_noise.items():
        node = ruleset.nodes[name]
        w = np.array([nominal_weights[name][c] for c in node.children])
        drawn = np.tile(w, (runs, 1))
        for group in node.weight_groups or (tuple(range(len(w))),):
            idx = [k for k in group if w[k] > 0]
            total = w[idx].sum()
            if not idx or total <= 0:
                continue
            if kind == "noise":
                part = w[idx] * (1 + rng.uniform(-size, size, (runs, len(idx))))
                drawn[:, idx] = part * (total / part.sum(axis=1, keepdims=True))
            else:
                drawn[:, idx] = rng.dirichlet(size * w[idx] / total, runs) * total
        out[name] = drawn
    return out


def _with_indicators(ruleset: Ruleset, imputation: int | None, normaliser: int | None) -> Ruleset:
    """The ruleset with one imputation and one normaliser alternative put in place."""
    u = ruleset.uncertainty
    indicators = dict(ruleset.indicators)
    if imputation is not None:
        for name in u.imputed:
            indicators[name] = replace(indicators[name], missing=u.imputations[imputation])
    if normaliser is not None:
        alt = u.normalisers[normaliser]
        for name in u.normalised:
            indicators[name] = replace(indicators[name], normaliser=alt.method, normaliser_params=alt.params)
    return replace(ruleset, indicators=indicators)


def _prepared(variant: Ruleset, plugins: Plugins, data: Data, nominal: Prepared, chosen: dict, factors) -> Prepared:
    try:
        inputs = prepare(variant, plugins, data)
    except EngineError as exc:
        raise _in_configuration(exc, _describe(factors, chosen, variant.nodes)) from None
    if not np.array_equal(inputs.active, nominal.active):
        raise EngineError([said("E_PARAMS", "uncertainty.other_units", file=variant.file, path="/uncertainty/missing",
                                hint=Both("vary only imputations, on indicators no unit is dropped for",
                                          "只改变不会导致单位被剔除的指标的填补方法"))])
    return inputs


def _with_aggregator(node: Node, alt: Alternative) -> Node:
    return replace(node, aggregator=alt.method, params=alt.params,
                   weight_groups=alt.method.weight_groups_of(node.children, alt.params))


def _describe(factors: list[Factor], chosen: dict, nodes: dict[str, Node]) -> dict:
    """One configuration as a record: what each factor chose."""
    out: dict = {}
    for f in factors:
        if f.kind == "weights":
            node = nodes[f.node]
            out.setdefault("weights", {})[f.node] = {c: float(x) for c, x in zip(node.children, node.weights)}
        elif f.node is None:
            out[f.kind] = f.labels[int(chosen[f.name])]
        else:
            out.setdefault(f.kind, {})[f.node] = f.labels[int(chosen[f.name])]
    return out


def _in_configuration(exc: EngineError, configuration: dict) -> EngineError:
    chosen = "; ".join(f"{k}: {v}" for k, v in configuration.items() if k != "weights") or "varied weights"
    hint = Both("drop or change that alternative in the uncertainty section", "请在 uncertainty 部分去掉或修改该备选方案")
    told = [within(d, "uncertainty.in_configuration", chosen=chosen) for d in exc.diagnostics]
    return EngineError([d if d.hint else replace(d, hint=hint.en, hint_zh=hint.zh) for d in told])


def _rank_matrix(runs: int, units: int) -> np.ndarray:
    """Room for every run's ranks (float32: NaN for a unit not ranked). Beyond RANKS_IN_MEMORY (1,000
    runs of 270,000 units) it is a memory-mapped temporary file, removed when the matrix is let go:
    the operating system then keeps in memory only what it can spare."""
    if runs * units * 4 <= RANKS_IN_MEMORY:
        return np.empty((runs, units), dtype=np.float32)
    return np.memmap(tempfile.TemporaryFile(), dtype=np.float32, mode="w+", shape=(runs, units))


def _percentiles(ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each unit's 5th, 50th and 95th percentile rank over the runs, a block of units at a time."""
    out = np.empty((3, ranks.shape[1]))
    for start in range(0, ranks.shape[1], _UNIT_BLOCK):
        block = slice(start, start + _UNIT_BLOCK)
        part = ranks[:, block]
        take = np.nanpercentile if np.isnan(part).any() else np.percentile  # nanpercentile goes unit by unit
        out[:, block] = take(part, [5, 50, 95], axis=0)
    return out[0], out[1], out[2]


def _indices(factors: list[Factor], design: np.ndarray, y: np.ndarray, seed: int, ruleset: Ruleset) -> list[dict]:
    """First-order and total Sobol' indices of the mean absolute rank shift, with 95% confidence."""
    from SALib.analyze import sobol

    rows = [{"factor": f.name, **_levels(ruleset, f)} for f in factors]
    if not np.all(np.isfinite(y)) or np.ptp(y) == 0:  # no factor moves any rank: nothing to apportion
        for row in rows:
            row.update(first_order=0.0, first_order_conf=0.0, total=0.0, total_conf=0.0)
        return rows
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        found = sobol.analyze(_problem(factors), y, calc_second_order=False, seed=seed)
    for k, row in enumerate(rows):
        row.update(first_order=float(found["S1"][k]), first_order_conf=float(found["S1_conf"][k]),
                   total=float(found["ST"][k]), total_conf=float(found["ST_conf"][k]))
    return rows


def _levels(ruleset: Ruleset, f: Factor) -> dict:
    """A factor's alternatives; for weights, how they are drawn, in words ("levels") and as data ("draw")."""
    if f.kind != "weights":
        return {"levels": list(f.labels)}
    kind, size = ruleset.uncertainty.weight_noise[f.node]
    draw = {"kind": kind, "size": size}
    return {"levels": levels_text({"draw": draw}, "en"), "draw": draw}


def factor_text(name: str, ruleset: Ruleset, lang: str) -> str:
    """A factor for people: "the weights of 治理水平 H" rather than weights.H."""
    kind, _, node = name.partition(".")
    return say(f"mc_factor_{kind}", lang, node=ruleset.label(node) if node else "")


def levels_text(factor: dict, lang: str) -> str:
    """A factor's alternatives, or how its weights are drawn, for people reading ``lang``."""
    draw = factor.get("draw")
    if draw is None:
        return listed(factor["levels"], lang)
    if draw["kind"] == "noise":
        return say("mc_noise", lang, size=f"{draw['size']:.0%}")
    return say("mc_dirichlet", lang, size=f"{draw['size']:g}")
