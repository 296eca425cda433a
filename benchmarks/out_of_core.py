"""Out of core (engine run --blocks) against the same run in memory, in fresh processes, in turns.

    python benchmarks/out_of_core.py --units 1000000               # both modes on 1M units × 40, from Parquet
    python benchmarks/out_of_core.py --units 50000000 --memory-units 1000000 --repeat 1
    python benchmarks/out_of_core.py --ruleset governance --units 1000000 --dask   # a shipped ruleset, its data grown

Prints each mode's wall time (min / median), time per unit, and peak memory (as GiB and as multiples
of the units × indicators float64 matrix), after checking that the two give the same results:
scores within 1e-12, rounded scores, ranks, group ranks and grades equal. With ``--memory-units``
the in-memory run scores that many units (the first ones of a file of their own) and the time per
unit is compared; the results are then checked against the in-memory run on those units' file only
when the sizes are the same. With ``--ruleset``, a shipped ruleset scores its sample data grown to
``--units`` units (each column's values drawn from its own, so that units differ and ties abound),
from Parquet; LP-based methods (DEA) agree within the solver's tolerance (``--tolerance``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from generate import make_data, make_ruleset  # noqa: E402
from run import child_run  # noqa: E402

CHUNK = 1_000_000


def parquet_data(out: Path, units: int, k: int, missing: float) -> tuple[Path, Path]:
    """The data as Parquet, written a million rows at a time (so that 50M rows never sit in memory), and its ruleset."""
    out.mkdir(parents=True, exist_ok=True)
    name = f"{units}x{k}_missing{missing:g}"
    data, ruleset = out / f"units_{name}.parquet", out / f"ruleset_{name}_parquet.json"
    if not data.exists():
        partial = data.with_suffix(".partial")
        writer = None
        for first in range(0, units, CHUNK):
            table = make_data(min(CHUNK, units - first), k, missing, seed=1 + first // CHUNK, first=first)
            writer = writer or pq.ParquetWriter(partial, table.schema)
            writer.write_table(table, row_group_size=250_000)
        writer.close()
        partial.rename(data)
    document = make_ruleset(k, data.name)
    document["sources"]["data"]["format"] = "parquet"
    ruleset.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return data, ruleset


RULESETS = Path(__file__).resolve().parent.parent / "rulesets"


def shipped_data(out: Path, name: str, units: int) -> tuple[Path, Path]:
    """A shipped ruleset over its sample data grown to ``units`` units, as Parquet: each unit's id made unique,
    every other column's values drawn (with replacement) from that column's own."""
    import pyarrow as pa
    import pyarrow.csv as pv

    document = json.loads((RULESETS / f"{name}.json").read_text(encoding="utf-8"))
    (source_name, source), = document["sources"].items()
    read = pv.read_csv(RULESETS / source["path"], convert_options=pv.ConvertOptions(null_values=source["params"]["na"]))
    out.mkdir(parents=True, exist_ok=True)
    data = out / f"{name}_{units}.parquet"
    if not data.exists():
        partial, writer, rng = data.with_suffix(".partial"), None, np.random.default_rng(7)
        id_column = document["units"]["id"]
        for first in range(0, units, CHUNK):
            n = min(CHUNK, units - first)
            columns = {c: read[c].take(pa.array(rng.integers(0, read.num_rows, n))) for c in read.column_names}
            columns[id_column] = pa.array([f"U{k:09d}" for k in range(first, first + n)])
            table = pa.table(columns)
            writer = writer or pq.ParquetWriter(partial, table.schema)
            writer.write_table(table, row_group_size=250_000)
        writer.close()
        partial.rename(data)
    document.pop("$schema", None)
    document["sources"][source_name] = {"format": "parquet", "path": data.name}
    ruleset = out / f"{name}_{units}.json"
    ruleset.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return data, ruleset


def batches(path: Path):
    """A Parquet output (a file, or a folder of parts) in batches of rows."""
    return ds.dataset(path).to_batches(batch_size=1 << 18)


def aligned(a, b):
    """Two streams of batches cut to the same lengths."""
    x = y = None
    while True:
        x = x if x is not None and x.num_rows else next(a, None)
        y = y if y is not None and y.num_rows else next(b, None)
        if x is None or y is None:
            assert x is None and y is None, "different numbers of units"
            return
        n = min(x.num_rows, y.num_rows)
        yield x.slice(0, n), y.slice(0, n)
        x, y = x.slice(n), y.slice(n)


def same_results(a: Path, b: Path, tolerance: float = 1e-12) -> None:
    """The two outputs agree: scores within ``tolerance``, everything else exactly; read a batch at a time."""
    worst = 0.0
    for x, y in aligned(iter(batches(a)), iter(batches(b))):
        assert x.schema.names == y.schema.names
        for name in x.schema.names:
            u, v = x.column(name), y.column(name)
            if str(u.type) == "double":
                p, q = u.to_numpy(zero_copy_only=False), v.to_numpy(zero_copy_only=False)
                assert np.array_equal(np.isnan(p), np.isnan(q)), name
                worst = max(worst, float(np.nanmax(np.abs(p - q), initial=0.0)))
            else:
                assert u.equals(v), f"{name} differs"
    assert worst <= tolerance * 100, f"scores differ by {worst:g}"
    print(f"results agree: every column equal, scores within {worst:.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--missing", type=float, default=0.01)
    parser.add_argument("--memory", default="2GiB", help="--memory of the run out of core")
    parser.add_argument("--memory-units", type=int, help="units of the in-memory run (default: --units)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster of two workers (--dask local)")
    parser.add_argument("--ruleset", help="a shipped ruleset (its name), over its sample data grown to --units units")
    parser.add_argument("--tolerance", type=float, default=1e-12, help="how far scores may differ (on a 0–100 scale)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    engine = [sys.executable, "-m", "govscore.engine.cli", "run", "-q"]
    if args.ruleset:
        big_data, big = shipped_data(args.out, args.ruleset, args.units)
        args.memory_units = None
    else:
        big_data, big = parquet_data(args.out, args.units, args.indicators, args.missing)
    small_units = args.memory_units or args.units
    _, small = parquet_data(args.out, small_units, args.indicators, args.missing) if small_units != args.units else (big_data, big)
    outputs = args.out / "out_of_core"
    outputs.mkdir(exist_ok=True)
    commands = {"in memory": [*engine, str(small), "-o", str(outputs / "memory.parquet")],
                "out of core": [*engine, str(big), "--blocks", "--memory", args.memory, "-o", str(outputs / "blocks.parquet")]}
    if args.dask:
        commands["on Dask"] = [*engine, str(big), "--dask", "local", "--memory", args.memory, "-o", str(outputs / "dask.parquet")]
    runs = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            runs[name].append(child_run(cmd))
    if small_units == args.units:
        same_results(outputs / "blocks.parquet", outputs / "memory.parquet", args.tolerance)
    if args.dask:
        same_results(outputs / "dask.parquet", outputs / "memory.parquet" if small_units == args.units else outputs / "blocks.parquet",
                     args.tolerance)
    indicators = len(json.loads(big.read_text(encoding="utf-8"))["indicators"]) if args.ruleset else args.indicators
    matrix = indicators * 8
    what = f"the shipped ruleset {args.ruleset}" if args.ruleset else f"{args.indicators} indicators"
    print(f"{args.units:,} units × {what} out of core (--memory {args.memory}); "
          f"{small_units:,} in memory; {args.repeat} runs each, in turns")
    per_unit = {}
    for name, found in runs.items():
        units = small_units if name == "in memory" else args.units
        times = [t for t, _ in found]
        peak = max(m for _, m in found)
        per_unit[name] = min(times) / units
        print(f"  {name:12} {min(times):8.2f} / {statistics.median(times):8.2f} s   {per_unit[name] * 1e6:6.2f} µs per unit   "
              f"peak {peak / 2**30:5.2f} GiB ({peak / (units * matrix):4.2f}× the matrix of {units * matrix / 2**30:.2f} GiB)")
    for name in per_unit:
        if name != "in memory":
            print(f"  time per unit, {name} / in memory: {per_unit[name] / per_unit['in memory']:.2f}×")
    print("  (peak: of the largest process; on Dask each worker is a process of its own)")


if __name__ == "__main__":
    main()
