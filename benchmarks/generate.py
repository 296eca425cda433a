"""Synthetic benchmark data: N units × K indicators in a CSV, and a ruleset that scores them.

    python benchmarks/generate.py --units 1000000 --indicators 40 --missing 0.01 --out benchmarks/data

The ruleset has the shape of the governance model: K indicators (every fifth lower-is-better), a
share of the cells left empty (1% by default) and filled in with the indicator's mean, min-max to
[0, 100], four dimensions of K/4 indicators each (weighted means with fixed weights), a weighted
sum of the dimensions, rounding, ranks overall and within 500 groups, and grades.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv


def indicator_names(k: int) -> list[str]:
    return [f"x{i:02d}" for i in range(k)]


def lower_is_better(i: int) -> bool:
    return i % 5 == 4


def dimension_weights(k: int) -> list[np.ndarray]:
    size = k // 4
    base = np.arange(1, size + 1, dtype=float)
    return [base / base.sum() for _ in range(4)]


# the weights of the four dimensions in the headline H, and the grade bands (lowest value of each)
DIMENSION_WEIGHTS = (0.3, 0.3, 0.2, 0.2)
GRADES = (("A", 60), ("B", 50), ("C", None))


def make_data(units: int, k: int, missing: float = 0.0, seed: int = 1, first: int = 0) -> pa.Table:
    """``units`` rows, numbered from ``first`` (a large file is made in parts, each with a seed of its own)."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(first, first + units)
    columns = {
        "id": pa.array(np.char.add("U", numbers.astype(str))),
        "group": pa.array(np.char.add("G", (numbers % 500).astype(str))),
    }
    for name in indicator_names(k):
        values = np.round(rng.lognormal(3, 0.5, units), 3)
        columns[name] = pa.array(values, mask=rng.random(units) < missing if missing else None)
    return pa.table(columns)


def make_ruleset(k: int, data_file: str) -> dict:
    names = indicator_names(k)
    size = k // 4
    weights = dimension_weights(k)
    nodes, values = {}, {}
    for d in range(4):
        children = names[d * size:(d + 1) * size]
        values.update({c: float(w) for c, w in zip(children, weights[d])})
        nodes[f"D{d}"] = {"method": "weighted_mean", "children": children, "weights": "w"}
    nodes["H"] = {"method": "weighted_sum", "children": [f"D{d}" for d in range(4)],
                  "weights": {f"D{d}": w for d, w in enumerate(DIMENSION_WEIGHTS)}}
    return {
        "format": "govscore/1", "id": "benchmark", "title": "benchmark",
        "units": {"source": "data", "id": "id", "group": "group"},
        "sources": {"data": {"format": "csv", "path": data_file}},
        "missing": "impute_mean",
        "normalise": {"method": "minmax", "params": {"scale": [0, 100]}},
        "indicators": {n: {"column": n, "direction": "lower" if lower_is_better(i) else "higher"} for i, n in enumerate(names)},
        "weights": {"w": {"method": "fixed", "params": {"values": values}}},
        "nodes": nodes,
        "score": "H",
        "rounding": [{"node": "H", "digits": 2}],
        "rank": {"order": "descending", "ties": "min"},
        "grades": {"bands": [{"label": label, **({"min": low} if low is not None else {})} for label, low in GRADES]},
    }


def generate(out: Path, units: int, k: int, missing: float = 0.01) -> tuple[Path, Path]:
    """The data file (written once per size and share missing) and its ruleset."""
    out.mkdir(parents=True, exist_ok=True)
    name = f"{units}x{k}" + (f"_missing{missing:g}" if missing else "")
    data = out / f"units_{name}.csv"
    ruleset = out / f"ruleset_{name}.json"
    if not data.exists():
        pv.write_csv(make_data(units, k, missing), data)
    ruleset.write_text(json.dumps(make_ruleset(k, data.name), indent=1), encoding="utf-8")
    return data, ruleset


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--missing", type=float, default=0.01, help="share of empty cells (default 0.01)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    print(*generate(args.out, args.units, args.indicators, args.missing))
