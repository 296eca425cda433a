"""Scoring loaded data with a compiled ruleset: indicators, normalisation, nodes, ranks.

Every step works on whole columns. The only Python loops run over indicators, nodes and blocks
of units, never over single units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from typing import NamedTuple

import numpy as np

from . import __version__, lazy
from .data import as_numpy, ids_where
from .diagnostics import Diagnostic, EngineError, UnitsError, plugin_failed, said
from .formula import evaluate
from .gather import MEDIAN, Gathered, NotYet, Sums, gathered
from .loading import Data, load_data, placed
from .messages import KINDS, Both
from .model import Node, Ruleset
from .plugins import Plugins, parallel_map, workers_for
from .ranking import grade, ranks, round_values
from .result import Result
from .schema import MISSING_POLICIES
from .statistics import MIN_AVAILABILITY
from .weights import node_weights

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")

BLOCK_ROWS = 1 << 18  # units per block when a node's children are stacked into a matrix


# Out of core (govscore.engine.blocks), the steps below run on one block of units at a time with ``passes``:
# what passes over every block found of the statistics that methods gather. A block whose values need a
# statistic still being gathered raises NotYet, having gathered its part of it.

def run(ruleset: Ruleset, plugins: Plugins, data_paths: dict[str, str] | None = None,
        allow_dirs: tuple[str, ...] = ()) -> Result:
    """Load the data and score every unit."""
    return score(ruleset, plugins, load_data(ruleset, plugins, data_paths, allow_dirs))


@dataclass
class Prepared:
    """What the nodes are computed from: the units kept, and their raw, treated and normalised values."""

    active: np.ndarray  # which loaded units are kept
    ids: pa.StringArray
    raw: dict[str, np.ndarray]
    imputed: dict[str, np.ndarray]  # indicator -> units whose value was filled in
    treated: dict[str, np.ndarray]
    treatment: dict[str, dict]
    normalised: dict[str, np.ndarray]
    complete: frozenset[str]  # indicators with no missing normalised value
    dropped: tuple[str, ...]
    warnings: list[Diagnostic]
    periods: pa.StringArray | None = None  # the kept units' periods, with panel data


@placed
def prepare(ruleset: Ruleset, plugins: Plugins, data: Data, passes=None) -> Prepared:
    """Every step before the nodes: units kept, missing values, treatment, normalisation."""
    units, columns = data.units, data.columns
    warnings = list(data.warnings)
    active = np.ones(len(units["id"]), dtype=bool)
    coverage = ruleset.document.get("coverage", {})
    unit_limit = coverage.get("unit", MIN_AVAILABILITY)
    while True:  # dropping units changes means and medians, so compute again on what is left
        raw, imputed, drop = _raw_values(ruleset, plugins, columns, active, units, passes)
        shares = _coverage(ruleset, raw, imputed)
        if coverage.get("drop_units") and shares is not None:
            drop |= shares[1] < unit_limit
        if not drop.any():
            break
        active[np.flatnonzero(active)[drop]] = False
    if not active.any():
        raise EngineError([said("E_DATA_NO_UNITS", "units.all_dropped")])
    dropped = ids_where(units["id"], ~active)
    if dropped:
        warnings.append(said("W_DROPPED_UNITS", "units.dropped", severity="warning", units=dropped, count=len(dropped)))
    ids = _subset(units["id"], active)
    warnings += _coverage_warnings(ruleset, shares, ids, _subset(units.get("period"), active), unit_limit,
                                   coverage.get("indicator", MIN_AVAILABILITY))
    for name, mask in imputed.items():
        if mask.any():
            warnings.append(said("W_IMPUTED", "indicator.imputed", name=name, label=ruleset.indicators[name].label,
                                 policy=ruleset.indicators[name].missing,
                                 severity="warning", path=ruleset.indicators[name].pointer, units=ids_where(ids, mask)))
    treated, treatment = _treat(ruleset, raw, ids, passes)
    periods = _subset(units.get("period"), active) if ruleset.normalise_per_period else None
    normalised, complete = _normalise(ruleset, {**raw, **treated}, ids, periods, passes)
    return Prepared(active, ids, raw, imputed, treated, treatment, normalised, frozenset(complete), dropped, warnings,
                    _subset(units.get("period"), active))


@placed
def score(ruleset: Ruleset, plugins: Plugins, data: Data, passes=None) -> Result:
    """Score every unit of loaded data. Raises EngineError with all the problems of the first step that has any."""
    p = prepare(ruleset, plugins, data, passes)
    nodes, weights, details, reported = node_values(ruleset, plugins, p, passes)
    units = data.units
    result = Result(
        ruleset=ruleset, unit_ids=p.ids,
        unit_labels=_subset(units.get("label"), p.active), unit_groups=_subset(units.get("group"), p.active),
        unit_periods=_subset(units.get("period"), p.active), raw=p.raw, normalised=p.normalised, nodes=nodes,
        weights=weights, details=details, treated=p.treated, treatment=p.treatment, imputed=p.imputed,
        dropped=list(p.dropped), diagnostics=ruleset.warnings + ruleset.place(p.warnings + reported),
        meta=run_meta(ruleset, data.inputs),
    )
    _round_rank_grade(result)
    unscored = np.isnan(result.score)
    if unscored.any():  # never silent: such units get no rank and no grade
        where = ruleset.nodes.get(ruleset.score) or ruleset.indicators[ruleset.score]
        result.diagnostics += ruleset.place([said("W_NO_SCORE", "units.no_score", severity="warning", path=where.pointer,
                                                  units=ids_where(p.ids, unscored), count=int(unscored.sum()),
                                                  total=len(unscored))])
    return result


def run_meta(ruleset: Ruleset, inputs: list[dict]) -> dict:
    """What ties a result to what produced it: the engine, the ruleset and its hash, the input files and theirs."""
    return {"engine": "govscore", "engine_version": __version__,
            "ruleset": {"id": ruleset.id, "title": ruleset.title, "version": ruleset.version,
                        "file": ruleset.file, "sha256": ruleset.sha256},
            "inputs": inputs}


def period_codes(data: Data, active: np.ndarray) -> np.ndarray | None:
    """The code of each kept unit's period (units are ranked within periods), or None without periods."""
    return group_codes(_subset(data.units.get("period"), active))


def ranking_values(ruleset: Ruleset, score: np.ndarray, rounded: np.ndarray | None = None) -> np.ndarray:
    """The values ranks are taken on: the score, rounded first when the ruleset says so (``rounded``:
    the score already rounded, when it is at hand)."""
    step = ruleset.rounding.get(ruleset.score)
    if not ruleset.rank_use_rounded or step is None:
        return score
    return rounded if rounded is not None else round_values(score, step.digits, step.method)


def has_missing(x: np.ndarray) -> bool:
    """Whether any value is NaN, in one pass: a sum is NaN exactly when a term is (or when +inf meets -inf)."""
    with np.errstate(invalid="ignore", over="ignore"):  # +inf meeting -inf only sends us to the full check
        total = np.add.reduce(x)
    return bool(np.isnan(total)) and bool(np.isnan(x).any())


def _subset(values, active):
    """The active units' part of a column (numpy or Arrow)."""
    if values is None or active.all():
        return values
    return values.filter(pa.array(active)) if isinstance(values, pa.Array) else values[active]


# ---------------------------------------------------------------- indicators

def _raw_values(ruleset: Ruleset, plugins: Plugins, columns, active, units, passes=None):
    """Raw values of every indicator for the active units, with clamping and missing-value policies.
    Indicators read from a column are independent of each other, and are done on several threads with
    many units; formula indicators follow, in order (a formula may use any indicator before it)."""
    everyone = bool(active.all())
    ids = _subset(units["id"], active)
    size = len(ids)
    needs_groups = any(str(ind.missing).startswith("impute_group") for ind in ruleset.indicators.values())
    # the compiler made sure there is a group column where an imputation needs one
    groups = group_keys(_subset(units["group"], active), _subset(units.get("period"), active)) if needs_groups else None
    periods = _subset(units.get("period"), active)
    raw: dict[str, np.ndarray] = {}
    imputed: dict[str, np.ndarray] = {}
    drop = np.zeros(size, dtype=bool)
    found: dict[str, tuple] = {}  # indicator -> (values, units filled in, units to drop, problems)

    def settle(name, x):
        try:
            return _missing_values(ruleset, name, ruleset.indicators[name], x, ids, groups, periods, passes)
        except NotYet:  # every indicator gathers what it needs in the same pass
            return None

    read = [name for name, ind in ruleset.indicators.items() if ind.column is not None]

    def from_column(name):
        ind = ruleset.indicators[name]
        x = columns[(ind.source, ind.column)]
        return settle(name, x if everyone else x[active])

    found.update(zip(read, parallel_map(from_column, read, workers_for(size))))
    if any(v is None for v in found.values()):
        raise NotYet
    raw.update((name, found[name][0]) for name in read)
    functions = plugins.functions()
    for name, ind in ruleset.indicators.items():
        if ind.column is None:
            column = evaluate(ind.formula, {d: raw[d] for d in ind.formula.names}, functions, size)
            told: list[Diagnostic] = []
            x = _settle(column, ind.on_invalid, ind.pointer + "/formula", ind.formula.text, ids, told, ruleset.file)
            # the formula's own problem, told: its missing values follow from it
            found[name] = (x, None, None, told) if told else settle(name, x)
            if found[name] is None:
                raise NotYet
            raw[name] = found[name][0]
    problems: list[Diagnostic] = []
    raw = {name: raw[name] for name in ruleset.indicators}  # in the ruleset's order
    for name in ruleset.indicators:  # in the ruleset's order, whichever thread did each
        _, filled, dropped, told = found[name]
        if filled is not None:
            imputed[name] = filled
        if dropped is not None:
            drop |= dropped
        problems += told
    if problems:
        raise EngineError(problems)
    return raw, imputed, drop


def _missing_values(ruleset: Ruleset, name: str, ind, x: np.ndarray, ids, groups, periods, passes=None):
    """One indicator's values clamped and its missing values dealt with by its policy: the values, the
    units filled in (or None), the units to drop (or None) and the problems found."""
    if ind.clamp is not None:
        x = np.clip(x, ind.clamp.lower if ind.clamp.lower is not None else -np.inf,
                    ind.clamp.upper if ind.clamp.upper is not None else np.inf)
    fill = None
    if passes is not None and ind.missing in GATHERED_FILLS:  # every block's values count, lacking any or not
        fill = _gathered_fill(passes, name, ind.missing, x, groups)
    if not has_missing(x):
        return x, None, None, []
    missing = np.isnan(x)
    if ind.missing == "error":
        policies = [p for p in MISSING_POLICIES if p != "error"]
        return x, None, None, [said(
            "E_MISSING_VALUE", "indicator.missing", name=name, label=ind.label, count=int(missing.sum()),
            file=ruleset.file, path=ind.pointer, units=ids_where(ids, missing),
            hint=Both('fill in the data, or set "missing" on the indicator: ' + ", ".join(policies),
                      '请补全数据，或为该指标设置 "missing"：' + "、".join(policies)))]
    if ind.missing == "leave":
        if missing.all() and ind.normaliser is not None:
            return x, None, None, [said("E_MISSING_VALUE", "indicator.all_missing", name=name, label=ind.label,
                                        file=ruleset.file, path=ind.pointer,
                                        hint=Both("check its column, and the markers the source reads as missing (params.na)",
                                                  "请检查它的数据列，以及数据源视为缺失的标记（params.na）"))]
        return x, None, None, []
    if ind.missing == "drop_unit":
        return x, None, missing, []
    if fill is None:
        fill = _imputation(ind.missing, x, missing, None if groups is None else groups.codes, ids, periods)
    empty = missing & np.isnan(fill)
    problems = [said("E_MISSING_VALUE", "indicator.nothing_to_fill", name=name, policy=ind.missing,
                     count=int(empty.sum()), file=ruleset.file, path=ind.pointer, units=ids_where(ids, empty))
                ] if empty.any() else []
    return np.where(missing, fill, x), missing, None, problems


def _present_sum(x, missing, found):
    return {"sum": Sums.of(x[~missing])}  # a masked sum would not add pairwise, and would round differently


# The mean of the values present, over every block of units: what impute_mean fills in.
MEAN = gathered(_present_sum, apply=lambda x, missing, found: found["sum"].mean if found["sum"].count else np.nan)
GATHERED_FILLS = ("impute_mean", "impute_median", "impute_group_mean", "impute_group_median")


def _gathered_fill(passes, name: str, policy: str, x: np.ndarray, groups: Groups | None):
    """Out of core: what a mean or median imputation fills in, gathered over every block; for a group's,
    over the units of that group in every block (gathered by the group's name)."""
    missing = np.isnan(x)

    def fill_of(key, rows):
        if policy.endswith("mean"):
            return passes.run(key, MEAN, (x[rows], missing[rows]))
        return passes.run(key, MEDIAN, (x[rows],))
    if not policy.startswith("impute_group"):
        return fill_of(("impute", name), slice(None))
    fill, pending = np.full(len(x), np.nan), False
    for group, rows in groups.parts():
        try:
            fill[rows] = fill_of(("impute", name, group), rows)
        except NotYet:  # the other groups gather theirs in the same pass
            pending = True
    if pending:
        raise NotYet
    return fill


def _imputation(policy: str, x: np.ndarray, missing: np.ndarray, groups, ids, periods) -> np.ndarray | float:
    """What each unit's missing value would be filled in with (NaN where there is nothing to take it
    from): one number for every unit, or one per unit."""
    if policy == "impute_mean":
        return float(MEAN(x, missing))
    if policy == "impute_median":
        present = x[~missing]
        return float(np.median(present)) if len(present) else np.nan
    if policy in ("impute_group_mean", "impute_group_median"):
        return _group_statistic(x, groups, policy.removeprefix("impute_group_"))
    return _over_periods(x, ids, periods, policy)


def period_numbers(periods: pa.StringArray) -> np.ndarray:
    """Periods as numbers: their value when they are numbers (years), else their place in sorted order."""
    try:
        return as_numpy(pc.cast(periods, pa.float64()))
    except pa.ArrowInvalid:
        return as_numpy(pc.rank(periods, sort_keys="ascending", tiebreaker="dense")).astype(float)


def _over_periods(x: np.ndarray, ids: pa.StringArray, periods: pa.StringArray, how: str) -> np.ndarray:
    """Each unit's value carried forward from its last earlier period, or interpolated linearly between
    its nearest periods with a value (the nearest one beyond the first or last)."""
    unit = group_codes(ids)
    when = period_numbers(periods)
    order = np.lexsort((when, unit))
    xs, us, ws = x[order], unit[order], when[order]
    n = len(xs)
    position = np.arange(n)
    start = np.maximum.accumulate(np.where(np.r_[True, us[1:] != us[:-1]], position, 0))
    end = np.minimum.accumulate(np.where(np.r_[us[1:] != us[:-1], True], position, n)[::-1])[::-1]
    valid = ~np.isnan(xs)
    before = np.maximum.accumulate(np.where(valid, position, -1))
    before = np.where(before >= start, before, -1)
    after = np.minimum.accumulate(np.where(valid, position, n)[::-1])[::-1]
    after = np.where(after <= end, after, n)
    has_before, has_after = before >= 0, after < n
    previous = np.where(has_before, xs[np.maximum(before, 0)], np.nan)
    if how == "carry_forward":
        filled = previous
    else:
        following = np.where(has_after, xs[np.minimum(after, n - 1)], np.nan)
        w0, w1 = ws[np.maximum(before, 0)], ws[np.minimum(after, n - 1)]
        span = np.where(has_before & has_after & (w1 > w0), w1 - w0, 1.0)
        between = previous + (following - previous) * (ws - w0) / span
        filled = np.where(has_before & has_after, between, np.where(has_before, previous, following))
    out = np.empty(n)
    out[order] = filled
    return out


def _group_statistic(x: np.ndarray, groups: np.ndarray, statistic: str) -> np.ndarray:
    """For each unit, the mean or median of x over the units of its group that have a value."""
    present = ~np.isnan(x)
    count = np.bincount(groups[present], minlength=groups.max() + 1)
    if statistic == "mean":
        total = np.bincount(groups[present], weights=x[present], minlength=len(count))
        by_group = np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)
    else:
        order = np.lexsort((x[present], groups[present]))
        values = x[present][order]
        start = np.r_[0, np.cumsum(count)[:-1]]
        lo, hi = start + (count - 1) // 2, start + count // 2
        by_group = np.where(count > 0, (values[np.minimum(lo, len(values) - 1)] + values[np.minimum(hi, len(values) - 1)]) / 2,
                            np.nan)
    return by_group[groups]


def _coverage(ruleset: Ruleset, raw, imputed) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """The indicators the score uses, and the share of them each unit had data for (before anything
    was filled in) and the share of units each had data for; None when no value was missing."""
    names = [n for n, ind in ruleset.indicators.items() if ind.normaliser is not None]
    if not names or not (any(mask.any() for mask in imputed.values()) or any(has_missing(raw[n]) for n in names)):
        return None
    size = len(raw[names[0]])
    lacking = np.zeros(size, dtype=np.int32)  # per unit, how many indicators it had no value for
    by_indicator = np.ones(len(names))
    for i, name in enumerate(names):
        # a value still missing after imputation was missing before it: the mask of what was filled in says all
        missing = imputed[name] if name in imputed else (np.isnan(raw[name]) if has_missing(raw[name]) else None)
        if missing is not None:
            lacking += missing
            by_indicator[i] = 1 - np.count_nonzero(missing) / size
    return names, 1 - lacking / len(names), by_indicator


def _coverage_warnings(ruleset: Ruleset, shares, ids, periods, unit_limit: float, indicator_limit: float) -> list[Diagnostic]:
    """Units short of data (per period with panel data, where a unit id alone does not say which row),
    and indicators short of units."""
    if shares is None:
        return []
    names, by_unit, by_indicator = shares
    out = []
    sparse_units = by_unit < unit_limit
    if sparse_units.any() and periods is not None:
        period_of = np.asarray(pc.fill_null(periods, "").to_pylist(), dtype=object)
        for period in sorted(set(period_of[sparse_units])):
            here = sparse_units & (period_of == period)
            out.append(said("W_COVERAGE", "coverage.units_in_period", severity="warning", units=ids_where(ids, here),
                            count=int(here.sum()), limit=f"{unit_limit:.0%}", period=period))
    elif sparse_units.any():
        out.append(said("W_COVERAGE", "coverage.units", severity="warning", units=ids_where(ids, sparse_units),
                        count=int(sparse_units.sum()), limit=f"{unit_limit:.0%}"))
    return out + indicator_coverage(ruleset, dict(zip(names, by_indicator)), indicator_limit)


def indicator_coverage(ruleset: Ruleset, shares: dict[str, float], limit: float) -> list[Diagnostic]:
    """The indicators that had data for fewer than ``limit`` of the units (``shares``: the share of each)."""
    return [said("W_COVERAGE", "coverage.indicator", severity="warning", path=ruleset.indicators[name].pointer,
                 name=name, share=f"{share:.0%}", limit=f"{limit:.0%}") for name, share in shares.items() if share < limit]


def _settle(column, on_invalid, path, text, ids, problems, file) -> np.ndarray:
    """Turn a formula's problems into diagnostics, or into missing values where the ruleset allows."""
    values = column.values
    for p in column.problems:
        if on_invalid == "missing":
            values = np.where(p.mask, np.nan, values)
        else:
            problems.append(replace(said(
                "E_DOMAIN", "domain.formula", file=file, path=path, units=ids_where(ids, p.mask), count=int(p.mask.sum()),
                problem=p.message, hint=Both('guard it with where(...), or set "on_invalid": "missing" to leave those values missing',
                                             '用 where(...) 避开，或设 "on_invalid": "missing" 让这些值缺失')),
                span=p.span, source_text=text))
    return values


def _treat(ruleset: Ruleset, raw, ids, passes=None) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Outlier treatment of the indicators that declare one: their treated values and what was done."""
    treated: dict[str, np.ndarray] = {}
    done: dict[str, dict] = {}
    problems: list[Diagnostic] = []
    pending = False
    for name, ind in ruleset.indicators.items():
        if ind.treatment is None:
            continue
        reg = ind.treatment
        try:
            y, details = (reg.call(raw[name], ind.treatment_params, ind) if passes is None else
                          reg.call_over(passes, ("treat", name), raw[name], ind.treatment_params, ind))
        except NotYet:  # the other indicators gather theirs in the same pass
            pending = True
            continue
        except EngineError as exc:
            problems += [_at(d, ruleset, ind) for d in exc.diagnostics]
            continue
        except Exception as exc:
            problems.append(plugin_failed(reg, name, exc, file=ruleset.file, path=ind.pointer))
            continue
        treated[name], done[name] = np.asarray(y, dtype=float), {"method": reg.name, **details}
    if problems:
        raise EngineError(problems)
    if pending:
        raise NotYet
    return treated, done


def _normalise(ruleset: Ruleset, raw, ids, periods=None, passes=None) -> tuple[dict[str, np.ndarray], set[str]]:
    """Normalised values of the indicators that nodes use, and the names of those with no missing value.
    With ``periods``, each period is normalised on its own. With many units, indicators are normalised
    on several threads (each on its own: normalisers are functions of one column)."""
    parts = None if periods is None else group_keys(periods).parts()
    names = [name for name, ind in ruleset.indicators.items() if ind.normaliser is not None]

    def one(name) -> tuple[np.ndarray | None, list[Diagnostic], bool]:
        """The normalised values (None: failed), the problems, and whether no value is missing."""
        ind = ruleset.indicators[name]
        reg = ind.normaliser
        x = raw[name]
        try:
            if parts is None:
                y = np.asarray(reg.call(x, ind.direction, ind.normaliser_params, ind) if passes is None else
                               reg.call_over(passes, ("normalise", name), x, ind.direction, ind.normaliser_params, ind), dtype=float)
            else:  # each period on its own; out of core, gathered over the units of that period in every block
                y, pending = np.empty(len(x)), False
                for period, rows in parts:
                    try:
                        y[rows] = (reg.call(x[rows], ind.direction, ind.normaliser_params, ind) if passes is None else
                                   reg.call_over(passes, ("normalise", name, period), x[rows], ind.direction,
                                                 ind.normaliser_params, ind))
                    except NotYet:
                        pending = True
                if pending:
                    raise NotYet
        except NotYet:
            return NotYet, [], False
        except EngineError as exc:
            return None, [_at(d, ruleset, ind) for d in exc.diagnostics], False
        except UnitsError as exc:
            return None, [_units_problem(exc, ruleset, ind, ids)], False
        except Exception as exc:
            return None, [plugin_failed(reg, name, exc, file=ruleset.file, path=ind.pointer)], False
        if y.shape != x.shape:
            wrong = said("E_PLUGIN_FAILED", "plugin.wrong_length", file=ruleset.file, path=ind.pointer, kind=KINDS["normaliser"],
                         name=reg.name, got=y.shape[0] if y.ndim else 1, units_count=len(x))
            return None, [wrong], False
        if np.isfinite(np.add.reduce(y)):  # one pass: the sum is finite only if every value is
            return y, [], True
        bad = ~np.isfinite(y) & np.isfinite(x)
        return y, [said("E_DOMAIN", "domain.normaliser", file=ruleset.file, path=ind.pointer, units=ids_where(ids, bad),
                        name=name, normaliser=reg.name, count=int(bad.sum()))] if bad.any() else [], False

    out: dict[str, np.ndarray] = {}
    complete: set[str] = set()
    problems: list[Diagnostic] = []
    done = parallel_map(one, names, workers_for(len(ids)))
    if any(y is NotYet for y, _, _ in done):  # every indicator gathered what it needs in this pass
        raise NotYet
    for name, (y, told, whole) in zip(names, done):
        problems += told
        if y is not None:
            out[name] = y
        if whole:
            complete.add(name)
    if problems:
        raise EngineError(problems)
    return out, complete


def _at(d: Diagnostic, ruleset: Ruleset, item) -> Diagnostic:
    """A plugin's diagnostic, placed at the indicator or node it concerns."""
    return replace(d, file=d.file or ruleset.file, path=d.path or item.pointer)


def _units_problem(exc: UnitsError, ruleset: Ruleset, item, ids) -> Diagnostic:
    """A plugin's problem with some units, placed at the indicator or node; a catalogue message may
    name it as {name} without the plugin knowing it."""
    d = exc.diagnostic
    if d.key is not None and "name" not in dict(d.fields):
        d = d.refilled(name=item.name)
    return replace(d, file=ruleset.file, path=item.pointer, units=ids_where(ids, np.asarray(exc.mask, dtype=bool)))


# ---------------------------------------------------------------- nodes

@placed
def node_values(ruleset: Ruleset, plugins: Plugins, prepared: Prepared, passes=None):
    """Every node's value in order. Returns the values, the weights used, what each node's methods
    reported, and warnings. Analyses call it again with other nodes on the same prepared inputs."""
    normalised, ids = prepared.normalised, prepared.ids
    complete = set(prepared.complete)  # grows with the nodes known to have no missing value
    values: dict[str, np.ndarray] = {}
    weights_used: dict[str, dict[str, float]] = {}
    details: dict[str, dict] = {}
    warnings: list[Diagnostic] = []
    functions = plugins.functions()
    size = len(ids)
    for name, node in ruleset.nodes.items():
        problems: list[Diagnostic] = []
        if node.formula is not None:
            names = {n: normalised[n] if n in normalised else values[n] for n in node.formula.names}
            column = evaluate(node.formula, names, functions, size)
            values[name] = _settle(column, node.on_invalid, node.pointer + "/formula", node.formula.text, ids,
                                   problems, ruleset.file)
        else:
            children = [normalised[c] if c in normalised else values[c] for c in node.children]
            if node.weights is not None:
                w, weight_details = node.weights, node.weight_details
            else:
                w, weight_details, reported = node_weights(node, node.pointer + "/weights", np.column_stack(children), passes)
                problems += [d for d in reported if d.is_error]
                warnings += [d for d in reported if not d.is_error]
            if w is not None:
                below = {c: details[c]["details"] for c in node.children if c in details}
                values[name], method_details = _aggregate(ruleset, node, children, w, ids, problems,
                                                          all(c in complete for c in node.children), below, prepared.periods,
                                                          passes)
                warnings += [_at(problem, ruleset, node) if isinstance(problem, Diagnostic) else
                             said("W_METHOD", "node.method_warning", severity="warning", file=ruleset.file, path=node.pointer,
                                  name=name, method=node.aggregator.name, problem=problem)
                             for problem in method_details.pop("warnings", [])]
                details[name] = {"method": node.aggregator.name, "details": method_details}
                if node.aggregator.options.get("weighted", True):  # DEA and the like choose their own
                    weights_used[name] = {c: float(x) for c, x in zip(node.children, w)}
                    details[name].update(weighting=node.weight_set.weighting.name, weights=weight_details)
        if problems:
            raise EngineError(problems)
        if not has_missing(values[name]):
            complete.add(name)
    return values, weights_used, details, warnings


def _aggregate(ruleset: Ruleset, node: Node, children, w: np.ndarray, ids, problems, complete: bool,
               below: dict[str, dict], periods: pa.StringArray | None = None, passes=None) -> tuple[np.ndarray, dict]:
    """One aggregation node, block by block (or at once, for methods that need every unit, and for those that
    gather statistics over every unit: out of core, they gather over every block of ``passes``).
    ``complete``: no child is missing for any unit; ``below``: what the children that are nodes
    reported, offered to a method that takes ``child_details``; ``periods`` (panel data), offered to a
    whole-column method that takes ``periods``. Returns the values and what the method reported."""
    reg = node.aggregator
    size = len(ids)
    out = np.empty(size)
    details: dict = {}
    domain = reg.options.get("domain", "any")
    outside = np.zeros(size, dtype=bool)
    told = np.zeros(size, dtype=bool)
    has_all = np.ones(size, dtype=bool)  # units with every child: their value must be a number
    whole = bool(reg.options.get("whole_columns"))
    gathering = isinstance(reg.impl, Gathered)
    step = size if whole or gathering else BLOCK_ROWS
    extra = {"units": np.array(ids.to_pylist(), dtype=object)} if whole or (gathering and reg.accepts("units")) else {}
    if whole and reg.accepts("periods"):
        extra["periods"] = None if periods is None else np.array(periods.to_pylist(), dtype=object)
    parts: list[dict] = []
    for start in range(0, size, step):
        block = slice(start, min(start + step, size))
        x = np.vstack([c[block] for c in children]).T  # units × children, each child contiguous
        W = w[None, :]  # one row of weights for every unit, until a child is missing somewhere
        lost = None
        if not complete:
            has_all[block] = ~np.isnan(x).any(axis=1)
            x, W, lost = _missing_children(node, x, np.broadcast_to(w, x.shape), w)
        if reg.accepts("child_details"):
            extra["child_details"] = {c: {k: v[block] if _per_unit(v, size) else v for k, v in d.items()}
                                      for c, d in below.items()}
        if domain != "any":
            bad = (x <= 0) if domain == "positive" else (x < 0)
            outside[block] = (bad.any(axis=1) if lost is None else (bad & (W > 0)).any(axis=1) & ~lost)
        try:
            if passes is not None and gathering:
                answer = reg.call_over(passes, ("aggregate", node.name), x, W, node.params, list(node.children), **extra)
            else:
                answer = reg.call(x, W, node.params, list(node.children), **extra)
            y, details = answer if isinstance(answer, tuple) else (answer, {})
            y = np.asarray(y, dtype=float)
            if "no_value" in details:  # units the method leaves without a value on purpose, having said why
                told[block] = np.asarray(details.pop("no_value"), dtype=bool)
        except NotYet:
            raise
        except EngineError as exc:
            problems += [_at(d, ruleset, node) for d in exc.diagnostics]
            return out, {}
        except UnitsError as exc:
            problems.append(_units_problem(exc, ruleset, node, ids.slice(block.start, block.stop - block.start)))
            return out, {}
        except Exception as exc:
            problems.append(plugin_failed(reg, node.name, exc, file=ruleset.file, path=node.pointer))
            return out, {}
        out[block] = y if lost is None else np.where(lost, np.nan, y)
        if lost is not None:  # per-unit details are missing where the value is (text left empty, not NaN)
            details = {k: np.where(lost, None if np.asarray(v).dtype == object else np.nan, v) if _per_unit(v, len(y)) else v
                       for k, v in details.items()}
        parts.append((details, len(y)))
    if len(parts) > 1:  # a method called block by block: its per-unit details joined up, the rest from the last block
        def per_unit(key):
            return all(_per_unit(d.get(key), n) for d, n in parts)
        details = {k: np.concatenate([d[k] for d, _ in parts]) if per_unit(k) else v for k, v in parts[-1][0].items()}
    if outside.any():
        need = Both("greater than 0", "大于 0") if domain == "positive" else Both("0 or more", "不小于 0")
        problems.append(said(
            "E_DOMAIN", "domain.children", file=ruleset.file, path=node.pointer, units=ids_where(ids, outside),
            method=reg.name, name=node.name, need=need, count=int(outside.sum()),
            hint=Both("normalise the children onto a positive scale (minmax with params.scale [1, 100], for example)",
                      "把各组成部分标准化到正的区间（例如 minmax 并设 params.scale 为 [1, 100]）")))
    bad = (np.isinf(out) | (np.isnan(out) & has_all & ~told)) & ~outside  # units outside the domain are told already
    if bad.any():
        problems.append(said("E_DOMAIN", "domain.node", file=ruleset.file, path=node.pointer, units=ids_where(ids, bad),
                             name=node.name, method=reg.name, count=int(bad.sum())))
    return out, details


def _per_unit(value, size: int) -> bool:
    """Whether a method's detail is one value per unit (a column of the results)."""
    return isinstance(value, np.ndarray) and value.shape == (size,)


def _missing_children(node: Node, x, W, w):
    """Apply the node's missing-children policy to one block: weights 0 (and values 1.0) where a
    child is missing; with renormalise, the present weights of each group scaled back up to the
    group's total. Returns x, W and the units whose value is lost."""
    missing = np.isnan(x)
    lost = missing.any(axis=1)
    if not lost.any():
        return x, W, lost
    W = np.where(missing, 0.0, W)
    x = np.where(missing, 1.0, x)
    if node.missing == "renormalise":
        lost = np.zeros(len(x), dtype=bool)
        for group in node.weight_groups:
            idx = list(group)
            nominal = w[idx].sum()
            present = W[:, idx].sum(axis=1)
            share = present / nominal if nominal > 0 else np.ones(len(x))
            lost |= (share < node.min_share) | (present == 0)
            W[:, idx] = W[:, idx] / np.where(present > 0, share, 1.0)[:, None]
    return x, W, lost


# ---------------------------------------------------------------- rounding, ranks, grades

class Groups(NamedTuple):
    codes: np.ndarray  # each unit's group, as a number
    names: list  # each number's group, as text (the text columns joined)

    def parts(self) -> list[tuple[str, np.ndarray]]:
        """Each group's name and its units' rows, in order."""
        order = np.argsort(self.codes, kind="stable")
        rows = np.split(order, np.flatnonzero(np.diff(self.codes[order])) + 1)
        return [(self.names[self.codes[r[0]]], r) for r in rows if len(r)]


def group_keys(*columns) -> Groups | None:
    """The group of each unit for the combination of text columns given (None when none are)."""
    present = [pc.fill_null(c, "") for c in columns if c is not None]
    if not present:
        return None
    key = present[0] if len(present) == 1 else pc.binary_join_element_wise(*present, "\x1f")
    encoded = key.dictionary_encode()
    return Groups(as_numpy(encoded.indices), encoded.dictionary.to_pylist())


def group_codes(*columns) -> np.ndarray | None:
    """An integer code per unit for the combination of text columns given (None when none are)."""
    groups = group_keys(*columns)
    return None if groups is None else groups.codes


def _round_rank_grade(result: Result):
    """Fill in the result's rounded values, ranks (within each period) and grades."""
    rs = result.ruleset
    for name, step in rs.rounding.items():
        result.rounded[name] = round_values(result.value(name), step.digits, step.method)

    def choose(name, use_rounded):
        return result.rounded[name] if use_rounded and name in result.rounded else result.value(name)

    score = ranking_values(rs, result.value(rs.score), result.rounded.get(rs.score))
    periods = result.unit_periods  # with panel data, units are ranked within each period
    groupings = [group_codes(periods)] + ([group_codes(periods, result.unit_groups)] if result.unit_groups is not None else [])
    result.rank, *within = ranks(score, rs.rank_order, rs.rank_ties, groupings)
    if within:
        result.group_rank = within[0]
    if rs.bands:
        result.grade = grade(choose(rs.grade_node, rs.grade_use_rounded), rs.bands)
