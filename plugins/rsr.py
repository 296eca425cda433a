"""Rank-sum ratio (秩和比, RSR; 田凤调 1988) over a node's children, with its probit regression and grading.

Each child is ranked over the units (the children arrive with their direction applied, so the best
value has the highest rank): integer ranks 1…n with ties at their mean rank (整次秩和比), or
non-integer ranks 1 + (n − 1)·(x − min)/(max − min) (非整次秩和比). The weighted rank-sum ratio is
WRSR = Σ w_j·R_ij / n with the node's weights (summing to 1; equal weights give the plain RSR).
Units missing a child are not ranked and get no RSR (complete cases, as DEA and Copeland): n counts
the units ranked.

The distinct RSR values, in ascending order, each get a cumulative percentage p, in one of the two
ways implementations use: ``mean_rank``, the mean rank of the units holding that value over n (as most
software does), or ``cumulative``, the cumulative count over n (田凤调's table); a p of 1 is corrected to
1 − 1/(4n). Their probits 5 + Φ⁻¹(p) are regressed on RSR by least squares over the distinct values, and
each unit is graded by its probit against the probit bands of the RSR tables (three grades: 4 and 6;
four: 3.72, 5, 6.28; five: 3.52, 4.48, 5.52, 6.48), or against bands the ruleset gives.
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.model import Band
from govscore.engine.ranking import grade

PROBIT_BANDS = {3: (4.0, 6.0), 4: (3.72, 5.0, 6.28), 5: (3.52, 4.48, 5.52, 6.48)}
LABELS = {3: ("下", "中", "上"), 4: ("差", "中", "良", "优"), 5: ("差", "较差", "中", "较好", "好")}


def ranks(x: np.ndarray, kind: str) -> np.ndarray:
    """Each column's ranks over the units (every value present)."""
    if kind == "integer":
        from scipy.stats import rankdata  # here, not on every command's start-up
        return rankdata(x, axis=0)
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return 1 + (len(x) - 1) * (x - low) / span


def probits(values: np.ndarray, percent: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values in ascending order and the probit of each."""
    from scipy.stats import norm

    n = len(values)
    distinct, counts = np.unique(values, return_counts=True)
    upper = np.cumsum(counts)
    p = (upper - (counts - 1) / 2) / n if percent == "mean_rank" else upper / n  # the mean of ranks upper−f+1 … upper
    p = np.where(p >= 1, 1 - 1 / (4 * n), p)
    return distinct, 5 + norm.ppf(p)


def rank_sum_ratio(x, w, params, children, units=None):
    w = np.broadcast_to(w, x.shape)
    present = (w[:, (w > 0).any(axis=0)] > 0).all(axis=1)  # complete cases: a unit missing a child is not ranked
    if present.sum() < 3:
        raise EngineError([said("E_PARAMS", "rsr.too_few", count=int(present.sum()))])
    n = len(x)
    ranked = ranks(x[present], params.get("ranks", "integer"))
    rsr = np.full(n, np.nan)
    rsr[present] = (w[present] * ranked).sum(axis=1) / (w[present].sum(axis=1) * present.sum())
    key = np.round(rsr, 12)  # equal rank sums reached by different sums of floats are one value
    distinct, probit = probits(key[present], params.get("percent", "mean_rank"))
    slope, intercept = np.polyfit(probit, distinct, 1) if len(distinct) > 1 else (0.0, float(distinct[0]))
    fitted_distinct = intercept + slope * probit
    residual = ((distinct - fitted_distinct) ** 2).sum()
    spread = ((distinct - distinct.mean()) ** 2).sum()
    unit_probit = np.full(n, np.nan)
    unit_probit[present] = probit[np.searchsorted(distinct, key[present])]
    fitted = intercept + slope * unit_probit
    levels = params.get("levels", 3)
    cuts = tuple(params["probits"]) if "probits" in params else PROBIT_BANDS[levels]
    if any(a >= b for a, b in zip(cuts, cuts[1:])):
        raise EngineError([said("E_PARAMS", "rsr.cuts", cuts=", ".join(f"{c:g}" for c in cuts))])
    labels = tuple(params["labels"]) if "labels" in params else LABELS.get(len(cuts) + 1)
    if labels is None or len(labels) != len(cuts) + 1:
        raise EngineError([said("E_PARAMS", "rsr.labels", bands=len(cuts) + 1, labels=len(labels or ()))])
    bands = tuple(Band(label, cut) for cut, label in zip(cuts[::-1], labels[:0:-1])) + (Band(labels[0], None),)  # best first
    value = fitted if params.get("value", "rsr") == "fitted" else rsr
    return value, {"RSR": rsr, "probit": unit_probit, "fitted": fitted, "grade": grade(unit_probit, bands),
                   "regression": {"intercept": float(intercept), "slope": float(slope),
                                  "r2": float(1 - residual / spread) if spread > 0 else 1.0},
                   "thresholds": {"probits": list(cuts), "RSR": [float(intercept + slope * c) for c in cuts]}}


PARAMS = {
    "type": "object", "additionalProperties": False, "properties": {
        "ranks": {"enum": ["integer", "non_integer"], "default": "integer",
                  "description": "integer: ranks 1…n, ties at their mean rank (整次); non_integer: 1 + (n − 1)·(x − min)/(max − min) (非整次)."},
        "percent": {"enum": ["mean_rank", "cumulative"], "default": "mean_rank",
                    "description": "The cumulative percentage of each distinct RSR: its units' mean rank over n, or the cumulative "
                                   "count over n (田凤调); a 1 is corrected to 1 − 1/(4n)."},
        "value": {"enum": ["rsr", "fitted"], "default": "rsr",
                  "description": "The node's value: the (weighted) RSR itself, or the RSR fitted by the probit regression."},
        "levels": {"enum": [3, 4, 5], "default": 3,
                   "description": "Grades by the probit bands of the RSR tables: 3 (4, 6), 4 (3.72, 5, 6.28) or 5 (3.52, 4.48, 5.52, 6.48)."},
        "probits": {"type": "array", "items": {"type": "number"}, "minItems": 1,
                    "description": "Probit cut points of your own, ascending, instead of levels."},
        "labels": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 2,
                   "description": "The grades' names, lowest first, one more than the cut points."}}}


@hookimpl
def register_aggregators(register):
    register("rank_sum_ratio", rank_sum_ratio, title={"en": "Rank-sum ratio (RSR)", "zh": "秩和比法（RSR）"},
             whole_columns=True, params=PARAMS,
             description={"en": "Rank-sum ratio (秩和比): the weighted mean rank over n, with its probit regression, the fitted "
                                "RSR and a grade by probit band per unit.",
                          "zh": "秩和比法：加权秩和比 WRSR = Σw·R/n，并作概率单位回归，逐单位报告拟合值与按概率单位分档的等级。"})
