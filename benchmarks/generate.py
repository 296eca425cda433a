"""Synthetic benchmark data: N units × K indicators in a CSV, and a ruleset that scores them.

    python benchmarks/generate.py --units 1000000 --indicators 40 --out benchmarks/data

The ruleset has the shape of the governance model: K indicators (every fifth lower-is-better),
min-max to [0, 100], four dimensions of K/4 indicators each (weighted means with fixed weights),
a weighted sum of the dimensions, rounding, ranks overall and within groups, and grades.
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


def make_data(units: int, k: int, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    columns = {
        "id": pa.array(np.char.add("U", np.arange(units).astype(str))),
        "group": pa.array(np.char.add("G", (np.arange(units) % 500).astype(str))),
    }
    for name in indicator_names(k):
        columns[name] = pa.array(np.round(rng.lognormal(3, 0.5, units), 3))
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
                  "weights": {"D0": 0.3, "D1": 0.3, "D2": 0.2, "D3": 0.2}}
    return {
        "format": "govscore/1", "id": "benchmark", "title": "benchmark",
        "units": {"source": "data", "id": "id", "group": "group"},
        "sources": {"data": {"format": "csv", "path": data_file}},
        "normalise": {"method": "minmax", "params": {"scale": [0, 100]}},
        "indicators": {n: {"column": n, "direction": "lower" if lower_is_better(i) else "higher"} for i, n in enumerate(names)},
        "weights": {"w": {"method": "fixed", "params": {"values": values}}},
        "nodes": nodes,
        "score": "H",
        "rounding": [{"node": "H", "digits": 2}],
        "rank": {"order": "descending", "ties": "min"},
        "grades": {"bands": [{"label": "A", "min": 60}, {"label": "B", "min": 50}, {"label": "C"}]},
    }


def generate(out: Path, units: int, k: int) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = out / f"units_{units}x{k}.csv"
    ruleset = out / f"ruleset_{units}x{k}.json"
    if not data.exists():
        pv.write_csv(make_data(units, k), data)
    ruleset.write_text(json.dumps(make_ruleset(k, data.name), indent=1), encoding="utf-8")
    return data, ruleset


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    print(*generate(args.out, args.units, args.indicators))
