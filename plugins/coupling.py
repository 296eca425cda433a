"""Coupling coordination degree (耦合协调度) of two or more subsystems, the children of a node.

Each unit's subsystem levels U_1 … U_n (on 0–1, or divided by ``full``) give the coupling degree C,
the comprehensive level T = Σ α_i·U_i with the node's weights α, and the coupling coordination
degree D = √(C·T), the node's value. Two forms of C are in use, and the ruleset names one:

- ``classic``: C = n·(Π U_i)^(1/n) / Σ U_i, the geometric over the arithmetic mean of the levels.
- ``wang2021``: the corrected form of 王淑佳, 孔伟, 任亮 et al. (自然资源学报 2021, 36(3): 793–810),
  C = √[(1 − Σ_{i<j} |U_i − U_j| / (n(n−1)/2)) · (Π U_i / max U)^(1/(n−1))], which spreads C over
  [0, 1] instead of crowding it near 1.

SPSSAU first rescales every subsystem over the units onto [0.01, 0.99] ("数据区间化", on by default
there); here that is ``rescale: true``, off unless asked. Each unit's coordination grade comes from
ten bands of D (极度失调 … 优质协调, as in 田深圳 et al., 地理学报 2021, 76(4)), which a ruleset can
replace; the lagging subsystem is the one with the lowest level.
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.gather import Extremes, gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both
from govscore.engine.model import Band
from govscore.engine.ranking import grade
from govscore.engine.values import unit_ids

BANDS = ((0.9, "优质协调"), (0.8, "良好协调"), (0.7, "中级协调"), (0.6, "初级协调"), (0.5, "勉强协调"),
         (0.4, "濒临失调"), (0.3, "轻度失调"), (0.2, "中度失调"), (0.1, "严重失调"), (0.0, "极度失调"))
RESCALED = (0.01, 0.99)
ABOVE_HINT = Both('give the node "params": {"full": 100} when its children are on 0–100, or "rescale": true to rescale '
                  "each subsystem onto [0.01, 0.99] as SPSSAU does",
                  '组成部分为 0–100 分时请给该节点设置 "params": {"full": 100}；或设 "rescale": true，像 SPSSAU 那样把各子系统缩放到 '
                  "[0.01, 0.99]")


def coupling_degree(u: np.ndarray, form: str) -> np.ndarray:
    """C for each row of levels ``u`` (units × subsystems, on 0–1); 0 where every level is 0."""
    n = u.shape[1]
    top = u.max(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if form == "classic":
            c = n * np.exp(np.log(u).mean(axis=1)) / u.sum(axis=1)
        else:
            i, j = np.triu_indices(n, k=1)
            spread = np.abs(u[:, i] - u[:, j]).sum(axis=1) / (n * (n - 1) / 2)
            ratio = np.exp(np.log(u / top[:, None]).sum(axis=1) / (n - 1))
            c = np.sqrt((1.0 - spread) * ratio)
    return np.where(top > 0, c, np.where(np.isnan(top), np.nan, 0.0))  # a missing level leaves C missing


def grades(d: np.ndarray, bands, boundary: str) -> np.ndarray:
    """The band of each D, bands given as (lower bound, label): "upper" puts a D on a boundary in the band
    below (a < D ≤ b, as the published table), "lower" in the band above (a ≤ D < b)."""
    order = sorted(bands, key=lambda band: band[0])  # lowest first
    if boundary == "upper":  # each band up to the next one's lower bound, the top band the rest
        capped = tuple(Band(label, None, top) for (_, label), (top, _) in zip(order, order[1:]))
        return grade(d, capped + (Band(order[-1][1], None),))
    floored = tuple(Band(label, low) for low, label in order[:0:-1])  # the best first, the lowest band the rest
    return grade(d, floored + (Band(order[0][1], None),))


def _levels(x, w, params, children):
    """Each unit's subsystem levels, on 0–1 (NaN where a subsystem is missing: the unit gets no D)."""
    if len(children) < 2:
        raise EngineError([said("E_PARAMS", "coupling.too_few", count=len(children))])
    return np.where(np.broadcast_to(w, x.shape) > 0, x, np.nan) / params.get("full", 1.0)


def _range(x, w, params, children, found, units=None):
    """With ``rescale``: each subsystem's lowest and highest level over the units."""
    levels = _levels(x, w, params, children)
    return {"range": Extremes.of(levels)} if params.get("rescale", False) else {}


def _coupling_coordination(x, w, params, children, found, units=None):
    u = _levels(x, w, params, children)
    w = np.broadcast_to(w, x.shape)
    if params.get("rescale", False):
        low, high = found["range"].lo, found["range"].hi
        span = np.where(high > low, high - low, 1.0)
        u = RESCALED[0] + (RESCALED[1] - RESCALED[0]) * (u - low) / span
    above = (u > 1 + 1e-9).any(axis=1)
    if above.any():
        raise UnitsError("E_DOMAIN", "coupling.above_one", above, full=params.get("full", 1), count=int(above.sum()),
                         hint=ABOVE_HINT)
    alpha = w / w.sum(axis=1, keepdims=True)
    t = (alpha * u).sum(axis=1)
    c = coupling_degree(u, params.get("coupling", "classic"))
    d = np.sqrt(c * t)
    lowest = np.argmin(np.where(np.isnan(u), np.inf, u), axis=1)
    even = np.ptp(u, axis=1) <= 1e-12  # NaN (a subsystem missing) is not even, and d is NaN there
    lagging = np.where(even | np.isnan(d), None, np.asarray(children, dtype=object)[lowest])
    bands = [(b["above"], b["label"]) for b in params["bands"]] if "bands" in params else BANDS
    zero = (np.nan_to_num(u, nan=1.0) == 0).all(axis=1)
    warnings = [said("W_METHOD", "coupling.all_zero", severity="warning", units=tuple(map(str, unit_ids(units, len(u))[zero])),
                     count=int(zero.sum()))] if zero.any() else []
    return d, {"C": c, "T": t, "grade": grades(d, bands, params.get("boundary", "upper")), "lagging": lagging,
               "coupling": params.get("coupling", "classic"), "rescaled": bool(params.get("rescale", False)),
               "warnings": warnings}


# With ``rescale``, the range of each subsystem is gathered over every unit first.
coupling_coordination = gathered(_range, apply=_coupling_coordination)


PARAMS = {
    "type": "object", "additionalProperties": False, "properties": {
        "coupling": {"enum": ["classic", "wang2021"], "default": "classic",
                     "description": "The coupling degree C: classic, n·(ΠU)^(1/n)/ΣU; or wang2021, the corrected form of "
                                    "王淑佳 et al. (自然资源学报 2021), which does not crowd near 1."},
        "rescale": {"type": "boolean", "default": False,
                    "description": "Rescale each subsystem over the units onto [0.01, 0.99] first, as SPSSAU does by default."},
        "full": {"type": "number", "exclusiveMinimum": 0, "default": 1,
                 "description": "The subsystems' best value: 1 for levels on 0–1, 100 for children on 0–100."},
        "bands": {"type": "array", "minItems": 2,
                  "description": "The coordination grades, each with the value of D it lies above; default the ten bands "
                                 "极度失调 (0–0.1) … 优质协调 (0.9–1).",
                  "items": {"type": "object", "additionalProperties": False, "required": ["above", "label"], "properties": {
                      "above": {"type": "number", "minimum": 0, "maximum": 1}, "label": {"type": "string", "minLength": 1}}}},
        "boundary": {"enum": ["upper", "lower"], "default": "upper",
                     "description": "Which band a D on a boundary belongs to: upper, a < D ≤ b (0.9 is 良好协调); lower, a ≤ D < b."}}}


@hookimpl
def register_aggregators(register):
    register("coupling_coordination", coupling_coordination, title={"en": "Coupling coordination degree", "zh": "耦合协调度"},
             domain="nonnegative", params=PARAMS,
             description={"en": "Coupling coordination degree D = √(C·T) of the children as subsystems; C, T, the coordination "
                                "grade and the lagging subsystem reported per unit.",
                          "zh": "耦合协调度 D = √(C·T)，各组成部分为子系统；逐单位报告耦合度 C、综合发展指数 T、协调等级和滞后子系统。"})
