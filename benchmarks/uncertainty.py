"""Time the Monte Carlo sensitivity analysis against scoring the same number of configurations
the plain way, and print the figures.

    python benchmarks/uncertainty.py                       # 100,000 units × 40 indicators, 1,000 samples
    python benchmarks/uncertainty.py --units 10000 --samples 200

The ruleset is the benchmark one (benchmarks/generate.py) with four factors declared: the normaliser
(min-max to [1, 100] or percentile ranks to [1, 100]), ±20% noise on the dimension weights, a
Dirichlet draw of the first dimension's indicator weights, and the aggregation of the headline
(weighted sum or geometric mean). Printed (seconds, and as ratios):
- the whole analysis (`engine.uncertainty.analyse`: sampling, every configuration scored and
  ranked, percentiles and Sobol' indices; target: 1,000 samples on 100,000 units within 60 s on
  2 cores);
- the baseline: a full `engine.execute.score` of the nominal ruleset (the median of --baseline-runs
  timings, 20 by default), times the number of configurations — what re-compiling nothing but
  re-running everything per sample would cost;
- the ratio of the two (below 1: preparing each normaliser once and re-running only the nodes pays);
- peak memory of the analysis over the float64 indicator matrix (the rank matrix is float32, one
  row per configuration).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

from govscore.engine.compiler import load_ruleset  # noqa: E402
from govscore.engine.execute import score  # noqa: E402
from govscore.engine.loading import load_data  # noqa: E402
from govscore.engine.plugins import load_plugins  # noqa: E402
from govscore.engine.uncertainty import analyse  # noqa: E402


def with_uncertainty(ruleset_file: Path, samples: int) -> Path:
    document = json.loads(ruleset_file.read_text(encoding="utf-8"))
    document["normalise"] = {"method": "minmax", "params": {"scale": [1, 100]}}
    document["uncertainty"] = {
        "normalise": {"alternatives": [{"method": "minmax", "params": {"scale": [1, 100]}},
                                       {"method": "percentile", "params": {"scale": [1, 100]}}]},
        "weights": {"H": {"noise": 0.2}, "D0": {"dirichlet": 50}},
        "aggregation": {"H": ["weighted_sum", "geometric_mean"]},
        "samples": samples, "seed": 1,
    }
    out = ruleset_file.with_name(ruleset_file.stem + "_uncertainty.json")
    out.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--baseline-runs", type=int, default=20, help="full scorings timed for the baseline (median)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    _, ruleset_file = generate(args.out, args.units, args.indicators)
    plugins = load_plugins([])
    ruleset, diagnostics = load_ruleset(str(with_uncertainty(ruleset_file, args.samples)), plugins)
    if ruleset is None:
        sys.exit("\n".join(d.message for d in diagnostics))
    data = load_data(ruleset, plugins)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    start = time.perf_counter()
    found = analyse(ruleset, plugins, data)
    analysis = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux

    scorings = []  # the baseline: the median of full scorings, so that one noisy timing does not decide it
    for _ in range(args.baseline_runs):
        start = time.perf_counter()
        score(ruleset, plugins, data)
        scorings.append(time.perf_counter() - start)
    one = statistics.median(scorings)
    baseline = one * found["samples"]

    matrix = args.units * args.indicators * 8 / 1024
    print(f"units {args.units:,} × indicators {args.indicators}, {found['samples']} configurations, "
          f"{len(found['factors'])} factors")
    print(f"analysis            {analysis:8.2f} s   (target: within 60 s for 1,000 samples on 100,000 units)")
    print(f"baseline            {baseline:8.2f} s   ({found['samples']} × one full scoring, {one:.3f} s: the median of "
          f"{len(scorings)}, from {min(scorings):.3f} to {max(scorings):.3f} s)")
    print(f"ratio               {analysis / baseline:8.2f} ×")
    print(f"peak memory         {peak / matrix:8.2f} × the float64 indicator matrix "
          f"(data loaded: {before / matrix:.2f} ×)")


if __name__ == "__main__":
    main()
