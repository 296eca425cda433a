"""Statistics of the indicators, as the OECD/JRC Handbook asks before anything is aggregated:
distributions (with the sample skewness and kurtosis COINr uses), correlations within and across
dimensions, Cronbach's alpha and the variance the first principal component explains.

Every function works on whole columns; missing values (NaN) are left out pairwise.
"""

from __future__ import annotations

import numpy as np

from .result import Result
from .values import number_or_none

SKEW_LIMIT = 2.0  # the JRC rule COINr applies: a distribution needs treatment when |skew| > 2 and kurtosis > 3.5
KURT_LIMIT = 3.5
COLLINEAR = 0.9
MIN_AVAILABILITY = 0.65


def _moments(x: np.ndarray) -> tuple[int, float, float, float]:
    """n and the second, third and fourth central moments of the present values, measured in units of
    the largest deviation: skewness and kurtosis are ratios that do not depend on the unit, and the
    fourth power of a large value (1e100) would overflow."""
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return 0, 0.0, 0.0, 0.0
    d = x - x.mean()
    largest = np.abs(d).max()
    if largest > 0:
        d = d / largest
    return len(x), float(np.mean(d ** 2)), float(np.mean(d ** 3)), float(np.mean(d ** 4))


def skewness(x: np.ndarray) -> float:
    """Sample skewness G1 = g1·√(n(n−1))/(n−2) (type 2 of e1071, as SAS and SPSS)."""
    n, m2, m3, _ = _moments(x)
    return skewness_of(n, m2, m3)


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis G2 = ((n+1)·g2 + 6)·(n−1)/((n−2)(n−3)) (type 2 of e1071)."""
    n, m2, _, m4 = _moments(x)
    return kurtosis_of(n, m2, m4)


def skewness_of(n: int, m2: float, m3: float) -> float:
    """G1 from n and the second and third central moments (in any unit)."""
    if n < 3 or m2 == 0:
        return float("nan")
    return m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)


def kurtosis_of(n: int, m2: float, m4: float) -> float:
    """G2 from n and the second and fourth central moments (in any unit)."""
    if n < 4 or m2 == 0:
        return float("nan")
    return ((n + 1) * (m4 / m2 ** 2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def describe(name: str, x: np.ndarray, imputed: np.ndarray | None = None) -> dict:
    """``imputed`` marks the values filled in: the missing share and availability are those of the data
    as read, while the distribution is that of the values scored."""
    present = x[~np.isnan(x)]
    n, total = len(present), len(x)
    read = n - int((imputed & ~np.isnan(x)).sum()) if imputed is not None else n
    values, counts = np.unique(present, return_counts=True) if n else (np.array([]), np.array([0]))
    skew, kurt = skewness(x), kurtosis(x)
    return {
        "indicator": name, "count": n, "missing_share": 1 - read / total if total else 0.0, "imputed": n - read,
        "min": number_or_none(present.min()) if n else None, "max": number_or_none(present.max()) if n else None,
        "mean": number_or_none(present.mean()) if n else None, "median": number_or_none(np.median(present)) if n else None,
        "sd": number_or_none(present.std(ddof=1)) if n > 1 else None, "skew": number_or_none(skew), "kurtosis": number_or_none(kurt),
        "zeros": int((present == 0).sum()), "unique": len(values), "most_repeated": int(counts.max()),
        "low_availability": read / total < MIN_AVAILABILITY if total else True,
        "needs_treatment": bool(abs(skew) > SKEW_LIMIT and kurt > KURT_LIMIT),
    }


def correlation(x: np.ndarray, y: np.ndarray, method: str = "pearson") -> float:
    """Pearson or Spearman correlation over the units where both are present."""
    both = ~(np.isnan(x) | np.isnan(y))
    a, b = x[both], y[both]
    if len(a) < 3:
        return float("nan")
    if method == "spearman":
        a, b = _average_ranks(a), _average_ranks(b)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _average_ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    values, inverse = np.unique(x, return_inverse=True)
    sums = np.bincount(inverse, weights=ranks)
    counts = np.bincount(inverse)
    return (sums / counts)[inverse]


def cronbach_alpha(matrix: np.ndarray) -> float:
    """Cronbach's alpha of the columns, over the complete rows: k/(k−1)·(1 − Σ var_i / var(Σ x_i))."""
    rows = matrix[~np.isnan(matrix).any(axis=1)]
    k = rows.shape[1]
    if k < 2 or len(rows) < 2:
        return float("nan")
    total = rows.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - rows.var(axis=0, ddof=1).sum() / total)) if total > 0 else float("nan")


def first_component_share(matrix: np.ndarray) -> float:
    """The share of variance the first principal component of the correlation matrix explains."""
    rows = matrix[~np.isnan(matrix).any(axis=1)]
    if rows.shape[1] < 2 or len(rows) < 3:
        return float("nan")
    r = np.corrcoef(rows, rowvar=False) if np.all(rows.std(axis=0) > 0) else None
    if r is None or not np.isfinite(r).all():  # values so large that their squares overflow
        return float("nan")
    eigenvalues = np.linalg.eigvalsh(r)
    return float(eigenvalues[-1] / eigenvalues.sum())


def statistics(result: Result, on: str = "normalised", method: str = "pearson") -> dict:
    """Per indicator statistics (of the raw or the normalised values), and per aggregation node the
    correlations of its children, collinear and negatively correlated pairs, Cronbach's alpha and
    the variance the first principal component explains. Data are held within ±1e150, but a plugin's
    node values need not be: values whose squares overflow leave a statistic empty rather than print
    numpy's warnings."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _statistics(result, on, method)


def _statistics(result: Result, on: str, method: str) -> dict:
    values = result.raw if on == "raw" else {**result.normalised, **result.nodes}
    indicators = result.normalised if on != "raw" else {n: result.raw[n] for n in result.normalised}
    described = [describe(name, values[name], result.imputed.get(name)) for name in indicators]
    dimensions = []
    for name, node in result.ruleset.nodes.items():
        children = [c for c in node.children if c in values]
        if len(children) < 2:
            continue
        matrix = np.column_stack([values[c] for c in children])
        pairs = [(a, b, correlation(values[a], values[b], method)) for k, a in enumerate(children) for b in children[k + 1:]]
        dimensions.append({
            "node": name, "children": children,
            "correlations": [{"a": a, "b": b, "r": number_or_none(r)} for a, b, r in pairs],
            "collinear": [[a, b] for a, b, r in pairs if abs(r) > COLLINEAR],
            "negative": [[a, b] for a, b, r in pairs if r < 0],
            "with_node": {c: number_or_none(correlation(values[c], result.nodes[name], method)) for c in children},
            "cronbach_alpha": number_or_none(cronbach_alpha(matrix)),
            "first_component_share": number_or_none(first_component_share(matrix)),
        })
    return {"on": on, "method": method, "indicators": described, "nodes": dimensions}

