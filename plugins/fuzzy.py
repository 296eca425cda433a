"""Fuzzy comprehensive evaluation (模糊综合评价), one level or many.

A node of ``fuzzy_evaluation`` composes its children's memberships R (children × grades) with its
weights A into the unit's evaluation vector B. A child's memberships come from one of three places:

- a child that is itself a fuzzy node (``fuzzy_evaluation`` or ``fuzzy_membership``) gives its own B,
  so evaluations compose up the tree (multi-level evaluation, 多级模糊综合评价);
- a ``fuzzy_membership`` node declares them: its children are one column per grade holding the
  questionnaire shares (隶属度, adding up to 1) or the counts of answers per grade;
- otherwise membership functions over the child's value: ``triangular`` from one centre per grade —
  the end grades are half-trapezoids (full membership beyond their centre) and each middle grade a
  triangle falling to 0 at its neighbours' centres — or ``trapezoidal`` from a plateau [low, high] per
  grade, membership falling linearly between neighbouring plateaus. The centres (or plateaus) are
  listed best grade first: falling when higher values are better, rising when lower values are (a
  grading standard such as 分级标准 per indicator); one list for every child, or one per child.
  Memberships from functions add up to 1 for every value.

R and A are composed by one of the four operators in use:

- ``weighted_average`` M(·, ⊕): b_j = min(1, Σ a_i·r_ij), every child counts (the default);
- ``max_min`` M(∧, ∨): b_j = max_i min(a_i, r_ij), the main factor decides (Zadeh);
- ``max_product`` M(·, ∨): b_j = max_i a_i·r_ij;
- ``min_bounded_sum`` M(∧, ⊕): b_j = min(1, Σ_i min(a_i, r_ij)).

B is normalised to sum 1. The unit's grade is the one of maximum membership (最大隶属度原则), and
its score, the node's value, is Σ b_j·v_j with a value v_j per grade (by default the centres, or the
middles of the plateaus, when one list holds for every child).
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both

OPERATORS = ("weighted_average", "max_min", "max_product", "min_bounded_sum")
COUNTS_HINT = Both("if the columns hold numbers of answers rather than shares, set params.counts to true",
                   "如果这些列是各等级的回答人数而不是比例，请把 params.counts 设为 true")


def triangular(x: np.ndarray, centres) -> np.ndarray:
    """Memberships (… × grades) of values ``x`` in grades centred at ``centres`` (best first: falling
    when higher is better, rising when lower is)."""
    c = np.asarray(centres, dtype=float)
    if c[0] < c[-1]:  # lower is better: the same shapes on the mirrored scale
        return triangular(-x, -c)
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
    if p[0][0] < p[-1][0]:  # lower is better
        return trapezoidal(-x, -p[:, ::-1])
    out = np.zeros(x.shape + (len(p),))
    for k, (low, high) in enumerate(p):
        up = np.ones_like(x) if k == 0 else np.clip((p[k - 1][0] - x) / (p[k - 1][0] - high), 0, 1)
        down = np.ones_like(x) if k + 1 == len(p) else np.clip((x - p[k + 1][1]) / (low - p[k + 1][1]), 0, 1)
        out[..., k] = np.where(x > high, up, np.where(x < low, down, 1.0))
    return out


def compose(a: np.ndarray, r: np.ndarray, operator: str) -> np.ndarray:
    """B (units × grades) from weights ``a`` (units × children) and memberships ``r`` (units × children × grades)."""
    a = a[:, :, None]
    r = np.where(a > 0, r, 0.0)  # a child without weight (missing for the unit) adds nothing
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


def fuzzy_evaluation(x, w, params, children, child_details=None):
    grades = list(params["grades"])
    r = np.empty(x.shape + (len(grades),))
    for i, child in enumerate(children):
        below = evaluation_vector((child_details or {}).get(child), grades, child)
        r[:, i] = below if below is not None else membership(x[:, i], scale_of(params, child, len(grades)))
    a = np.broadcast_to(w, x.shape)
    a = a / a.sum(axis=1, keepdims=True)
    b = compose(a, r, params.get("operator", "weighted_average"))
    return outcome(b, grades, grade_values(params))


def fuzzy_membership(x, w, params, children):
    """One factor's memberships as declared: its children are the shares (or counts) of its grades."""
    grades = list(params["grades"])
    if len(children) != len(grades):
        raise EngineError([said("E_PARAMS", "fuzzy.declared_children", grades=len(grades), count=len(children))])
    r = np.where(np.broadcast_to(w, x.shape) > 0, x, 0.0)  # a missing column holds no answers
    total = r.sum(axis=1)
    if params.get("counts"):
        if (total <= 0).any():
            raise UnitsError("E_DOMAIN", "fuzzy.no_answers", total <= 0, count=int((total <= 0).sum()))
        r = r / total[:, None]
    else:
        tolerance = params.get("tolerance", 0.01)
        off = np.abs(total - 1) > tolerance
        if off.any():
            raise UnitsError("E_DOMAIN", "fuzzy.shares_sum", off, tolerance=tolerance, count=int(off.sum()), hint=COUNTS_HINT)
    return outcome(r, grades, grade_values(params))


def outcome(b: np.ndarray, grades: list[str], values: np.ndarray):
    """The node's value Σ b·v and what it reports per unit: B and the grade of maximum membership."""
    if len(values) != len(grades):
        raise EngineError([said("E_PARAMS", "fuzzy.lengths", grades=len(grades), values=len(values))])
    best = np.argmax(np.nan_to_num(b, nan=-1.0), axis=1)
    grade = np.where(np.isnan(b).any(axis=1), None, np.asarray(grades, dtype=object)[best])
    return b @ values, {**{f"B.{g}": b[:, k] for k, g in enumerate(grades)}, "grade": grade}


def evaluation_vector(details: dict | None, grades: list[str], child: str) -> np.ndarray | None:
    """A fuzzy child's B (units × grades), or None when the child is not a fuzzy evaluation."""
    if not details or not any(k.startswith("B.") for k in details):
        return None
    theirs = [k[2:] for k in details if k.startswith("B.")]
    if theirs != grades:
        raise EngineError([said("E_PARAMS", "fuzzy.child_grades", child=child, theirs="、".join(theirs),
                                ours="、".join(grades))])
    return np.column_stack([details[f"B.{g}"] for g in grades])


def scale_of(params: dict, child: str, grades: int):
    """The membership functions for one child: ("centres" | "plateaus", list), checked."""
    for kind in ("centres", "plateaus"):
        given = params.get(kind)
        if isinstance(given, dict):
            given = given.get(child)
        if given is not None:
            if len(given) != grades:
                raise EngineError([said("E_PARAMS", "fuzzy.scale_length", child=child, grades=grades, scale=len(given))])
            if not in_order(kind, given):
                raise EngineError([said("E_PARAMS", "fuzzy.order", child=child)])
            return kind, given
    raise EngineError([said("E_PARAMS", "fuzzy.no_scale", child=child)])


def in_order(kind: str, given) -> bool:
    """Best grade first, all in one direction; plateaus [low, high] without overlap."""
    if kind == "centres":
        return all(a > b for a, b in zip(given, given[1:])) or all(a < b for a, b in zip(given, given[1:]))
    if not all(low <= high for low, high in given):
        return False
    return all(a[0] > b[1] for a, b in zip(given, given[1:])) or all(a[1] < b[0] for a, b in zip(given, given[1:]))


def membership(x: np.ndarray, scale) -> np.ndarray:
    kind, given = scale
    return triangular(x, given) if kind == "centres" else trapezoidal(x, given)


def grade_values(params: dict) -> np.ndarray:
    """Each grade's value for the score: as given, or the centres (plateau middles) shared by every child."""
    if "values" in params:
        return np.asarray(params["values"], dtype=float)
    if isinstance(params.get("centres"), list):
        return np.asarray(params["centres"], dtype=float)
    if isinstance(params.get("plateaus"), list):
        return np.asarray([(low + high) / 2 for low, high in params["plateaus"]], dtype=float)
    raise EngineError([said("E_PARAMS", "fuzzy.values_needed")])


GRADES = {"type": "array", "minItems": 2, "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
          "description": "The grades (评语集), best first, e.g. [\"优\", \"良\", \"中\", \"差\"]."}
VALUES = {"type": "array", "minItems": 2, "items": {"type": "number"},
          "description": "Each grade's value for the score Σ b·v, best grade first."}
CENTRES = {"type": "array", "minItems": 2, "items": {"type": "number"}}
PLATEAUS = {"type": "array", "minItems": 2, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}}


def one_or_per_child(shape: dict, description: str) -> dict:
    return {"description": description,
            "oneOf": [shape, {"type": "object", "minProperties": 1, "additionalProperties": shape}]}


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["grades"],
    "not": {"required": ["centres", "plateaus"]}, "properties": {
        "grades": GRADES,
        "centres": one_or_per_child(CENTRES, "Triangular membership: each grade's centre, best first (falling when higher "
                                              "is better, rising when lower is); one list for every child, or an object "
                                              "with a list per child."),
        "plateaus": one_or_per_child(PLATEAUS, "Trapezoidal membership: each grade's plateau [low, high], best first; one "
                                               "list for every child, or an object with a list per child."),
        "values": {**VALUES, "description": "Each grade's value for the score Σ b·v, best first; default the centres (or "
                                            "plateau middles) when one list holds for every child."},
        "operator": {"enum": list(OPERATORS), "default": "weighted_average",
                     "description": "The composition: M(·,⊕) weighted_average, M(∧,∨) max_min, M(·,∨) max_product, "
                                    "M(∧,⊕) min_bounded_sum."}}}

DECLARED_PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["grades", "values"], "properties": {
        "grades": {**GRADES, "description": "The grades (评语集), best first, in the order of the node's children (one "
                                            "column per grade)."},
        "values": VALUES,
        "counts": {"type": "boolean", "default": False,
                   "description": "The columns hold numbers of answers per grade: each unit's are divided by their sum."},
        "tolerance": {"type": "number", "minimum": 0, "maximum": 0.5, "default": 0.01,
                      "description": "How far a unit's shares may add up away from 1 (shares rounded to two decimals)."}}}


@hookimpl
def register_aggregators(register):
    register("fuzzy_evaluation", fuzzy_evaluation, title={"en": "Fuzzy comprehensive evaluation", "zh": "模糊综合评价"},
             params=PARAMS,
             description={"en": "Fuzzy comprehensive evaluation (模糊综合评价): the children's memberships in the grades "
                                "(their own evaluation vectors, or membership functions over their values) composed with "
                                "the weights into B; the grade of maximum membership and the score Σ b·v per unit.",
                          "zh": "模糊综合评价：各组成部分对各等级的隶属度（下级的评价向量，或由隶属函数算出）与权重合成为评价向量 B；"
                                "逐单位给出最大隶属度等级与得分 Σb·v。"})
    register("fuzzy_membership", fuzzy_membership, title={"en": "Declared memberships", "zh": "隶属度（问卷）"},
             params=DECLARED_PARAMS, domain="nonnegative", weighted=False,
             description={"en": "One factor's memberships as declared (a questionnaire's share of answers per grade, or "
                                "the counts): the children are one column per grade; a fuzzy_evaluation above composes them.",
                          "zh": "按问卷等给定的一个因素的隶属度：各组成部分依次是各等级的回答比例（或人数）；由上级的模糊综合评价合成。"})
