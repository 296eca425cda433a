"""Time govscore against a hand-written numpy script of the same maths, and print the ratios.

    python benchmarks/run.py                 # 1,000,000 units × 40 indicators
    python benchmarks/run.py --units 100000  # quicker

Figures printed (each the best of --repeat runs, in seconds, and as ratios):
- scoring after loading: engine.execute.score vs the numpy script on the same arrays (target ≤ 1.3×);
- the whole run from CSV to CSV: `engine run` in a fresh process vs reading the CSV with the
  same reader and writing the results' CSV, in a fresh process (target ≤ 1.5×);
- peak memory of `engine run` (maximum resident set) over the size of the float64 indicator
  matrix (target ≤ 3×);
- `engine validate` of the ruleset, in-process and as a command (target ≤ 0.5 s in-process).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from generate import dimension_weights, generate, indicator_names, lower_is_better  # noqa: E402

from govscore.engine.compiler import load_ruleset  # noqa: E402
from govscore.engine.execute import load_data, score  # noqa: E402
from govscore.engine.plugins import load_plugins  # noqa: E402
from govscore.engine.ranking import rank  # noqa: E402


def numpy_scoring(columns: dict[str, np.ndarray], groups: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """The same maths, written by hand: min-max with direction, four weighted means, a weighted sum."""
    names = indicator_names(k)
    size = k // 4
    weights = dimension_weights(k)
    dims = []
    for d in range(4):
        acc = 0.0
        for j, name in enumerate(names[d * size:(d + 1) * size]):
            x = columns[name]
            lo, hi = x.min(), x.max()
            y = (hi - x) / (hi - lo) if lower_is_better(d * size + j) else (x - lo) / (hi - lo)
            acc = acc + weights[d][j] * (100 * y)
        dims.append(acc)
    h = 0.3 * dims[0] + 0.3 * dims[1] + 0.2 * dims[2] + 0.2 * dims[3]
    rounded = np.floor(h * 100 + 0.5) / 100
    order = np.argsort(-rounded, kind="stable")
    ranks = np.empty(len(h))
    ranks[order] = np.arange(1, len(h) + 1)
    group_rank = rank(rounded, groups=groups)  # the hand-written script reuses the engine's ranking
    grade = np.where(rounded >= 60, "A", np.where(rounded >= 50, "B", "C"))
    return {"H": h, "rounded": rounded, "rank": ranks, "group_rank": group_rank, "grade": grade}


BASELINE_IO = r'''
import sys, pyarrow as pa, pyarrow.csv as pv, numpy as np
table = pv.read_csv(sys.argv[1], convert_options=pv.ConvertOptions(column_types={"id": pa.string(), "group": pa.string()}))
columns = {n: table.column(n).to_numpy() for n in table.column_names[2:]}
h = sum(columns.values()) / len(columns)
out = pa.table({"unit": table.column("id"), "group": table.column("group"), "D0": h, "D1": h, "D2": h, "D3": h,
                "H": h, "H.rounded": h, "rank": h, "group_rank": h, "grade": table.column("group")})
pv.write_csv(out, sys.argv[2])
'''


def timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def best(f, repeat: int) -> float:
    return min(timed(f) for _ in range(repeat))


def best_in_turns(f, g, repeat: int) -> tuple[float, float]:
    """The best time of each of two functions, run in turns so that a busy spell on a shared machine
    slows both alike."""
    pairs = [(timed(f), timed(g)) for _ in range(repeat)]
    return min(a for a, _ in pairs), min(b for _, b in pairs)


def child_run(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of a command run in a fresh process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    k = args.indicators
    data_file, ruleset_file = generate(Path(__file__).parent / "data", args.units, k)
    os.environ["GOVSCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    plugins = load_plugins()

    # Fresh processes first, while this one is still small: a child's peak memory must not count pages it
    # shares with a large parent before it starts the engine.
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        engine_cmd = [sys.executable, "-m", "govscore.engine.cli", "run", str(ruleset_file), "-o", str(out), "-q"]
        io_cmd = [sys.executable, "-c", BASELINE_IO, str(data_file), str(Path(tmp) / "io.csv")]
        io_runs, engine_runs = zip(*((child_run(io_cmd), child_run(engine_cmd)) for _ in range(args.repeat)))  # in turns
        validate_cmd_s = min(child_run([sys.executable, "-m", "govscore.engine.cli", "validate", str(ruleset_file)])[0]
                             for _ in range(args.repeat))

    validate_s = best(lambda: load_ruleset(str(ruleset_file), plugins), args.repeat)
    ruleset, diagnostics = load_ruleset(str(ruleset_file), plugins)
    assert ruleset is not None, diagnostics
    data = load_data(ruleset, plugins)
    columns = {name: data.columns[("data", name)] for name in indicator_names(k)}
    groups = np.unique(data.units["group"], return_inverse=True)[1]

    engine_s, numpy_s = best_in_turns(lambda: score(ruleset, plugins, data), lambda: numpy_scoring(columns, groups, k),
                                      args.repeat)
    result = score(ruleset, plugins, data)
    reference = numpy_scoring(columns, groups, k)
    assert np.allclose(result.score, reference["H"], rtol=1e-12), "the engine and the numpy script disagree"
    assert np.array_equal(result.rounded["H"], reference["rounded"])

    io_s = min(t for t, _ in io_runs)
    run_s = min(t for t, _ in engine_runs)
    matrix = args.units * k * 8
    peak = max(m for _, m in engine_runs)
    io_peak = max(m for _, m in io_runs)

    rows = [
        ("scoring after loading (engine / numpy)", engine_s, numpy_s, 1.3),
        ("whole run, CSV to CSV (engine run / read+write)", run_s, io_s, 1.5),
    ]
    print(f"{args.units:,} units × {k} indicators; float64 indicator matrix {matrix / 2**20:,.0f} MiB")
    for label, ours, base, target in rows:
        print(f"{label:50s} {ours:7.2f} s / {base:7.2f} s = {ours / base:5.2f}×  (target ≤ {target}×)")
    print(f"{'peak memory of engine run / indicator matrix':50s} {peak / 2**20:7.0f} MiB / {matrix / 2**20:5.0f} MiB = "
          f"{peak / matrix:5.2f}×  (target ≤ 3×)")
    print(f"{'  (the read+write script alone peaks at)':50s} {io_peak / 2**20:7.0f} MiB = {io_peak / matrix:5.2f}×")
    print(f"{'engine validate, in-process':50s} {validate_s:7.3f} s  (target ≤ 0.5 s)")
    print(f"{'engine validate, as a command (with start-up)':50s} {validate_cmd_s:7.3f} s")
    print(json.dumps({"units": args.units, "indicators": k, "score_ratio": engine_s / numpy_s, "run_ratio": run_s / io_s,
                      "memory_ratio": peak / matrix, "validate_s": validate_s}))


if __name__ == "__main__":
    main()
