"""Normalisers: worked examples and properties (range, monotonic in the right direction, raw-unit targets)."""

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from govscore.engine.diagnostics import EngineError, UnitsError
from govscore.engine.model import Bounds, Indicator
from govscore.plugins import normalisers as n

values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40).map(np.array)
positive = st.lists(st.floats(0.01, 1e6, allow_nan=False), min_size=2, max_size=40).map(np.array)


def ind(**kw):
    return Indicator(name="x", label="x", unit="", pointer="/indicators/x", **kw)


def assert_monotonic(x, y, direction):
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    steps = np.diff(ys)[np.diff(xs) > 0]
    if direction == "higher":
        assert np.all(steps >= -1e-9)
    else:
        assert np.all(steps <= 1e-9)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from(["higher", "lower"]), st.sampled_from([(0, 1), (0, 100), (1, 100)]))
def test_minmax_range_and_direction(x, direction, scale):
    assume(np.ptp(x) > 1e-6 * max(1.0, np.abs(x).max()))
    y = n.minmax(x, direction, {"scale": list(scale)}, ind())
    assert y.min() == pytest.approx(scale[0]) and y.max() == pytest.approx(scale[1])
    assert_monotonic(x, y, direction)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from(["higher", "lower"]))
def test_zscore_mean_sd_and_direction(x, direction):
    assume(np.std(x) > 1e-6 * max(1.0, np.abs(x).max()))
    y = n.zscore(x, direction, {"mean": 10, "sd": 2}, ind())
    assert y.mean() == pytest.approx(10, abs=1e-6) and y.std(ddof=1) == pytest.approx(2, rel=1e-6)
    assert_monotonic(x, y, direction)
    p = n.zscore(x, direction, {"mean": 10, "sd": 2, "deviation": "population"}, ind())
    assert p.mean() == pytest.approx(10, abs=1e-6) and p.std(ddof=0) == pytest.approx(2, rel=1e-6)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from(["higher", "lower"]))
def test_rank_and_percentile(x, direction):
    r = n.rank_normaliser(x, direction, {}, ind())
    assert r.min() == 1 and r.max() <= len(x)
    assert_monotonic(x, r, direction)
    p = n.percentile(x, direction, {}, ind())
    assert p.min() == 0 and p.max() <= 1
    assert_monotonic(x, p, direction)
    np.testing.assert_array_equal(n.borda(x, direction, {}, ind()), r - 1)  # the worst unit gets 0


@settings(max_examples=200, deadline=None)
@given(positive, st.floats(0.1, 1e5), st.sampled_from(["higher", "lower"]), st.sampled_from([None, 1.0, 1.2]))
def test_distance_to_target_uses_the_raw_target_whatever_the_direction(x, target, direction, cap):
    y = n.distance_to_target(x, direction, {"cap": cap}, ind(target=target))
    assert_monotonic(x, y, direction)
    if cap is not None:
        assert y.max() <= cap
    at_target = n.distance_to_target(np.array([target]), direction, {}, ind(target=target))
    assert at_target[0] == pytest.approx(1.0)  # meeting the target scores 1 in both directions


def test_distance_to_target_worked_example():
    # higher is better, target 80: 40 → 0.5, 100 → 1.25 (capped at 1); lower is better, target 3 days: 6 → 0.5
    assert n.distance_to_target(np.array([40.0, 100.0]), "higher", {}, ind(target=80)).tolist() == [0.5, 1.25]
    assert n.distance_to_target(np.array([40.0, 100.0]), "higher", {"cap": 1}, ind(target=80)).tolist() == [0.5, 1.0]
    assert n.distance_to_target(np.array([6.0, 1.5]), "lower", {}, ind(target=3)).tolist() == [0.5, 2.0]
    with pytest.raises(UnitsError) as exc:
        n.distance_to_target(np.array([6.0, 0.0]), "lower", {}, ind(target=3))
    assert exc.value.mask.tolist() == [False, True]


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from(["higher", "lower"]))
def test_goalposts_clip_to_the_scale_and_follow_direction(x, direction):
    y = n.goalposts(x, direction, {"scale": [0, 100]}, ind(goalposts=Bounds(-1000, 1000)))
    assert y.min() >= 0 and y.max() <= 100
    assert_monotonic(x, y, direction)


def test_goalposts_hdi_income_worked_example():
    # HDR 2023/2024 technical note 1: income index = (ln 15293.33 − ln 100) / (ln 75000 − ln 100) for Albania
    y = n.goalposts(np.array([15293.32651, 100000.0]), "higher", {"log": True}, ind(goalposts=Bounds(100, 75000)))
    assert y[0] == pytest.approx((np.log(15293.32651) - np.log(100)) / (np.log(75000) - np.log(100)))
    assert y[1] == 1.0  # above the upper goalpost: clipped
    # lower is better, goalposts in raw units: 2 days on goalposts 1–5 scores (5 − 2) / 4
    assert n.goalposts(np.array([2.0]), "lower", {}, ind(goalposts=Bounds(1, 5)))[0] == 0.75


def test_interval_falls_to_zero_at_each_goalpost():
    # optimum [35, 45], goalposts [25, 60]: the lower side falls over 10 years, the upper over 15,
    # so both goalposts score 0 (as the docs say) and 50 scores 1 − 5/15
    x = np.array([25.0, 30, 35, 40, 45, 50, 60, 70])
    y = n.interval(x, "range", {}, ind(optimum=Bounds(35, 45), goalposts=Bounds(25, 60)))
    np.testing.assert_allclose(y, [0, 0.5, 1, 1, 1, 2 / 3, 0, 0])
    # optimum 5–6 on goalposts 2–12: the value 2 is on a goalpost and scores 0 (not 0.5)
    assert n.interval(np.array([2.0, 3.5, 9.0]), "range", {}, ind(optimum=Bounds(5, 6), goalposts=Bounds(2, 12))).tolist() == [0, 0.5, 0.5]
    # without goalposts the data extremes are the outer bounds
    y = n.interval(np.array([20.0, 40, 50, np.nan]), "range", {"scale": [0, 100]}, ind(optimum=Bounds(35, 45)))
    np.testing.assert_allclose(y, [0, 100, 0, np.nan])
    # an optimum that reaches a goalpost: nothing beyond it scores above 0, nothing inside below 1
    assert n.interval(np.array([10.0, 12, 14]), "range", {}, ind(optimum=Bounds(10, 12), goalposts=Bounds(10, 14))).tolist() == [1, 1, 0]


def test_interval_common_slope_is_the_textbook_formula():
    # 郭亚军 (2007) 区间型: both sides fall over max(q1 − lo, hi − q2) = max(10, 15) = 15
    x = np.array([25.0, 30, 35, 40, 45, 50, 60, 70])
    y = n.interval(x, "range", {"slope": "common"}, ind(optimum=Bounds(35, 45), goalposts=Bounds(25, 60)))
    np.testing.assert_allclose(y, [1 / 3, 2 / 3, 1, 1, 1, 2 / 3, 0, 0])
    y = n.interval(np.array([20.0, 40, 50]), "range", {"scale": [0, 100], "slope": "common"}, ind(optimum=Bounds(35, 45)))
    np.testing.assert_allclose(y, [0, 100, 100 - 5 / 15 * 100])


def test_ratio_to_mean():
    x = np.array([1.0, 2.0, 3.0])
    assert n.ratio(x, "higher", {}, ind()).tolist() == [0.5, 1.0, 1.5]
    assert n.ratio(x, "lower", {"reference": 3}, ind()).tolist() == [3.0, 1.5, 1.0]


def test_adjusted_mazziotta_pareto_rescaling():
    # Mazziotta & Pareto (2016): goalposts reference ± Δ, Δ = half the range, mapped to 70 and 130.
    # x = 10, 20, 30 with reference 20: Δ = 10, so 10 → 70, 20 → 100, 30 → 130; lower is better mirrors it.
    x = np.array([10.0, 20.0, np.nan, 30.0])
    np.testing.assert_allclose(n.adjusted_mazziotta_pareto(x, "higher", {"reference": 20}, ind()), [70, 100, np.nan, 130])
    np.testing.assert_allclose(n.adjusted_mazziotta_pareto(x, "lower", {"reference": 20}, ind()), [130, 100, np.nan, 70])
    # an off-centre reference keeps the 60-point span: reference 15 → 10 scores 85, 30 scores 145
    np.testing.assert_allclose(n.adjusted_mazziotta_pareto(x, "higher", {"reference": 15}, ind()), [85, 115, np.nan, 145])
    # by default the reference is the mean of the units: 1, 2, 6 have mean 3 and range 5, 12 points a unit
    assert n.adjusted_mazziotta_pareto(np.array([1.0, 2.0, 6.0]), "higher", {}, ind()).tolist() == [76.0, 88.0, 136.0]


BANDS = [{"score": 100, "min": 95}, {"score": 80, "min": 85}, {"score": 60, "min": 70}, {"score": 0}]


def test_threshold_bands():
    # 分档计分: 100 from 95, 80 from 85, 60 from 70, else 0; a bound is reached when the value equals it
    x = np.array([99, 95, 94.9, 85, 70, 69.9, np.nan, -5])
    np.testing.assert_array_equal(n.thresholds(x, "higher", {"bands": BANDS}, ind()), [100, 100, 80, 80, 60, 0, np.nan, 0])
    # lower is better: at most 2 complaints 100, at most 5 scores 70, more than 5 nothing
    lower = [{"score": 100, "max": 2}, {"score": 70, "max": 5}, {"score": 0}]
    np.testing.assert_array_equal(n.thresholds(np.array([0, 2, 3, 5, 9]), "lower", {"bands": lower}, ind()), [100, 100, 70, 70, 0])
    # a value computed to land on a bound (0.1 × 3 is 0.30000000000000004) is on it
    noisy = [{"score": 1, "min": 0.975}, {"score": 0}]
    assert n.thresholds(np.array([0.7 + 0.1 + 0.1 + 0.075]), "higher", {"bands": noisy}, ind()).tolist() == [1]
    assert n.thresholds(np.array([0.1 * 3]), "lower", {"bands": [{"score": 1, "max": 0.3}, {"score": 0}]}, ind()).tolist() == [1]


@pytest.mark.parametrize("bands,direction,message", [
    (BANDS, "lower", "normalise.band_bound"),  # a lower-is-better indicator's bands give max
    ([{"score": 100}, {"score": 50, "min": 10}], "higher", "normalise.band_open"),
    ([{"score": 100, "min": 10}, {"score": 50, "min": 20}], "higher", "normalise.band_order"),
    ([{"score": 100, "max": 10}, {"score": 50, "max": 10}], "lower", "normalise.band_order"),
    ([{"score": 50, "min": 20}, {"score": 100, "min": 10}], "higher", "normalise.band_scores"),
])
def test_threshold_bands_that_cannot_be_right(bands, direction, message):
    with pytest.raises(EngineError) as exc:
        n.check_bands(direction, {"bands": bands}, ind())
    assert exc.value.diagnostics[0].code == "E_PARAMS" and exc.value.diagnostics[0].key == message


def test_threshold_bands_name_the_units_no_band_scores():
    with pytest.raises(UnitsError) as exc:
        n.thresholds(np.array([99.0, 50.0, np.nan]), "higher", {"bands": BANDS[:3]}, ind())
    assert exc.value.mask.tolist() == [False, True, False] and "min" in str(exc.value.diagnostic.hint)


def test_normalisers_keep_missing_values_missing():
    x = np.array([1.0, np.nan, 3.0])
    for f, kw in [(n.minmax, {}), (n.zscore, {}), (n.rank_normaliser, {}), (n.percentile, {}), (n.ratio, {}),
                  (n.adjusted_mazziotta_pareto, {}), (n.borda, {})]:
        assert np.isnan(f(x, "higher", {}, ind(**kw))[1]), f.__name__


def test_constant_indicators_cannot_be_rescaled():
    for f in (n.minmax, n.zscore, n.adjusted_mazziotta_pareto):
        with pytest.raises(EngineError) as exc:
            f(np.array([2.0, 2.0]), "higher", {}, ind())
        assert exc.value.diagnostics[0].code == "E_ZERO_RANGE"


COINR_CHECKS = Path(__file__).parent / "reference" / "coinr_asem" / "formula_checks_normalise_treat.csv"


@pytest.mark.parametrize("method,params,bounds,column", [
    (n.minmax, {"scale": [0, 100]}, None, "n_minmax_0_100"),
    (n.minmax, {"scale": [1, 10]}, None, "n_minmax_1_10"),
    (n.zscore, {}, None, "n_zscore_0_1"),
    (n.zscore, {"mean": 10, "sd": 2}, None, "n_zscore_10_2"),
    (n.rank_normaliser, {"ties": "min"}, None, "n_rank_min"),
    (n.rank_normaliser, {"ties": "average"}, None, "n_rank_average"),
    (n.percentile, {}, None, "n_prank"),
    (n.goalposts, {"scale": [0, 100]}, (0, 20), "n_goalposts_0_20_100"),
    (n.goalposts, {"clip": False}, (0, 20), "n_goalposts_0_20_1_notrunc"),
])
def test_normalisers_as_coinr(method, params, bounds, column):
    """COINr 1.1.14's normalisers on x = (3, 1, 4, 1, 5, 9, 2, 6, NA, 35), with a tie, a missing value
    and an outlier (formula_checks_normalise_treat.csv; tests/reference/README.md)."""
    with open(COINR_CHECKS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    x = np.array([float(r["x"]) if r["x"] != "NA" else np.nan for r in rows])
    expected = np.array([float(r[column]) if r[column] != "NA" else np.nan for r in rows])
    indicator = ind(goalposts=Bounds(*bounds)) if bounds else ind()
    np.testing.assert_allclose(method(x, "higher", params, indicator), expected, rtol=1e-12, equal_nan=True)
