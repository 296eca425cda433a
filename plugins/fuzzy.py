"""Fuzzy comprehensive evaluation (模糊综合评价) of a node's children.

Each unit's value of each child gets a membership in every grade (评语集) from membership functions
over the child's (normalised) scale: ``triangular`` from one centre per grade, best grade first —
the end grades are half-trapezoids (full membership beyond their centre) and each middle grade a
triangle falling to 0 at its neighbours' centres — or ``trapezoidal`` from a plateau [low, high] per
grade, membership falling linearly between neighbouring plateaus. Both give memberships that add up
to 1 for every value. The memberships R (children × grades) are composed with the node's weights A
into the unit's evaluation vector B by one of the four operators in use:

- ``weighted_average`` M(·, ⊕): b_j = min(1, Σ a_i·r_ij), every child counts (the default);
- ``max_min`` M(∧, ∨): b_j = max_i min(a_i, r_ij), the main factor decides (Zadeh);
- ``max_product`` M(·, ∨): b_j = max_i a_i·r_ij;
- ``min_bounded_sum`` M(∧, ⊕): b_j = min(1, Σ_i min(a_i, r_ij)).

B is normalised to sum 1. The unit's grade is the one of maximum membership (最大隶属度原则), and
its score, the node's value, is Σ b_j·v_j with a value v_j per grade (by default the centres, or the
middles of the plateaus).
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.hookspecs import hookimpl


def triangular(x: np.ndarray, centres) -> np.ndarray:
    """Memberships (… × grades) of values ``x`` in grades centred at ``centres`` (descending: best first)."""
    c = np.asarray(centres, dtype=float)
    out = np.zeros(x.shape + (len(c),))
    for k in range(len(c)):
        falling = np.ones_like(x) if k == 0 else np.clip((c[k - 1] - x) / (c[k - 1] - c[k]), 0, 1)  # towards the better grade
        rising = np.ones_like(x) if k == len(c) - 1 else np.clip((x - c[k + 1]) / (c[k] - c[k + 1]), 0, 1)
        out[..., k] = np.where(x >= c[k], falling, rising)
    return out


def trapezoidal(x: np.ndarray, plateaus) -> np.ndarray:
    """Memberships in grades of plateaus [low, high] (best first, not overlapping): 1 on a plateau,
    linear between the plateaus of neighbouring grades, the end grades held beyond their plateau."""
    p = np.asarray(plateaus, dtype=float)
    out = np.zeros(x.shape + (len(p),))
    for k, (low, high) in enumerate(p):
        up = np.ones_like(x) if k == 0 else np.clip((p[k - 1][0] - x) / (p[k - 1][0] - high), 0, 1)
        down = np.ones_like(x) if k + 1 == len(p) else np.clip((x - p[k + 1][1]) / (low - p[k + 1][1]), 0, 1)
        out[..., k] = np.where(x > high, up, np.where(x < low, down, 1.0))
    return out


def compose(a: np.ndarray, r: np.ndarray, operator: str) -> np.ndarray:
    """B (units × grades) from weights ``a`` (units × children) and memberships ``r`` (units × children × grades)."""
    a = a[:, :, None]
    if operator == "weighted_average":
        b = np.minimum(1.0, (a * r).sum(axis=1))
    elif operator == "max_min":
        b = np.minimum(a, r).max(axis=1)
    elif operator == "max_product":
        b = (a * r).max(axis=1)
    else:
        b = np.minimum(1.0, np.minimum(a, r).sum(axis=1))
    total = b.sum(axis=1, keepdims=True)
    return np.divide(b, total, out=np.full(b.shape, np.nan), where=total > 0)


def fuzzy_evaluation(x, w, params, children):
    check_scale(params)
    grades = list(params["grades"])
    if "plateaus" in params:
        scale = params["plateaus"]
        r = trapezoidal(x, scale)
        middles = [(low + high) / 2 for low, high in scale]
    else:
        scale = params["centres"]
        r = triangular(x, scale)
        middles = list(scale)
    values = np.asarray(params.get("values", middles), dtype=float)
    if not len(scale) == len(grades) == len(values):
        raise EngineError([said("E_PARAMS", "fuzzy.lengths", grades=len(grades), scale=len(scale), values=len(values))])
    a = np.broadcast_to(w, x.shape)
    a = a / a.sum(axis=1, keepdims=True)
    b = compose(a, r, params.get("operator", "weighted_average"))
    best = np.argmax(np.nan_to_num(b, nan=-1.0), axis=1)
    grade = np.where(np.isnan(b).any(axis=1), None, np.asarray(grades, dtype=object)[best])
    return b @ values, {**{f"B.{g}": b[:, k] for k, g in enumerate(grades)}, "grade": grade}


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["grades"],
    "oneOf": [{"required": ["centres"]}, {"required": ["plateaus"]}], "properties": {
        "grades": {"type": "array", "minItems": 2, "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
                   "description": "The grades (评语集), best first, e.g. [\"优\", \"良\", \"中\", \"差\"]."},
        "centres": {"type": "array", "minItems": 2, "items": {"type": "number"},
                    "description": "Triangular membership: each grade's centre on the children's scale, best first (descending)."},
        "plateaus": {"type": "array", "minItems": 2,
                     "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}},
                     "description": "Trapezoidal membership: each grade's plateau [low, high], best first."},
        "values": {"type": "array", "minItems": 2, "items": {"type": "number"},
                   "description": "Each grade's value for the score Σ b·v; default the centres (or plateau middles)."},
        "operator": {"enum": ["weighted_average", "max_min", "max_product", "min_bounded_sum"], "default": "weighted_average",
                     "description": "The composition: M(·,⊕) weighted_average, M(∧,∨) max_min, M(·,∨) max_product, "
                                    "M(∧,⊕) min_bounded_sum."}}}


def check_scale(params: dict) -> None:
    """The centres must fall and the plateaus must not overlap, best grade first."""
    if "centres" in params:
        c = params["centres"]
        ok = all(a > b for a, b in zip(c, c[1:]))
    else:
        p = params["plateaus"]
        ok = all(low <= high for low, high in p) and all(a[0] > b[1] for a, b in zip(p, p[1:]))
    if not ok:
        raise EngineError([said("E_PARAMS", "fuzzy.order")])


@hookimpl
def register_aggregators(register):
    register("fuzzy_evaluation", fuzzy_evaluation, title={"en": "Fuzzy comprehensive evaluation", "zh": "模糊综合评价"},
             params=PARAMS,
             description={"en": "Fuzzy comprehensive evaluation (模糊综合评价): memberships of each child in the grades, composed "
                                "with the weights into B; the grade of maximum membership and the score Σ b·v per unit.",
                          "zh": "模糊综合评价：各组成部分对各等级的隶属度与权重合成为评价向量 B；逐单位给出最大隶属度等级与得分 Σb·v。"})
