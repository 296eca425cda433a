"""Time govscore against the same index written by hand in numpy, polars and pandas, and print ratios.

    python benchmarks/run.py                          # 1,000,000 units × 40 indicators, 1% missing
    python benchmarks/run.py --units 100000 --repeat 7

The index is benchmarks/generate.py's (mean imputation, min-max, four dimensions, headline, rounding,
ranks overall and in 500 groups, grades); the baselines are benchmarks/baselines.py, each with its own
loading, ranks and grades. Every figure is the minimum and the median of --repeat runs taken in turns
(engine, numpy, polars, pandas, then again), so that a busy spell of the machine slows all alike:
- load: govscore's reading of the CSV into its columns, against pyarrow's reader as the numpy script
  uses it, polars.read_csv and pandas.read_csv;
- scoring after loading: engine.execute.score against each baseline on the data it loaded itself;
- the whole run, CSV in to CSV out, each in a fresh process: `engine run` against each baseline script;
- peak memory (maximum resident set) of each whole run, over the size of the float64 indicator matrix;
- start-up: `engine --help`, `engine validate` and a 72-unit `engine run` of the shipped governance
  ruleset, and the slowest imports of `engine validate` (python -X importtime).
Each baseline's scores (within 1e-12), rounded scores, ranks and grades are checked against the engine's
before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import baselines  # noqa: E402
from generate import generate  # noqa: E402

from govscore.engine.compiler import load_ruleset  # noqa: E402
from govscore.engine.execute import score  # noqa: E402
from govscore.engine.loading import load_data  # noqa: E402
from govscore.engine.plugins import load_plugins  # noqa: E402

CONTESTANTS = ("numpy", "polars", "pandas")
SHIPPED = HERE.parent / "rulesets" / "governance.json"
ENGINE = [sys.executable, "-m", "govscore.engine.cli"]
TARGETS = {"load": "≤ 1.0× polars", "scoring": "≤ 0.9× polars", "whole run": "≤ 1.0× polars",
           "memory": "≤ 2.5× the matrix"}


def timed(f) -> tuple[float, object]:
    start = time.perf_counter()
    value = f()
    return time.perf_counter() - start, value


def in_turns(functions: dict, repeat: int) -> dict[str, list[float]]:
    """Each function's times over ``repeat`` rounds, one call of each per round."""
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, f in functions.items():
            times[name].append(timed(f)[0])
    return times


def child_run(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes) of a command in a fresh process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024


def children_in_turns(commands: dict[str, list[str]], repeat: int) -> dict[str, list[tuple[float, int]]]:
    runs = {name: [] for name in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(child_run(cmd))
    return runs


def check_agreement(result, found: dict[str, dict]) -> None:
    """Every baseline must compute the engine's numbers: the comparison is of the same work."""
    for name, r in found.items():
        assert np.allclose(result.score, r["H"], rtol=1e-12, atol=0), f"{name}: scores differ from the engine's"
        assert np.array_equal(result.rounded["H"], r["rounded"]), f"{name}: rounded scores differ"
        assert np.array_equal(result.rank, r["rank"]), f"{name}: ranks differ"
        assert np.array_equal(result.group_rank, r["group_rank"]), f"{name}: ranks within groups differ"
        assert np.array_equal(result.grade.astype(str), np.asarray(r["grade"]).astype(str)), f"{name}: grades differ"


def as_arrays(name: str, scored) -> dict:
    """A baseline's own result as numpy arrays, to check against the engine's."""
    if name == "numpy":
        return scored
    return {"H": scored["H"].to_numpy(), "rounded": scored["H.rounded"].to_numpy(), "rank": scored["rank"].to_numpy(),
            "group_rank": scored["group_rank"].to_numpy(), "grade": scored["grade"].to_numpy()}


def summary(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)


def row(label: str, ours: list[float], theirs: dict[str, list[float]], target: str, unit: str = "s") -> str:
    """One line per contestant: min / median, and govscore's median over theirs."""
    o_min, o_med = summary(ours)
    lines = [f"{label} (target {target})", f"  {'govscore':9s} {o_min:7.3f} / {o_med:7.3f} {unit}"]
    for name, t in theirs.items():
        b_min, b_med = summary(t)
        lines.append(f"  {name:9s} {b_min:7.3f} / {b_med:7.3f} {unit}   govscore {o_med / b_med:5.2f}×")
    return "\n".join(lines)


def slowest_imports(cmd: list[str], n: int = 8) -> list[tuple[str, float]]:
    """The modules ``cmd`` imports first-hand (with what they import in turn) that take longest."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True, text=True)
    found = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        if not parts[2].startswith("  "):  # one space: imported at the top, not by another module
            found.append((parts[2].strip(), int(parts[1]) / 1e6))
    return sorted(found, key=lambda f: -f[1])[:n]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--missing", type=float, default=0.01, help="share of empty cells (default 0.01)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    k = args.indicators
    data_file, ruleset_file = generate(HERE / "data", args.units, k, args.missing)
    os.environ["GOVSCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"

    # Fresh processes first, while this one is still small (a child's peak memory must not count pages it
    # shares with a large parent).
    with tempfile.TemporaryDirectory() as tmp:
        whole = {"govscore": ENGINE + ["run", str(ruleset_file), "-o", f"{tmp}/engine.csv", "-q"]}
        whole |= {name: [sys.executable, str(HERE / "baselines.py"), name, str(data_file), f"{tmp}/{name}.csv", str(k)]
                  for name in CONTESTANTS}
        runs = children_in_turns(whole, args.repeat)
        small = children_in_turns({
            "--help": ENGINE + ["--help"],
            "validate": ENGINE + ["validate", str(SHIPPED)],
            "run, 72 units": ENGINE + ["run", str(SHIPPED), "-o", f"{tmp}/governance.csv", "-q"],
        }, args.repeat)
    imports = slowest_imports(ENGINE + ["validate", str(SHIPPED)])

    plugins = load_plugins()
    ruleset, diagnostics = load_ruleset(str(ruleset_file), plugins)
    assert ruleset is not None, diagnostics
    loaders = {"govscore": lambda: load_data(ruleset, plugins), "numpy": lambda: baselines.numpy_load(str(data_file)),
               "polars": lambda: baselines.polars_load(str(data_file)),
               "pandas": lambda: baselines.pandas_load(str(data_file))}
    load_times = in_turns(loaders, args.repeat)
    data = loaders["govscore"]()
    _, _, codes, columns = loaders["numpy"]()
    frames = {"polars": loaders["polars"](), "pandas": loaders["pandas"]()}
    scorers = {"govscore": lambda: score(ruleset, plugins, data),
               "numpy": lambda: baselines.numpy_score(codes, columns, k),
               "polars": lambda: baselines.polars_score(frames["polars"], k),
               "pandas": lambda: baselines.pandas_score(frames["pandas"], k)}
    score_times = in_turns(scorers, args.repeat)
    check_agreement(scorers["govscore"](), {name: as_arrays(name, scorers[name]()) for name in CONTESTANTS})

    matrix = args.units * k * 8
    wall = {name: [t for t, _ in r] for name, r in runs.items()}
    peaks = {name: max(m for _, m in r) for name, r in runs.items()}
    print(f"{args.units:,} units × {k} indicators, {args.missing:.0%} of cells empty; float64 indicator matrix "
          f"{matrix / 2**20:,.0f} MiB; min / median of {args.repeat} runs in turns")
    load, scoring, whole_run = load_times.pop("govscore"), score_times.pop("govscore"), wall.pop("govscore")
    print(row("load", load, load_times, TARGETS["load"]))
    print(row("scoring after loading", scoring, score_times, TARGETS["scoring"]))
    print(row("whole run, fresh process", whole_run, wall, TARGETS["whole run"]))
    print(f"peak memory of the whole run over the matrix (target {TARGETS['memory']})")
    print("  " + "   ".join(f"{name} {peak / matrix:5.2f}×" for name, peak in peaks.items()))
    print("start-up, fresh process (targets: validate ≤ 0.25 s, run of 72 units ≤ 0.5 s)")
    for label, r in small.items():
        lo, med = summary([t for t, _ in r])
        print(f"  engine {label:15s} {lo:7.3f} / {med:7.3f} s")
    print("  slowest imports of engine validate (cumulative s): " + ", ".join(f"{name} {s:.3f}" for name, s in imports))
    medians = {"load": (load, load_times), "scoring": (scoring, score_times), "whole_run": (whole_run, wall)}
    print(json.dumps({"units": args.units, "indicators": k, "missing": args.missing,
                      **{f"{what}_vs_{name}": statistics.median(ours) / statistics.median(times[name])
                         for what, (ours, times) in medians.items() for name in CONTESTANTS},
                      "memory_ratio": peaks["govscore"] / matrix,
                      **{f"{label}_s": statistics.median(t for t, _ in r) for label, r in small.items()}}))


if __name__ == "__main__":
    main()
