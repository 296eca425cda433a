"""The directional distance function with undesirable outputs (Chung, Färe & Grosskopf 1997).

β is how far a unit could move along the direction g at once — more desirable output, less
undesirable output and, if asked, less input — while staying within what the other units show
possible:

    max β  s.t.  Σ λ_j x_j ≤ (1 − β·d) x_o,  Σ λ_j y^g_j ≥ (1 + β) y^g_o,  Σ λ_j y^b_j = (1 − β) y^b_o,  λ ≥ 0

with d = 1 when the direction includes the inputs (``"direction": "inputs_and_outputs"``) and 0 when
it is the outputs alone (the default, g = (0, y^g, −y^b)); the equality keeps undesirable outputs
weakly disposable (they cannot be shed for free). Σ λ = 1 under variable returns. β = 0 on the
frontier; larger is worse, so the node is ranked lowest first.
"""

from __future__ import annotations

import highspy
import numpy as np

from govscore.engine.data import complete_rows, spread
from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.plugins.lp import INF, INPUTS, RETURNS, UNDESIRABLE, column_scales, highs
from govscore.plugins.sbm import roles


def ddf(x, w, params, children, units=None):
    returns = params.get("returns", "constant")
    with_inputs = params.get("direction", "outputs") == "inputs_and_outputs"
    is_input, is_good, is_bad = roles(children, params)
    present = complete_rows(x, w)
    bad = present & (((x < 0) | ((x == 0) & is_input)).any(axis=1))
    if bad.any():
        raise UnitsError("E_DOMAIN", "ddf.domain", bad, hint=Both("normalise inputs and outputs with ratio (to the mean) or none",
                                                                  "投入和产出请用 ratio（除以均值）或 none 标准化"))
    if present.sum() < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=Both("the directional distance function", "方向距离函数"))])
    data = x[present] / np.r_[tuple(column_scales(x[present]))]
    X, G, B = data[:, is_input], data[:, is_good], data[:, is_bad]
    n = len(data)
    solver = highs()
    solver.addVars(n + 1, np.r_[np.zeros(n), -INF], np.full(n + 1, INF))  # λ, then β (free: a unit beyond the frontier)
    solver.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), np.r_[np.zeros(n), -1.0])
    lam = np.arange(n, dtype=np.int32)
    with_beta = np.r_[lam, n].astype(np.int32)
    rows = []  # (block, k): the unit's own value enters the row's bound and β's coefficient
    for block, data_block in (("x", X), ("g", G), ("b", B)):
        for k in range(data_block.shape[1]):
            solver.addRow(-INF, INF, n + 1, with_beta, np.r_[data_block[:, k], 0.0])
            rows.append((block, k))
    if returns == "variable":
        solver.addRow(1.0, 1.0, n, lam, np.ones(n))
    beta = np.empty(n)
    for o in range(n):
        for row, (block, k) in enumerate(rows):
            own = {"x": X, "g": G, "b": B}[block][o, k]
            if block == "x":  # Σλx + β·d·x_o ≤ x_o
                solver.changeCoeff(row, n, float(own if with_inputs else 0.0))
                solver.changeRowBounds(row, -INF, float(own))
            elif block == "g":  # Σλy − β·y_o ≥ y_o
                solver.changeCoeff(row, n, -float(own))
                solver.changeRowBounds(row, float(own), INF)
            else:  # Σλb + β·b_o = b_o
                solver.changeCoeff(row, n, float(own))
                solver.changeRowBounds(row, float(own), float(own))
        solver.run()
        status = solver.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise EngineError([said("E_DOMAIN", "dea.unsolved", status=solver.modelStatusToString(status))])
        beta[o] = -solver.getInfo().objective_function_value
    return spread(beta, present), {"returns": returns, "direction": "inputs_and_outputs" if with_inputs else "outputs"}


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["inputs"], "properties": {
        "inputs": INPUTS,
        "undesirable": {**UNDESIRABLE, "description": UNDESIRABLE["description"] + " Weakly disposable."},
        "returns": RETURNS,
        "direction": {"enum": ["outputs", "inputs_and_outputs"], "default": "outputs",
                      "description": "outputs: g = (0, y^g, −y^b); inputs_and_outputs: g = (−x, y^g, −y^b)."}}}


@hookimpl
def register_aggregators(register):
    register("directional_distance", ddf, title={"en": "Directional distance function", "zh": "方向距离函数"},
             weighted=False, whole_columns=True, better="lower", params=PARAMS,
             description={"en": "Directional distance function with undesirable outputs (Chung, Färe & Grosskopf 1997): "
                                "β, how far a unit could at once raise its desirable outputs and cut its undesirable ones "
                                "(0 on the frontier, lower is better).",
                          "zh": "含非期望产出的方向距离函数（Chung、Färe 与 Grosskopf 1997）：β 为单位可同时增加期望产出、"
                                "减少非期望产出的比例（前沿上为 0，越小越好）。"})
