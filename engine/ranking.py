"""Rounding, ranking and grading, over whole columns.

Ranks are computed by sorting once (by group, then value) and reading tie runs off the sorted
order, so ranking within groups costs the same as ranking overall.
"""

from __future__ import annotations

import numpy as np

from .model import Band


def round_values(x: np.ndarray, digits: int, method: str = "half_up") -> np.ndarray:
    """Round like a spreadsheet's ROUND (half_up: 0.8005 -> 0.801) or to even (half_even).

    A value written with this many decimals and a 5 after them is stored a few units in the last
    place off the exact half (0.8005 is 0.80049999999999999...); such values count as halves.
    """
    factor = 10.0 ** digits
    scaled = x * factor
    magnitude = np.abs(scaled)
    if method == "half_even":
        floor = np.floor(magnitude)
        tie = np.abs(magnitude - floor - 0.5) <= 4 * np.spacing(magnitude)
        out = np.where(tie, floor + floor % 2, np.round(magnitude))
    else:
        out = np.floor(magnitude * (1 + 2.0 ** -50) + 0.5)  # nudged 4 units in the last place
    return np.copysign(out, scaled) / factor


def rank(values: np.ndarray, order: str = "descending", ties: str = "min", groups: np.ndarray | None = None) -> np.ndarray:
    """Rank 1 = best. Missing values get no rank (NaN). ``ties``: min (1224), dense, average, ordinal."""
    n = len(values)
    out = np.full(n, np.nan)
    valid = ~np.isnan(values)
    idx = np.flatnonzero(valid)
    if len(idx) == 0:
        return out
    key = -values[idx] if order == "descending" else values[idx]
    if groups is None:
        group = np.zeros(len(idx), dtype=np.int64)
        order_idx = np.argsort(key, kind="stable")
    else:
        group = groups[idx]
        order_idx = np.lexsort((key, group))  # stable: ties keep the data order
    g, k = group[order_idx], key[order_idx]
    pos = np.arange(len(idx))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, k[1:] != k[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    first = np.maximum.accumulate(np.where(new_value, pos, 0))
    if ties == "ordinal":
        r = pos - group_start + 1.0
    elif ties == "dense":
        distinct = np.cumsum(new_value)
        r = (distinct - distinct[group_start] + 1).astype(float)
    else:
        r = first - group_start + 1.0
        if ties == "average":
            end_value = np.r_[new_value[1:], True]
            last = np.minimum.accumulate(np.where(end_value, pos, len(idx))[::-1])[::-1]
            r = (first + last) / 2.0 - group_start + 1.0
    ranked = np.empty(len(idx))
    ranked[order_idx] = r
    out[idx] = ranked
    return out


def grade(values: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    """The label of the first band (from the best down) whose minimum the value reaches; None if missing."""
    out = np.full(len(values), None, dtype=object)
    remaining = ~np.isnan(values)
    for band in bands:
        hit = remaining if band.min is None else remaining & (values >= band.min)
        out[hit] = band.label
        remaining &= ~hit
    return out
