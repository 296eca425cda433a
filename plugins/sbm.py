"""Slacks-based measure of efficiency (SBM, Tone 2001), with undesirable outputs (Tone 2003) and
super-SBM (Tone 2002).

SBM rates a unit by all its input excesses s⁻ and output shortfalls s⁺ at once, not by one radial
factor:

    ρ = (1 − (1/m) Σ s⁻_i / x_io) / (1 + (1/(s₁ + s₂)) (Σ s^g_r / y^g_ro + Σ s^b_k / y^b_ko))

over x_o = Xλ + s⁻, y^g_o = Y^g λ − s^g (desirable outputs), y^b_o = Y^b λ + s^b (undesirable
outputs, such as emissions: less is better), λ ≥ 0, and Σ λ = 1 under variable returns. It is
solved as a linear programme by the Charnes–Cooper transformation (t = 1 / denominator). Input
oriented, ρ is the numerator (outputs only need not fall); output oriented, ρ = 1 / (1 + the output
term), inputs only need not grow. ρ ≤ the radial (CCR or BCC) efficiency of the same orientation,
and ρ = 1 only for units with no slack at all.

Super-SBM (Tone 2002) rates each SBM-efficient unit against the frontier of the others:

    δ = (1 + (1/m) Σ s⁻_i / x_io) / (1 − (1/s) Σ s⁺_r / y_ro) ≥ 1

over x_o + s⁻ ≥ Σ_{j≠o} λ_j x_j, y_o − s⁺ ≤ Σ_{j≠o} λ_j y_j, 0 ≤ s⁺ ≤ y_o; the other units keep ρ.
Every input must be above 0 and every output above 0 (the measure divides by them).
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.gather import gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.engine.values import complete_rows, spread, unit_ids
from govscore.plugins.frontier import Frontier, efficiency
from govscore.plugins.lp import INF, INPUTS, RETURNS, UNDESIRABLE, highs, snapped, solve, solved, without_solution


def roles(children, params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of the children that are inputs, desirable outputs and undesirable outputs."""
    inputs, bad = params.get("inputs", []), params.get("undesirable", [])
    unknown = [c for c in [*inputs, *bad] if c not in children]
    if unknown:
        raise EngineError([said("E_PARAMS", "dea.unknown_inputs", children=", ".join(unknown))])
    both_roles = sorted(set(inputs) & set(bad))
    if both_roles:
        raise EngineError([said("E_PARAMS", "sbm.two_roles", children=", ".join(both_roles))])
    names = np.asarray(children)
    is_input, is_bad = np.isin(names, inputs), np.isin(names, bad)
    is_good = ~is_input & ~is_bad
    if not is_input.any() or not is_good.any():
        raise EngineError([said("E_PARAMS", "sbm.roles")])
    return is_input, is_good, is_bad


class _Slacks:
    """The SBM programme of one unit after another, in one HiGHS model whose columns are Λ (the reference
    units), S⁻ (inputs), S^g, S^b and t; only the unit's own data change between units."""

    def __init__(self, X, G, B, returns, orientation):
        self.orientation = orientation
        n, self.m, self.s1, self.s2 = len(X), X.shape[1], G.shape[1], B.shape[1]
        self.n, self.t = n, n + self.m + self.s1 + self.s2
        ncol = self.t + 1
        self.solver = highs()
        self.solver.addVars(ncol, np.zeros(ncol), np.full(ncol, INF))
        lam = np.arange(n, dtype=np.int32)
        self.solver.addRow(1.0, 1.0, 1, np.array([self.t], dtype=np.int32), np.ones(1))  # the normalisation, row 0
        slack = n
        for data, sign in ((X, 1.0), (G, -1.0), (B, 1.0)):  # Σ Λ x + S⁻ − t x_o = 0, Σ Λ y − S^g − t y_o = 0, …
            for k in range(data.shape[1]):
                self.solver.addRow(0.0, 0.0, n + 2, np.r_[lam, slack, self.t].astype(np.int32), np.r_[data[:, k], sign, 0.0])
                slack += 1
        if returns == "variable":
            self.solver.addRow(0.0, 0.0, n + 1, np.r_[lam, self.t].astype(np.int32), np.r_[np.ones(n), -1.0])
        self.columns = np.arange(ncol, dtype=np.int32)

    def solve(self, x, g, b):
        """ρ of the unit with inputs x and outputs g, b, with its slacks (inputs, desirable, undesirable) and λ."""
        m, s = self.m, self.s1 + self.s2
        own = np.r_[x, g, b]
        for row, value in enumerate(own, start=1):
            self.solver.changeCoeff(row, self.t, -float(value))
        input_cost = np.r_[-1.0 / (m * x), np.zeros(s)]
        output_term = np.r_[np.zeros(m), 1.0 / (s * np.r_[g, b])]
        if self.orientation == "output":
            cost = np.r_[np.zeros(self.n), -output_term, 0.0]
        else:
            cost = np.r_[np.zeros(self.n), input_cost, 1.0]
        self.solver.changeColsCost(len(cost), self.columns, cost)
        if self.orientation == "none":  # t + Σ S/(s·y) = 1
            for k, value in enumerate(output_term[m:]):
                self.solver.changeCoeff(0, self.n + m + k, float(value))
        solved(self.solver)
        objective = self.solver.getInfo().objective_function_value
        z = np.asarray(self.solver.getSolution().col_value)
        t = z[self.t]
        rho = 1.0 / (1.0 - objective) if self.orientation == "output" else objective
        return min(snapped(rho), 1.0), np.maximum(z[self.n:self.t], 0.0) / t, z[:self.n] / t


def _frontier_candidates(X, G, B, returns) -> np.ndarray:
    """The units the SBM programmes need as references: every optimal λ lies on SBM-efficient units (Tone 2001,
    theorem 5), which are radially efficient in the same technology (undesirable outputs, bounded above like
    inputs, counted with them). So the radial efficient set, found fast, is enough; the tolerance keeps every
    unit that might be on the frontier."""
    radial = efficiency(np.c_[X, B], G, "CCR" if returns == "constant" else "BCC", "input").score
    return np.flatnonzero(radial >= 1 - 1e-6)


def _super_sbm(reference, X, Y, units, leave_out, returns, orientation):
    """Super-SBM of ``units`` (rows of X, Y: SBM-efficient), each against the other units of ``reference`` (X, Y of
    the units that span the frontier of all but any one unit; ``leave_out``: each unit's row there, −1 where it
    is not one of them) (Tone 2002), linearised with t: min t + (1/m) Σ S⁻/x_o, t − (1/s) Σ S⁺/y_o = 1
    (non-oriented), Σ Λ x − S⁻ ≤ t x_o, Σ Λ y + S⁺ ≥ t y_o, S⁺ ≤ t y_o: the nearest point of the others'
    frontier that is no better than the unit. Input oriented S⁺ = 0 and t = 1; output oriented S⁻ = 0, t = 1
    and δ = 1 / (1 − the least Σ S⁺/(s·y)). NaN where the programme has no solution."""
    XR, YR = reference
    n, m, s = len(XR), X.shape[1], Y.shape[1]
    ncol = n + m + s + 1
    t = ncol - 1
    upper = np.full(ncol, INF)
    if orientation == "input":
        upper[n + m:n + m + s] = 0.0
    if orientation == "output":
        upper[n:n + m] = 0.0
    solver = highs()  # one model; only the evaluated unit's data change from one unit to the next
    solver.addVars(ncol, np.zeros(ncol), upper)
    lam = np.arange(n, dtype=np.int32)
    solver.addRow(1.0, 1.0, 1, np.array([t], dtype=np.int32), np.ones(1))  # the normalisation, row 0
    for i in range(m):  # Σ Λ x − S⁻ − t x_o ≤ 0
        solver.addRow(-INF, 0.0, n + 1, np.r_[lam, n + i].astype(np.int32), np.r_[XR[:, i], -1.0])
    for r in range(s):  # Σ Λ y + S⁺ − t y_o ≥ 0 and S⁺ − t y_o ≤ 0
        solver.addRow(0.0, INF, n + 1, np.r_[lam, n + m + r].astype(np.int32), np.r_[YR[:, r], 1.0])
        solver.addRow(-INF, 0.0, 1, np.array([n + m + r], dtype=np.int32), np.ones(1))
    if returns == "variable":
        solver.addRow(0.0, 0.0, n + 1, np.r_[lam, t].astype(np.int32), np.r_[np.ones(n), -1.0])
    columns = np.arange(ncol, dtype=np.int32)
    out = np.full(len(units), np.nan)
    for k, o in enumerate(units):
        output_term = 1.0 / (s * Y[o])
        if orientation == "output":
            cost = np.r_[np.zeros(n + m), output_term, 0.0]  # the least shortfall Σ S⁺/(s·y), with t = 1
        else:
            cost = np.r_[np.zeros(n), 1.0 / (m * X[o]), np.zeros(s), 1.0]
        solver.changeColsCost(ncol, columns, cost)
        if orientation == "none":  # t − Σ S⁺/(s·y) = 1
            for r in range(s):
                solver.changeCoeff(0, n + m + r, -float(output_term[r]))
        for i in range(m):
            solver.changeCoeff(1 + i, t, -float(X[o, i]))
        for r in range(s):
            solver.changeCoeff(1 + m + 2 * r, t, -float(Y[o, r]))
            solver.changeCoeff(2 + m + 2 * r, t, -float(Y[o, r]))
        own = int(leave_out[o])
        if own >= 0:
            solver.changeColBounds(own, 0.0, 0.0)  # the unit is not part of its own frontier
        found = solve(solver)
        value = solver.getInfo().objective_function_value
        if own >= 0:
            solver.changeColBounds(own, 0.0, INF)
        if found:
            out[k] = snapped(1.0 / (1.0 - value) if orientation == "output" else value)
    return out


def _checked(x, w, params, children):
    """The masks of the children's roles and the units that have every child, after the checks of the data."""
    is_input, is_good, is_bad = roles(children, params)
    present = complete_rows(x, w)  # a unit missing any child is not scored
    bad = present & (x <= 0).any(axis=1)
    if bad.any():
        raise UnitsError("E_DOMAIN", "sbm.domain", bad, hint=Both("normalise inputs and outputs with ratio (to the mean) or none",
                                                                  "投入和产出请用 ratio（除以均值）或 none 标准化"))
    if params.get("super") and is_bad.any():
        raise EngineError([said("E_PARAMS", "sbm.super_undesirable")])
    return is_input, is_good, is_bad, present


def _sbm_frontier(x, w, params, children, found, units=None):
    """The units on the frontier (plugins/frontier.py), undesirable outputs counted with the inputs."""
    is_input, is_good, is_bad, present = _checked(x, w, params, children)
    order = np.r_[np.flatnonzero(is_input), np.flatnonzero(is_good), np.flatnonzero(is_bad)]
    lower = np.r_[np.ones(is_input.sum(), dtype=bool), np.zeros(is_good.sum(), dtype=bool), np.ones(is_bad.sum(), dtype=bool)]
    return {"frontier": Frontier.of(unit_ids(units, len(x))[present], x[present][:, order], lower, "input",
                                    layers=2 if params.get("super") else 1)}


def _sbm(x, w, params, children, found, units=None):
    """SBM efficiency per unit, with each child's slack and target; super-SBM when asked."""
    returns = params.get("returns", "constant")
    orientation = params.get("orientation", "none")
    is_input, is_good, is_bad, present = _checked(x, w, params, children)
    frontier = found["frontier"]
    if frontier.count < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=Both("SBM", "SBM "))])
    X, G, B = x[present][:, is_input], x[present][:, is_good], x[present][:, is_bad]
    scales = frontier.scales  # SBM is units invariant; the solver prefers columns of like size
    m, s1 = X.shape[1], G.shape[1]
    Xs, Gs, Bs = X / scales[:m], G / scales[m:m + s1], B / scales[m + s1:]
    rows = frontier.rows()[1]
    XR, GR, BR = rows[:, :m], rows[:, m:m + s1], rows[:, m + s1:]
    ref = frontier.once(("radial", returns), lambda: _frontier_candidates(XR, GR, BR, returns))
    lp = _Slacks(XR[ref], GR[ref], BR[ref], returns, orientation)
    measured = [lp.solve(Xs[o], Gs[o], Bs[o]) for o in range(len(X))]
    rho = np.array([f[0] for f in measured])
    slacks = np.array([f[1] for f in measured]) * scales
    on_frontier = frontier.once(("sbm", returns, orientation), lambda: np.array([lp.solve(XR[o], GR[o], BR[o])[0]
                                                                                for o in range(len(XR))])) \
        if frontier.merged else rho  # else the frontier is these units
    details: dict = {"returns": returns, "orientation": orientation, "efficient": int((on_frontier >= 1 - 1e-7).sum())}
    value = rho
    if params.get("super"):
        value, details["efficiency"], details["status"], told = _super_values(Xs, Gs, rho, present, returns, orientation,
                                                                              units, frontier)
        details.update(told)
    order = [*np.flatnonzero(is_input), *np.flatnonzero(is_good), *np.flatnonzero(is_bad)]
    own = np.c_[X, G, B]
    sign = np.r_[-np.ones(X.shape[1]), np.ones(G.shape[1]), -np.ones(B.shape[1])]  # targets: x − s⁻, y^g + s^g, y^b − s^b
    for j, child in enumerate(np.asarray(children)[order]):
        details[f"slack_{child}"] = spread(slacks[:, j], present)
        details[f"target_{child}"] = spread(own[:, j] + sign[j] * slacks[:, j], present)
    return spread(value, present), details


sbm = gathered(_sbm_frontier, apply=_sbm)


def _super_values(X, Y, rho, present, returns, orientation, units, frontier: Frontier):
    efficient = np.flatnonzero(rho >= 1 - 1e-7)
    value = rho.copy()
    rows = frontier.rows(layers=2)[1]
    where = frontier.positions(unit_ids(units, len(present))[present], layers=2)
    value[efficient] = _super_sbm((rows[:, :X.shape[1]], rows[:, X.shape[1]:]), X, Y, efficient, where, returns, orientation)
    model = Both(f"SBM, {returns} returns", f"SBM（规模报酬{'不变' if returns == 'constant' else '可变'}）")
    status, told = without_solution(value, present, units, model, orientation)
    return value, spread(rho, present), status, told


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["inputs"], "properties": {
        "inputs": INPUTS,
        "undesirable": {**UNDESIRABLE, "description": UNDESIRABLE["description"] + " Tone (2003)."},
        "returns": RETURNS,
        "orientation": {"enum": ["none", "input", "output"], "default": "none",
                        "description": "none: inputs and outputs both (Tone 2001); input: input slacks only count; output: "
                                       "output slacks only."},
        "super": {"type": "boolean", "default": False,
                  "description": "Super-SBM (Tone 2002): each SBM-efficient unit against the frontier of the others (1 or "
                                 "more); the others keep their SBM score. Not with undesirable outputs."}}}


@hookimpl
def register_aggregators(register):
    register("sbm", sbm, title={"en": "Slacks-based measure (SBM)", "zh": "SBM 模型"},
             weighted=False, params=PARAMS,
             description={"en": "Slacks-based measure of efficiency (SBM, Tone 2001): every input excess and output shortfall "
                                "in one score from 0 to 1; undesirable outputs (Tone 2003), orientations, returns to scale, "
                                "super-SBM (Tone 2002); slacks and targets per unit.",
                          "zh": "SBM 模型（Tone 2001）：把各投入冗余与产出不足合成为 0 到 1 的效率；可含非期望产出（Tone 2003）、"
                                "导向与规模报酬设定、超效率 SBM（Tone 2002）；逐单位报告松弛量与目标值。"})
