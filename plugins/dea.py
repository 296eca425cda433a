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
Each method gathers the units on the frontier first (plugins/frontier.py): in memory, every unit;
out of core, those of every block that span it, against which each block is then measured.
Children arrive with their direction applied; give outputs and inputs the direction "higher" and a
normaliser that keeps zero at zero (ratio or none): DEA scores do not change when a column is
multiplied by a positive number.
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.gather import gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.engine.values import complete_rows, spread, unit_ids
from govscore.plugins.frontier import Frontier, Radial, efficiency
from govscore.plugins.lp import INF, INPUTS, Envelopment, highs, inputs_and_outputs, solved, spread_text, without_solution

BOD = Both("benefit of the doubt", "有利权重法（BoD）")


def _slacks_and_peers(X, Y, radial: Radial, model, orientation, efficient: tuple[np.ndarray, np.ndarray]):
    """Phase 2: the largest total slack at the unit's efficiency, over the ``efficient`` units (their X and Y),
    where every optimal reference set lies. Columns λ (efficient units), s− (inputs), s+ (outputs). Units are
    taken grouped by their phase-1 peers: neighbours on the frontier share an optimal basis, so each programme
    starts from one close to its own (measured here: half the time of taking units as they come). Peers are
    given as rows of the efficient units."""
    score = radial.score
    n, m, s = len(X), X.shape[1], Y.shape[1]
    XE, YE = efficient
    k = len(XE)
    solver = highs()
    ncol = k + m + s
    solver.addVars(ncol, np.zeros(ncol), np.full(ncol, INF))
    solver.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), np.r_[np.zeros(k), -np.ones(m + s)])
    lam = np.arange(k, dtype=np.int32)
    for i in range(m):  # Σ λ_j x_ij + s−_i = θ x_io
        solver.addRow(0.0, 0.0, k + 1, np.r_[lam, k + i].astype(np.int32), np.r_[XE[:, i], 1.0])
    for r in range(s):  # Σ λ_j y_rj − s+_r = y_ro (φ y_ro when output oriented)
        solver.addRow(0.0, 0.0, k + 1, np.r_[lam, k + m + r].astype(np.int32), np.r_[YE[:, r], -1.0])
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
        peers[o] = [(int(j), float(x[j])) for j in np.flatnonzero(x[:k] > 1e-9)]
    return slacks, peers


def _checked(x, w, params, children):
    """The inputs, the outputs and the units that have every child, after the checks of the data."""
    X_all, Y_all, present = inputs_and_outputs(x, w, params, children)
    bad = present & ((X_all <= 0).any(axis=1) | (Y_all < 0).any(axis=1) | (Y_all <= 0).all(axis=1))
    if bad.any():
        raise UnitsError("E_DOMAIN", "dea.domain", bad, hint=Both("normalise inputs and outputs with ratio (to the mean) or none",
                                                                  "投入和产出请用 ratio（除以均值）或 none 标准化"), model="DEA")
    return X_all, Y_all, present


def _dea_frontier(x, w, params, children, found, units=None):
    """The units on the frontier (plugins/frontier.py), and with super-efficiency those on the frontier of the rest."""
    X_all, Y_all, present = _checked(x, w, params, children)
    lower = np.r_[np.ones(X_all.shape[1], dtype=bool), np.zeros(Y_all.shape[1], dtype=bool)]
    return {"frontier": Frontier.of(unit_ids(units, len(x))[present], np.c_[X_all, Y_all][present], lower,
                                    params.get("orientation", "input"), layers=2 if params.get("super") else 1)}


def _dea(x, w, params, children, found, units=None):
    """DEA efficiency per unit, with peers, slacks and (for BCC) scale efficiency, against the frontier found."""
    model = params.get("model", "CCR")
    orientation = params.get("orientation", "input")
    X_all, Y_all, present = inputs_and_outputs(x, w, params, children)
    frontier = found["frontier"]
    if frontier.count < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=Both("DEA", "DEA "))])
    m = X_all.shape[1]
    scales = frontier.scales
    X, Y = X_all[present] / scales[:m], Y_all[present] / scales[m:]
    ids = unit_ids(units, len(x))[present]
    reference_ids, rows = frontier.rows()
    reference = rows[:, :m], rows[:, m:]
    own = frontier.positions(ids)
    radial = efficiency(X, Y, model, orientation, reference=reference, own=own)
    score = radial.score
    on_frontier = frontier.once((model, orientation), lambda: efficiency(*reference, model, orientation).score) \
        if frontier.merged else score  # else the frontier is these units
    efficient = np.flatnonzero(on_frontier >= 1 - 1e-7)
    details: dict = {"model": model, "orientation": orientation, "efficient": len(efficient)}
    value = score
    if params.get("super"):
        value, details["efficiency"], details["status"], told = _super(X, Y, score, present, model, orientation, units,
                                                                      frontier, ids)
        details.update(told)
    if model == "BCC" and params.get("scale", True):
        crs = efficiency(X, Y, "CCR", orientation, reference=reference, own=own)
        details["scale_efficiency"] = spread(crs.score / score, present)
        details["ccr_efficiency"] = spread(crs.score, present)
        details["returns_to_scale"] = spread_text(_returns_to_scale(crs, score), present)
    if params.get("slacks", True):
        slacks, peers = _slacks_and_peers(X, Y, radial, model, orientation, (reference[0][efficient], reference[1][efficient]))
        slacks = slacks * scales  # back in the children's own units
        names = [c for c in children if c in params.get("inputs", [])] + [c for c in children if c not in params.get("inputs", [])]
        targets = _targets(X_all[present], Y_all[present], score, slacks, orientation)
        for j, name in enumerate(names):
            details[f"slack_{name}"] = spread(slacks[:, j], present)
        for j, name in enumerate(names):
            details[f"target_{name}"] = spread(targets[:, j], present)
        peer_ids = reference_ids[efficient]
        text = np.array(["; ".join(f"{peer_ids[j]} {lam:.3g}" for j, lam in p) for p in peers], dtype=object)
        details["peers"] = spread_text(text, present)
    return spread(value, present), details


dea = gathered(_dea_frontier, apply=_dea)


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


def _super(X, Y, score, present, model, orientation, units, frontier: Frontier, ids):
    """Super-efficiency (Andersen & Petersen 1993) for the efficient units, the ordinary efficiency for the
    others (which their super-efficiency equals); each unit's status, and what to tell about units without a
    solution. Each efficient unit is measured against the frontier of all the others, in envelopment form
    over the units on the frontier and those on the frontier of the rest, less the unit itself (a unit
    dominated only by the one left out joins the frontier). NaN where the programme has no solution
    (possible under BCC)."""
    efficient = np.flatnonzero(score >= 1 - 1e-7)
    value = score.copy()
    rows = frontier.rows(layers=2)[1]
    others = Envelopment(rows[:, :X.shape[1]], rows[:, X.shape[1]:], "variable" if model == "BCC" else "constant", orientation)
    where = frontier.positions(ids, layers=2)
    value[efficient] = [others.efficiency(X[o], Y[o], leave_out=int(where[o]) if where[o] >= 0 else None) for o in efficient]
    status, told = without_solution(value, present, units, model, orientation)
    return value, spread(score, present), status, told


def _bod_checked(x, w, params, children):
    """The units that have every child, after the checks of the data and of the share bounds (as a list, or None)."""
    present = complete_rows(x, w)
    if (x[present] < 0).any():
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
    return present, bounds


def _bod_frontier(x, w, params, children, found, units=None):
    present, _ = _bod_checked(x, w, params, children)
    return {"frontier": Frontier.of(unit_ids(units, len(x))[present], x[present], np.zeros(x.shape[1], dtype=bool), "output")}


def _benefit_of_the_doubt(x, w, params, children, found, units=None):
    """Benefit of the doubt (Cherchye et al. 2007): each unit's composite with the weights most
    favourable to it, max Σ u·y_o subject to no unit scoring above 1 with those weights: DEA with a
    single unit input. ``shares`` bounds the share of the score each child may carry, so no unit
    can rest its score on one child alone."""
    present, bounds = _bod_checked(x, w, params, children)
    frontier = found["frontier"]
    if frontier.count < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "dea.too_few", method=BOD)])
    Y, R = x[present], frontier.data
    radial = efficiency(np.ones((len(Y), 1)), Y, "CCR", "input", bounds, reference=(np.ones((len(R), 1)), R),
                        own=frontier.positions(unit_ids(units, len(x))[present]))
    score, u = radial.score, radial.weights
    details = {f"weight_{c}": spread(u[:, j], present) for j, c in enumerate(children)}
    return spread(score, present), details


benefit_of_the_doubt = gathered(_bod_frontier, apply=_benefit_of_the_doubt)


@hookimpl
def register_aggregators(register):
    register("dea", dea, title={"en": "Data envelopment analysis", "zh": "数据包络分析"},
             weighted=False, domain="nonnegative", params={
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
             weighted=False, domain="nonnegative", params={
        "type": "object", "additionalProperties": False, "properties": {
            "shares": {"type": "object", "additionalProperties": {
                "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["number", "null"], "minimum": 0, "maximum": 1}},
                "description": "For a child: [lowest, highest] share of a unit's score it may carry (null: no bound)."}}},
        description={"en": "Benefit of the doubt: each unit's composite with its most favourable weights (DEA with one unit "
                    "input), optionally with bounds on each child's share.",
                    "zh": "有利权重法（BoD）：以每个单位最有利的权重求综合得分（投入为 1 的 DEA），可限定各组成部分所占份额。"})
