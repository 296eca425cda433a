"""What the linear programmes of the DEA family share: a silent HiGHS, columns scaled to a like size,
results put back among all units, and what to say of units whose programme has no solution."""

from __future__ import annotations

import math
import os
import sys
from typing import NamedTuple

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.messages import Both
from govscore.engine.values import complete_rows

ORIENTED = {"input": Both("input-oriented", "投入导向"), "output": Both("output-oriented", "产出导向"),
            "none": Both("non-oriented", "非导向")}

INF = math.inf  # HiGHS's own infinity (highspy.kHighsInf), without importing HiGHS before a model is solved

# Parameters the models share, as their schemas write them.
INPUTS = {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True,
          "description": "The children that are inputs; the others are outputs."}
UNDESIRABLE = {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
               "description": "The outputs that are undesirable (emissions, complaints: less is better)."}
RETURNS = {"enum": ["constant", "variable"], "default": "constant",
           "description": "Returns to scale: constant (CRS) or variable (VRS, Σλ = 1)."}


def highs():
    """A silent HiGHS instance (its constructor prints a banner on standard output, which may carry results),
    on the calling thread only: these small LPs gain nothing from HiGHS's worker threads, and a worker still
    alive when the process exits can abort it ("terminate called without an active exception")."""
    import highspy  # here, not on every command's start-up

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


def solve(solver) -> bool:
    """Run HiGHS: True when the programme is solved, False when it has no solution; any other end (a limit,
    an unbounded programme) is an error naming HiGHS's status."""
    import highspy

    solver.run()
    status = solver.getModelStatus()  # read before the model changes again (a change clears it)
    if status == highspy.HighsModelStatus.kOptimal:
        return True
    if status == highspy.HighsModelStatus.kInfeasible:
        return False
    raise EngineError([said("E_DOMAIN", "dea.unsolved", status=solver.modelStatusToString(status))])


def solved(solver) -> None:
    """Run HiGHS where a programme always has a solution: any other end is an error."""
    if not solve(solver):
        raise EngineError([said("E_DOMAIN", "dea.unsolved", status="Infeasible")])


def column_scales(*matrices: np.ndarray) -> list[np.ndarray]:
    """Each column's mean absolute value (1 where it is 0): DEA scores do not change when a column is divided
    by a positive number, and the solver's tolerances hold best on columns of like size, so data in billions
    and in fractions give the same answer."""
    out = []
    for matrix in matrices:
        size = np.abs(matrix).mean(axis=0) if len(matrix) else np.ones(matrix.shape[1])
        out.append(np.where(size > 0, size, 1.0))
    return out


def snapped(value: float) -> float:
    """An efficiency within 1e-9 of 1 as 1: what parts it from 1 is the solver's rounding, which differs with
    the reference set the programme was given and must not rank efficient units apart (nor runs in memory
    and out of core)."""
    return 1.0 if abs(value - 1.0) <= 1e-9 else value


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
                    "warnings": [said("W_METHOD", "dea.super_infeasible", severity="warning", units=tuple(map(str, missing)),
                                      count=len(missing), model=model, orientation=ORIENTED[orientation])]}


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


class Optimum(NamedTuple):
    efficiency: float
    multipliers: np.ndarray  # the row duals: −v for the inputs, u for the outputs (then u0)
    lambda_sum: float
    peers: tuple[int, ...]  # the units with λ > 0


RETURNS_ROW = {"constant": None, "variable": (1.0, 1.0)}  # bounds on Σ λ
TOLERANCE = 1e-9


class Envelopment:
    """The radial envelopment programme over a reference set of the units (rows of X, Y), for points in
    or outside it: input oriented min θ, Σ λ_j x_j ≤ θ x, Σ λ_j y_j ≥ y; output oriented max φ,
    Σ λ_j x_j ≤ x, Σ λ_j y_j ≥ φ y, the efficiency 1/φ; Σ λ = 1 under variable returns. One HiGHS
    model, only the evaluated point changing between calls.

    Columns: θ (or φ), the evaluated unit's own column (open only in ``generate``), then the reference
    units, ``reference`` (all units when None). The envelopment form has one row per input and output
    however many units there are, which keeps each programme small when the reference set grows."""

    dominance = True  # see _drop_dominated

    def __init__(self, X, Y, returns, orientation, reference=None):
        self.X, self.Y, self.orientation = X, Y, orientation
        self.m, self.s = X.shape[1], Y.shape[1]
        self.nrow = self.m + self.s + (RETURNS_ROW[returns] is not None)
        self.A = np.c_[X, Y, np.ones(len(X))][:, :self.nrow]  # each unit's column
        self.rows = np.arange(self.nrow, dtype=np.int32)
        self.solver = highs()
        self.solver.addVars(2, np.zeros(2), np.array([INF, 0.0]))
        self.solver.changeColCost(0, 1.0 if orientation == "input" else -1.0)
        lower, upper = np.full(self.nrow, -INF), np.full(self.nrow, INF)
        if RETURNS_ROW[returns] is not None:
            lower[-1], upper[-1] = RETURNS_ROW[returns]
        self.solver.addRows(self.nrow, lower, upper, 0, np.zeros(self.nrow, dtype=np.int32),
                            np.zeros(0, dtype=np.int32), np.zeros(0))
        self.column = np.full(len(X), -1)  # each unit's column, −1 outside the reference set
        self.unit = [-1, -1]  # each column's unit (−1: θ, the evaluated unit's own column, a unit's extras)
        self.candidates = np.arange(len(X))  # the units outside the reference set that could still join it
        self.add(np.arange(len(X)) if reference is None else np.asarray(reference, dtype=int))

    def add(self, units: np.ndarray) -> None:
        """Bring these units into the reference set."""
        k, first = len(units), self.solver.getNumCol()
        self.solver.addCols(k, np.zeros(k), np.zeros(k), np.full(k, INF), k * self.nrow,
                            (np.arange(k) * self.nrow).astype(np.int32), np.tile(self.rows, k), self.A[units].ravel())
        self.column[units] = first + np.arange(k)
        self.unit.extend(int(j) for j in units)
        self._drop_dominated(units)

    def _drop_dominated(self, units: np.ndarray) -> None:
        """Leave out of the pricing the units that no longer could join: those now in the reference set, and
        those a reference unit dominates (no more output, no less input). Multipliers are never negative, so
        a dominated unit's reduced cost is at least its dominator's, which is not negative at an optimum.
        (Rows with free multipliers — equalities — make no such promise: a subclass that has them keeps all.)"""
        candidates = np.setdiff1d(self.candidates, units, assume_unique=True)
        if self.dominance:
            for j in units:
                if not len(candidates):
                    break
                inside = ((self.X[candidates] >= self.X[j]).all(axis=1) & (self.Y[candidates] <= self.Y[j]).all(axis=1))
                candidates = candidates[~inside]
        self.candidates = candidates
        self.priced = self.A[candidates]

    def _point(self, x, y) -> None:
        m, s, solver = self.m, self.s, self.solver
        if self.orientation == "input":  # Σλx − θx ≤ 0, Σλy ≥ y
            for i in range(m):
                solver.changeCoeff(i, 0, -float(x[i]))
            solver.changeRowsBounds(s, self.rows[m:m + s], np.asarray(y, dtype=float), np.full(s, INF))
            solver.changeRowsBounds(m, self.rows[:m], np.full(m, -INF), np.zeros(m))
        else:  # Σλx ≤ x, Σλy − φy ≥ 0
            solver.changeRowsBounds(m, self.rows[:m], np.full(m, -INF), np.asarray(x, dtype=float))
            solver.changeRowsBounds(s, self.rows[m:m + s], np.zeros(s), np.full(s, INF))
            for r in range(s):
                solver.changeCoeff(m + r, 0, -float(y[r]))

    def _run(self) -> float:
        """The optimum's efficiency; NaN where the programme has no solution."""
        if not solve(self.solver):
            return float("nan")
        return self._measure(self.solver.getInfo().objective_function_value)

    def _measure(self, objective: float) -> float:
        return snapped(objective if self.orientation == "input" else 1.0 / -objective)

    def efficiency(self, x, y, leave_out: int | None = None) -> float:
        """The point's efficiency; ``leave_out``: a reference unit not to use (super-efficiency). NaN where
        the programme has no solution (under variable returns, no combination reaches the point)."""
        self._point(x, y)
        if leave_out is not None:
            self.solver.changeColBounds(int(self.column[leave_out]), 0.0, 0.0)
        try:
            return self._run()
        finally:
            if leave_out is not None:
                self.solver.changeColBounds(int(self.column[leave_out]), 0.0, INF)

    def generate(self, x, y, own: int, extra=()) -> Optimum:
        """The efficiency of a unit with inputs x and outputs y, by column generation: solved over the reference
        set, which gains the unit the optimal multipliers would rate furthest above the frontier until no unit is
        rated above it. The unit's own column keeps the programme feasible and the efficiency at most 1; among
        the peers it is ``own``. ``extra``: columns over the output rows for this unit only (bounds on its
        multipliers)."""
        solver, first = self.solver, self.solver.getNumCol()
        self._point(x, y)
        for r, value in enumerate(np.r_[x, y, 1.0][:self.nrow]):
            solver.changeCoeff(r, 1, float(value))
        solver.changeColBounds(1, 0.0, INF)
        for coefficients in extra:
            solver.addCol(0.0, 0.0, INF, self.s, self.rows[self.m:self.m + self.s], coefficients)
            self.unit.append(-1)
        try:
            while True:
                solved(solver)  # the unit's own column keeps the programme feasible
                value = self._measure(solver.getInfo().objective_function_value)
                solution = solver.getSolution()
                duals = np.asarray(solution.row_dual)
                reduced = -(self.priced @ duals)  # < 0: a unit rated above the frontier by these multipliers
                best = int(np.argmin(reduced)) if len(reduced) else -1
                if best < 0 or reduced[best] >= -TOLERANCE * max(1.0, abs(value)):
                    lam = np.asarray(solution.col_value)
                    lam[first:first + len(extra)] = 0.0  # not λ
                    support = np.flatnonzero(lam[1:] > 1e-9) + 1
                    peers = sorted({own if j == 1 else self.unit[j] for j in support})
                    return Optimum(value, duals, float(lam[1:].sum()), tuple(peers))
                self.add(self.candidates[best:best + 1])
        finally:
            solver.changeColBounds(1, 0.0, 0.0)
            if extra:
                solver.deleteCols(len(extra), np.arange(first, first + len(extra), dtype=np.int32))
                self.column[self.column >= first + len(extra)] -= len(extra)
                del self.unit[first:first + len(extra)]
