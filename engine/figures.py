"""The data of a report's charts, whatever draws them (ECharts in the HTML report, matplotlib in the
Word document): the ranking coloured by grade, each dimension's distribution, the dimensions by
group, the correlations between indicators and, where the run has them, the rank intervals.
"""

from __future__ import annotations

import numpy as np

from . import lazy
from .result import Result

pa = lazy.module("pyarrow")

MOST_INDICATORS = 60  # a correlation matrix wider than this is not read by anyone


def figures(result: Result, report, shown: np.ndarray) -> dict:
    """Plain data (lists, numbers and text) for each chart of ``report``."""
    rs = result.ruleset
    out = {"ranking": [{"name": str(row[report.name_column]), "value": row[report.score_column],
                        "grade": row[report.grade_column] if report.grade_column is not None else None}
                       for row in report.rows],
           "distributions": [dict(label=label, **_five_numbers(result.value(name))) for name, label in report.dimensions],
           "groups": {"names": [name for name, _ in report.group_means], "dimensions": [label for _, label in report.dimensions],
                      "means": [means for _, means in report.group_means]},
           "correlations": _correlations(result)}
    if "sensitivity" in result.sections:
        out["intervals"] = _intervals(result, shown)
    out["grades"] = [{"label": g["label"], "colour": g["colour"]} for g in report.grades]
    out["score_label"] = rs.label(rs.score)
    return out


def _five_numbers(values: np.ndarray) -> dict:
    present = values[~np.isnan(values)]
    if not len(present):
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    q = np.percentile(present, [0, 25, 50, 75, 100])
    return {"n": int(len(present)), **{k: float(v) for k, v in zip(("min", "q1", "median", "q3", "max"), q)}}


def _correlations(result: Result) -> dict:
    """Pearson correlations of the normalised indicators, each pair over the units having both values."""
    rs = result.ruleset
    names = [n for n in rs.indicators if n in result.normalised][:MOST_INDICATORS]
    if len(names) < 2:
        return {"labels": [], "matrix": []}
    x = np.column_stack([result.normalised[n] for n in names])
    present = ~np.isnan(x)
    if present.all():
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = np.corrcoef(x, rowvar=False)
    else:  # a pair at a time, over the units with both values
        matrix = np.eye(len(names))
        for a in range(len(names)):
            for b in range(a):
                both = present[:, a] & present[:, b]
                matrix[a, b] = matrix[b, a] = _pearson(x[both, a], x[both, b])
    return {"labels": [rs.label(n) for n in names],
            "matrix": [[None if np.isnan(v) else round(float(v), 2) for v in row] for row in matrix]}


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _intervals(result: Result, shown: np.ndarray) -> list[dict]:
    """The listed units' rank intervals from the Monte Carlo analysis, by median rank."""
    by_unit = {(u["unit"], u.get("period")): u for u in result.sections["sensitivity"]["units"]}
    ids = result.unit_ids.take(pa.array(shown)).to_pylist()
    names = result.unit_labels.take(pa.array(shown)).to_pylist() if result.unit_labels is not None else ids
    periods = [None] * len(ids) if result.unit_periods is None else result.unit_periods.take(pa.array(shown)).to_pylist()
    out = [{"name": str(name or unit) + (f" ({p})" if p is not None else ""), "nominal": found["nominal_rank"],
            "median": found["median_rank"], "low": found["rank_5"], "high": found["rank_95"]}
           for unit, name, p in zip(ids, names, periods) if (found := by_unit.get((unit, p))) is not None]
    return sorted(out, key=lambda u: (np.inf if u["median"] is None else u["median"]))
