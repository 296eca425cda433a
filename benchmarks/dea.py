"""Time DEA (CCR and BCC, with slacks and peers) on synthetic units.

    python benchmarks/dea.py                 # 5,000 units, 3 inputs, 4 outputs
    python benchmarks/dea.py --units 1000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from govscore.plugins.dea import dea  # noqa: E402  (govscore installed: pip install .)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    x = np.hstack([rng.uniform(1, 10, (args.units, 3)), rng.uniform(1, 10, (args.units, 4))])
    children = ["i0", "i1", "i2", "o0", "o1", "o2", "o3"]
    for model, orientation in (("CCR", "input"), ("BCC", "input"), ("BCC", "output")):
        start = time.perf_counter()
        score, details = dea(x, np.ones((1, 7)), {"inputs": children[:3], "model": model, "orientation": orientation},
                             children)
        elapsed = time.perf_counter() - start
        efficient = int((score >= 1 - 1e-9).sum())
        print(f"{args.units:,} units, {model} {orientation}-oriented with slacks and peers"
              f"{' and scale efficiency' if model == 'BCC' else ''}: {elapsed:.1f} s "
              f"({efficient} efficient, mean efficiency {score.mean():.3f})")


if __name__ == "__main__":
    main()
