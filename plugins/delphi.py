"""The Delphi round (德尔菲法) behind a ruleset's weights: experts' importance scores for the children,
consolidated as evaluation studies report them, and the weights they give.

For each child: the mean score (均数), the full-mark rate (满分率, the share of experts giving the top
of the scale, when the ruleset says what that is), the standard deviation (n − 1) and the coefficient
of variation (变异系数, sd / mean: how far the experts disagree). Over the children: Kendall's
coefficient of concordance W (协调系数) from each expert's ranking of the children (ties given their
mean rank and corrected for, Kendall & Babington Smith 1939), W = 12·S / (m²·(n³ − n) − m·Σ T), with
χ² = m·(n − 1)·W on n − 1 degrees of freedom and its p-value. The weights are the mean scores divided
by their sum.
"""

from __future__ import annotations

import numpy as np

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import both


def kendall_w(scores: np.ndarray) -> dict:
    """Kendall's W of ``scores`` (experts × children), with the tie correction, χ² and p."""
    from scipy.stats import chi2, rankdata  # here, not on every command's start-up

    m, n = scores.shape
    ranks = rankdata(scores, axis=1)
    total = ranks.sum(axis=0)
    s = float(((total - total.mean()) ** 2).sum())
    ties = 0.0
    for row in scores:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts ** 3 - counts).sum())
    denominator = m ** 2 * (n ** 3 - n) - m * ties
    w = 12 * s / denominator if denominator > 0 else float("nan")  # every expert scored every child alike
    statistic = m * (n - 1) * w
    return {"W": w, "chi2": statistic, "df": n - 1, "p": float(chi2.sf(statistic, n - 1)) if np.isfinite(w) else float("nan")}


def delphi(children, params, data):
    scores = []
    for k, given in enumerate(params["experts"]):
        missing = [c for c in children if c not in given]
        if missing:
            raise EngineError([said("E_WEIGHTS_MISSING", "weights.expert_missing", expert=k + 1, children=", ".join(missing))])
        scores.append([given[c] for c in children])
    scores = np.array(scores, dtype=float)
    mean = scores.mean(axis=0)
    if not mean.sum() > 0:
        raise EngineError([said("E_WEIGHTS_DATA", "delphi.all_zero")])
    sd = scores.std(axis=0, ddof=1)
    cv = np.divide(sd, mean, out=np.full(len(mean), np.nan), where=mean > 0)
    details = {"experts": len(scores), "mean": mean, "sd": sd, "cv": cv, "concordance": kendall_w(scores)}
    if "full_mark" in params:
        details["full_mark_rate"] = (scores >= params["full_mark"]).mean(axis=0)
    warnings = []
    limit = params.get("cv_limit", 0.25)
    for child, value in zip(children, cv):
        if value >= limit:
            warnings.append(both("delphi.disagree", child=child, cv=f"{value:.2f}", limit=f"{limit:g}"))
    alpha = params.get("alpha", 0.05)
    concordance = details["concordance"]
    if not concordance["p"] < alpha:
        warnings.append(both("delphi.not_concordant", w=f"{concordance['W']:.3f}", p=f"{concordance['p']:.3g}", alpha=f"{alpha:g}"))
    return mean / mean.sum(), {**details, "warnings": warnings}


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["experts"], "properties": {
        "experts": {"type": "array", "minItems": 2,
                    "items": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                    "description": "Each expert's importance score for each child (e.g. 1–5 or 1–10)."},
        "full_mark": {"type": "number",
                      "description": "The top of the scoring scale, for the full-mark rate (满分率); without it none is reported."},
        "cv_limit": {"type": "number", "exclusiveMinimum": 0, "default": 0.25,
                     "description": "A coefficient of variation at or above this is warned about: the experts disagree."},
        "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.05,
                  "description": "The significance level of Kendall's W; a W not significant at it is warned about."}}}


@hookimpl
def register_weightings(register):
    register("delphi", delphi, title={"en": "Delphi expert scores", "zh": "德尔菲法"}, renormalise_default=True, params=PARAMS,
             description={"en": "Delphi (德尔菲法): weights from the experts' mean importance scores, with each child's "
                                "full-mark rate and coefficient of variation and Kendall's W over the experts.",
                          "zh": "德尔菲法：以专家重要性评分的均值定权，并报告各项的满分率、变异系数与专家协调系数（Kendall W）。"})
