"""What the linear programmes of the DEA family share: a silent HiGHS, columns scaled to a like size,
results put back among all units, and what to say of units whose programme has no solution."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

from govscore.engine.data import complete_rows
from govscore.engine.diagnostics import EngineError, said
from govscore.engine.messages import Both, both

ORIENTED = {"input": Both("input-oriented", "投入导向"), "output": Both("output-oriented", "产出导向"),
            "none": Both("non-oriented", "非导向")}

INF = highspy.kHighsInf

# Parameters the models share, as their schemas write them.
INPUTS = {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True,
          "description": "The children that are inputs; the others are outputs."}
UNDESIRABLE = {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
               "description": "The outputs that are undesirable (emissions, complaints: less is better)."}
RETURNS = {"enum": ["constant", "variable"], "default": "constant",
           "description": "Returns to scale: constant (CRS) or variable (VRS, Σλ = 1)."}


def highs() -> highspy.Highs:
    """A silent HiGHS instance (its constructor prints a banner on standard output, which may carry results),
    on the calling thread only: these small LPs gain nothing from HiGHS's worker threads, and a worker still
    alive when the process exits can abort it ("terminate called without an active exception")."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    return solver


def column_scales(*matrices: np.ndarray) -> list[np.ndarray]:
    """Each column's mean absolute value (1 where it is 0): DEA scores do not change when a column is divided
    by a positive number, and the solver's tolerances hold best on columns of like size, so data in billions
    and in fractions give the same answer."""
    out = []
    for matrix in matrices:
        size = np.abs(matrix).mean(axis=0) if len(matrix) else np.ones(matrix.shape[1])
        out.append(np.where(size > 0, size, 1.0))
    return out


def spread_text(values, present: np.ndarray) -> np.ndarray:
    """Text computed for the ``present`` units, put back among all units (None elsewhere)."""
    out = np.full(len(present), None, dtype=object)
    out[present] = values
    return out


def without_solution(value: np.ndarray, present: np.ndarray, units, model, orientation: str) -> tuple[np.ndarray, dict]:
    """Each unit's status (optimal, or infeasible where ``value`` is NaN) among all units, and — when some
    programme had no solution — the units to leave without a value and the warning that names them."""
    status = spread_text(np.where(np.isnan(value), "infeasible", "optimal"), present)
    if not np.isnan(value).any():
        return status, {}
    ids = np.asarray(units, dtype=object)[present] if units is not None else np.arange(len(value)).astype(str)
    missing = ids[np.isnan(value)]
    no_value = np.zeros(len(present), dtype=bool)
    no_value[np.flatnonzero(present)[np.isnan(value)]] = True
    return status, {"no_value": no_value,
                    "warnings": [both("dea.super_infeasible", count=len(missing), which=", ".join(map(str, missing[:10])),
                                      model=model, orientation=ORIENTED[orientation])]}


def inputs_and_outputs(x, w, params, children) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inputs named in params and the other children as outputs, and the units that have every child."""
    inputs = params.get("inputs", [])
    unknown = [c for c in inputs if c not in children]
    if unknown:
        raise EngineError([said("E_PARAMS", "dea.unknown_inputs", children=", ".join(unknown))])
    is_input = np.isin(np.asarray(children), inputs)
    if is_input.all() or (inputs and not is_input.any()):
        raise EngineError([said("E_PARAMS", "dea.no_output")])
    return x[:, is_input], x[:, ~is_input], complete_rows(x, w)


class Envelopment:
    """The radial envelopment programme over one reference set (rows of X, Y), for points in or outside
    it: input oriented min θ, Σ λ_j x_j ≤ θ x, Σ λ_j y_j ≥ y; output oriented max φ, Σ λ_j x_j ≤ x,
    Σ λ_j y_j ≥ φ y, the efficiency 1/φ; Σ λ = 1 under variable returns. One HiGHS model, only the
    evaluated point changing between calls."""

    def __init__(self, X, Y, returns, orientation):
        n, self.m, self.s = len(X), X.shape[1], Y.shape[1]
        self.orientation, self.k = orientation, n
        self.solver = highs()
        self.solver.addVars(n + 1, np.zeros(n + 1), np.full(n + 1, INF))  # λ, then θ (or φ)
        cost = np.r_[np.zeros(n), 1.0 if orientation == "input" else -1.0]
        self.solver.changeColsCost(n + 1, np.arange(n + 1, dtype=np.int32), cost)
        lam = np.arange(n, dtype=np.int32)
        for i in range(self.m):
            self.solver.addRow(-INF, 0.0, n, lam, X[:, i])
        for r in range(self.s):
            self.solver.addRow(0.0, INF, n, lam, Y[:, r])
        if returns == "variable":
            self.solver.addRow(1.0, 1.0, n, lam, np.ones(n))

    def efficiency(self, x, y, leave_out: int | None = None) -> float:
        """The point's efficiency; ``leave_out``: a reference unit not to use (super-efficiency). NaN where
        the programme has no solution (under variable returns, no combination reaches the point)."""
        m, k = self.m, self.k
        if self.orientation == "input":  # Σλx − θx ≤ 0, Σλy ≥ y
            for i in range(m):
                self.solver.changeCoeff(i, k, -float(x[i]))
            for r in range(self.s):
                self.solver.changeRowBounds(m + r, float(y[r]), INF)
        else:  # Σλx ≤ x, Σλy − φy ≥ 0
            for i in range(m):
                self.solver.changeRowBounds(i, -INF, float(x[i]))
            for r in range(self.s):
                self.solver.changeCoeff(m + r, k, -float(y[r]))
        if leave_out is not None:
            self.solver.changeColBounds(int(leave_out), 0.0, 0.0)
        self.solver.run()
        status = self.solver.getModelStatus()  # read before the model changes again (a change clears it)
        value = self.solver.getInfo().objective_function_value
        if leave_out is not None:
            self.solver.changeColBounds(int(leave_out), 0.0, INF)
        if status == highspy.HighsModelStatus.kInfeasible:
            return float("nan")
        if status != highspy.HighsModelStatus.kOptimal:
            raise EngineError([said("E_DOMAIN", "dea.unsolved", status=self.solver.modelStatusToString(status))])
        return value if self.orientation == "input" else 1.0 / -value
