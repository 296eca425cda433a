"""Built-in evaluation methods that compare units with each other: TOPSIS, VIKOR, grey
relational analysis and Copeland outranking. The ideal of a column is the best value any unit reaches:
TOPSIS, grey relational analysis and VIKOR gather it over every unit before they score (see
govscore.engine.gather; VIKOR also the range of S and R and the first units by Q), so they also run
out of core; Copeland's pairs need every unit at once (``whole_columns``). The children arrive normalised with their direction
applied, so for every column higher is better; each method reports what it computed per unit.
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.gather import Extremes, Least, Sums, gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both, both
from govscore.engine.values import complete_rows, spread, unit_ids


def _present(x, w):
    """The full weight matrix, and the values with missing children (weight 0) set aside as NaN.
    Column extremes below skip NaN with np.fmax / np.fmin, which leave a column no unit counts as NaN
    without the warning np.nanmax would print."""
    w = np.broadcast_to(w, x.shape)
    return w, np.where(w > 0, x, np.nan)


def _ideals(x, w, params, children, found):
    w, counted = _present(x, w)
    return {"ideals": Extremes.of(w * counted)}


def _topsis(x, w, params, children, found):
    """TOPSIS (Hwang & Yoon 1981): closeness C = D− / (D+ + D−) to the ideal unit, D± the weighted
    Euclidean distances to the column-wise best (ideal) and worst (anti-ideal) values."""
    w, counted = _present(x, w)
    v = w * np.nan_to_num(counted)
    ideal, anti = found["ideals"].hi, found["ideals"].lo
    present = w > 0
    d_plus = np.sqrt((np.where(present, v - ideal, 0.0) ** 2).sum(axis=1))
    d_minus = np.sqrt((np.where(present, v - anti, 0.0) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.divide(d_minus, total, out=np.full(len(x), 0.5), where=total > 0)
    return closeness, {"d_plus": d_plus, "d_minus": d_minus, "ideal": ideal, "anti_ideal": anti}


def _vikor_ideals(x, w, params, children, found, units=None):
    return {"ideals": Extremes.of(_present(x, w)[1])}


def _vikor_terms(x, w, params, children, found):
    """Each unit's group utility S and individual regret R."""
    w, counted = _present(x, w)
    best, worst = found["ideals"].hi, found["ideals"].lo
    span = best - worst
    gap = np.divide(best - counted, span, out=np.zeros_like(counted), where=span > 0)
    terms = np.where(w > 0, w * np.nan_to_num(gap), 0.0)
    return terms.sum(axis=1), terms.max(axis=1)


def _vikor_extremes(x, w, params, children, found, units=None):
    s, r = _vikor_terms(x, w, params, children, found)
    return {"S": Extremes.of(s), "R": Extremes.of(r)}


def _vikor_q(x, w, params, children, found):
    """Each unit's S, R and Q = v·(S−S*)/(S⁻−S*) + (1−v)·(R−R*)/(R⁻−R*)."""
    v = params.get("v", 0.5)
    s, r = _vikor_terms(x, w, params, children, found)

    def scaled(values, extremes):
        low, high = extremes.lo, extremes.hi
        return (values - low) / (high - low) if high > low else np.zeros_like(values)

    return s, r, v * scaled(s, found["S"]) + (1 - v) * scaled(r, found["R"])


def _vikor_first(x, w, params, children, found, units=None):
    """The first two units by Q (with their S and R), and how many units there are."""
    s, r, q = _vikor_q(x, w, params, children, found)
    return {"first": Least.of(q, 2, S=s, R=r, units=unit_ids(units, len(q))), "units": Sums(len(q), 0.0)}


def _vikor_close(x, w, params, children, found, units=None):
    """Without an acceptable advantage, the units within DQ of the first by Q: the compromise set."""
    if _conditions(found)[0]:
        return {}
    q = _vikor_q(x, w, params, children, found)[2]
    close = q - found["first"].values[0] < _dq(found)
    return {"close": Least.of(q[close], units=unit_ids(units, len(q))[close])}


def _dq(found) -> float:
    m = found["units"].count
    return 1.0 / (m - 1) if m > 1 else 0.0


def _conditions(found) -> tuple[bool, bool]:
    """Condition 1, acceptable advantage: Q(second) − Q(first) ≥ 1/(m − 1). Condition 2, acceptable
    stability: the first by Q is also first by S or by R."""
    first = found["first"]
    advantage = bool(len(first.values) < 2 or first.values[1] - first.values[0] >= _dq(found))
    stable = bool(first.carried["S"][0] == found["S"].lo or first.carried["R"][0] == found["R"].lo)
    return advantage, stable


def _vikor(x, w, params, children, found, units=None):
    """VIKOR (Opricovic & Tzeng 2004): group utility S, individual regret R and Q = v·(S−S*)/(S⁻−S*)
    + (1−v)·(R−R*)/(R⁻−R*). Lower Q is better: rank in ascending order. The compromise conditions
    (acceptable advantage and stability) are reported: without condition 1 the compromise set is every
    unit within 1/(m − 1) of the first; without condition 2, the first two. The set is given as unit ids."""
    s, r, q = _vikor_q(x, w, params, children, found)
    advantage, stable = _conditions(found)
    if not advantage:
        chosen = list(found["close"].carried["units"])
    else:
        chosen = list(found["first"].carried["units"][:1 if stable else 2])
    return q, {"S": s, "R": r, "Q": q, "v": params.get("v", 0.5), "acceptable_advantage": advantage,
               "acceptable_stability": stable, "DQ": _dq(found), "compromise": [str(u) for u in chosen]}


def _grey_best(x, w, params, children, found):
    """Each column's best value, when the reference series is the best one."""
    return {"best": Extremes.of(_present(x, w)[1])} if params.get("reference", "best") == "best" else {}


def _grey_deltas(x, w, params, children, found):
    """The extremes of the distances to the reference: over the whole matrix, or per column."""
    delta = _grey_delta(x, w, params, children, found)[2]
    return {"delta": Extremes.of(delta.reshape(-1, 1) if params.get("extremes", "global") == "global" else delta)}


def _grey_delta(x, w, params, children, found):
    w, counted = _present(x, w)
    declared = params.get("reference", "best")
    reference = found["best"].hi if declared == "best" else _reference_series(declared, counted, children)
    return w, reference, np.abs(reference - counted)


def _grey_relational(x, w, params, children, found):
    """Grey relational analysis (Deng 1982): grade = Σ w·ξ / Σ w with ξ = (Δmin + ρ·Δmax) / (Δ + ρ·Δmax),
    Δ the distance to the reference series: each column's best value, or the values the ruleset declares
    (on the children's normalised scale). ``extremes`` says whether Δmin and Δmax are taken over the whole
    matrix (Deng's original) or column by column."""
    rho = params.get("rho", 0.5)
    w, reference, delta = _grey_delta(x, w, params, children, found)
    low, high = found["delta"].lo, found["delta"].hi
    if params.get("extremes", "global") == "global":
        low, high = low[0], high[0]
    if np.any(np.asarray(high) == 0):
        raise EngineError([said("E_WEIGHTS_DATA", "grey.constant", hint=Both("drop the constant children", "去掉取值不变的组成部分"),
                                where=Both("", "") if np.ndim(high) == 0 else Both(" on some child", "（在某个组成部分上）"))])
    xi = (low + rho * high) / (delta + rho * high)
    grade = np.where(w > 0, w * np.nan_to_num(xi), 0.0).sum(axis=1) / w.sum(axis=1)
    return grade, {"reference": reference, "rho": rho}


def _reference_series(declared, counted, children):
    missing = [c for c in children if c not in declared]
    unknown = [c for c in declared if c not in children]
    if missing or unknown:
        raise EngineError([said(
            "E_PARAMS", "gra.reference",
            missing=both("gra.reference_missing", children=", ".join(missing)) if missing else "",
            unknown=both("gra.reference_unknown", children=", ".join(unknown)) if unknown else "",
            hint=Both("children: " + ", ".join(children), "组成部分：" + ", ".join(children)))])
    return np.array([float(declared[c]) for c in children])


# The methods that gather what they compare over every unit before they score: TOPSIS and grey relational
# analysis their ideals; VIKOR its ideals, the range of S and R, and the first units by Q.
topsis = gathered(_ideals, apply=_topsis)
grey_relational = gathered(_grey_best, _grey_deltas, apply=_grey_relational)
vikor = gathered(_vikor_ideals, _vikor_extremes, _vikor_first, _vikor_close, apply=_vikor)

COPELAND_LIMIT = 20_000
_COPELAND_BLOCK = 256


def copeland(x, w, params, children, units=None):
    """Copeland outranking (non-compensatory): unit a beats b when the weights of the children on which
    a is higher outweigh those on which b is higher; the score is wins minus losses. Units missing a
    child are not compared (complete cases, as in COINr). Every pair is compared, so at most
    20,000 units."""
    present = complete_rows(x, w)
    if not present.any():
        return np.full(len(x), np.nan), {}
    weights = np.broadcast_to(w, x.shape)[np.argmax(present)]  # a complete unit carries the nominal weights
    rows = x[present]
    n = len(rows)
    if n > COPELAND_LIMIT:
        raise EngineError([said("E_PARAMS", "copeland.too_many", n=f"{n:,}", limit=f"{COPELAND_LIMIT:,}",
                                hint=Both("score groups of units separately", "请分组评分"))])
    wins, losses = np.zeros(n), np.zeros(n)
    for start in range(0, n, _COPELAND_BLOCK):
        block = rows[start:start + _COPELAND_BLOCK, None, :]
        ahead = ((block > rows[None, :, :]) * weights).sum(axis=2)
        behind = ((block < rows[None, :, :]) * weights).sum(axis=2)
        wins[start:start + len(block)] = (ahead > behind).sum(axis=1)
        losses[start:start + len(block)] = (ahead < behind).sum(axis=1)
    return spread(wins - losses, present), {"wins": spread(wins, present), "losses": spread(losses, present)}


@hookimpl
def register_aggregators(register):
    register("topsis", topsis, title={"en": "TOPSIS", "zh": "逼近理想解法（TOPSIS）"},
             params={"type": "object", "additionalProperties": False, "properties": {}},
             description={"en": "TOPSIS (逼近理想解): closeness to the ideal unit, from 0 to 1. Use vector or minmax normalisation.",
                          "zh": "逼近理想解法（TOPSIS）：与理想单位的贴近度，0 到 1。请配合向量或极差标准化使用。"})
    register("vikor", vikor, title={"en": "VIKOR", "zh": "VIKOR 折衷排序"}, better="lower", params={
        "type": "object", "additionalProperties": False, "properties": {
            "v": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5,
                  "description": "The weight of group utility S against individual regret R."}}},
        description={"en": "VIKOR compromise ranking: Q, lower is better (rank ascending); S, R and the compromise conditions reported.",
                     "zh": "VIKOR 折衷排序：Q 越低越好（按升序排名）；报告 S、R 和折衷条件。"})
    register("grey_relational", grey_relational, title={"en": "Grey relational analysis", "zh": "灰色关联分析"},
             params={
        "type": "object", "additionalProperties": False, "properties": {
            "rho": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.5,
                    "description": "The distinguishing coefficient ρ."},
            "extremes": {"enum": ["global", "per_column"], "default": "global",
                         "description": "Take Δmin and Δmax over the whole matrix (Deng) or per child."},
            "reference": {"default": "best",
                          "description": "The reference series: \"best\" (each child's best value among the units) "
                                         "or one value per child on the children's normalised scale.",
                          "oneOf": [{"const": "best"},
                                    {"type": "object", "minProperties": 1, "additionalProperties": {"type": "number"}}]}}},
        description={"en": "Grey relational analysis (灰色关联): the weighted grey relational grade to the best values.",
                     "zh": "灰色关联分析：与最优值的加权灰色关联度。"})
    register("copeland", copeland, title={"en": "Copeland outranking", "zh": "Copeland 排序法"},
             whole_columns=True, params={"type": "object", "additionalProperties": False, "properties": {}},
             description={"en": "Copeland outranking: weighted pairwise wins minus losses (non-compensatory); at most 20,000 units.",
                          "zh": "Copeland 级别优序：加权两两比较的胜场减负场（不可补偿）；最多 20,000 个单位。"})
