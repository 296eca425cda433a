"""Data envelopment analysis (DEA) and the benefit-of-the-doubt composite: each unit's score with
the weights most favourable to it.

CCR (constant returns, Charnes, Cooper & Rhodes 1978) and BCC (variable returns, Banker, Charnes &
Cooper 1984), input or output oriented, and the benefit-of-the-doubt composite (DEA with one unit
input, Cherchye et al. 2007). This is the paper's η with weights chosen per unit instead of fixed.

One linear programme per unit, solved with HiGHS (through highspy, keeping one model per node and
changing only what differs between units: about a tenth of a millisecond a programme). Two more
things keep it fast:
- the efficiency LPs are solved in multiplier form over a shared reference set that grows only
  when a unit's optimal weights would let some other unit exceed efficiency 1 (the frontier is
  found once and reused by every unit);
- slacks and peers (second phase) are sought among the efficient units only, where every optimal
  reference set lies.
Children arrive with their direction applied; give outputs and inputs the direction "higher" and a
normaliser that keeps zero at zero (ratio or none): DEA scores do not change when a column is
multiplied by a positive number.
"""

from __future__ import annotations

import highspy
import numpy as np

from govscore.engine.data import complete_rows, spread
from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.plugins.lp import (INF, INPUTS, Envelopment, column_scales, highs, inputs_and_outputs, spread_text,
                                 without_solution)

TOLERANCE = 1e-9
BOD = Both("benefit of the doubt", "有利权重法（BoD）")


def _solve(solver: highspy.Highs) -> tuple[float, np.ndarray]:
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise EngineError([said("E_DOMAIN", "dea.unsolved", status=solver.modelStatusToString(solver.getModelStatus()))])
    return solver.getInfo().objective_function_value, np.asarray(solver.getSolution().col_value)


class _Multipliers:
    """Phase 1 in multiplier form: columns u (outputs), v (inputs) and, for BCC, a free u0.

    Each reference unit j is a row u·y_j − v·x_j − u0 ≤ 0. Input oriented: minimise −(u·y_o − u0)
    with v·x_o = 1, so θ = u·y_o − u0. Output oriented: minimise v·x_o + u0 with u·y_o = 1, so φ is
    the optimum and the efficiency 1/φ. Row 0 is that normalisation; its coefficients and the costs
    change from unit to unit, the reference rows stay."""

    def __init__(self, X, Y, model, orientation):
        self.X, self.Y, self.orientation = X, Y, orientation
        self.m, self.s = X.shape[1], Y.shape[1]
        self.free = 1 if model in ("BCC", "NIRS") else 0
        self.ncol = self.s + self.m + self.free
        self.solver = highs()
        lower = np.zeros(self.ncol)
        if model == "BCC":  # Σ λ = 1; under NIRS (Σ λ ≤ 1) its multiplier u0 is ≥ 0
            lower[-1] = -INF
        self.solver.addVars(self.ncol, lower, np.full(self.ncol, INF))
        self.scaled = np.arange(self.s, self.s + self.m) if orientation == "input" else np.arange(self.s)
        self.solver.addRow(1.0, 1.0, len(self.scaled), self.scaled, np.ones(len(self.scaled)))
        self.rows = 1
        self.columns = np.arange(self.ncol, dtype=np.int32)

    def _row(self, j):
        return np.r_[self.Y[j], -self.X[j], [-1.0] * self.free]

    def add(self, j):
        self.solver.addRow(-INF, 0.0, self.ncol, self.columns, self._row(j))
        self.rows += 1

    def solve(self, o, own_row: bool, extra=()):
        """Solve for unit o; ``extra`` rows (coefficients, lower, upper) hold for this unit only."""
        X, Y = self.X, self.Y
        if self.orientation == "input":
            cost = np.r_[-Y[o], np.zeros(self.m), [1.0] * self.free]
            scale = X[o]
        else:
            cost = np.r_[np.zeros(self.s), X[o], [1.0] * self.free]
            scale = Y[o]
        self.solver.changeColsCost(self.ncol, self.columns, cost)
        for col, value in zip(self.scaled, scale):
            self.solver.changeCoeff(0, int(col), float(value))
        added = 0
        if own_row:  # keeps the programme bounded while the reference set is still small
            self.add(o)
            added += 1
        for coefficients, lower, upper in extra:
            self.solver.addRow(lower, upper, self.ncol, self.columns, coefficients)
            self.rows += 1
            added += 1
        try:
            objective, x = _solve(self.solver)
        finally:
            if added:
                self.solver.deleteRows(added, np.arange(self.rows - added, self.rows, dtype=np.int32))
                self.rows -= added
        u, v = x[:self.s], x[self.s:self.s + self.m]
        u0 = x[-1] if self.free else 0.0
        return (-objective if self.orientation == "input" else objective), u, v, u0


def efficiency(X, Y, model, orientation, bounds=None, which=None):
    """Efficiency of every unit (input: θ; output: 1/φ), by column generation over a shared reference set.
    ``model`` CCR, BCC or NIRS (non-increasing returns, Σ λ ≤ 1); ``which``: only these units (NaN for the rest).

    ``bounds`` (benefit of the doubt): for each output, the lowest and highest share of the unit's
    score it may carry, as rows u_r·y_ro − share·Σ u·y_o ≥ 0 (or ≤ 0) added for that unit only.
    Returns the scores and each unit's output weights u."""
    n = len(X)
    lp = _Multipliers(X, Y, model, orientation)
    ratios = Y[:, :, None] / X[:, None, :]
    reference = {int(k) for k in np.argmax(ratios.reshape(n, -1), axis=0)} | {int(np.argmin(X.sum(axis=1)))}
    for j in sorted(reference):
        lp.add(j)
    score = np.full(n, np.nan)
    weights = np.zeros(Y.shape)
    for o in range(n) if which is None else which:
        extra = _share_rows(Y[o], bounds, lp.ncol - Y.shape[1]) if bounds is not None else ()
        while True:
            value, u, v, u0 = lp.solve(o, own_row=o not in reference, extra=extra)
            excess = Y @ u - X @ v - u0  # > 0: these weights would rate unit j above the frontier
            worst = int(np.argmax(excess))
            if excess[worst] <= TOLERANCE * max(1.0, abs(value)) or worst in reference or worst == o:
                break
            reference.add(worst)
            lp.add(worst)
        score[o] = value if orientation == "input" else 1.0 / value
        weights[o] = u
    return np.minimum(score, 1.0), weights


def _share_rows(y, bounds, other_columns):
    rows = []
    for r, (low, high) in enumerate(bounds):
        for share, lower, upper in ((low, 0.0, INF), (high, -INF, 0.0)):
            if share is None:
                continue
            coefficients = -share * y
            coefficients[r] += y[r]
            rows.append((np.r_[coefficients, np.zeros(other_columns)], lower, upper))
    return rows


def _slacks_and_peers(X, Y, score, model, orientation):
    """Phase 2: the largest total slack at the unit's efficiency, over the efficient units, where every
    optimal reference set lies. Columns λ (efficient units), s− (inputs), s+ (outputs)."""
    n, m, s = len(X), X.shape[1], Y.shape[1]
    efficient = np.flatnonzero(score >= 1 - 1e-7)
    k = len(efficient)
    solver = highs()
    ncol = k + m + s
    solver.addVars(ncol, np.zeros(ncol), np.full(ncol, INF))
    solver.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), np.r_[np.zeros(k), -np.ones(m + s)])
    lam = np.arange(k, dtype=np.int32)
    for i in range(m):  # Σ λ_j x_ij + s−_i = θ x_io
        solver.addRow(0.0, 0.0, k + 1, np.r_[lam, k + i].astype(np.int32), np.r_[X[efficient, i], 1.0])
    for r in range(s):  # Σ λ_j y_rj − s+_r = y_ro (φ y_ro when output oriented)
        solver.addRow(0.0, 0.0, k + 1, np.r_[lam, k + m + r].astype(np.int32), np.r_[Y[efficient, r], -1.0])
    if model == "BCC":
        solver.addRow(1.0, 1.0, k, lam, np.ones(k))
    rows = np.arange(m + s, dtype=np.int32)
    slacks = np.zeros((n, m + s))
    peers = []
    for o in range(n):
        rhs = np.r_[score[o] * X[o], Y[o]] if orientation == "input" else np.r_[X[o], Y[o] / score[o]]
        solver.changeRowsBounds(m + s, rows, rhs, rhs)
        _, x = _solve(solver)
        slacks[o] = np.maximum(x[k:], 0.0)
        peers.append([(int(efficient[j]), float(x[j])) for j in np.flatnonzero(x[:k] > 1e-9)])
    return slacks, peers


def _super_efficiency(X, Y, units, model, orientation):
    """Andersen & Petersen (1993): each of ``units`` (efficient ones) against the frontier of all the
    others, in envelopment form over every other unit (a unit dominated only by the one left out joins
    the frontier). NaN where the programme has no solution (possible under BCC)."""
    frontier = Envelopment(X, Y, "variable" if model == "BCC" else "constant", orientation)
    return np.array([frontier.efficiency(X[o], Y[o], leave_out=o) for o in units])


def dea(x, w, params, children, units=None):
    """DEA efficiency per unit, with peers, slacks and (for BCC) scale efficiency."""
    model = params.get("model", "CCR")
    orientation = params.get("orientation", "input")
    X_all, Y_all, present = inputs_and_outputs(x, w, params, children)
    bad = present & ((X_all <= 0).any(axis=1) | (Y_all < 0).any(axis=1) | (Y_all <= 0).all(axis=1))
    if bad.any():
        raise UnitsError("E_DOMAIN", "dea.domain", bad, hint=Both("normalise inputs and outputs with ratio (to the mean) or none",
                                                                  "投入和产出请用 ratio（除以均值）或 none 标准化"), model="DEA")
    if present.sum() < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=Both("DEA", "DEA "))])
    scales = np.r_[tuple(column_scales(X_all[present], Y_all[present]))]
    X, Y = X_all[present] / scales[:X_all.shape[1]], Y_all[present] / scales[X_all.shape[1]:]
    score, _ = efficiency(X, Y, model, orientation)
    details: dict = {"model": model, "orientation": orientation}
    value = score
    if params.get("super"):
        value, details["efficiency"], details["status"], told = _super(X, Y, score, present, model, orientation, units)
        details.update(told)
    if model == "BCC" and params.get("scale", True):
        crs, _ = efficiency(X, Y, "CCR", orientation)
        details["scale_efficiency"] = spread(crs / score, present)
        details["ccr_efficiency"] = spread(crs, present)
        details["returns_to_scale"] = spread_text(_returns_to_scale(X, Y, crs, score, orientation), present)
    if params.get("slacks", True):
        slacks, peers = _slacks_and_peers(X, Y, score, model, orientation)
        slacks = slacks * scales  # back in the children's own units
        names = [c for c in children if c in params.get("inputs", [])] + [c for c in children if c not in params.get("inputs", [])]
        targets = _targets(X_all[present], Y_all[present], score, slacks, orientation)
        for j, name in enumerate(names):
            details[f"slack_{name}"] = spread(slacks[:, j], present)
        for j, name in enumerate(names):
            details[f"target_{name}"] = spread(targets[:, j], present)
        ids = np.asarray(units, dtype=object)[present] if units is not None else np.arange(len(X)).astype(str)
        text = np.array(["; ".join(f"{ids[j]} {lam:.3g}" for j, lam in p) for p in peers], dtype=object)
        details["peers"] = spread_text(text, present)
    return spread(value, present), details


def _returns_to_scale(X, Y, crs, vrs, orientation) -> np.ndarray:
    """Each unit's returns to scale, as DEAP reports them (Färe, Grosskopf & Lovell): constant where scale
    efficiency is 1; else decreasing where the efficiency under non-increasing returns equals the BCC
    one, increasing where it does not."""
    scale_inefficient = np.flatnonzero(crs < vrs * (1 - 1e-7))
    nirs, _ = efficiency(X, Y, "NIRS", orientation, which=scale_inefficient)
    out = np.full(len(X), "constant", dtype=object)
    out[scale_inefficient] = np.where(np.abs(nirs[scale_inefficient] - vrs[scale_inefficient]) <= 1e-7 * vrs[scale_inefficient],
                                      "decreasing", "increasing")
    return out


def _targets(X, Y, score, slacks, orientation) -> np.ndarray:
    """Each unit's projection onto the frontier, inputs then outputs: input oriented θ·x − s⁻ and y + s⁺,
    output oriented x − s⁻ and y/θ + s⁺ (θ the efficiency 1/φ)."""
    m = X.shape[1]
    if orientation == "input":
        return np.c_[score[:, None] * X - slacks[:, :m], Y + slacks[:, m:]]
    return np.c_[X - slacks[:, :m], Y / score[:, None] + slacks[:, m:]]


def _super(X, Y, score, present, model, orientation, units):
    """Super-efficiency for the efficient units, the ordinary efficiency for the others (which their
    super-efficiency equals); each unit's status, and what to tell about units without a solution."""
    efficient = np.flatnonzero(score >= 1 - 1e-7)
    value = score.copy()
    value[efficient] = _super_efficiency(X, Y, efficient, model, orientation)
    status, told = without_solution(value, present, units, model, orientation)
    return value, spread(score, present), status, told


def benefit_of_the_doubt(x, w, params, children, units=None):
    """Benefit of the doubt (Cherchye et al. 2007): each unit's composite with the weights most
    favourable to it, max Σ u·y_o subject to no unit scoring above 1 with those weights: DEA with a
    single unit input. ``shares`` bounds the share of the score each child may carry, so no unit
    can rest its score on one child alone."""
    present = complete_rows(x, w)
    Y = x[present]
    if len(Y) < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=BOD)])
    if (Y < 0).any():
        raise UnitsError("E_DOMAIN", "bod.negative", present & (x < 0).any(axis=1),
                         hint=Both("normalise the children onto a non-negative scale (minmax)", "请把各组成部分标准化到非负区间（minmax）"),
                         method=BOD)
    zero = present & (x <= 0).all(axis=1)
    if zero.any():
        raise UnitsError("E_DOMAIN", "bod.zero", zero, method=BOD)
    shares = params.get("shares", {})
    unknown = [c for c in shares if c not in children]
    if unknown:
        raise EngineError([said("E_PARAMS", "bod.unknown_shares", children=", ".join(unknown))])
    bounds = [tuple(shares.get(c, (None, None))) for c in children] if shares else None
    if bounds and sum(low or 0 for low, _ in bounds) > 1:
        raise EngineError([said("E_PARAMS", "bod.shares_over_one")])
    score, u = efficiency(np.ones((len(Y), 1)), Y, "CCR", "input", bounds)
    details = {f"weight_{c}": spread(u[:, j], present) for j, c in enumerate(children)}
    return spread(score, present), details


@hookimpl
def register_aggregators(register):
    register("dea", dea, title={"en": "Data envelopment analysis", "zh": "数据包络分析"},
             weighted=False, whole_columns=True, domain="nonnegative", params={
        "type": "object", "additionalProperties": False, "required": ["inputs"], "properties": {
            "inputs": INPUTS,
            "model": {"enum": ["CCR", "BCC"], "default": "CCR",
                      "description": "CCR: constant returns to scale; BCC: variable returns (also reports scale efficiency)."},
            "orientation": {"enum": ["input", "output"], "default": "input",
                            "description": "input: how far inputs could shrink; output: how far outputs could grow."},
            "slacks": {"type": "boolean", "default": True, "description": "Also compute slacks and peers (a second programme per unit)."},
            "scale": {"type": "boolean", "default": True,
                      "description": "BCC: also the scale efficiency (a CCR programme per unit) and the returns to scale (a "
                                     "programme under non-increasing returns per scale-inefficient unit); false skips both."},
            "super": {"type": "boolean", "default": False,
                      "description": "Super-efficiency (Andersen & Petersen 1993): each efficient unit against the frontier of "
                                     "the others, so efficient units score 1 or more and can be ranked; the others keep "
                                     "their efficiency. The ordinary efficiency and each unit's status are reported."}}},
        description={"en": "Data envelopment analysis (数据包络分析): efficiency from 0 to 1 with each unit's most favourable "
                    "weights; peers, slacks and scale efficiency reported.",
                    "zh": "数据包络分析：以每个单位最有利的权重求 0 到 1 的效率；报告参照单位、松弛量和规模效率。"})
    register("benefit_of_the_doubt", benefit_of_the_doubt, title={"en": "Benefit of the doubt", "zh": "有利权重法"},
             weighted=False, whole_columns=True, domain="nonnegative", params={
        "type": "object", "additionalProperties": False, "properties": {
            "shares": {"type": "object", "additionalProperties": {
                "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["number", "null"], "minimum": 0, "maximum": 1}},
                "description": "For a child: [lowest, highest] share of a unit's score it may carry (null: no bound)."}}},
        description={"en": "Benefit of the doubt: each unit's composite with its most favourable weights (DEA with one unit "
                    "input), optionally with bounds on each child's share.",
                    "zh": "有利权重法（BoD）：以每个单位最有利的权重求综合得分（投入为 1 的 DEA），可限定各组成部分所占份额。"})
