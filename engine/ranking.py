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
    return ranks(values, order, ties, [groups])[0]


def ranks(values: np.ndarray, order: str, ties: str, groupings: list[np.ndarray | None]) -> list[np.ndarray]:
    """The ranks of ``values`` overall (a grouping of None) and within each grouping of integer codes,
    from one sort of the values: each grouping then needs only a stable sort of its codes in that order,
    which for up to 65,536 groups is a radix sort."""
    n = len(values)
    valid = ~np.isnan(values)
    if not valid.any():
        return [np.full(n, np.nan) for _ in groupings]
    idx = None if valid.all() else np.flatnonzero(valid)  # None: every unit (the usual case, and no copies)
    key = values if idx is None else values[idx]
    by_value = np.argsort(-key if order == "descending" else key, kind="stable")  # stable: ties keep the data order
    k = key[by_value]
    value_changes = np.empty(len(k), dtype=bool)
    value_changes[0] = True
    np.not_equal(k[1:], k[:-1], out=value_changes[1:])
    del k
    return [_ranks_in(by_value, value_changes, key, None if groups is None else (groups if idx is None else groups[idx]),
                      ties, idx, n)
            for groups in groupings]


def _ranks_in(by_value, value_changes, key, groups, ties: str, idx, n: int) -> np.ndarray:
    """Ranks from the order by value, within ``groups`` (codes) when given."""
    m = len(by_value)
    order_idx, new_value, new_group = by_value, value_changes, None
    if groups is not None:
        codes = groups.astype(np.uint16) if groups.max(initial=0) < 1 << 16 and groups.min(initial=0) >= 0 else groups
        within = np.argsort(codes[by_value], kind="stable")
        order_idx = by_value[within]
        g = codes[order_idx]
        new_group = np.empty(m, dtype=bool)
        new_group[0] = True
        np.not_equal(g[1:], g[:-1], out=new_group[1:])
        k = key[order_idx]
        new_value = np.empty(m, dtype=bool)
        new_value[0] = True
        np.not_equal(k[1:], k[:-1], out=new_value[1:])
        new_value |= new_group
        del g, k
    group_start = _run_starts(new_group) if new_group is not None else 0
    if ties == "ordinal":
        r = np.arange(1.0, m + 1) - group_start
    elif ties == "dense":
        distinct = np.cumsum(new_value)
        r = (distinct - distinct[group_start] + 1).astype(float)
    else:
        r = _run_starts(new_value) - group_start + 1.0
        if ties == "average":
            ends = np.r_[np.flatnonzero(new_value)[1:], m] - 1  # the last position of each run of equal values
            r += (np.repeat(ends, np.diff(np.r_[np.flatnonzero(new_value), m])) - (r + group_start - 1.0)) / 2.0
    out = np.full(n, np.nan)
    out[order_idx if idx is None else idx[order_idx]] = r
    return out


def _run_starts(starts: np.ndarray) -> np.ndarray:
    """For each position, where its run begins (runs begin where ``starts`` is true)."""
    begin = np.flatnonzero(starts)
    return np.repeat(begin, np.diff(np.r_[begin, len(starts)]))


BOUND_DIGITS = 1e-12  # a value equal to a bound to 12 significant digits is on it


def reaches(values: np.ndarray, bound: float, kind: str) -> np.ndarray:
    """Whether each value reaches a band's bound: at least ``min``, or at most ``max``.

    A value computed to land on a bound is often a few units in the last place off it (0.7 + 0.1 + 0.1 + 0.075 is
    0.9749999999999999), so a value within 12 significant digits of the bound counts as on it.
    """
    slack = abs(bound) * BOUND_DIGITS
    with np.errstate(invalid="ignore"):
        return values >= bound - slack if kind == "min" else values <= bound + slack


def grade(values: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    """The label of the first band (from the best down) whose bound the value reaches; None if missing."""
    out = np.full(len(values), None, dtype=object)
    remaining = ~np.isnan(values)
    for band in bands:
        if band.min is not None:
            hit = remaining & reaches(values, band.min, "min")
        elif band.max is not None:
            hit = remaining & reaches(values, band.max, "max")
        else:
            hit = remaining
        out[hit] = band.label
        remaining &= ~hit
    return out
