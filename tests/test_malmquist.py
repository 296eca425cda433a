"""The Malmquist productivity index: DEAP's own example reproduced, the identities of the decomposition,
the three frontiers, and an unbalanced panel told with the units and periods missing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import compile_and_run, write_ruleset
from govscore.engine.diagnostics import EngineError
from govscore.plugins.malmquist import malmquist

# Coelli (1996), A Guide to DEAP Version 2.1, CEPA Working Paper 96/08, example EG4: five firms, one input and
# one output, three years, output-oriented Malmquist DEA. These data (x, y) reproduce every distance DEAP prints
# for it (year 1: CRS te 0.5, 0.5, 1, 0.8, 0.833, VRS te 1, 0.545, 1, 0.923, 1; years 2 and 3: CRS 0.375,
# 0.563, 1, 0.45, 0.75, VRS 1, 0.667, 1, 0.6, 1, and 0.5, 0.75, 1.333, 0.6, 1 against year 1's technology).
YEAR_1 = [(2, 1), (4, 2), (3, 3), (5, 4), (6, 5)]
YEAR_2 = [(2, 1), (4, 3), (3, 4), (5, 3), (5, 5)]
EG4 = {"1": YEAR_1, "2": YEAR_2, "3": YEAR_2}


def panel_ruleset(tmp_path, years, params, drop=(), blank=()):
    lines = ["firm,year,x,y"]
    for year, rows in years.items():
        for k, (x, y) in enumerate(rows, start=1):
            if (f"f{k}", year) in drop:
                continue
            lines.append(f"f{k},{year},{'' if (f'f{k}', year) in blank else x},{y}")
    (tmp_path / "panel.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = {"format": "govscore/1", "id": "malmquist", "title": "DEAP EG4", "units": {"id": "firm", "period": "year"},
           "sources": {"main": {"format": "csv", "path": "panel.csv"}}, "normalise": "none",
           "indicators": {c: {"column": c, "direction": "higher", "missing": "leave"} for c in ("x", "y")},
           "nodes": {"M": {"method": "malmquist", "children": ["x", "y"], "params": {"inputs": ["x"], **params}}},
           "score": "M"}
    return write_ruleset(tmp_path, doc)


def by_year(result, key, year):
    rows = np.flatnonzero(np.asarray(result.unit_periods.to_pylist()) == year)
    ids = np.asarray(result.unit_ids.to_pylist())[rows]
    return result.details["M"]["details"][key][rows[np.argsort(ids)]]


def test_deap_example_four_reproduced(tmp_path, plugins):
    """DEAP's MALMQUIST INDEX SUMMARY for year 2 — effch 0.750 1.125 1.000 0.562 0.900, techch 1.333 for all,
    pech 1.000 1.222 1.000 0.650 1.000, sech 0.750 0.920 1.000 0.865 0.900, tfpch 1.000 1.500 1.333 0.750 1.200 —
    and 1.000 throughout for year 3; annual means 0.844 1.333 0.955 0.883 1.125; overall 0.918 1.155 0.977 0.940 1.061."""
    result = compile_and_run(panel_ruleset(tmp_path, EG4, {"orientation": "output"}), plugins)
    printed = {"effch": [0.750, 1.125, 1.000, 0.562, 0.900], "techch": [1.333] * 5, "pech": [1.000, 1.222, 1.000, 0.650, 1.000],
               "sech": [0.750, 0.920, 1.000, 0.865, 0.900], "tfpch": [1.000, 1.500, 1.333, 0.750, 1.200]}
    for key, values in printed.items():
        assert by_year(result, key, "2") == pytest.approx(values, abs=6e-4)
        assert by_year(result, key, "3") == pytest.approx(1)
    means = result.details["M"]["details"]["means"]
    assert [means["periods"]["2"][k] for k in printed] == pytest.approx([0.844, 1.333, 0.955, 0.883, 1.125], abs=6e-4)
    assert [means["overall"][k] for k in printed] == pytest.approx([0.918, 1.155, 0.977, 0.940, 1.061], abs=6e-4)
    assert result.nodes["M"][np.asarray(result.unit_periods.to_pylist()) == "2"] == pytest.approx(by_year(result, "tfpch", "2")[
        np.argsort(np.argsort(np.asarray(result.unit_ids.to_pylist())[np.asarray(result.unit_periods.to_pylist()) == "2"]))])
    first = [d for d in result.diagnostics if d.code == "W_METHOD"]
    assert len(first) == 1 and "first period (1) has no Malmquist index" in first[0].message


def random_panel(seed, units=6, periods=4):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(units * periods, 3))  # two inputs, one output
    ids = [f"u{k}" for _ in range(periods) for k in range(units)]
    when = [str(2020 + t) for t in range(periods) for _ in range(units)]
    return x, ids, when


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["adjacent", "sequential", "global"]))
def test_decomposition_identities(seed, frontier):
    """tfpch = effch · techch and effch = pech · sech, row by row; under constant returns the input- and
    output-oriented indices agree; the global index chains (its product over periods is the ratio of the
    last and first global efficiencies); sequential technology never regresses; rescaling an input changes nothing."""
    x, ids, when = random_panel(seed)
    args = dict(units=ids, periods=when)
    w = np.ones((1, 3))
    _, d = malmquist(x, w, {"inputs": ["a", "b"], "frontier": frontier}, ["a", "b", "y"], **args)
    later = ~np.isnan(d["tfpch"])
    assert later.sum() == 6 * 3
    assert d["tfpch"][later] == pytest.approx(d["effch"][later] * d["techch"][later])
    assert d["effch"][later] == pytest.approx(d["pech"][later] * d["sech"][later])
    _, out = malmquist(x, w, {"inputs": ["a", "b"], "frontier": frontier, "orientation": "output"}, ["a", "b", "y"], **args)
    assert out["tfpch"][later] == pytest.approx(d["tfpch"][later])
    if frontier == "sequential":
        assert (d["techch"][later] >= 1 - 1e-9).all()
    if frontier == "global":
        chained = np.prod(d["tfpch"][later].reshape(3, 6), axis=0)
        from govscore.plugins.lp import Envelopment
        f = Envelopment(x[:, :2], x[:, 2:], "constant", "input")
        first, last = ([f.efficiency(x[j, :2], x[j, 2:]) for j in range(k, k + 6)] for k in (0, 18))
        assert chained == pytest.approx(np.array(last) / np.array(first))
    scaled, _ = malmquist(x * np.array([1e6, 1, 1]), w, {"inputs": ["a", "b"], "frontier": frontier}, ["a", "b", "y"], **args)
    assert scaled[later] == pytest.approx(d["tfpch"][later], rel=1e-7)



def distance(Xr, Yr, x, y, returns, orientation):
    """E of the point (x, y) against the frontier of (Xr, Yr), the programme written directly for scipy's linprog
    over every reference unit (NaN where it has no solution)."""
    from scipy.optimize import linprog
    n, m, s = len(Xr), Xr.shape[1], Yr.shape[1]
    c = np.r_[np.zeros(n), 1.0 if orientation == "input" else -1.0]
    if orientation == "input":
        a, b = np.vstack([np.c_[Xr.T, -x[:, None]], np.c_[-Yr.T, np.zeros((s, 1))]]), np.r_[np.zeros(m), -y]
    else:
        a, b = np.vstack([np.c_[Xr.T, np.zeros((m, 1))], np.c_[-Yr.T, y[:, None]]]), np.r_[x, np.zeros(s)]
    eq = dict(A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[1.0]) if returns == "variable" else {}
    res = linprog(c, A_ub=a, b_ub=b, bounds=[(0, None)] * (n + 1), method="highs", **eq)
    return np.nan if res.status != 0 else res.fun if orientation == "input" else 1 / -res.fun


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["adjacent", "sequential", "global"]), st.sampled_from(["input", "output"]))
def test_indices_match_an_independent_solution(seed, frontier, orientation):
    """Every distance written directly for linprog against every unit of its frontier (govscore solves the
    points outside a frontier against its efficient units only): tfpch, effch and pech within 1e-8."""
    x, ids, when = random_panel(seed, units=8, periods=3)
    _, d = malmquist(x, np.ones((1, 3)), {"inputs": ["a", "b"], "frontier": frontier, "orientation": orientation},
                     ["a", "b", "y"], units=ids, periods=when)
    X, Y = x[:, :2], x[:, 2:]
    rows = [np.arange(t * 8, (t + 1) * 8) for t in range(3)]
    ref = {"adjacent": lambda t: rows[t], "sequential": lambda t: np.concatenate(rows[:t + 1]),
           "global": lambda t: np.arange(24)}[frontier]

    def e(t, j, returns="constant"):
        r = rows[t] if returns == "variable" and frontier == "global" else ref(t)
        return distance(X[r], Y[r], X[j], Y[j], returns, orientation)
    for t in range(2):
        for k in range(8):
            a, b = rows[t][k], rows[t + 1][k]
            if frontier == "global":
                tfp = e(t, b) / e(t, a)
            else:
                tfp = np.sqrt(e(t, b) / e(t, a) * e(t + 1, b) / e(t + 1, a))
            own_a = e(t, a) if frontier != "global" else distance(X[rows[t]], Y[rows[t]], X[a], Y[a], "constant", orientation)
            own_b = e(t + 1, b) if frontier != "global" else distance(X[rows[t + 1]], Y[rows[t + 1]], X[b], Y[b], "constant",
                                                                     orientation)
            assert d["tfpch"][b] == pytest.approx(tfp, rel=1e-8)
            assert d["effch"][b] == pytest.approx(own_b / own_a, rel=1e-8)
            assert d["pech"][b] == pytest.approx(e(t + 1, b, "variable") / e(t, a, "variable"), rel=1e-8)

def test_an_unbalanced_panel_names_the_units_and_periods(tmp_path, plugins):
    for kind in ("drop", "blank"):
        gaps = {kind: [("f2", "3"), ("f4", "2")]}
        with pytest.raises(EngineError) as exc:
            compile_and_run(panel_ruleset(tmp_path, EG4, {}, **gaps), plugins)
        d = exc.value.diagnostics[0]
        assert d.code == "E_PANEL_UNBALANCED" and "f2 (3); f4 (2)" in d.message and "2 unit(s)" in d.message


def test_malmquist_needs_periods(tmp_path, plugins):
    with pytest.raises(EngineError) as exc:
        malmquist(np.ones((4, 2)), np.ones((1, 2)), {"inputs": ["x"]}, ["x", "y"], units=list("abcd"), periods=None)
    assert "panel data" in str(exc.value)
