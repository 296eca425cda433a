"""Data envelopment analysis (DEA) and the benefit-of-the-doubt composite: each unit's score with
the weights most favourable to it.

CCR (constant returns, Charnes, Cooper & Rhodes 1978) and BCC (variable returns, Banker, Charnes &
Cooper 1984), input or output oriented, and the benefit-of-the-doubt composite (DEA with one unit
input, Cherchye et al. 2007). This is the paper's η with weights chosen per unit instead of fixed.

One linear programme per unit, solved with HiGHS (through highspy, keeping one model per node and
changing only what differs between units: a few tenths of a millisecond a programme). Three more
things keep it fast:
- the efficiency LPs are solved in envelopment form (one row per input and output) over a shared
  reference set that grows only when a unit's optimal multipliers would rate some other unit above
  the frontier (column generation: the frontier is found once and reused by every unit);
- slacks and peers (second phase) are sought among the efficient units only, where every optimal
  reference set lies;
- returns to scale come from the CCR solutions already solved for scale efficiency (Σ λ).
Children arrive with their direction applied; give outputs and inputs the direction "higher" and a
normaliser that keeps zero at zero (ratio or none): DEA scores do not change when a column is
multiplied by a positive number.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.engine.values import complete_rows, spread
from govscore.plugins.lp import (INF, INPUTS, Envelopment, column_scales, highs, inputs_and_outputs, solved, spread_text,
                                 without_solution)

BOD = Both("benefit of the doubt", "有利权重法（BoD）")


class Radial(NamedTuple):
    score: np.ndarray  # input oriented θ, output oriented 1/φ
    weights: np.ndarray  # each unit's output multipliers u
    lambda_sum: np.ndarray  # Σ λ of each unit's optimal solution
    peers: list  # the units with λ > 0 in it


def efficiency(X, Y, model, orientation, bounds=None) -> Radial:
    """Efficiency of every unit, by column generation over a shared reference set (``model`` CCR or BCC).

    ``bounds`` (benefit of the doubt): for each output, the lowest and highest share of the unit's
    score it may carry, u_r·y_ro ≥ share·Σ u·y_o (or ≤), as columns of that unit's programme."""
    n, m = len(X), X.shape[1]
    frontier = Envelopment(X, Y, "variable" if model == "BCC" else "constant", orientation,
                           reference=_first_reference(X, Y, model))
    out = Radial(np.zeros(n), np.zeros(Y.shape), np.zeros(n), [])
    for o in range(n):
        optimum = frontier.generate(o, _share_columns(Y[o], bounds) if bounds is not None else ())
        out.score[o], out.lambda_sum[o] = optimum.efficiency, optimum.lambda_sum
        out.weights[o] = optimum.multipliers[m:m + Y.shape[1]]
        out.peers.append(optimum.peers)
    return out


def _first_reference(X, Y, model) -> list[int]:
    """Units sure to be on the frontier, to start the reference set: the best ratio of each output to each
    input, the smallest total input and, with a Σ λ row, the smallest of each input and largest of each output."""
    n = len(X)
    first = {int(k) for k in np.argmax((Y[:, :, None] / X[:, None, :]).reshape(n, -1), axis=0)}
    first.add(int(np.argmin(X.sum(axis=1))))
    if model != "CCR":
        first |= {int(k) for k in np.argmin(X, axis=0)} | {int(k) for k in np.argmax(Y, axis=0)}
    return sorted(first)


def _share_columns(y, bounds):
    """The share bounds as columns of the envelopment programme (over the output rows): the dual of the rows
    u_r·y_r − share·Σ u·y ≥ 0 (lowest share) or ≤ 0 (highest)."""
    columns = []
    for r, (low, high) in enumerate(bounds):
        for share, sign in ((low, -1.0), (high, 1.0)):
            if share is None:
                continue
            coefficients = -share * y
            coefficients[r] += y[r]
            columns.append(sign * coefficients)
    return columns


def _slacks_and_peers(X, Y, radial: Radial, model, orientation):
    """Phase 2: the largest total slack at the unit's efficiency, over the efficient units, where every
    optimal reference set lies. Columns λ (efficient units), s− (inputs), s+ (outputs). Units are taken
    grouped by their phase-1 peers: neighbours on the frontier share an optimal basis, so each programme
    starts from one close to its own (measured here: half the time of taking units as they come)."""
    score = radial.score
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
    peers: list = [None] * n
    for o in sorted(range(n), key=radial.peers.__getitem__):
        rhs = np.r_[score[o] * X[o], Y[o]] if orientation == "input" else np.r_[X[o], Y[o] / score[o]]
        solver.changeRowsBounds(m + s, rows, rhs, rhs)
        solved(solver)
        x = np.asarray(solver.getSolution().col_value)
        slacks[o] = np.maximum(x[k:], 0.0)
        peers[o] = [(int(efficient[j]), float(x[j])) for j in np.flatnonzero(x[:k] > 1e-9)]
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
    radial = efficiency(X, Y, model, orientation)
    score = radial.score
    details: dict = {"model": model, "orientation": orientation, "efficient": int((score >= 1 - 1e-7).sum())}
    value = score
    if params.get("super"):
        value, details["efficiency"], details["status"], told = _super(X, Y, score, present, model, orientation, units)
        details.update(told)
    if model == "BCC" and params.get("scale", True):
        crs = efficiency(X, Y, "CCR", orientation)
        details["scale_efficiency"] = spread(crs.score / score, present)
        details["ccr_efficiency"] = spread(crs.score, present)
        details["returns_to_scale"] = spread_text(_returns_to_scale(crs, score), present)
    if params.get("slacks", True):
        slacks, peers = _slacks_and_peers(X, Y, radial, model, orientation)
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


def _returns_to_scale(crs: Radial, vrs: np.ndarray) -> np.ndarray:
    """Each unit's returns to scale: constant where scale efficiency is 1; else increasing where Σ λ < 1 in
    the CCR solution, decreasing where Σ λ > 1 (Seiford & Zhu 1999, Omega 27(1): for a scale-inefficient unit
    every optimal CCR solution has Σ λ on the same side of 1). This is the classification DEAP makes by
    comparing efficiency under non-increasing returns with BCC, without that extra programme per unit."""
    scale_inefficient = crs.score < vrs * (1 - 1e-7)
    return np.where(~scale_inefficient, "constant", np.where(crs.lambda_sum < 1, "increasing", "decreasing")).astype(object)


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
    radial = efficiency(np.ones((len(Y), 1)), Y, "CCR", "input", bounds)
    score, u = radial.score, radial.weights
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
                      "description": "BCC: also the scale efficiency and the returns to scale (a CCR programme per unit); "
                                     "false skips both."},
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
