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

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.engine.values import complete_rows, spread
from govscore.plugins.lp import INF, INPUTS, RETURNS, UNDESIRABLE, Envelopment, column_scales
from govscore.plugins.sbm import roles


class _Directional(Envelopment):
    """The directional programme over a reference set that grows by column generation (as DEA's): the outputs
    are the desirable then the undesirable ones, and the measured column is β, free, maximised."""

    dominance = False  # the undesirable outputs' rows are equalities, their multipliers free

    def __init__(self, X, G, B, returns, with_inputs):
        self.good, self.with_inputs = G.shape[1], with_inputs
        first = np.unique(np.r_[np.argmax(G, axis=0), np.argmin(X, axis=0), np.argmin(B, axis=0)]) if len(X) else []
        super().__init__(X, np.c_[G, B], returns, "output", reference=first)
        self.solver.changeColBounds(0, -INF, INF)

    def _point(self, x, y) -> None:
        m, solver = self.m, self.solver
        for i in range(m):  # Σλx + β·d·x_o ≤ x_o
            solver.changeCoeff(i, 0, float(x[i]) if self.with_inputs else 0.0)
            solver.changeRowBounds(i, -INF, float(x[i]))
        for r in range(self.s):
            if r < self.good:  # Σλy − β·y_o ≥ y_o
                solver.changeCoeff(m + r, 0, -float(y[r]))
                solver.changeRowBounds(m + r, float(y[r]), INF)
            else:  # Σλb + β·b_o = b_o
                solver.changeCoeff(m + r, 0, float(y[r]))
                solver.changeRowBounds(m + r, float(y[r]), float(y[r]))

    def _measure(self, objective: float) -> float:
        return -objective


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
    frontier = _Directional(X, G, B, returns, with_inputs)
    beta = np.array([frontier.generate(X[o], np.r_[G[o], B[o]], o).efficiency for o in range(len(data))])
    return spread(beta, present), {"returns": returns, "direction": "inputs_and_outputs" if with_inputs else "outputs",
                                   "efficient": int((beta <= 1e-7).sum())}


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
