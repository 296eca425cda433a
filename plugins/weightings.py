"""Built-in weightings: fixed by experts, equal, derived from the data (entropy, CRITIC, coefficient
of variation, standard deviation), and from pairwise judgements (AHP).

Weightings that use data see the units × children matrix as the node aggregates it: normalised,
with each indicator's direction already applied (so a lower-is-better column is already flipped).
Each returns the weights and what it computed, which the results report.
"""

from __future__ import annotations

import re

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.gather import CoMoments, Extremes, Moments, Sums, gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both, both

NO_PARAMS = {"type": "object", "additionalProperties": False, "properties": {}}
FIXED_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["values"],
    "properties": {
        "values": {"type": "object", "additionalProperties": {"type": "number"},
                   "description": "The weight of each child, by name."},
    },
}


def fixed(children, params, data):
    values = params["values"]
    missing = [c for c in children if c not in values]
    if missing:
        raise EngineError([said("E_WEIGHTS_MISSING", "weights.no_weight", children=", ".join(missing),
                                hint=Both("add them to the weight set's params.values", "请把它们加到权重集的 params.values 中"))])
    return np.array([values[c] for c in children], dtype=float)


def equal(children, params, data):
    return np.ones(len(children))


# ---------------------------------------------------------------- from the data
# Each gathers what it needs over the complete rows of every block of units (see govscore.engine.gather),
# then computes the weights from that alone: out of core, ``data`` is None when the weights are computed.

def _complete(data: np.ndarray) -> np.ndarray:
    """The rows of a block with every child."""
    return data[~np.isnan(data).any(axis=1)]


def _range_of(children, params, data, found):
    return {"range": Extremes.of(_complete(data))}


def _moments_of(children, params, data, found):
    return {"moments": Moments.of(_complete(data))}


def _rescaled(rows: np.ndarray, found) -> np.ndarray:
    """Rows min-max rescaled to [0, 1] with the extremes over every unit (a constant column stays 0)."""
    extremes = found["range"]
    span = extremes.hi - extremes.lo
    return (rows - extremes.lo) / np.where(span == 0, 1.0, span)


def _check_count(count: int, method: str):
    """At least two complete units are needed."""
    if count < 2:
        raise EngineError([said("E_WEIGHTS_DATA", "weights.too_few_units", method=method, count=count)])


def _constant(found) -> np.ndarray:
    return found["range"].hi - found["range"].lo == 0


def _refuse_all_constant(constant, method):
    if constant.all():
        raise EngineError([said("E_WEIGHTS_DATA", "weights.all_constant", method=method)])


def _entropy_values(rows, params, found):
    y = _rescaled(rows, found) if params.get("variant", "minmax") == "minmax" else rows
    return y + params.get("shift", 0.0)


def _entropy_totals(children, params, data, found):
    return {"totals": Sums.of(_entropy_values(_complete(data), params, found))}


def _entropy_divergence(children, params, data, found):
    """Each unit's part of n·ln n·(1 − E): q ln q − q + 1, with q = n·p (n times its share). Summed, it is
    Σ p ln p + ln n times n, as Σ p = 1; and no part is negative, so the sum keeps its digits however close
    E is to 1, where 1 minus E would lose them (and with them, agreement between sums taken in different
    orders: in memory, out of core)."""
    count, totals = found["totals"].count, found["totals"].total
    y = _entropy_values(_complete(data), params, found)
    q = np.divide(y * count, totals, out=np.zeros_like(y), where=totals > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        qlogq = np.where(q > 0, q * np.log(q), 0.0)  # 0 · ln 0 = 0
    return {"divergence": Sums.of(qlogq - q + 1.0)}


def _entropy(children, params, data, found):
    """熵权法: w_j ∝ 1 − E_j, with E_j = −Σ p_ij ln p_ij / ln n and p_ij the unit's share of the column.

    variant "minmax" (the default, the usual recipe) takes shares after min-max rescaling each column
    to [0, 1]; "shares" takes shares of the values as given (which must not be negative). ``shift`` is
    added before the shares, to keep ln away from 0; 0 · ln 0 counts as 0.
    """
    count = found["totals"].count
    _check_count(count, "Entropy")
    variant = params.get("variant", "minmax")
    constant = _constant(found)
    _refuse_all_constant(constant, "entropy")
    if variant != "minmax":
        negative = [c for c, bad in zip(children, found["range"].lo < 0) if bad]
        if negative:
            raise EngineError([said("E_WEIGHTS_DATA", "weights.entropy_negative", children=", ".join(negative),
                                    hint=Both('use "variant": "minmax", or normalise those children onto a positive scale',
                                              '请用 "variant": "minmax"，或把这些组成部分标准化到正的区间'))])
    d = np.where(constant | (found["totals"].total <= 0), 0.0, found["divergence"].total / (count * np.log(count)))
    e = 1.0 - d
    warnings = [both("weights.constant_zero", child=c, method=Both("entropy", "熵权")) for c, k in zip(children, constant) if k]
    return d / d.sum(), {"variant": variant, "entropy": e, "divergence": d, "warnings": warnings}


def _critic_moments(children, params, data, found):
    y = _rescaled(_complete(data), found)
    return {"moments": Moments.of(y), "co": CoMoments.of(y)}


def _critic(children, params, data, found):
    """CRITIC (Diakoulaki et al. 1995): w_j ∝ σ_j Σ_k (1 − r_jk) on min-max rescaled columns, σ the
    sample standard deviation and r Pearson's correlation. Lower-is-better children arrive flipped."""
    _check_count(found["moments"].count, "CRITIC")
    constant = _constant(found)
    _refuse_all_constant(constant, "CRITIC")
    sd = found["moments"].std(ddof=1)
    r = np.nan_to_num(found["co"].correlation(), nan=0.0)
    conflict = (1.0 - np.atleast_2d(r)).sum(axis=0)
    c = sd * conflict
    return c / c.sum(), {"sd": sd, "conflict": conflict, "information": c,
                         "warnings": [both("weights.constant_zero", child=n, method="CRITIC")
                                      for n, k in zip(children, constant) if k]}


def _coefficient_of_variation(children, params, data, found):
    """变异系数法: w_j ∝ σ_j / mean_j (sample standard deviation), over the values as given."""
    moments = found["moments"]
    _check_count(moments.count, "Coefficient-of-variation")
    mean = moments.mean
    bad = [c for c, m in zip(children, mean) if not m > 0]
    if bad:
        raise EngineError([said("E_WEIGHTS_DATA", "weights.cv_mean", children=", ".join(bad),
                                hint=Both("normalise the children onto a positive scale, e.g. minmax with scale [1, 100]",
                                          "请把各组成部分标准化到正的区间，例如 minmax 并设 scale 为 [1, 100]"))])
    cv = moments.std(ddof=1) / mean
    _refuse_all_constant(cv == 0, "coefficient-of-variation")
    return cv / cv.sum(), {"cv": cv}


def _standard_deviation(children, params, data, found):
    """w_j ∝ σ_j, the sample standard deviation of the values as given."""
    _check_count(found["moments"].count, "Standard-deviation")
    sd = found["moments"].std(ddof=1)
    _refuse_all_constant(sd == 0, "standard-deviation")
    return sd / sd.sum(), {"sd": sd}


def _pca_moments(children, params, data, found):
    rows = _complete(data)
    return {"range": Extremes.of(rows), "co": CoMoments.of(rows)}


def _pca(children, params, data, found):
    """Weights from the first principal component of the children's correlation matrix (OECD/JRC
    Handbook on Constructing Composite Indicators, 2008, §6.1): loadings, with the sign fixed so
    that they sum to a positive number. ``negative`` says what a negative loading becomes: "error"
    (the default: the child pulls against the others, and the ruleset should say what it wants),
    "zero" or "absolute"."""
    _check_count(found["co"].count, "PCA")
    constant = _constant(found)
    if constant.any():
        raise EngineError([said("E_WEIGHTS_DATA", "weights.pca_constant",
                                children=", ".join(c for c, k in zip(children, constant) if k))])
    corr = np.atleast_2d(found["co"].correlation())
    values, vectors = np.linalg.eigh(corr)
    first = vectors[:, -1] * (1 if vectors[:, -1].sum() >= 0 else -1)
    loadings = first * np.sqrt(max(values[-1], 0.0))
    explained = float(values[-1] / values.sum())
    negative = [c for c, x in zip(children, loadings) if x < 0]
    policy = params.get("negative", "error")
    if negative and policy == "error":
        raise EngineError([said("E_WEIGHTS_DATA", "weights.pca_negative", children=", ".join(negative),
                                hint=Both('check their direction, or set "negative": "zero" or "absolute"',
                                          '请检查它们的方向，或设 "negative": "zero" 或 "absolute"'))])
    w = np.abs(loadings) if policy == "absolute" else np.maximum(loadings, 0.0)
    if not w.sum() > 0:
        raise EngineError([said("E_WEIGHTS_DATA", "weights.pca_no_positive")])
    return w / w.sum(), {"loadings": loadings, "eigenvalues": values[::-1], "explained": explained}


# The methods as registered: what each gathers over every unit, and how it weighs.
entropy = gathered(_range_of, _entropy_totals, _entropy_divergence, apply=_entropy)
critic = gathered(_range_of, _critic_moments, apply=_critic)
coefficient_of_variation = gathered(_moments_of, apply=_coefficient_of_variation)
standard_deviation = gathered(_moments_of, apply=_standard_deviation)
pca = gathered(_pca_moments, apply=_pca)


def budget_allocation(children, params, data):
    """预算分配法 (budget allocation): each expert shares a budget of points among the children; the
    weights are the mean shares."""
    shares = []
    for k, points in enumerate(params["experts"]):
        missing = [c for c in children if c not in points]
        if missing:
            raise EngineError([said("E_WEIGHTS_MISSING", "weights.expert_missing", expert=k + 1, children=", ".join(missing))])
        p = np.array([points[c] for c in children], dtype=float)
        if not p.sum() > 0:
            raise EngineError([said("E_WEIGHTS_DATA", "weights.expert_none", expert=k + 1)])
        shares.append(p / p.sum())
    shares = np.array(shares)
    return shares.mean(axis=0), {"experts": shares, "spread": shares.std(axis=0)}


def _order(children, params: dict, method: str) -> list[str]:
    """The order a method's judgements are written in (default: the node's children), checked to hold them all."""
    order = list(params.get("order", children))
    if sorted(order) != sorted(children):
        raise EngineError([said("E_PARAMS", "weights.order", method=method, children=", ".join(children), order=", ".join(order))])
    return order


def _by_child(w: np.ndarray, order: list[str], children) -> np.ndarray:
    """Weights found in ``order``, returned in the order of the node's children."""
    position = {name: k for k, name in enumerate(order)}
    return np.array([w[position[c]] for c in children])


def g1(children, params, data):
    """序关系分析法 (G1, 郭亚军): the experts order the children by importance and give, for each pair of
    neighbours in that order, the ratio r_k = w_{k−1} / w_k (1.0 equal … 1.8 extremely more important).
    Each weight is then the product of the ratios after it times the last one, w_m = 1 / (1 + Σ_k Π_{i≥k} r_i)."""
    order, ratios = _order(children, params, "G1"), np.asarray(params["ratios"], dtype=float)
    if len(ratios) != len(order) - 1:
        raise EngineError([said("E_PARAMS", "g1.ratios", count=len(ratios), needed=len(order) - 1)])
    w = np.append(np.cumprod(ratios[::-1])[::-1], 1.0)  # Π_{i=k..m} r_i for k = 2 … m, and 1 for the last
    return _by_child(w / w.sum(), order, children), {"order": order, "ratios": ratios}


def game_theory(u: np.ndarray) -> tuple[np.ndarray, dict]:
    """博弈论组合赋权: the combination w = Σ α_k·u_k nearest every set u_i at once, α solving
    Σ_k α_k·(u_i·u_k) = u_i·u_i for each i; α normalised as |α| / Σ|α| (a negative α, from sets that pull
    apart, counts by its size as the published method does)."""
    gram = u @ u.T
    alpha = np.linalg.lstsq(gram, np.diag(gram), rcond=None)[0]  # identical sets make gram singular: any split is right
    if not np.abs(alpha).sum() > 0:
        raise EngineError([said("E_WEIGHTS_DATA", "weights.game_theory_zero")])
    share = np.abs(alpha) / np.abs(alpha).sum()
    return share @ u, {"mode": "game_theory", "alpha_solved": alpha, "alpha": share}


def combined(children, params, data):
    """Combined (组合赋权) subjective and objective weights: α·w₁ + (1 − α)·w₂ ("linear"), w₁·w₂
    renormalised ("multiplicative"), their geometric mean renormalised ("geometric", the weights
    nearest every set in relative entropy), or the game-theory combination of any number of sets.
    ``data`` holds the weight sets named in ``of``, one row each."""
    mode = params.get("mode", "linear")
    if mode == "game_theory":
        return game_theory(np.asarray(data, dtype=float))
    if mode in ("multiplicative", "geometric"):
        w = np.prod(data, axis=0) ** (1 / len(data) if mode == "geometric" else 1)
        if not w.sum() > 0:
            raise EngineError([said("E_WEIGHTS_DATA", "weights.product_zero")])
        return w / w.sum(), {"mode": mode}
    alpha = params.get("alpha", 0.5)
    if len(data) != 2:
        raise EngineError([said("E_PARAMS", "weights.linear_two")])
    return alpha * data[0] + (1 - alpha) * data[1], {"mode": "linear", "alpha": alpha}


# ---------------------------------------------------------------- AHP

# Random consistency indices by matrix order (index 0 unused), each table as its source prints it:
# - saaty: Saaty (1980), The Analytic Hierarchy Process, table 1.7;
# - saaty_2005: Saaty (2005), Theory and Applications of the Analytic Network Process, RWS Publications, p. 31;
# - chinese: the table of most Chinese textbooks (e.g. 许树柏《实用决策方法——层次分析法原理》, 1988);
# - alonso_lamata: Alonso & Lamata (2006), "Consistency in the analytic hierarchy process: a new approach",
#   International Journal of Uncertainty, Fuzziness and Knowledge-Based Systems 14(4): 445-459 (100,000 matrices);
# - tummala_ling: Tummala & Ling (1998), "A note on the computation of the mean random consistency index of
#   the analytic hierarchy process (AHP)", Theory and Decision 44(3): 221-230;
# - donegan_dodd: Donegan & Dodd (1991), "A note on Saaty's random indexes", Mathematical and Computer
#   Modelling 15(10): 135-137.
# Another table can be given in the ruleset, one value per order from 1.
RANDOM_INDEX = {
    "saaty": [0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49],
    "saaty_2005": [0, 0, 0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59],
    "chinese": [0, 0, 0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59],
    "alonso_lamata": [0, 0, 0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141, 1.5365, 1.5551,
                      1.5713, 1.5838],
    "tummala_ling": [0, 0, 0, 0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356, 1.5571,
                     1.5714, 1.5831],
    "donegan_dodd": [0, 0, 0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643,
                     1.4822, 1.4969, 1.5078, 1.5153, 1.5262, 1.5313, 1.5371],
}
_FRACTION = re.compile(r"^\s*([1-9])\s*/\s*([1-9])\s*$")
JUDGEMENT = {"oneOf": [{"type": "number", "minimum": 1 / 9, "maximum": 9},
                       {"type": "string", "pattern": _FRACTION.pattern},
                       {"type": "null"}],
             "description": "A judgement on the 1–9 scale: 3, or 1/3 written \"1/3\"; null below the diagonal is filled in.",
             "description_zh": "1–9 标度的判断值：如 3，或写作 \"1/3\" 的 1/3；对角线以下可写 null，由引擎补全。"}
MATRIX = {"type": "array", "minItems": 2, "items": {"type": "array", "items": JUDGEMENT},
          "description": "The pairwise judgement matrix (判断矩阵), row i against column j, in the order of order."}
AHP_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "matrix": MATRIX,
        "experts": {"type": "array", "minItems": 2, "items": MATRIX,
                    "description": "Several experts' matrices instead of one (group AHP), combined as aggregation says."},
        "aggregation": {"enum": ["judgements", "priorities", "priorities_geometric"], "default": "judgements",
                        "description": "judgements: the weighted geometric mean of the experts' judgements, then one matrix "
                                       "(AIJ); priorities / priorities_geometric: each expert's priorities, each matrix "
                                       "checked, combined by the weighted arithmetic / geometric mean (AIP)."},
        "expert_weights": {"type": "array", "items": {"type": "number", "minimum": 0},
                           "description": "Each expert's weight, in the order of experts (default: equal)."},
        "order": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                  "description": "The children in the order of the matrix rows; default: the node's children."},
        "priority": {"enum": ["eigenvector", "geometric_mean", "column_mean"], "default": "eigenvector",
                     "description": "Principal eigenvector (Saaty), row geometric mean, or mean of the normalised columns."},
        "random_index": {"oneOf": [{"enum": list(RANDOM_INDEX)},
                                   {"type": "array", "minItems": 3, "items": {"type": "number", "minimum": 0}}],
                         "default": "saaty",
                         "description": "saaty: Saaty (1980), to order 10; saaty_2005: Saaty (2005), to 15; chinese: the "
                                        "table of Chinese textbooks (RI 0.52, 0.89, 1.12, 1.26…), to 15; alonso_lamata: "
                                        "Alonso & Lamata (2006), to 15; tummala_ling: Tummala & Ling (1998), to 15; "
                                        "donegan_dodd: Donegan & Dodd (1991), to 20; or a table of your own, one RI per "
                                        "matrix order from 1 (e.g. [0, 0, 0.58, 0.9])."},
        "cr_threshold": {"type": "number", "exclusiveMinimum": 0, "default": 0.1,
                         "description": "A consistency ratio at or above this is an error."},
        "accept_inconsistency": {"type": "boolean", "default": False,
                                 "description": "Use the weights even when the consistency ratio is too high (a warning says so)."},
    },
    "oneOf": [{"required": ["matrix"]}, {"required": ["experts"]}],
}


def _judgement(value):
    if isinstance(value, str):
        top, bottom = _FRACTION.match(value).groups()
        return int(top) / int(bottom)
    return value


def _as_judgement(x: float, digits: int) -> str:
    """A judgement as the ruleset writes it: 5, or 1/5 below 1."""
    inverse = f"{1 / x:.{digits}g}"
    return f"{x:.{digits}g}" if x >= 1 or inverse == "1" else f"1/{inverse}"


def ahp_matrix(rows, names: list[str], which: str = "the matrix") -> np.ndarray:
    """A complete reciprocal matrix from the ruleset's rows (nulls below the diagonal filled in)."""
    n = len(names)
    if len(rows) != n or any(len(r) != n for r in rows):
        raise EngineError([said("E_AHP_MATRIX", "ahp.size", which=which, n=n, names=", ".join(names))])
    a = np.array([[_judgement(v) if v is not None else np.nan for v in row] for row in rows], dtype=float)
    problems = []
    for i in range(n):
        for j in range(n):
            if i == j:
                if not (np.isnan(a[i, i]) or a[i, i] == 1):
                    problems.append(f"the diagonal must be 1 ({names[i]} against itself is {a[i, i]:g})")
                a[i, i] = 1.0
            elif np.isnan(a[i, j]):
                if j > i:
                    problems.append(f"{names[i]} against {names[j]} (above the diagonal) is missing")
                elif np.isnan(a[j, i]):
                    problems.append(f"{names[i]} against {names[j]} is missing on both sides")
                else:
                    a[i, j] = 1.0 / a[j, i]
            elif not np.isnan(a[j, i]) and abs(a[i, j] * a[j, i] - 1) > 0.01:
                if i < j:
                    problems.append(f"{names[i]} against {names[j]} is {a[i, j]:g} but {names[j]} against "
                                    f"{names[i]} is {a[j, i]:g}, not 1/{a[i, j]:g}")
    if problems:
        raise EngineError([said("E_AHP_MATRIX", "ahp.not_reciprocal", which=which, problems="; ".join(problems),
                                hint=Both("write the upper triangle and leave the lower one null: the engine fills in 1/a",
                                          "只写上三角，下三角留 null：引擎会填入 1/a"))])
    return a


def ahp_priorities(a: np.ndarray, method: str) -> tuple[np.ndarray, float]:
    """Weights and λmax of a judgement matrix."""
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        k = int(np.argmax(values.real))
        w = np.abs(vectors[:, k].real)
        w = w / w.sum()
        return w, float(values[k].real)
    if method == "geometric_mean":
        w = np.exp(np.log(a).mean(axis=1))
    else:
        w = (a / a.sum(axis=0)).mean(axis=1)
    w = w / w.sum()
    return w, float(np.mean((a @ w) / w))


def ahp_consistency(a: np.ndarray, lambda_max: float, table: str | list) -> dict:
    n = len(a)
    ci = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    ri_table = RANDOM_INDEX[table] if isinstance(table, str) else [0, *table]  # index 0 unused
    if n >= len(ri_table):
        if isinstance(table, str):
            name, hint = table, Both("split the node into smaller groups, or give a longer random_index table",
                                     "请把该节点拆分为更小的组，或给出更长的 random_index 表")
        else:
            name, hint = Both("ruleset's", "规则集给出的"), Both(f"give an RI for every order up to {n}",
                                                            f"请给出直到 {n} 阶的每个 RI 值")
        raise EngineError([said("E_AHP_MATRIX", "ahp.random_index", table=name, limit=len(ri_table) - 1, n=n, hint=hint)])
    ri = ri_table[n]
    cr = ci / ri if ri > 0 else 0.0
    return {"lambda_max": lambda_max, "CI": ci, "RI": ri, "CR": cr, "worst": furthest_judgement(a)}


def furthest_judgement(a: np.ndarray) -> tuple[int, int, float, float] | None:
    """The judgement a_ij furthest from what the other judgements imply, and that implied value: the
    geometric mean of the indirect judgements a_ik·a_kj through every third child k (A/B = 3 and B/C = 5
    imply A/C = 15). The priorities themselves are no guide, since they contain the judgement in question.
    Of equal deviations (in a 3×3 matrix all three are equal) the widest span of the order is named, the
    one the adjacent judgements imply. None below three children."""
    n = len(a)
    if n < 3:
        return None
    logs = np.log(a)
    indirect = logs[:, None, :] + logs.T[None, :, :]  # [i, j, k] = ln a_ik + ln a_kj
    k = np.arange(n)
    others = (k[None, None, :] != k[:, None, None]) & (k[None, None, :] != k[None, :, None])
    implied = (indirect * others).sum(axis=2) / (n - 2)
    deviation = np.triu(np.abs(logs - implied), 1)
    i, j = np.triu_indices(n, 1)
    worst = deviation[i, j].max()
    ties = np.flatnonzero(deviation[i, j] >= worst * (1 - 1e-9))
    pick = ties[np.argmax(j[ties] - i[ties])]
    return int(i[pick]), int(j[pick]), float(a[i[pick], j[pick]]), float(np.exp(implied[i[pick], j[pick]]))


def _consistency(a: np.ndarray, lambda_max: float, params: dict, order: list[str], expert: int | None = None):
    """A matrix's consistency as reported, and the warnings; a CR at or above the threshold stops the run
    unless the ruleset accepts it. ``expert`` names whose matrix it is, when several are checked."""
    threshold = params.get("cr_threshold", 0.1)
    check = ahp_consistency(a, lambda_max, params.get("random_index", "saaty"))
    reported = {**{k: v for k, v in check.items() if k != "worst"}, "threshold": threshold, "consistent": bool(check["CR"] < threshold)}
    if check["CR"] < threshold:
        return reported, []
    i, j, written, implied = check["worst"]
    key, fields = "ahp.inconsistent", dict(cr=f"{check['CR']:.3f}", threshold=f"{threshold:g}", a=order[i], b=order[j],
                                           written=_as_judgement(written, 3), implied=_as_judgement(implied, 2))
    if expert is not None:
        key, fields = "ahp.of_expert", {"expert": expert, "problem": both(key, **fields)}
    if not params.get("accept_inconsistency", False):
        raise EngineError([said("E_AHP_INCONSISTENT", key, **fields,
                                hint=Both('revise that judgement with the experts, or set "accept_inconsistency": true',
                                          '请与专家一起修正该判断，或设 "accept_inconsistency": true'))])
    return reported, [both("ahp.accepted", problem=both(key, **fields))]


def _expert_weights(params: dict, count: int) -> np.ndarray:
    given = params.get("expert_weights")
    if given is None:
        return np.full(count, 1.0 / count)
    if len(given) != count or not sum(given) > 0:
        raise EngineError([said("E_PARAMS", "ahp.expert_weights", count=len(given), experts=count)])
    return np.asarray(given, dtype=float) / sum(given)


def ahp(children, params, data):
    """层次分析法: weights from a pairwise judgement matrix, with its consistency ratio. With several
    experts (group AHP), their judgements are combined by the weighted geometric mean ("judgements", AIJ)
    and the combined matrix checked, or each expert's priorities are derived and checked and then
    combined by the weighted arithmetic or geometric mean ("priorities", "priorities_geometric", AIP;
    Forman & Peniwati 1998)."""
    order = _order(children, params, "AHP")
    priority = params.get("priority", "eigenvector")
    details = {"priority": priority, "random_index": params.get("random_index", "saaty"), "order": order}
    warnings = []
    if "experts" in params:
        matrices = [ahp_matrix(m, order, f"the matrix of expert {k + 1}") for k, m in enumerate(params["experts"])]
        share = _expert_weights(params, len(matrices))
        found = [ahp_priorities(m, priority) for m in matrices]
        details.update(aggregation=params.get("aggregation", "judgements"), expert_weights=share,
                       experts_CR=[ahp_consistency(m, lam, details["random_index"])["CR"] for m, (_, lam) in zip(matrices, found)])
        if details["aggregation"] == "judgements":
            a = np.exp(np.tensordot(share, np.log(np.array(matrices)), axes=1))
        else:
            for k, (m, (_, lam)) in enumerate(zip(matrices, found), start=1):
                warnings += _consistency(m, lam, params, order, expert=k)[1]
            vectors = np.array([v for v, _ in found])
            w = share @ vectors if details["aggregation"] == "priorities" else np.exp(share @ np.log(vectors))
            details["experts_priorities"] = vectors
            return _by_child(w / w.sum(), order, children), {**details, "warnings": warnings}
    else:
        a = ahp_matrix(params["matrix"], order)
    w, lambda_max = ahp_priorities(a, priority)
    details["matrix"] = a
    details["consistency"], warnings = _consistency(a, lambda_max, params, order)
    return _by_child(w, order, children), {**details, "warnings": warnings}


@hookimpl
def register_weightings(register):
    register("fixed", fixed, title={"en": "Fixed weights", "zh": "固定权重"}, params=FIXED_PARAMS,
             description={"en": "Weights written in the ruleset (by experts, or by a policy document).",
                          "zh": "规则集中写明的权重（由专家或政策文件给出）。"})
    register("equal", equal, title={"en": "Equal weights", "zh": "等权"},
             params=NO_PARAMS, renormalise_default=True, description={"en": "Every child weighs the same.",
                                                                      "zh": "各组成部分权重相等。"})
    register("entropy", entropy, title={"en": "Entropy weights", "zh": "熵权法"},
             uses_data=True, renormalise_default=True, params={
        "type": "object", "additionalProperties": False, "properties": {
            "variant": {"enum": ["minmax", "shares"], "default": "minmax",
                        "description": "minmax: shares after min-max rescaling each column (the usual recipe); "
                                       "shares: shares of the values as given."},
            "shift": {"type": "number", "minimum": 0, "default": 0,
                      "description": "Added to every value before the shares, to keep ln away from 0."}}},
        description={"en": "Entropy weights (熵权法): children whose values differ more between units weigh more.",
                     "zh": "熵权法：在各单位之间差异越大的组成部分权重越高。"})
    register("critic", critic, title={"en": "CRITIC", "zh": "CRITIC 法"},
             uses_data=True, renormalise_default=True, params=NO_PARAMS,
             description={"en": "CRITIC: contrast (standard deviation) times conflict (1 − correlation) with the other children.",
                          "zh": "CRITIC 法：对比强度（标准差）乘以与其他组成部分的冲突性（1 − 相关系数）。"})
    register("coefficient_of_variation", coefficient_of_variation, title={"en": "Coefficient of variation",
                                                                          "zh": "变异系数法"},
             uses_data=True, renormalise_default=True,
             params=NO_PARAMS, description={"en": "Coefficient of variation (变异系数法): standard deviation over mean.",
                                            "zh": "变异系数法：标准差除以均值。"})
    register("standard_deviation", standard_deviation, title={"en": "Standard deviation", "zh": "标准差法"},
             uses_data=True, renormalise_default=True, params=NO_PARAMS,
             description={"en": "Standard deviation of each child.", "zh": "标准差法：按各组成部分的标准差。"})
    register("pca", pca, title={"en": "Principal component",
                                "zh": "主成分分析法"}, uses_data=True, renormalise_default=True, params={
        "type": "object", "additionalProperties": False, "properties": {
            "negative": {"enum": ["error", "zero", "absolute"], "default": "error",
                         "description": "What a negative loading becomes: an error (default), 0, or its absolute value."}}},
        description={"en": "Weights from the loadings of the first principal component; the variance it explains is reported.",
                     "zh": "主成分法：按第一主成分的载荷确定权重，并报告其解释的方差。"})
    register("budget_allocation", budget_allocation, title={"en": "Budget allocation", "zh": "预算分配法"},
             renormalise_default=True, params={
        "type": "object", "additionalProperties": False, "required": ["experts"], "properties": {
            "experts": {"type": "array", "minItems": 1, "items": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                        "description": "Each expert's points for each child (any budget, e.g. 100)."}}},
        description={"en": "Budget allocation (预算分配法): the mean of the experts' shares of their points.",
                     "zh": "预算分配法：各专家分配点数所占比例的平均值。"})
    register("g1", g1, title={"en": "G1 order relation", "zh": "序关系分析法（G1）"}, renormalise_default=True, params={
        "type": "object", "additionalProperties": False, "required": ["order", "ratios"], "properties": {
            "order": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 2,
                      "description": "The children from the most important to the least."},
            "ratios": {"type": "array", "items": {"type": "number", "minimum": 1, "maximum": 10},
                       "description": "For each neighbour in the order, how many times the one before matters more "
                                      "(w_{k−1}/w_k): 1.0 equally, 1.2 slightly, 1.4 clearly, 1.6 strongly, 1.8 extremely."}}},
        description={"en": "G1 order relation (序关系分析法): weights from an importance order and the ratios of neighbours.",
                     "zh": "序关系分析法（G1）：由重要性排序及相邻指标的重要性比值求权重。"})
    register("combined", combined, title={"en": "Combined weights", "zh": "组合赋权"},
             combines=True, renormalise_default=True, params={
        "type": "object", "additionalProperties": False, "required": ["of"], "properties": {
            "of": {"type": "array", "items": {"type": "string"}, "minItems": 2, "uniqueItems": True,
                   "description": "The weight sets combined: subjective first, then objective (e.g. an AHP set and an entropy set)."},
            "alpha": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                      "description": "Linear mode: the share of the first weight set."},
            "mode": {"enum": ["linear", "multiplicative", "geometric", "game_theory"], "default": "linear",
                     "description": "linear: α·w₁ + (1 − α)·w₂; multiplicative: the product, renormalised; geometric: the "
                                    "geometric mean, renormalised (博弈均衡几何平均, least relative entropy); game_theory "
                                    "(博弈论组合赋权): α from the linear system Σ α_k·(u_i·u_k) = u_i·u_i, normalised."}}},
        description={"en": "Combined weights (组合赋权): subjective and objective weight sets, linearly, multiplicatively or "
                           "by game theory.",
                     "zh": "组合赋权：主观与客观权重集按线性、乘法或博弈论方式组合。"})
    register("ahp", ahp, title={"en": "AHP", "zh": "层次分析法"}, params=AHP_PARAMS, renormalise_default=True,
             description={"en": "AHP (层次分析法): weights from a pairwise judgement matrix, with its consistency ratio checked.",
                          "zh": "层次分析法：由两两比较判断矩阵求权重，并检验一致性比率。"})
