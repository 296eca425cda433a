"""Statistics gathered block by block merge to those of the whole column, and a gathered method run over
blocks (as out of core) gives what it gives in memory."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from govscore.engine.gather import CoMoments, Extremes, Gathered, Moments, NotYet, Passes, Sums
from govscore.engine.model import Indicator
from govscore.plugins import normalisers, weightings


def blocks_of(x, cuts):
    edges = sorted({0, len(x), *[c % (len(x) + 1) for c in cuts]})
    return [x[a:b] for a, b in zip(edges, edges[1:])] + [x[:0]]  # an empty block merges as nothing


def merged(statistic, parts):
    out = statistic.of(parts[0])
    for part in parts[1:]:
        out = out.merge(statistic.of(part))
    return out


columns = st.integers(2, 300).flatmap(lambda n: st.lists(st.floats(-1e6, 1e6), min_size=n * 3, max_size=n * 3)
                                      .map(lambda v: np.array(v).reshape(n, 3)))


@settings(max_examples=100, deadline=None)
@given(columns, st.lists(st.integers(0, 300), max_size=6))
def test_statistics_of_blocks_merge_to_those_of_the_whole(x, cuts):
    parts = blocks_of(x, cuts)
    whole_scale = max(1.0, np.abs(x).max())
    e = merged(Extremes, parts)
    assert np.array_equal(e.lo, x.min(axis=0)) and np.array_equal(e.hi, x.max(axis=0))  # exact
    s = merged(Sums, parts)
    assert s.count == len(x) and np.allclose(s.total, x.sum(axis=0), rtol=0, atol=1e-12 * whole_scale * len(x))
    m = merged(Moments, parts)
    assert np.allclose(m.mean, x.mean(axis=0), rtol=0, atol=1e-12 * whole_scale)
    assert np.allclose(m.std(1), x.std(axis=0, ddof=1), rtol=1e-9, atol=1e-9 * whole_scale)
    c = merged(CoMoments, parts)
    assert np.allclose(c.c / (len(x) - 1), np.cov(x, rowvar=False), rtol=1e-9, atol=1e-9 * whole_scale ** 2)


def test_extremes_leave_missing_values_out():
    x = np.array([[np.nan, 1.0], [2.0, np.nan], [5.0, 3.0]])
    e = Extremes.of(x[:1]).merge(Extremes.of(x[1:]))
    assert list(e.lo) == [2.0, 1.0] and list(e.hi) == [5.0, 3.0]


def over_blocks(method: Gathered, block_args, key="m"):
    """Run a gathered method as the out-of-core engine does: passes until every step is done, then apply block by block."""
    passes = Passes()
    while True:
        waiting = False
        for args in block_args:
            try:
                passes.run(key, method, args)
            except NotYet:
                waiting = True
        if not passes.finish_pass():
            assert not waiting
            break
    return [passes.run(key, method, args) for args in block_args]


def indicator(**kw):
    return Indicator(name="x", label="x", unit="", pointer="/indicators/x", **kw)


@pytest.mark.parametrize("name, params", [("minmax", {"scale": [0, 100]}), ("zscore", {}), ("zscore", {"deviation": "population"}),
                                          ("ratio", {}), ("ampi", {}), ("vector", {}), ("goalposts", {})])
def test_gathered_normalisers_over_blocks_give_what_they_give_in_memory(name, params):
    from govscore.engine.model import Bounds
    rng = np.random.default_rng(7)
    x = rng.gamma(2.0, 10.0, 5000)
    x[rng.random(5000) < 0.02] = np.nan
    method = {"minmax": normalisers.minmax, "zscore": normalisers.zscore, "ratio": normalisers.ratio,
              "ampi": normalisers.adjusted_mazziotta_pareto, "vector": normalisers.vector, "goalposts": normalisers.goalposts}[name]
    ind = indicator(goalposts=Bounds(0.0, 100.0))
    whole = method(x, "lower", params, ind)
    parts = [x[a:a + 777] for a in range(0, len(x), 777)]
    joined = np.concatenate(over_blocks(method, [(p, "lower", params, ind) for p in parts]))
    assert np.allclose(joined, whole, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert np.array_equal(np.isnan(joined), np.isnan(whole))


@pytest.mark.parametrize("name", ["entropy", "critic", "coefficient_of_variation", "standard_deviation", "pca"])
def test_gathered_weightings_over_blocks_give_what_they_give_in_memory(name):
    rng = np.random.default_rng(11)
    data = rng.random((6000, 4)) * [1, 2, 3, 4] + [1, 0.5, 2, 0.1]
    data[:, 3] += data[:, 0]  # correlated children
    data[rng.random(data.shape) < 0.01] = np.nan
    method = getattr(weightings, name)
    children = ["a", "b", "c", "d"]
    params = {"negative": "absolute"} if name == "pca" else {}
    w, details = method(children, params, data)
    assert w.sum() == pytest.approx(1.0)
    parts = [data[a:a + 1000] for a in range(0, len(data), 1000)]
    results = over_blocks(method, [(children, params, p) for p in parts])
    assert all(np.allclose(r[0], w, rtol=1e-12, atol=0) for r in results)  # every block gets the same weights
    assert np.allclose(results[0][0], w, rtol=1e-12, atol=1e-15)


def test_shape_of_blocks_merges_to_that_of_the_whole():
    """Pébay's (2008) updates of the third and fourth central moments: blocks merged give the whole column's."""
    from govscore.engine.gather import Shape
    x = np.random.default_rng(3).lognormal(0, 1.5, 2000)
    whole, parts = Shape.of(x), [Shape.of(p) for p in np.array_split(x, 7)]
    got = parts[0]
    for p in parts[1:]:
        got = got.merge(p)
    d = x - x.mean()
    assert got.count == 2000 and np.allclose([got.m2, got.m3, got.m4], [(d ** 2).sum(), (d ** 3).sum(), (d ** 4).sum()],
                                             rtol=1e-12)
    assert np.allclose([whole.m2, whole.m3, whole.m4], [got.m2, got.m3, got.m4], rtol=1e-12)


def test_winsorising_over_blocks_takes_the_steps_it_takes_in_memory():
    """The JRC rule out of core (plugins/treatments.py): planned from the extremes, the winmax + 1 distinct values
    at each end and the shape of the middle, then applied block by block: the same values, the same points
    winsorised or logged, and skewness and kurtosis within 1e-9, over columns that pass, are winsorised, or are
    logged (with ties, missing values, negative values and outliers)."""
    from govscore.plugins.treatments import winsorise_log
    rng = np.random.default_rng(5)
    seen = set()
    for trial in range(120):
        n = int(rng.integers(8, 400))
        x = rng.lognormal(0, rng.uniform(0.2, 2.5), n)
        if trial % 3 == 0:
            x = np.round(x, 1)
        if trial % 5 == 0:
            x[rng.integers(0, n, 3)] = rng.uniform(50, 500, 3)
        if trial % 7 == 0:
            x[rng.random(n) < 0.1] = np.nan
        if trial % 11 == 0:
            x = -x
        params = {"winmax": int(rng.integers(0, 8)), "log": bool(trial % 4)}
        y, details = winsorise_log(x, params, None)
        parts = over_blocks(winsorise_log, [(b, params, None) for b in np.array_split(x, int(rng.integers(2, 6)))])
        assert np.array_equal(np.concatenate([p[0] for p in parts]), y, equal_nan=True), trial
        assert list(np.concatenate([p[1]["points"] for p in parts])) == list(details["points"]), trial
        found = parts[-1][1]
        for key, value in details.items():
            if key != "points":
                assert found[key] == pytest.approx(value, rel=1e-9, nan_ok=True), (trial, key)
        seen.add("passed" if details["passed_before"] else "log" if details["log"] else "winsorised")
    assert seen == {"passed", "log", "winsorised"}
