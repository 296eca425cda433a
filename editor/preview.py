"""What the editor's preview shows of a ruleset that compiles: the ranking, the grades, the weights
actually used (derived ones included) and the warnings, or the problems that stopped the scoring."""

from __future__ import annotations

import math

import numpy as np

from govscore.engine.diagnostics import EngineError
from govscore.engine.execute import score
from govscore.engine.loading import load_data
from govscore.engine.model import Ruleset
from govscore.engine.plugins import Plugins

ROWS = 100  # units listed; the rest are counted


def _number(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def preview(ruleset: Ruleset, plugins: Plugins) -> dict:
    """Score the ruleset on its own data files (only those inside its folder, as engine run reads them)."""
    try:
        result = score(ruleset, plugins, load_data(ruleset, plugins))
    except EngineError as exc:
        return {"ok": False, "problems": [d.to_dict() for d in exc.diagnostics]}
    values = result.rounded.get(ruleset.score, result.score)
    rank = result.rank
    order = np.lexsort((np.arange(result.size), np.where(np.isnan(rank), np.inf, rank)))[:ROWS]
    column = lambda a: None if a is None else a.to_pylist()  # noqa: E731
    ids, labels, groups, periods = (column(a) for a in (result.unit_ids, result.unit_labels, result.unit_groups,
                                                           result.unit_periods))
    rows = [{"rank": _number(rank[i]), "id": ids[i], "label": labels[i] if labels else None,
             "group": groups[i] if groups else None, "period": periods[i] if periods else None,
             "score": _number(values[i]), "grade": result.grade[i] if result.grade is not None else None}
            for i in (int(j) for j in order)]
    grades = []
    if result.grade is not None:
        for band in ruleset.bands:
            grades.append({"label": band.label, "count": int(np.count_nonzero(result.grade == band.label))})
    derived = {name: details.get("weighting") for name, details in result.details.items()
               if ruleset.nodes[name].weight_set is not None and ruleset.nodes[name].weight_set.uses_data}
    return {
        "ok": True, "units": result.size, "scored": int(np.count_nonzero(~np.isnan(result.score))),
        "score": {"name": ruleset.score, "label": ruleset.label(ruleset.score)},
        "rows": rows,
        "grades": grades,
        "weights": {node: {child: _number(w) for child, w in ws.items()} for node, ws in result.weights.items()},
        "derived": derived,
        "labels": {name: ruleset.label(name) for name in [*ruleset.indicators, *ruleset.nodes]},
        "warnings": [d.to_dict() for d in result.diagnostics if d.severity == "warning"],
    }
