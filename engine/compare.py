"""Comparing two results: how ranks move, how closely the scores agree, and what differs between
the two rulesets that produced them."""

from __future__ import annotations

import numpy as np

from . import lazy
from .data import positions
from .result import Result
from .statistics import correlation
from .values import number_or_none

pa = lazy.module("pyarrow")


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
    where = positions(a.unit_ids, b.unit_ids)
    ia = np.flatnonzero(where >= 0)
    ib = where[ia]
    common = a.unit_ids.take(pa.array(ia)).to_pylist()
    score_a, score_b = a.score[ia], b.score[ib]
    rank_a, rank_b = a.rank[ia], b.rank[ib]
    shift = rank_b - rank_a  # negative: the unit moved up
    labels = a.unit_labels.take(pa.array(ia)).to_pylist() if a.unit_labels is not None else [None] * len(common)
    units = [{"unit": u, "label": label, "score_a": number_or_none(sa), "score_b": number_or_none(sb),
              "rank_a": number_or_none(ra), "rank_b": number_or_none(rb), "rank_change": number_or_none(d)}
             for u, label, sa, sb, ra, rb, d in zip(common, labels, score_a, score_b, rank_a, rank_b, shift)]
    moved = np.abs(shift[~np.isnan(shift)])
    return {
        "units_compared": len(common),
        "only_in_a": a.unit_ids.filter(pa.array(where < 0)).to_pylist(),
        "only_in_b": b.unit_ids.filter(pa.array(positions(b.unit_ids, a.unit_ids) < 0)).to_pylist(),
        "pearson": number_or_none(correlation(score_a, score_b, "pearson")),
        "spearman": number_or_none(correlation(score_a, score_b, "spearman")),
        "mean_absolute_rank_change": number_or_none(moved.mean()) if len(moved) else None,
        "largest_rank_change": number_or_none(moved.max()) if len(moved) else None,
        "units": units,
        "differences": document_differences(a.ruleset.document, b.ruleset.document),
    }

