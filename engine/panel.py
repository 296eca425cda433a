"""Panel data: how each unit's score and rank move from one period to the next, and its compound
annual growth between its first and last period."""

from __future__ import annotations

import numpy as np

from .execute import group_codes, period_numbers
from .result import Result


def panel_changes(result: Result) -> list[dict]:
    """One row per unit and pair of consecutive periods it has a score in (sorted by unit, then period)."""
    if result.unit_periods is None:
        return []
    unit = group_codes(result.unit_ids)
    when = period_numbers(result.unit_periods)
    scored = ~np.isnan(result.score)
    order = np.lexsort((when, unit))
    order = order[scored[order]]
    u, w = unit[order], when[order]
    pair = np.flatnonzero(u[1:] == u[:-1])  # position k and k + 1: the same unit, consecutive periods
    first = np.r_[True, u[1:] != u[:-1]]
    last = np.r_[u[1:] != u[:-1], True]
    start_of = np.maximum.accumulate(np.where(first, np.arange(len(u)), 0))
    ids = result.unit_ids.to_pylist()
    periods = result.unit_periods.to_pylist()
    score, rank = result.score, result.rank
    rows = []
    for k in pair:
        a, b = order[k], order[k + 1]
        row = {"unit": ids[a], "from": periods[a], "to": periods[b], "score_from": float(score[a]),
               "score_to": float(score[b]), "change": float(score[b] - score[a]),
               "rank_from": float(rank[a]), "rank_to": float(rank[b]), "rank_change": float(rank[b] - rank[a])}
        if last[k + 1]:  # the unit's last period: growth over its whole span
            s = order[start_of[k + 1]]
            years = w[k + 1] - w[start_of[k + 1]]
            if years > 0 and score[s] > 0 and score[b] > 0:
                row["cagr"] = float((score[b] / score[s]) ** (1.0 / years) - 1.0)
        rows.append(row)
    return rows
