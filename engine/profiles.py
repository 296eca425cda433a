"""Unit profiles: for the units a report lists, each dimension of the score against the unit's group,
the strengths and 短板 (the indicators furthest above and below the group's average, normalised),
and the obstacle degrees (障碍度) of its indicators and dimensions.

Worked out over whole columns once (group means by one pass over group codes), then read per unit,
so a report of 200 units out of 100,000 costs about one pass over the data, not 200.
"""

from __future__ import annotations

import numpy as np

from . import lazy
from .data import as_numpy
from .obstacles import obstacle_degrees
from .result import Result

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")

SHOWN = 3  # strengths and 短板 named per unit


def peer_codes(result: Result) -> np.ndarray:
    """Per unit, a code shared by the units it is compared with: its group (and period, with panel data)."""
    codes = np.zeros(result.size, dtype=np.int64)
    for values in (result.unit_groups, result.unit_periods):
        if values is not None:
            encoded = pc.dictionary_encode(values).combine_chunks() if isinstance(values, pa.ChunkedArray) \
                else pc.dictionary_encode(values)
            index = as_numpy(encoded.indices.fill_null(-1)).astype(np.int64) + 1
            codes = codes * (len(encoded.dictionary) + 1) + index
    return codes


def peer_means(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per unit, the mean of ``values`` over the units sharing its code, missing values left out."""
    _, inverse = np.unique(codes, return_inverse=True)
    present = ~np.isnan(values)
    sums = np.bincount(inverse, weights=np.where(present, values, 0.0))
    counts = np.bincount(inverse, weights=present.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sums / counts)[inverse]


def strengths_and_weaknesses(gaps: dict[str, float]) -> tuple[list[str], list[str]]:
    """From each indicator's gap (normalised value less its group's mean): the indicators furthest above,
    then those furthest below, at most three each."""
    ordered = sorted((gap, name) for name, gap in gaps.items() if not np.isnan(gap))
    return ([n for gap, n in reversed(ordered) if gap > 0][:SHOWN], [n for gap, n in ordered if gap < 0][:SHOWN])


def profiles(result: Result, rows: np.ndarray) -> list[dict]:
    """The profile of each unit at ``rows``: its dimensions (value, peers' mean, obstacle degree), its
    strengths and 短板 as indicator names, and its indicators' obstacle degrees, largest first."""
    rs = result.ruleset
    codes = peer_codes(result)
    dims = list(rs.nodes[rs.score].children) if rs.score in rs.nodes else []
    dim_values = {d: result.value(d) for d in dims}
    dim_means = {d: peer_means(v, codes) for d, v in dim_values.items()}
    indicators = [n for n in rs.indicators if n in result.normalised]
    gaps = {n: result.normalised[n] - peer_means(result.normalised[n], codes) for n in indicators}
    obstacles = obstacle_degrees(result)
    out = []
    for i in rows:
        strong, weak = strengths_and_weaknesses({n: float(g[i]) for n, g in gaps.items()})
        degrees = None
        if obstacles is not None:
            degrees = sorted(((n, float(v[i])) for n, v in obstacles[0].items() if not np.isnan(v[i]) and v[i] > 0),
                             key=lambda pair: -pair[1])
        out.append({
            "row": int(i),
            "dimensions": [{"name": d, "value": _number(dim_values[d][i]), "peers": _number(dim_means[d][i]),
                            "obstacle": _number(obstacles[1][d][i]) if obstacles is not None and d in obstacles[1] else None}
                           for d in dims],
            "strengths": strong, "weaknesses": weak, "obstacles": degrees})
    return out


def _number(value) -> float | None:
    return None if np.isnan(value) else float(value)
