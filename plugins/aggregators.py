"""Built-in aggregators that combine each unit's own children: means, the efficiency ratio, the
minimum, the median and the Mazziotta–Pareto index. Each gets the units × children matrix ``x``
and the weights ``w``: one row for every unit, or a full matrix with 0 where a child is missing
(see ``govscore.engine.hookspecs.register_aggregators``). Methods that compare units with each other
(TOPSIS, VIKOR, grey relational analysis) are in ``plugins.evaluation``."""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both

NO_PARAMS = {"type": "object", "additionalProperties": False, "properties": {}}
RATIO_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["denominator"],
    "properties": {
        "denominator": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True,
                        "description": "The children divided by (the inputs); the other children are the numerator (the outputs)."},
    },
}


def weighted_mean(x, w, params, children):
    if w.shape[0] == 1:  # the same weights for every unit: one matrix-vector product
        return x @ (w[0] / w[0].sum())
    return (w * x).sum(axis=1) / w.sum(axis=1)


def weighted_sum(x, w, params, children):
    return x @ w[0] if w.shape[0] == 1 else (w * x).sum(axis=1)


ZERO_HINT = Both('to score such a unit 0, as published indices do, give the node "params": {"zeros": "score_zero"}; or '
                 "normalise the children onto a positive scale (minmax with params.scale [1, 100])",
                 '若要像已发布的指数那样把这样的单位记为 0 分，请给该节点设置 "params": {"zeros": "score_zero"}；'
                 "或把各组成部分标准化到正的区间（例如 minmax 并设 params.scale 为 [1, 100]）")


def geometric_mean(x, w, params, children):
    """Π x^w to the power 1 / Σ w. A child at exactly 0 is refused (``zeros "refuse"``, the default) or
    makes the unit's value 0 (``"score_zero"``, as published indices define it)."""
    zero = (x == 0) & (w > 0)
    if zero.any():
        has_zero = zero.any(axis=1)
        if params.get("zeros", "refuse") == "refuse":
            raise UnitsError("E_DOMAIN", "aggregate.geometric_zero", has_zero, count=int(has_zero.sum()), hint=ZERO_HINT)
        x = np.where(zero, 1.0, x)
        return np.where(has_zero, 0.0, np.exp((w * np.log(x)).sum(axis=1) / w.sum(axis=1)))
    return np.exp((w * np.log(x)).sum(axis=1) / w.sum(axis=1))


def ratio_groups(children, params):
    denominator = params.get("denominator", [])
    unknown = [d for d in denominator if d not in children]
    if unknown:
        raise EngineError([said("E_PARAMS", "ratio.unknown", children=", ".join(unknown))])
    numerator = [c for c in children if c not in denominator]
    if not numerator:
        raise EngineError([said("E_PARAMS", "ratio.empty")])
    return [numerator, list(denominator)]


def ratio_of_sums(x, w, params, children):
    """η = Σ w_i·O_i / Σ v_j·I_j: weighted outputs over weighted inputs."""
    below = np.isin(np.asarray(children), params["denominator"])
    return (w[:, ~below] * x[:, ~below]).sum(axis=1) / (w[:, below] * x[:, below]).sum(axis=1)


def weighted_harmonic_mean(x, w, params, children):
    return w.sum(axis=1) / (w / x).sum(axis=1)


def generalised_mean(x, w, params, children):
    """(Σ w·x^p / Σ w)^(1/p): p = 1 arithmetic, p = −1 harmonic, p → 0 geometric, larger p less compensatory."""
    p = params["p"]
    total = w.sum(axis=1)
    if p == 0:
        return geometric_mean(x, w, params, children)
    return ((w * x ** p).sum(axis=1) / total) ** (1.0 / p)


def minimum(x, w, params, children):
    """The weakest child (短板): no compensation at all. Weights only say which children count (w > 0)."""
    return np.where(np.broadcast_to(w, x.shape) > 0, x, np.inf).min(axis=1)


def weighted_median(x, w, params, children):
    """The value at which half of the weight lies below and half above (the midpoint when it falls between two)."""
    w = np.broadcast_to(w, x.shape)
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    half = cum[:, -1:] / 2
    tolerance = 1e-12 * cum[:, -1:]
    lo = np.argmax(cum >= half - tolerance, axis=1)
    hi = np.argmax(cum > half + tolerance, axis=1)
    rows = np.arange(len(x))
    return (xs[rows, lo] + xs[rows, hi]) / 2


def mazziotta_pareto(x, w, params, children):
    """Mazziotta–Pareto index: the mean of the children penalised by their spread, M − S·cv (cv = S/M).

    The children should be standardised as z = 100 ± 10 (zscore with mean 100, sd 10), or rescaled with
    "ampi" for the adjusted index (comparable over periods). The penalty is
    subtracted when higher is better ("negative", the default) and added for "positive". With weights, M
    and S are the weighted mean and weighted (population) standard deviation, as in Mazziotta & Pareto
    (2022), "Weighting in composite indices construction: the case of the Mazziotta-Pareto Index", RIEDS.
    deviation "sample" scales the variance by k / (k − 1) over a unit's k children, as the Compind R
    package computes S; a unit with one child has no spread either way."""
    w = np.broadcast_to(w, x.shape)
    total = w.sum(axis=1)
    m = (w * x).sum(axis=1) / total
    variance = (w * (x - m[:, None]) ** 2).sum(axis=1) / total
    if params.get("deviation") == "sample":
        k = (w > 0).sum(axis=1)
        variance = variance * k / np.maximum(k - 1, 1)
    s = np.sqrt(variance)
    penalty = s * (s / m)
    return m - penalty if params.get("penalty", "negative") == "negative" else m + penalty


@hookimpl
def register_aggregators(register):
    register("weighted_mean", weighted_mean, title={"en": "Weighted mean", "zh": "加权平均"}, params=NO_PARAMS, linear=True,
             description={"en": "Weighted arithmetic mean: Σ w·x / Σ w.", "zh": "加权算术平均：Σ w·x / Σ w。"})
    register("weighted_sum", weighted_sum, title={"en": "Weighted sum", "zh": "加权求和"}, params=NO_PARAMS, linear=True,
             description={"en": "Weighted sum: Σ w·x (with weights summing to 1, the same as the mean).",
                          "zh": "加权求和：Σ w·x（权重之和为 1 时与加权平均相同）。"})
    register("geometric_mean", geometric_mean, title={"en": "Geometric mean", "zh": "加权几何平均"},
             domain="nonnegative", log_linear=True, params={
        "type": "object", "additionalProperties": False, "properties": {
            "zeros": {"enum": ["refuse", "score_zero"], "default": "refuse",
                      "description": "A child at exactly 0: refuse (the default: the run stops, naming the units) or "
                                     "score_zero (the unit's value is 0, as published indices define it)."}}},
             description={"en": "Weighted geometric mean: Π x^w, to the power 1 / Σ w. Needs every child above 0 (or 0 with "
                                "zeros score_zero).",
                          "zh": "加权几何平均：Π x^w，再开 Σ w 次方。要求各组成部分大于 0（设 zeros 为 score_zero 时可为 0）。"})
    register("weighted_harmonic_mean", weighted_harmonic_mean, title={"en": "Harmonic mean", "zh": "加权调和平均"},
             params=NO_PARAMS, domain="positive",
             description={"en": "Weighted harmonic mean: Σ w / Σ (w / x). Needs every child above 0.",
                          "zh": "加权调和平均：Σ w / Σ (w / x)。要求各组成部分大于 0。"})
    register("generalised_mean", generalised_mean, title={"en": "Generalised mean", "zh": "广义平均"}, domain="positive", params={
        "type": "object", "additionalProperties": False, "required": ["p"], "properties": {
            "p": {"type": "number", "minimum": -10, "maximum": 10,
                  "description": "The power: 1 arithmetic, 0 geometric, −1 harmonic; higher p compensates less."}}},
        description={"en": "Weighted generalised (power) mean (Σ w·x^p / Σ w)^(1/p). Needs every child above 0.",
                     "zh": "加权广义（幂）平均 (Σ w·x^p / Σ w)^(1/p)。要求各组成部分大于 0。"})
    register("minimum", minimum, title={"en": "Minimum", "zh": "最小值（短板）"}, weighted=False, params=NO_PARAMS,
             description={"en": "The lowest child (短板, no compensation); weights only mark which children count.",
                          "zh": "取最低的组成部分（短板，不可补偿）；权重只标明哪些组成部分参与。"})
    register("weighted_median", weighted_median, title={"en": "Weighted median", "zh": "加权中位数"}, params=NO_PARAMS,
             description={"en": "Weighted median of the children.", "zh": "各组成部分的加权中位数。"})
    register("mazziotta_pareto", mazziotta_pareto, title={"en": "Mazziotta–Pareto index", "zh": "Mazziotta–Pareto 指数"},
             domain="positive", params={
        "type": "object", "additionalProperties": False, "properties": {
            "penalty": {"enum": ["negative", "positive"], "default": "negative",
                        "description": "negative: penalise unbalanced units when higher is better (the usual case)."},
            "deviation": {"enum": ["population", "sample"], "default": "population",
                          "description": "The spread S of a unit's children: population divides by their number k, as "
                                         "the papers; sample by k − 1, as the Compind R package."}}},
        description={"en": "Mazziotta–Pareto index: mean minus a penalty for unbalanced children; use zscore(mean 100, sd 10), "
                           "or ampi for the adjusted index.",
                     "zh": "Mazziotta–Pareto 指数：均值减去对各组成部分不均衡的惩罚；请配合 zscore（均值 100，标准差 10）使用，"
                           "调整后的指数（AMPI）配合 ampi。"})
    register("ratio", ratio_of_sums, title={"en": "Ratio of weighted sums", "zh": "加权比值（效率）"},
             params=RATIO_PARAMS, domain="nonnegative", weight_groups=ratio_groups,
             description={"en": "Ratio of weighted sums (efficiency η): Σ w·outputs / Σ v·inputs; "
                         "the weights of outputs and of inputs each sum to 1.",
                         "zh": "加权和之比（效率 η）：Σ w·产出 / Σ v·投入；产出权重与投入权重各自之和为 1。"})
