"""Time the DEA family on synthetic units, as ratios to CCR in the same run, with a check against scipy.

    python benchmarks/dea.py                          # 1,000 and 5,000 units, 3 inputs, 4 outputs
    python benchmarks/dea.py --sizes 1000 5000 50000  # CCR alone at the largest size: --only-ccr

Each model is timed once per size (a 2-core machine is noisy: repeat the run, or time the whole
command with the library's paired timer). At each size a sample of units is solved again with
scipy.optimize.linprog — the envelopment programmes written out directly — and the largest
difference is printed. Between consecutive sizes each model's growth exponent log(t₂/t₁) / log(n₂/n₁)
is printed. The Malmquist run is a panel of a fifth of the units over five periods.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy.optimize import linprog

from govscore.plugins.ddf import ddf
from govscore.plugins.dea import dea
from govscore.plugins.malmquist import malmquist
from govscore.plugins.sbm import sbm

CHILDREN = ["i0", "i1", "i2", "o0", "o1", "o2", "o3"]
INPUTS = CHILDREN[:3]
MODELS = {
    "CCR input": (dea, {"inputs": INPUTS, "slacks": False}),
    "CCR input, slacks and peers": (dea, {"inputs": INPUTS}),
    "BCC input, slacks, scale and RTS": (dea, {"inputs": INPUTS, "model": "BCC"}),
    "CCR super-efficiency": (dea, {"inputs": INPUTS, "super": True, "slacks": False}),
    "SBM (CRS, non-oriented)": (sbm, {"inputs": INPUTS}),
    "super-SBM": (sbm, {"inputs": INPUTS, "super": True}),
    "SBM with an undesirable output": (sbm, {"inputs": INPUTS, "undesirable": ["o3"]}),
    "directional distance": (ddf, {"inputs": INPUTS, "undesirable": ["o3"]}),
}


def data(units: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.hstack([rng.uniform(1, 10, (units, 3)), rng.uniform(1, 10, (units, 4))])


def ccr_by_linprog(X, Y, o) -> float:
    """CCR input-oriented efficiency of unit o: min θ, Σλx ≤ θx_o, Σλy ≥ y_o."""
    n = len(X)
    a = np.vstack([np.c_[X.T, -X[o][:, None]], np.c_[-Y.T, np.zeros((Y.shape[1], 1))]])
    b = np.r_[np.zeros(X.shape[1]), -Y[o]]
    return linprog(np.r_[np.zeros(n), 1.0], A_ub=a, b_ub=b, bounds=[(0, None)] * (n + 1), method="highs").fun


def timings(units: int, models: dict) -> dict[str, float]:
    x = data(units)
    dea(data(50), np.ones((1, 7)), {"inputs": INPUTS}, CHILDREN)  # warm up: HiGHS's import and first model are not CCR's
    out = {}
    for name, (method, params) in models.items():
        start = time.perf_counter()
        score, _ = method(x, np.ones((1, 7)), params, CHILDREN, units=[f"u{k}" for k in range(units)])
        out[name] = time.perf_counter() - start
        if name == "CCR input":
            sample = np.random.default_rng(2).choice(units, size=min(20, units), replace=False)
            worst = max(abs(score[o] - ccr_by_linprog(x[:, :3], x[:, 3:], o)) for o in sample)
            print(f"  {units:,} units: CCR against scipy's linprog on {len(sample)} units, largest difference {worst:.1e}")
    if len(models) < len(MODELS):
        return out
    per = max(units // 5, 10)
    panel = data(per * 5, seed=3)
    start = time.perf_counter()
    malmquist(panel, np.ones((1, 7)), {"inputs": INPUTS}, CHILDREN, units=[f"u{k % per}" for k in range(per * 5)],
              periods=[str(2020 + k // per) for k in range(per * 5)])
    out[f"Malmquist, {per:,} units × 5 periods"] = time.perf_counter() - start
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--only-ccr", action="store_true", help="time CCR alone and with slacks (for 50,000 units)")
    args = parser.parse_args()
    models = {k: v for k, v in MODELS.items() if k.startswith("CCR input")} if args.only_ccr else MODELS
    runs = {n: timings(n, models) for n in sorted(args.sizes)}
    previous = None
    for n, seconds in runs.items():
        print(f"{n:,} units, 3 inputs, 4 outputs")
        for name, t in seconds.items():
            line = f"  {name}: {t:.2f} s, {t / seconds['CCR input']:.2f}× CCR"
            if previous is not None and name in runs[previous]:
                line += f", growth exponent {math.log(t / runs[previous][name]) / math.log(n / previous):.2f}"
            print(line)
        previous = n


if __name__ == "__main__":
    main()
