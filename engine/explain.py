"""Why a unit scored what it did: the path from raw values to the score, for one unit.

For every indicator behind the score: the raw value, whether it was filled in, the normalised
value, its weight in its parent node and in the score, and its contribution. Contributions add up
to the score when every node on the way combines its children linearly (weighted mean or sum);
otherwise they are left out and the explanation says which node prevents them. For the children of
a geometric node, the terms (w/Σw)·ln x of the node's logarithm are given instead. The strongest and
weakest indicators (短板) are found by comparing the unit with the average of its group.
"""

from __future__ import annotations

import numpy as np

from . import lazy
from .data import as_numpy
from .diagnostics import EngineError, did_you_mean, said
from .execute import period_numbers
from .messages import Both, aside, listed, say
from .obstacles import obstacle_degrees
from .profiles import strengths_and_weaknesses
from .result import Result
from .textwidth import table
from .values import number_or_none

pc = lazy.module("pyarrow.compute")


def unit_index(result: Result, unit: str, period: str | None = None) -> int:
    """The row of ``unit`` in the result; with panel data, its row in ``period`` (default: its latest)."""
    ids = result.unit_ids.to_pylist()
    if unit not in ids:
        if unit in result.dropped:
            raise EngineError([said("E_UNKNOWN_NAME", "units.was_dropped", unit=unit)])
        hint = did_you_mean(unit, ids) or Both(f"units are identified by their id, e.g. {ids[0]}", f"单位以编号标识，例如 {ids[0]}")
        raise EngineError([said("E_UNKNOWN_NAME", "units.unknown", hint=hint, unit=unit)])
    if result.unit_periods is None:
        if period is not None:
            raise EngineError([said("E_UNKNOWN_NAME", "units.no_periods", period=period,
                                    hint=Both("leave out --period", "去掉 --period"))])
        return ids.index(unit)
    rows = [k for k, u in enumerate(ids) if u == unit]
    periods = [result.unit_periods[k].as_py() for k in rows]
    if period is None:
        when = period_numbers(result.unit_periods)
        return max(rows, key=lambda k: when[k])
    if period not in periods:
        hint = Both(f"its periods: {', '.join(sorted(periods))}", f"它的时期：{'、'.join(sorted(periods))}")
        raise EngineError([said("E_UNKNOWN_NAME", "units.unknown_period", unit=unit, period=period, hint=hint)])
    return rows[periods.index(period)]


def linear_names(result: Result) -> tuple[set[str], str | None]:
    """The names reached from the score through linear aggregations only, and the first node that is not."""
    rs = result.ruleset
    reached, blocker = {rs.score}, None
    for name in reversed(list(rs.nodes)):  # parents before children
        node = rs.nodes[name]
        if name not in reached:
            continue
        if node.aggregator is not None and node.aggregator.options.get("linear"):
            reached.update(node.children)
        elif blocker is None:
            blocker = name
    return reached, blocker


def explain(result: Result, unit: str, period: str | None = None) -> dict:
    """A plain-data explanation of one unit's score; with panel data, in one period (default: its
    latest), compared with the units of that period."""
    rs = result.ruleset
    i = unit_index(result, unit, period)
    group = result.unit_groups[i].as_py() if result.unit_groups is not None else None
    period = result.unit_periods[i].as_py() if result.unit_periods is not None else None
    same_period = (as_numpy(pc.fill_null(pc.equal(result.unit_periods, period), False))
                   if period is not None else np.ones(result.size, dtype=bool))
    in_group = (as_numpy(pc.fill_null(pc.equal(result.unit_groups, group), False)) & same_period
                if result.unit_groups is not None else same_period)
    shares = result.effective_weights()
    obstacles = obstacle_degrees(result)

    def obstacle(kind: int, name: str) -> float | None:
        """The unit's obstacle degree of an indicator (kind 0) or a node (kind 1), where there is one."""
        return number_or_none(obstacles[kind][name][i]) if obstacles is not None and name in obstacles[kind] else None
    linear, blocker = linear_names(result)
    parent_weight = {child: w for weights in result.weights.values() for child, w in weights.items()}
    parent_of = {child: node for node, weights in result.weights.items() for child in weights}

    def log_contribution(name, value):
        """For a child of a geometric node: its term (w/Σw)·ln x of the node's logarithm."""
        node = parent_of.get(name)
        if node is None or not rs.nodes[node].aggregator.options.get("log_linear") or value is None or value <= 0:
            return None
        weights = result.weights[node]
        return weights[name] / sum(weights.values()) * float(np.log(value))
    indicators = []
    for name in rs.indicators:
        if name not in result.normalised:
            continue
        values = result.normalised[name]
        share = shares.get(name)
        additive = name in linear and share is not None
        indicators.append({
            "name": name, "label": rs.label(name), "unit": rs.indicators[name].unit,
            "raw": number_or_none(result.raw[name][i]),
            "treated": number_or_none(result.treated[name][i]) if name in result.treated else None,
            "imputed": bool(result.imputed.get(name, np.zeros(1, bool))[i])
            if name in result.imputed else False,
            "normalised": number_or_none(values[i]), "weight": parent_weight.get(name), "effective_weight": share,
            "contribution": number_or_none(values[i] * share) if additive else None,
            "log_contribution": log_contribution(name, number_or_none(values[i])),
            "group_mean": number_or_none(np.nanmean(values[in_group])), "best": number_or_none(np.nanmax(values[same_period])),
            "obstacle": obstacle(0, name),
        })
    strongest, weakest = strengths_and_weaknesses({d["name"]: d["normalised"] - d["group_mean"] for d in indicators
                                                   if d["normalised"] is not None and d["group_mean"] is not None})
    score = result.value(rs.score)
    rounded = result.rounded.get(rs.score)
    return {
        "unit": unit,
        "label": result.unit_labels[i].as_py() if result.unit_labels is not None else None,
        "group": group,
        "period": period,
        "score": {"node": rs.score, "label": rs.label(rs.score), "value": number_or_none(score[i]),
                  "rounded": number_or_none(rounded[i]) if rounded is not None else None,
                  "rank": number_or_none(result.rank[i]), "ranked": int(np.sum(~np.isnan(result.rank) & same_period)),
                  "group_rank": number_or_none(result.group_rank[i]) if result.group_rank is not None else None,
                  "group_size": int(in_group.sum()),
                  "grade": result.grade[i] if result.grade is not None else None},
        "nodes": [{"name": n, "label": rs.label(n), "value": number_or_none(result.nodes[n][i]),
                   "method": rs.nodes[n].aggregator.name if rs.nodes[n].aggregator else "formula",
                   "effective_weight": shares.get(n), "log_contribution": log_contribution(n, number_or_none(result.nodes[n][i])),
                   "obstacle": obstacle(1, n)}
                  for n in reversed(list(rs.nodes))],
        "indicators": indicators,
        "strongest": strongest,
        "weakest": weakest,
        "obstacles": None if obstacles is None else sorted(
            (d["name"] for d in indicators if d["obstacle"] is not None), key=lambda n: -obstacle(0, n))[:3],
        "additive": blocker is None,
        "not_additive_at": blocker,
    }


def _number(x, digits=3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def format_explanation(e: dict, lang: str = "en") -> str:
    """The explanation as text for a person, in ``lang``."""
    s = e["score"]
    who = (" ".join(part for part in (e["unit"], e["label"]) if part) + aside(e["group"], lang)
           + (say("period_is", lang, period=e["period"]) if e["period"] is not None else ""))
    lines = [who, f"{s['label']} = {_number(s['value'])}"
             + (say("rounded", lang, value=f"{s['rounded']:g}") if s["rounded"] is not None else "")
             + (say("rank_of", lang, rank=f"{s['rank']:g}", n=s["ranked"]) if s["rank"] is not None else say("no_rank", lang))
             + (say("group_rank_of", lang, rank=f"{s['group_rank']:g}", n=s["group_size"], group=e["group"])
                if s["group_rank"] is not None else "")
             + (say("grade_is", lang, grade=s["grade"]) if s["grade"] else ""), ""]
    lines.append(say("nodes_are", lang, nodes=listed((f"{n['label']} = {_number(n['value'])}" for n in e["nodes"]), lang, "clause_sep")))
    lines.append("")
    header = say("explain_headers", lang).split("|")
    rows = [[d["label"] + (" *" if d["imputed"] else ""), _number(d["raw"]), _number(d["treated"]), _number(d["normalised"]),
             _number(d["weight"]), _number(d["effective_weight"]), _number(d["contribution"]),
             _number(d["group_mean"]), _number(d["best"])] for d in e["indicators"]]
    lines += table(header, rows, [False] + [True] * (len(header) - 1))
    if any(d["imputed"] for d in e["indicators"]):
        lines.append(say("imputed_note", lang))
    if e["additive"]:
        lines.append(say("additive", lang))
    else:
        lines.append(say("not_additive", lang, node=e["not_additive_at"]))
        logs = [(d["label"], d["log_contribution"]) for d in e["nodes"] + e["indicators"] if d["log_contribution"] is not None]
        if logs:
            lines.append(say("log_terms", lang, terms=listed((f"{label} {value:.4f}" for label, value in logs), lang)))
    label = {d["name"]: d["label"] for d in e["indicators"]}
    where = say("group_average_of", lang, group=e["group"]) if e["group"] else say("the_average", lang)
    lines.append(say("strongest", lang, where=where, names=listed((label[n] for n in e["strongest"]), lang) or say("none", lang)))
    lines.append(say("weakest", lang, where=where, names=listed((label[n] for n in e["weakest"]), lang) or say("none", lang)))
    degree = {d["name"]: d["obstacle"] for d in e["indicators"]}
    if e["obstacles"] is None:
        lines.append(say("obstacles_undefined", lang))
    elif e["obstacles"]:
        lines.append(say("obstacles", lang, names=listed((f"{label[n]} {degree[n]:.1%}" for n in e["obstacles"]), lang)))
    else:
        lines.append(say("no_obstacle", lang))
    return "\n".join(lines) + "\n"
