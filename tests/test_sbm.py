"""Slacks-based measure (SBM, Tone 2001), undesirable outputs (Tone 2003) and super-SBM (Tone 2002): the
papers' example data worked by hand where the answer is plain, every variant checked against the same
programmes written directly for scipy's linprog, the invariants the papers prove, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from govscore.engine.diagnostics import EngineError
from govscore.plugins.dea import dea
from govscore.plugins.sbm import sbm
from test_methods import score

# Tone (2001), EJOR 130: 498-509, the example of five units, two inputs and two outputs (x1, x2, y1, y2).
TONE_2001 = np.array([[4, 3, 2, 3], [6, 3, 2, 3], [8, 1, 6, 2], [8, 1, 6, 1], [2, 4, 1, 4]], dtype=float)
# Tone (2003), GRIPS Research Report I-2003-0005: nine units, one input 1, a desirable and an undesirable output.
TONE_2003 = np.array([[1, 1, 1], [1, 2, 1], [1, 6, 2], [1, 8, 4], [1, 9, 7], [1, 5, 2], [1, 4, 3], [1, 6, 4], [1, 4, 6]],
                     dtype=float)
ONES = np.ones((1, 4))


def by_linprog(X, G, B, returns, orientation):
    """SBM of every unit by the Charnes-Cooper programme written out for scipy: variables Λ, S⁻, S^g, S^b, t."""
    n, m, s1, s2 = len(X), X.shape[1], G.shape[1], B.shape[1]
    s = s1 + s2
    out = []
    for o in range(n):
        size = n + m + s + 1
        a_eq, b_eq = [], []
        for data, sign, first in ((X, 1.0, n), (G, -1.0, n + m), (B, 1.0, n + m + s1)):
            for k in range(data.shape[1]):
                row = np.zeros(size)
                row[:n], row[first + k], row[-1] = data[:, k], sign, -data[o, k]
                a_eq.append(row), b_eq.append(0.0)
        norm = np.zeros(size)
        norm[-1] = 1.0
        outputs = np.r_[G[o], B[o]]
        if orientation == "none":
            norm[n + m:n + m + s] = 1 / (s * outputs)
        a_eq.append(norm), b_eq.append(1.0)
        if returns == "variable":
            row = np.zeros(size)
            row[:n], row[-1] = 1.0, -1.0
            a_eq.append(row), b_eq.append(0.0)
        c = np.zeros(size)
        if orientation == "output":
            c[n + m:n + m + s] = -1 / (s * outputs)
        else:
            c[n:n + m], c[-1] = -1 / (m * X[o]), 1.0
        res = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * size, method="highs")
        out.append(1 / (1 - res.fun) if orientation == "output" else res.fun)
    return np.array(out)


def test_undesirable_outputs_by_hand():
    """Tone (2003), variable returns. Every unit uses input 1, so only outputs move. A (1 good, 1 bad): no unit
    emits less than 1, and B makes 2 at that emission: s^g = 1, ρ = 1 / (1 + ½·1/1) = 2/3. F (5, 2): along
    B–C (bad 1 + λ, good 2 + 4λ) the slack term s^g/5 + s^b/2 = 0.3λ − 0.1 is largest at C: ρ = 1/1.1.
    B, C, D and E make the frontier (no unit makes more good with no more bad): ρ = 1."""
    rho, details = sbm(TONE_2003, np.ones((1, 3)), {"inputs": ["x"], "undesirable": ["yb"], "returns": "variable"},
                       ["x", "yg", "yb"], units=list("ABCDEFGHI"))
    assert rho[[0, 5]] == pytest.approx([2 / 3, 1 / 1.1])
    assert rho[1:5] == pytest.approx(1)
    assert details["slack_yg"][0] == pytest.approx(1) and details["target_yg"][5] == pytest.approx(6)
    assert details["target_yb"][5] == pytest.approx(2) and details["slack_x"] == pytest.approx(0)
    assert rho == pytest.approx(by_linprog(TONE_2003[:, :1], TONE_2003[:, 1:2], TONE_2003[:, 2:], "variable", "none"))


def test_tone_2001_example_by_hand_and_invariants():
    """D (8, 1 | 6, 1) is CCR-efficient, yet C uses the same inputs for 6 and 2: its shortfall 1 on y2 gives
    ρ = 1 / (1 + ½·1/1) = 2/3. C and E have no slack: 1. SBM is never above the CCR efficiency (Tone 2001,
    theorem 2), and is 1 only where CCR is 1 with no slack."""
    rho, details = sbm(TONE_2001, ONES, {"inputs": ["x1", "x2"]}, ["x1", "x2", "y1", "y2"], units=list("ABCDE"))
    assert rho[[2, 3, 4]] == pytest.approx([1, 2 / 3, 1])
    assert details["slack_y2"][3] == pytest.approx(1)
    ccr, _ = dea(TONE_2001, ONES, {"inputs": ["x1", "x2"], "slacks": False}, ["x1", "x2", "y1", "y2"])
    assert (rho <= ccr + 1e-9).all() and ccr[3] == pytest.approx(1)
    assert rho == pytest.approx(by_linprog(TONE_2001[:, :2], TONE_2001[:, 2:], np.zeros((5, 0)), "constant", "none"))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["constant", "variable"]), st.sampled_from(["none", "input", "output"]),
       st.booleans())
def test_sbm_matches_an_independent_solution_and_is_units_invariant(seed, returns, orientation, undesirable):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(10, 4))
    params = {"inputs": ["i0", "i1"], "returns": returns, "orientation": orientation,
              **({"undesirable": ["o1"]} if undesirable else {})}
    children = ["i0", "i1", "o0", "o1"]
    rho, _ = sbm(x, ONES, params, children)
    bad = x[:, 3:] if undesirable else np.zeros((10, 0))
    good = x[:, 2:3] if undesirable else x[:, 2:]
    assert rho == pytest.approx(by_linprog(x[:, :2], good, bad, returns, orientation), abs=1e-8)
    assert ((0 < rho) & (rho <= 1 + 1e-12)).all()
    again, _ = sbm(x * np.array([1e6, 1, 1e-3, 1]), ONES, params, children)
    assert again == pytest.approx(rho, abs=1e-7)
    if not undesirable:  # never above the radial efficiency of the same returns to scale
        radial, _ = dea(x, ONES, {"inputs": ["i0", "i1"], "slacks": False, "model": "CCR" if returns == "constant" else "BCC",
                                  "orientation": "output" if orientation == "output" else "input"}, children)
        assert (rho <= radial + 1e-9).all()


def super_by_linprog(X, Y, o, returns, orientation="none"):
    """Tone (2002)'s super-SBM of unit o written for scipy: variables Λ (o's fixed at 0), S⁻, S⁺, t; the least
    δ = (1 + mean S⁻/x) / (1 − mean S⁺/y) over the others' frontier (input oriented S⁺ = 0, output S⁻ = 0)."""
    n, m, s = len(X), X.shape[1], Y.shape[1]
    size = n + m + s + 1
    c = np.r_[np.zeros(n), 1 / (m * X[o]), np.zeros(s), 1.0]
    if orientation == "output":
        c = np.r_[np.zeros(n + m), 1 / (s * Y[o]), 0.0]
    a_ub, b_ub = [], []
    for i in range(m):  # Σ Λ x − S⁻ − t x_o ≤ 0
        row = np.zeros(size)
        row[:n], row[n + i], row[-1] = X[:, i], -1.0, -X[o, i]
        a_ub.append(row), b_ub.append(0.0)
    for r in range(s):  # −Σ Λ y − S⁺ + t y_o ≤ 0 and S⁺ − t y_o ≤ 0
        row = np.zeros(size)
        row[:n], row[n + m + r], row[-1] = -Y[:, r], -1.0, Y[o, r]
        a_ub.append(row), b_ub.append(0.0)
        row = np.zeros(size)
        row[n + m + r], row[-1] = 1.0, -Y[o, r]
        a_ub.append(row), b_ub.append(0.0)
    norm = np.r_[np.zeros(n + m), -1 / (s * Y[o]) if orientation == "none" else np.zeros(s), 1.0]
    a_eq, b_eq = [norm], [1.0]
    if returns == "variable":
        a_eq.append(np.r_[np.ones(n), np.zeros(m + s), -1.0]), b_eq.append(0.0)
    fixed = {"input": range(n + m, n + m + s), "output": range(n, n + m)}.get(orientation, ())
    bounds = [(0, 0) if j == o or j in fixed else (0, None) for j in range(size)]
    res = linprog(c, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs")
    if res.status == 2:
        return np.nan
    return 1 / (1 - res.fun) if orientation == "output" else res.fun


@pytest.mark.parametrize("returns", ["constant", "variable"])
@pytest.mark.parametrize("orientation", ["none", "input", "output"])
def test_super_sbm_matches_an_independent_solution(returns, orientation):
    """Super-SBM is at least 1 for the SBM-efficient units and the SBM score for the others, on Tone (2001)'s
    units and on random ones, in every orientation (a unit without a solution is NaN in both)."""
    rng = np.random.default_rng(7)
    for data in (TONE_2001, rng.uniform(1, 10, size=(12, 4))):
        params = {"inputs": ["x1", "x2"], "returns": returns, "orientation": orientation}
        rho, _ = sbm(data, ONES, params, ["x1", "x2", "y1", "y2"])
        delta, details = sbm(data, ONES, {**params, "super": True}, ["x1", "x2", "y1", "y2"],
                             units=[f"u{k}" for k in range(len(data))])
        efficient = rho >= 1 - 1e-9
        found = delta[efficient & ~np.isnan(delta)]
        assert (found >= 1 - 1e-9).all() and delta[~efficient] == pytest.approx(rho[~efficient])
        expected = [super_by_linprog(data[:, :2], data[:, 2:], o, returns, orientation) for o in np.flatnonzero(efficient)]
        assert delta[efficient] == pytest.approx(expected, nan_ok=True)
        assert details["efficiency"] == pytest.approx(rho)


def test_sbm_through_a_ruleset_and_bad_input(tmp_path, plugins):
    result = score(tmp_path, plugins, TONE_2001, normalise="none", method="sbm", params={"inputs": ["c0", "c1"]})
    assert result.nodes["score"][3] == pytest.approx(2 / 3) and "score" not in result.weights
    assert result.details["score"]["details"]["target_c3"][3] == pytest.approx(2)
    zero = TONE_2001.copy()
    zero[1, 0] = 0
    with pytest.raises(EngineError) as exc:
        score(tmp_path, plugins, zero, normalise="none", method="sbm", params={"inputs": ["c0", "c1"]})
    assert exc.value.diagnostics[0].code == "E_DOMAIN" and exc.value.diagnostics[0].units == ("u1",)
    for params, words in (({"inputs": ["c0"], "undesirable": ["c0"]}, "both an input and an undesirable output"),
                          ({"inputs": ["c0", "c1"], "undesirable": ["c2", "c3"]}, "one desirable output"),
                          ({"inputs": ["c0", "c1"], "undesirable": ["c3"], "super": True}, "not available")):
        with pytest.raises(EngineError) as exc:
            score(tmp_path, plugins, TONE_2001, normalise="none", method="sbm", params=params)
        assert words in str(exc.value)


def ddf_by_linprog(X, G, B, returns, with_inputs):
    """The directional distance programme of every unit written for scipy: variables λ, β; max β."""
    n = len(X)
    out = []
    for o in range(n):
        c = np.r_[np.zeros(n), -1.0]
        a_ub = [np.r_[X[:, i], X[o, i] if with_inputs else 0.0] for i in range(X.shape[1])]
        b_ub = list(X[o])
        a_ub += [np.r_[-G[:, r], G[o, r]] for r in range(G.shape[1])]
        b_ub += list(-G[o])
        a_eq = [np.r_[B[:, k], B[o, k]] for k in range(B.shape[1])]
        b_eq = list(B[o])
        if returns == "variable":
            a_eq.append(np.r_[np.ones(n), 0.0]), b_eq.append(1.0)
        res = linprog(c, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None,
                      bounds=[(0, None)] * n + [(None, None)], method="highs")
        out.append(-res.fun)
    return np.array(out)


def test_directional_distance_by_hand():
    """Two units using input 1: A makes 2 good and 2 bad, B 4 good and 2 bad. Along g = (0, y^g, −y^b), A reaches
    the frontier with λ_B = 1 − β and 4(1 − β) ≥ 2(1 + β): β = 1/3; B is on it: 0."""
    from govscore.plugins.ddf import ddf
    x = np.array([[1, 2, 2], [1, 4, 2]], dtype=float)
    beta, _ = ddf(x, np.ones((1, 3)), {"inputs": ["x"], "undesirable": ["b"]}, ["x", "g", "b"])
    assert beta == pytest.approx([1 / 3, 0])


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["constant", "variable"]), st.booleans())
def test_directional_distance_matches_an_independent_solution(seed, returns, with_inputs):
    from govscore.plugins.ddf import ddf
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, size=(10, 4))
    params = {"inputs": ["i0"], "undesirable": ["b"], "returns": returns,
              "direction": "inputs_and_outputs" if with_inputs else "outputs"}
    beta, _ = ddf(x, ONES, params, ["i0", "g0", "g1", "b"])
    assert beta == pytest.approx(ddf_by_linprog(x[:, :1], x[:, 1:3], x[:, 3:], returns, with_inputs), abs=1e-8)
    assert (beta >= -1e-12).all()
    again, _ = ddf(x * np.array([1e6, 1, 1e-3, 1]), ONES, params, ["i0", "g0", "g1", "b"])
    assert again == pytest.approx(beta, abs=1e-7)


def test_directional_distance_ranks_lowest_first(tmp_path, plugins):
    result = score(tmp_path, plugins, [[1, 2, 2], [1, 4, 2], [1, 3, 1]], normalise="none", method="directional_distance",
                   params={"inputs": ["c0"], "undesirable": ["c2"]})
    assert result.nodes["score"][1] == pytest.approx(0) and result.rank[0] == 3  # A, furthest from the frontier, last
