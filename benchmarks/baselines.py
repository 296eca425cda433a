"""The benchmark's index written by hand three ways — numpy, polars and pandas — as a user would
write it without govscore: mean imputation, min-max to [0, 100] with direction, four weighted
dimensions, the weighted headline, rounding to 2 digits (half up), ranks overall and within groups
(ties share the lowest rank), grades. Each has its own loading, ranks and grades; none calls govscore.

    python benchmarks/baselines.py polars units.csv out.csv    # a whole run in a fresh process
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from generate import DIMENSION_WEIGHTS, GRADES, dimension_weights, indicator_names, lower_is_better  # noqa: E402

OUTPUT_COLUMNS = ["unit", "group", "D0", "D1", "D2", "D3", "H", "H.rounded", "rank", "group_rank", "grade"]


def _linear_terms(k: int):
    """(name, weight, lower is better, dimension) of every indicator."""
    size = k // 4
    weights = dimension_weights(k)
    return [(name, weights[i // size][i % size], lower_is_better(i), i // size) for i, name in enumerate(indicator_names(k))]


# numpy: columns read by pyarrow, each imputed in place, scaled and added into its dimension


def numpy_load(path: str):
    import pyarrow as pa
    import pyarrow.csv as pv
    table = pv.read_csv(path, convert_options=pv.ConvertOptions(column_types={"id": pa.string(), "group": pa.string()}))
    columns = {name: table.column(name).to_numpy() for name in table.column_names[2:]}  # nulls become NaN
    codes = table.column("group").dictionary_encode().combine_chunks().indices.to_numpy()
    return table.column("id"), table.column("group"), codes, columns


def numpy_score(codes: np.ndarray, columns: dict[str, np.ndarray], k: int) -> dict:
    """``codes``: each unit's group as a whole number."""
    n = len(next(iter(columns.values())))
    dims = [np.zeros(n) for _ in range(4)]
    for name, weight, lower, d in _linear_terms(k):
        x = columns[name]
        empty = np.isnan(x)
        if empty.any():
            x = x.copy()
            x[empty] = x[~empty].mean()
        lo, hi = x.min(), x.max()
        scale = 100 * weight / (hi - lo)
        dims[d] += (hi - x if lower else x - lo) * scale
    h = sum(w * dim for w, dim in zip(DIMENSION_WEIGHTS, dims))
    rounded = np.floor(h * 100 + 0.5) / 100
    return {"D": dims, "H": h, "rounded": rounded, "rank": _numpy_rank(rounded),
            "group_rank": _numpy_rank(rounded, codes), "grade": _numpy_grade(rounded)}


def _numpy_rank(value: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Rank 1 for the highest; equal values share the lowest rank of their run; within groups if given."""
    order = np.lexsort((-value,) if groups is None else (-value, groups))
    v = value[order]
    n = len(v)
    position = np.arange(n)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = v[1:] != v[:-1]
    first = np.zeros(n, dtype=np.int64)
    if groups is not None:
        g = groups[order]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = g[1:] != g[:-1]
        new_run |= new_group
        first = np.maximum.accumulate(np.where(new_group, position, 0))
    run_start = np.maximum.accumulate(np.where(new_run, position, 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = run_start - first + 1
    return ranks


def _numpy_grade(rounded: np.ndarray) -> np.ndarray:
    labels = [label for label, _ in GRADES]
    conditions = [rounded >= low for _, low in GRADES[:-1]]
    return np.select(conditions, labels[:-1], labels[-1])


def numpy_run(src: str, dst: str, k: int) -> None:
    import pyarrow as pa
    import pyarrow.csv as pv
    ids, groups, codes, columns = numpy_load(src)
    r = numpy_score(codes, columns, k)
    pv.write_csv(pa.table(dict(zip(OUTPUT_COLUMNS, [ids, groups, *r["D"], r["H"], r["rounded"], r["rank"],
                                                     r["group_rank"], r["grade"]]))), dst)


# polars: one lazy query


def polars_load(path: str):
    import polars as pl
    return pl.read_csv(path, schema_overrides={"id": pl.String, "group": pl.String})


def polars_score(frame, k: int):
    import polars as pl
    dims = [[] for _ in range(4)]
    for name, weight, lower, d in _linear_terms(k):
        x = pl.col(name).fill_null(pl.col(name).mean())
        lo, hi = x.min(), x.max()
        dims[d].append(((hi - x) if lower else (x - lo)) * (100 * weight) / (hi - lo))
    dimensions = [pl.sum_horizontal(terms).alias(f"D{d}") for d, terms in enumerate(dims)]
    h = sum(w * pl.col(f"D{d}") for d, w in enumerate(DIMENSION_WEIGHTS))
    rounded = pl.col("H").round(2, mode="half_away_from_zero")
    grade = pl.when(pl.col("H.rounded") >= GRADES[0][1]).then(pl.lit(GRADES[0][0]))
    for label, low in GRADES[1:-1]:
        grade = grade.when(pl.col("H.rounded") >= low).then(pl.lit(label))
    grade = grade.otherwise(pl.lit(GRADES[-1][0]))
    return (frame.lazy()
            .select(pl.col("id").alias("unit"), pl.col("group"), *dimensions)
            .with_columns(h.alias("H"))
            .with_columns(rounded.alias("H.rounded"))
            .with_columns(pl.col("H.rounded").rank("min", descending=True).alias("rank"),
                          pl.col("H.rounded").rank("min", descending=True).over("group").alias("group_rank"),
                          grade.alias("grade"))
            .collect())


def polars_run(src: str, dst: str, k: int) -> None:
    polars_score(polars_load(src), k).write_csv(dst)


# pandas: whole-column operations on a DataFrame


def pandas_load(path: str):
    import pandas as pd
    return pd.read_csv(path, dtype={"id": str, "group": str})


def pandas_score(frame, k: int):
    import pandas as pd
    out = pd.DataFrame({"unit": frame["id"], "group": frame["group"]})
    for d in range(4):
        out[f"D{d}"] = 0.0
    for name, weight, lower, d in _linear_terms(k):
        x = frame[name].fillna(frame[name].mean())
        lo, hi = x.min(), x.max()
        out[f"D{d}"] += ((hi - x) if lower else (x - lo)) * (100 * weight / (hi - lo))
    out["H"] = sum(w * out[f"D{d}"] for d, w in enumerate(DIMENSION_WEIGHTS))
    rounded = out["H.rounded"] = np.floor(out["H"] * 100 + 0.5) / 100
    out["rank"] = rounded.rank(method="min", ascending=False).astype("int64")
    out["group_rank"] = rounded.groupby(out["group"]).rank(method="min", ascending=False).astype("int64")
    out["grade"] = GRADES[-1][0]
    for label, low in reversed(GRADES[:-1]):
        out.loc[rounded >= low, "grade"] = label
    return out


def pandas_run(src: str, dst: str, k: int) -> None:
    pandas_score(pandas_load(src), k).to_csv(dst, index=False)


RUNS = {"numpy": numpy_run, "polars": polars_run, "pandas": pandas_run}

if __name__ == "__main__":
    kind, src, dst = sys.argv[1:4]
    RUNS[kind](src, dst, int(sys.argv[4]) if len(sys.argv) > 4 else 40)
