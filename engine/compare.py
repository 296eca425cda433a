"""Comparing two results: how ranks move, how closely the scores agree, and what differs between
the two rulesets that produced them."""

from __future__ import annotations

import numpy as np

from .result import Result
from .statistics import correlation


def document_differences(a, b, path: str = "") -> list[dict]:
    """Every JSON path whose value differs between two ruleset documents."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}/{key}"
            if key not in a:
                out.append({"path": where, "a": None, "b": b[key]})
            elif key not in b:
                out.append({"path": where, "a": a[key], "b": None})
            else:
                out += document_differences(a[key], b[key], where)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for k, (x, y) in enumerate(zip(a, b)) for d in document_differences(x, y, f"{path}/{k}")]
    return [] if a == b else [{"path": path, "a": a, "b": b}]


def compare(a: Result, b: Result) -> dict:
    """Rank changes per unit (over the units both results score), score correlations, and the
    parameters that differ between the two rulesets."""
    ids_a, ids_b = a.unit_ids.to_pylist(), b.unit_ids.to_pylist()
    position = {u: i for i, u in enumerate(ids_b)}
    ia = np.array([i for i, u in enumerate(ids_a) if u in position], dtype=int)
    common = [ids_a[i] for i in ia]
    ib = np.array([position[u] for u in common], dtype=int)
    score_a, score_b = a.score[ia], b.score[ib]
    rank_a, rank_b = a.rank[ia], b.rank[ib]
    shift = rank_b - rank_a
    units = [{"unit": u, "score_a": _num(sa), "score_b": _num(sb), "rank_a": _num(ra), "rank_b": _num(rb),
              "rank_change": _num(d)} for u, sa, sb, ra, rb, d in zip(common, score_a, score_b, rank_a, rank_b, shift)]
    moved = np.abs(shift[~np.isnan(shift)])
    return {
        "units_compared": len(common),
        "only_in_a": [u for u in ids_a if u not in position],
        "only_in_b": sorted(set(ids_b) - set(ids_a)),
        "pearson": _num(correlation(score_a, score_b, "pearson")),
        "spearman": _num(correlation(score_a, score_b, "spearman")),
        "mean_absolute_rank_change": _num(moved.mean()) if len(moved) else None,
        "largest_rank_change": _num(moved.max()) if len(moved) else None,
        "units": units,
        "differences": document_differences(a.ruleset.document, b.ruleset.document),
    }


def _num(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x
