"""Built-in normalisers. Every parameter is in the raw unit of the indicator; each normaliser
applies the indicator's direction itself, so a target for a lower-is-better indicator means
what it says."""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, UnitsError, said
from govscore.engine.gather import Extremes, Moments, Sorted, Sums, gathered, row_wise
from govscore.engine.messages import Both
from govscore.engine.hookspecs import hookimpl
from govscore.engine.ranking import rank, reaches

TIES = {"enum": ["min", "average", "dense", "ordinal"], "default": "min", "description": "How tied units are ranked."}
SCALE = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
         "description": "The output range [worst, best], e.g. [0, 100]."}


def _range(params) -> tuple:
    return ("range", *params.get("scale", (0.0, 1.0)))


def _fixed(name):
    return lambda params: (name,)


def _params(properties: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties}


def _scale(y, params, default=(0.0, 1.0)):
    lo, hi = params.get("scale", default)
    return lo + (hi - lo) * y


def _zero_range(indicator, what):
    return EngineError([said("E_ZERO_RANGE", "normalise.zero_range", name=indicator.name, value=what,
                             hint=Both("drop it from the nodes, or use goalposts fixed in the ruleset",
                                       "把它从节点中去掉，或在规则集中给出固定的目标值（goalposts）"))])


# What the normalisers gather over every unit before they rescale (see govscore.engine.gather).

def _range_of(x, direction, params, indicator, found):
    return {"range": Extremes.of(x)}


def _mean_of(x, direction, params, indicator, found):
    """The mean of the values, unless the parameters give the reference it would be."""
    return {} if params.get("reference") is not None else {"sum": Sums.present(x)}


def _moments_of(x, direction, params, indicator, found):
    return {"moments": Moments.of(x[~np.isnan(x)])}


def _squares_of(x, direction, params, indicator, found):
    return {"squares": Sums.present(x * x)}


def _reference(params, found):
    reference = params.get("reference")
    return found["sum"].mean if reference is None else reference


def _minmax(x, direction, params, indicator, found):
    lo, hi = found["range"].lo, found["range"].hi
    if not hi > lo:
        raise _zero_range(indicator, f"{lo:g}")
    low, high = params.get("scale", (0.0, 1.0))
    step = (high - low) / (hi - lo)
    # one pass of arithmetic: low + (x - lo) * step, or low + (hi - x) * step when lower is better
    return (x - lo) * step + low if direction == "higher" else (hi - x) * step + low


def _zscore(x, direction, params, indicator, found):
    """deviation "sample" divides by n − 1 (as the OECD handbook and COINr); "population" by n, as the
    Mazziotta–Pareto papers standardise."""
    moments = found["moments"]
    sd = moments.std(ddof=0 if params.get("deviation") == "population" else 1) if moments.count > 1 else 0.0
    if not sd > 0:
        raise _zero_range(indicator, "standard deviation 0")
    z = (x - moments.mean) / sd
    if direction == "lower":
        z = -z
    return params.get("mean", 0.0) + params.get("sd", 1.0) * z


def _sorted_of(x, direction, params, indicator, found):
    return {"sorted": Sorted.of(x)}


def _worse_first(x, direction, ties, found) -> np.ndarray:
    """Each unit's rank from the worst up (the worst unit 1, the best n): over the whole column when it is at
    hand; else from how many values of every block lie below and at most it (ties min or average)."""
    order = "ascending" if direction == "higher" else "descending"
    values = found["sorted"]
    if values.whole:
        return rank(x, order, ties)
    below, upto = values.counts(x)
    if direction != "higher":  # worse is higher: count from the top
        below, upto = values.count - upto, values.count - below
    out = below + 1.0 if ties == "min" else (below + upto + 1) / 2.0
    return np.where(np.isnan(x), np.nan, out)


def _rank_normaliser(x, direction, params, indicator, found):
    return _worse_first(x, direction, params.get("ties", "min"), found)


def _borda(x, direction, params, indicator, found):
    """Borda count: how many units do worse, so the worst unit gets 0 (COINr's n_borda: rank − 1)."""
    return _rank_normaliser(x, direction, params, indicator, found) - 1.0


def _percentile(x, direction, params, indicator, found):
    """Like a spreadsheet's PERCENTRANK.INC: the share of other units strictly worse, from 0 to 1."""
    n = found["sorted"].count
    if n < 2:
        raise _zero_range(indicator, "fewer than two units")
    return _scale((_worse_first(x, direction, "min", found) - 1) / (n - 1), params)


def _ties_refused(params):
    """Dense and ordinal ranks need every unit at once: the distinct values, the order of the data."""
    ties = params.get("ties", "min")
    return Both(f'ties "{ties}" needs every unit at once (min and average can be gathered)',
                f"并列规则“{ties}”需要同时用到所有单位（min 与 average 可分块汇总）") if ties in ("dense", "ordinal") else None


def _distance_to_target(x, direction, params, indicator):
    """Completion against target: A/T for higher-is-better, T/A for lower-is-better, optionally capped."""
    target = indicator.target
    if direction == "higher":
        y = x / target
    else:
        zero = x <= 0
        if zero.any():
            raise UnitsError("E_DOMAIN", "normalise.inverse", zero, name=indicator.name, what=Both("target", "目标值"))
        y = target / x
    cap = params.get("cap")
    return np.minimum(y, cap) if cap is not None else y


def check_target(direction, params, indicator):
    if indicator.target <= 0:
        raise EngineError([said("E_PARAMS", "normalise.target", path=indicator.pointer + "/target", name=indicator.name,
                                target=f"{indicator.target:g}")])


def _goalposts(x, direction, params, indicator):
    lo, hi = indicator.goalposts.lower, indicator.goalposts.upper
    if params.get("log"):
        bad = x <= 0
        if bad.any():
            raise UnitsError("E_DOMAIN", "normalise.log_values", bad, name=indicator.name)
        x, lo, hi = np.log(x), np.log(lo), np.log(hi)
    y = (x - lo) / (hi - lo) if direction == "higher" else (hi - x) / (hi - lo)
    if params.get("clip", True):
        y = np.clip(y, 0.0, 1.0)
    return _scale(y, params)


def check_log_goalposts(direction, params, indicator):
    if params.get("log") and indicator.goalposts.lower <= 0:
        raise EngineError([said("E_GOALPOSTS", "normalise.log_goalposts", path=indicator.pointer + "/goalposts", name=indicator.name,
                                lower=f"{indicator.goalposts.lower:g}")])


def _interval_range_of(x, direction, params, indicator, found):
    """The data's extremes, unless the indicator's goalposts are the outer bounds."""
    return {} if indicator.goalposts is not None else _range_of(x, direction, params, indicator, found)


def _interval(x, direction, params, indicator, found):
    """适度指标: 1 inside the optimum, falling linearly to 0 at the outer bounds.

    The outer bounds are the indicator's goalposts if it has them, else the lowest and highest
    value in the data. ``slope "each_side"`` (default) lets each side fall over its own distance, so
    both outer bounds score 0; ``"common"`` is the textbook 区间型 formula (郭亚军, 综合评价理论,
    方法及应用, 2007), where both sides fall over the wider distance max(q1 − lo, hi − q2), so the
    nearer bound keeps a score above 0.
    """
    q1, q2 = indicator.optimum.lower, indicator.optimum.upper
    if indicator.goalposts is not None:
        lo, hi = indicator.goalposts.lower, indicator.goalposts.upper
    else:
        lo, hi = min(found["range"].lo, q1), max(found["range"].hi, q2)
    below, above = q1 - lo, hi - q2
    if params.get("slope", "each_side") == "common":
        below = above = max(below, above)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a side of zero width has no values beyond the optimum (or, with goalposts, scores them 0)
        y = np.where(x < q1, 1 - (q1 - x) / below, np.where(x > q2, 1 - (x - q2) / above, 1.0))
    y = np.where(np.isnan(x), np.nan, np.clip(np.nan_to_num(y, nan=0.0, neginf=0.0), 0.0, 1.0))
    return _scale(y, params)


def _ratio(x, direction, params, indicator, found):
    """The value over a reference (the mean of all units unless params.reference is given)."""
    reference = _reference(params, found)
    if not reference > 0:
        raise EngineError([said("E_ZERO_RANGE", "normalise.reference", name=indicator.name, reference=f"{reference:g}")])
    if direction == "higher":
        return x / reference
    zero = x <= 0
    if zero.any():
        raise UnitsError("E_DOMAIN", "normalise.inverse", zero, name=indicator.name, what=Both("reference", "参照值"))
    return reference / x


def _thresholds(x, direction, params, indicator):
    """分档计分: each band's score goes to the values that reach its bound (at least ``min`` when higher is
    better, at most ``max`` when lower is better), bands from the best down; a last band without a bound
    takes every other value. The bands passed check_bands when the ruleset was compiled."""
    bound = "min" if direction == "higher" else "max"
    y = np.full(len(x), np.nan)
    left = ~np.isnan(x)
    for band in params["bands"]:
        if bound in band:
            reached = left & reaches(x, band[bound], bound)
        else:
            reached = left
        y[reached] = band["score"]
        left &= ~reached
    if left.any():
        raise UnitsError("E_DOMAIN", "normalise.no_band", left, name=indicator.name,
                         hint=Both(f'add a last band without "{bound}" to score the rest', f"添加不写“{bound}”的最后一档，为其余数值计分"))
    return y


def check_bands(direction, params, indicator):
    """Bands that cannot be right whatever the data: the wrong bound for the direction, an open band
    before the last, bounds or scores out of order."""
    bound, wrong = ("min", "max") if direction == "higher" else ("max", "min")
    bands = params["bands"]
    for k, band in enumerate(bands):
        if wrong in band:
            raise _band_problem("normalise.band_bound", indicator, wrong=wrong, bound=bound,
                                direction=Both("higher-is-better", "正向") if direction == "higher" else Both("lower-is-better", "逆向"))
        if bound not in band and k < len(bands) - 1:
            raise _band_problem("normalise.band_open", indicator, bound=bound)
        if k:
            before, limit = bands[k - 1], band.get(bound)
            if limit is not None and not (limit < before[bound] if direction == "higher" else limit > before[bound]):
                raise _band_problem("normalise.band_order", indicator, bound=bound, value=f"{limit:g}", previous=f"{before[bound]:g}",
                                    order=Both("below", "低于") if direction == "higher" else Both("above", "高于"))
            if band["score"] > before["score"]:
                raise _band_problem("normalise.band_scores", indicator, value=f"{band['score']:g}", previous=f"{before['score']:g}")


def _band_scores(params) -> tuple:
    """Band scores from 100 down to 0 are on the same scale as minmax onto [0, 100]."""
    scores = [band["score"] for band in params.get("bands", [])]
    return ("range", min(scores), max(scores)) if scores else ("bands",)


def _band_problem(message, indicator, **fields):
    return EngineError([said("E_PARAMS", message, name=indicator.name, **fields)])


def _adjusted_mazziotta_pareto(x, direction, params, indicator, found):
    """The rescaling of the adjusted Mazziotta–Pareto index (Mazziotta & Pareto 2016, Soc. Indic. Res. 127):
    goalposts reference ± Δ, Δ half the range of the values (over every period of panel data, so the
    periods stay comparable), mapped to 70 and 130, so the reference scores 100."""
    lo, hi = found["range"].lo, found["range"].hi
    if not hi > lo:
        raise _zero_range(indicator, f"{lo:g}")
    reference = _reference(params, found)
    y = (x - reference) if direction == "higher" else (reference - x)
    return 100.0 + y * (60.0 / (hi - lo))


def _vector(x, direction, params, indicator, found):
    """Vector normalisation (Hwang & Yoon): x / √Σx². For lower-is-better, 1 − x / √Σx²: a reflection,
    so TOPSIS distances are those of the textbook's cost criteria (ideal = the lowest value)."""
    norm = np.sqrt(found["squares"].total)
    if not norm > 0:
        raise _zero_range(indicator, "0")
    y = x / norm
    return y if direction == "higher" else 1.0 - y


def _identity(x, direction, params, indicator):
    return x


# The methods as registered: what each gathers over every unit, and how it rescales.
minmax = gathered(_range_of, apply=_minmax)
rank_normaliser = gathered(_sorted_of, apply=_rank_normaliser, refuses=_ties_refused)  # ranks from every block's sorted values
borda = gathered(_sorted_of, apply=_borda, refuses=_ties_refused)
percentile = gathered(_sorted_of, apply=_percentile)
zscore = gathered(_moments_of, apply=_zscore)
distance_to_target = row_wise(_distance_to_target)
goalposts = row_wise(_goalposts)
interval = gathered(_interval_range_of, apply=_interval)
ratio = gathered(_mean_of, apply=_ratio)
thresholds = row_wise(_thresholds)
adjusted_mazziotta_pareto = gathered(_range_of, _mean_of, apply=_adjusted_mazziotta_pareto)
vector = gathered(_squares_of, apply=_vector)
identity = row_wise(_identity)


@hookimpl
def register_normalisers(register):
    register("minmax", minmax, scale=_range, title={"en": "Min-max", "zh": "极差标准化"}, params=_params({"scale": SCALE}),
             description={"en": "Min-max (极差标准化): the worst unit gets the low end of scale, the best the high end.",
                          "zh": "极差标准化：最差的单位取区间下端，最好的取上端。"})
    register("zscore", zscore, scale=lambda p: ("z", p.get("mean", 0.0), p.get("sd", 1.0)), title={"en": "Z-score", "zh": "Z 分数标准化"}, params=_params({
        "mean": {"type": "number", "default": 0, "description": "The mean of the result."},
        "sd": {"type": "number", "exclusiveMinimum": 0, "default": 1, "description": "The standard deviation of the result."},
        "deviation": {"enum": ["sample", "population"], "default": "sample",
                      "description": "sample: the standard deviation divides by n − 1 (OECD handbook, COINr); population: "
                                     "by n (as the Mazziotta–Pareto index standardises)."}}),
        description={"en": "Z-score: (value − mean) / standard deviation (sample by default), negated for lower-is-better.",
                     "zh": "Z 分数：(数值 − 均值) / 标准差（默认样本标准差），逆向指标取相反数。"})
    register("rank", rank_normaliser, scale=_fixed("rank"), title={"en": "Rank", "zh": "排序标准化"}, params=_params({"ties": TIES}),
        description={"en": "Rank: the worst unit gets 1, the best gets n.", "zh": "排序：最差的单位为 1，最好的为 n。"})
    register("borda", borda, scale=_fixed("borda"), title={"en": "Borda count", "zh": "Borda 计数"}, params=_params({"ties": TIES}),
        description={"en": "Borda count: the number of units that do worse (the worst unit gets 0), as COINr's n_borda.",
                     "zh": "Borda 计数：表现更差的单位个数（最差的单位为 0），同 COINr 的 n_borda。"})
    register("percentile", percentile, scale=_range, title={"en": "Percentile rank", "zh": "百分位排序"}, params=_params({"scale": SCALE}),
             description={"en": "Percentile rank (as PERCENTRANK.INC): the share of other units that do worse.",
                          "zh": "百分位排序（同 PERCENTRANK.INC）：其他单位中表现更差者所占的比例。"})
    register("distance_to_target", distance_to_target, scale=_fixed("ratio"), title={"en": "Completion against target", "zh": "目标完成度"},
             requires=("target",), check=check_target, params=_params({
        "cap": {"type": ["number", "null"], "description": "The highest score, e.g. 1 so over-achievement earns nothing extra."}}),
        description={"en": "Completion against target: value / target (higher is better) or target / value (lower is better).",
                     "zh": "目标完成度：正向指标为 数值 / 目标值，逆向指标为 目标值 / 数值。"})
    register("goalposts", goalposts, scale=_range, title={"en": "Fixed goalposts",
                                            "zh": "固定阈值标准化"}, requires=("goalposts",), check=check_log_goalposts,
             params=_params({
        "log": {"type": "boolean", "default": False, "description": "Take natural logs of value and goalposts first (as for income in the HDI)."},
        "clip": {"type": "boolean", "default": True, "description": "Keep the result within the goalposts."},
        "scale": SCALE}),
        description={"en": "Fixed goalposts: (value − lower) / (upper − lower), reversed for lower-is-better.",
                     "zh": "固定阈值：(数值 − 下限) / (上限 − 下限)，逆向指标反转。"})
    register("interval", interval, scale=_range, title={"en": "Interval scoring", "zh": "适度区间标准化"},
             requires=("optimum",), directions=("range",), params=_params({
        "scale": SCALE,
        "slope": {"enum": ["each_side", "common"], "default": "each_side",
                  "description": "each_side: each side falls to 0 at its own outer bound; common: both sides fall over the wider "
                                 "distance, as the textbook 区间型 formula (the nearer bound keeps a score above 0)."}}),
             description={"en": "Interval scoring (适度指标): 1 within the optimum, falling linearly to 0 at the goalposts or data extremes.",
                          "zh": "适度指标：在最优区间内为 1，向阈值或数据极值线性降至 0。"})
    register("ratio", ratio, scale=_fixed("ratio"), title={"en": "Ratio to a reference", "zh": "比值标准化"}, params=_params({
        "reference": {"type": "number", "exclusiveMinimum": 0, "description": "The reference value; default: the mean of all units."}}),
        description={"en": "Ratio to a reference: value / reference (higher is better) or reference / value.",
                     "zh": "与参照值之比：正向指标为 数值 / 参照值，逆向指标为 参照值 / 数值。"})
    register("thresholds", thresholds, scale=_band_scores, title={"en": "Threshold bands", "zh": "分档计分"}, check=check_bands, params={
        "type": "object", "additionalProperties": False, "required": ["bands"], "properties": {
            "bands": {"type": "array", "minItems": 1, "description": "From the best band down; the last may leave out its bound.",
                      "items": {"type": "object", "additionalProperties": False, "required": ["score"], "properties": {
                          "score": {"type": "number", "description": "The score of the values in this band."},
                          "min": {"type": "number", "description": "Higher is better: the lowest value that earns this score."},
                          "max": {"type": "number", "description": "Lower is better: the highest value that earns this score."}}}}}},
        description={"en": "Threshold bands (分档计分): a fixed score for each band of raw values, e.g. 100 from 95, 80 from 85, else 0.",
                     "zh": "分档计分：原始数值落在哪一档就得该档的分数，例如 95 以上 100 分、85 以上 80 分、其余 0 分。"})
    register("ampi", adjusted_mazziotta_pareto, scale=_fixed("ampi"), title={"en": "Adjusted Mazziotta–Pareto rescaling", "zh": "AMPI 标准化"},
             params=_params({"reference": {"type": "number", "description": "The value that scores 100; default: the mean of all units."}}),
             description={"en": "Adjusted Mazziotta–Pareto rescaling: the reference scores 100, the range of the data spans 60 "
                                "points (70–130 around a central reference); for mazziotta_pareto over several periods.",
                          "zh": "AMPI 标准化：参照值为 100，数据的极差对应 60 分（参照值居中时为 70–130）；"
                                "用于多时期的 Mazziotta–Pareto 指数。"})
    register("vector", vector, scale=_fixed("vector"), title={"en": "Vector normalisation", "zh": "向量标准化"}, params=_params({}),
             description={"en": "Vector normalisation x / √Σx² (Hwang & Yoon), reflected for lower-is-better; for TOPSIS.",
                          "zh": "向量标准化 x / √Σx²（Hwang 与 Yoon），逆向指标取反射；用于 TOPSIS。"})
    register("none", identity, title={"en": "No normalisation",
                                      "zh": "不标准化"}, directions=("higher",), params=_params({}),
             description={"en": "No normalisation: the raw value is used as it is.", "zh": "不标准化：直接使用原始数值。"})
