"""What if: the same ruleset and data with a unit's raw value or a fixed weight changed."""

from __future__ import annotations

import copy
from dataclasses import replace


from .compiler import compile_document
from .diagnostics import EngineError, did_you_mean, said
from .execute import score
from .loading import Data
from .explain import unit_index
from .messages import Both, say
from .model import Ruleset
from .plugins import Plugins
from .result import Result


def what_if(ruleset: Ruleset, plugins: Plugins, data: Data, base: Result, unit: str,
            values: dict[str, float], weights: dict[str, float], period: str | None = None) -> dict:
    """Score again with ``values`` (indicator -> raw value for ``unit``) and ``weights``
    ("set.child" -> weight) changed; report the unit's score and rank before and after. With panel
    data, the unit's row in ``period`` (default: its latest) is the one changed and reported."""
    i = unit_index(base, unit, period)
    if base.unit_periods is not None:
        period = base.unit_periods[i].as_py()
    changed = _with_weights(ruleset, plugins, weights) if weights else ruleset
    data = _with_values(ruleset, data, unit, period, values) if values else data
    after = score(changed, plugins, data)
    j = unit_index(after, unit, period)
    before_score, after_score = float(base.score[i]), float(after.score[j])
    before_rank, after_rank = float(base.rank[i]), float(after.rank[j])
    return {"changes": {"values": values, "weights": weights}, "period": period,
            "score_before": before_score, "score_after": after_score,
            "rank_before": before_rank, "rank_after": after_rank, "label": ruleset.label(ruleset.score)}


def format_what_if(change: dict, lang: str = "en") -> str:
    """One line for a person: what changed, and the score and rank before and after."""
    what = ", ".join([f"{k} = {v:g}" for k, v in change["changes"]["values"].items()]
                     + [say("weight_is", lang, name=k, value=f"{v:g}") for k, v in change["changes"]["weights"].items()])
    before, after = change["score_before"], change["score_after"]
    return say("what_if", lang, what=what, label=change["label"], before=f"{before:.3f}", after=f"{after:.3f}",
               change=f"{after - before:+.3f}", rank_before=f"{change['rank_before']:g}", rank_after=f"{change['rank_after']:g}")


def _with_values(ruleset: Ruleset, data: Data, unit: str, period: str | None, values: dict[str, float]) -> Data:
    ids = data.units["id"].to_pylist()
    periods = data.units["period"].to_pylist() if period is not None else [None] * len(ids)
    row = list(zip(ids, periods)).index((unit, period))
    columns = dict(data.columns)
    for name, value in values.items():
        indicator = ruleset.indicators.get(name)
        if indicator is None or indicator.column is None:
            hint = did_you_mean(name, [n for n, ind in ruleset.indicators.items() if ind.column is not None])
            raise EngineError([said("E_UNKNOWN_NAME", "whatif.set_unknown", name=name, hint=hint)])
        key = (indicator.source, indicator.column)
        columns[key] = columns[key].copy()
        columns[key][row] = value
    return replace(data, columns=columns)


def _with_weights(ruleset: Ruleset, plugins: Plugins, weights: dict[str, float]) -> Ruleset:
    document = copy.deepcopy(ruleset.document)
    sets = document.get("weights", {})
    for key, value in weights.items():
        set_name, _, child = key.partition(".")
        spec = sets.get(set_name)
        if spec is None or spec.get("method") != "fixed" or child not in spec.get("params", {}).get("values", {}):
            raise EngineError([said("E_UNKNOWN_NAME", "whatif.weight_unknown", name=key,
                                    hint=Both("write SET.CHILD=VALUE, e.g. beta.S=0.4", "请写成 权重集.组成部分=数值，例如 beta.S=0.4"))])
        values = spec["params"]["values"]
        siblings = {c for node in ruleset.nodes.values() if node.weight_set is not None
                    and node.weight_set.name == set_name and child in node.children for c in node.children} - {child}
        rest = sum(values[c] for c in siblings)
        total = rest + values[child]
        if rest > 0:  # the node's other children keep their proportions and the weights their total (1, or points)
            if not 0 <= value <= total:
                raise EngineError([said("E_PARAMS", "whatif.weight_range", name=key, value=f"{value:g}", total=f"{total:g}")])
            for c in siblings:
                values[c] = values[c] * (total - value) / rest
        values[child] = value
    compiled, diagnostics = compile_document(document, ruleset.source_map, plugins, ruleset.base_dir)
    if compiled is None:
        raise EngineError([d for d in diagnostics if d.is_error])
    return compiled
