"""Ranks (ties 1224 and others, within groups), rounding as published indices do it, and grades."""

import numpy as np
from scipy.stats import rankdata
from hypothesis import given, strategies as st

from govscore.engine.model import Band
from govscore.engine.ranking import grade, rank, ranks, round_values


def test_ties_methods():
    x = np.array([3.0, 1.0, 3.0, np.nan, 2.0, 5.0])
    assert rank(x, ties="min").tolist()[:3] == [2, 5, 2]
    assert rank(x, ties="dense").tolist()[:3] == [2, 4, 2]
    assert rank(x, ties="average").tolist()[:3] == [2.5, 5, 2.5]
    assert rank(x, ties="ordinal").tolist()[:3] == [2, 5, 3]
    assert np.isnan(rank(x)[3])
    assert rank(x, "ascending").tolist()[:3] == [3, 1, 3]


def test_ranks_within_groups():
    x = np.array([3.0, 1.0, 3.0, 2.0, 5.0, 4.0])
    groups = np.array([0, 1, 0, 0, 1, 1])
    assert rank(x, groups=groups).tolist() == [1, 3, 1, 3, 1, 2]


@given(st.lists(st.integers(0, 20), min_size=1, max_size=60))
def test_min_ranks_count_the_better_units(values):
    x = np.array(values, dtype=float)
    expected = [1 + int((x > v).sum()) for v in x]
    assert rank(x).tolist() == expected


def test_rounding_half_up_like_a_spreadsheet():
    assert round_values(np.array([0.8005, 2.675, 1.005, -2.5, 0.0004999]), 3).tolist() == [0.801, 2.675, 1.005, -2.5, 0.0]
    assert round_values(np.array([2.5, 3.5, -0.5]), 0).tolist() == [3.0, 4.0, -1.0]
    assert round_values(np.array([2.5, 3.5, -0.5]), 0, "half_even").tolist() == [2.0, 4.0, -0.0]
    # decimals written with a 5 in the next place are halves, though binary stores them a hair below or above
    assert round_values(np.array([2.675, 2.665, 0.125, 0.135]), 2, "half_even").tolist() == [2.68, 2.66, 0.12, 0.14]
    assert round_values(np.array([2.675, 2.665, 0.125, 0.135]), 2).tolist() == [2.68, 2.67, 0.13, 0.14]
    assert np.isnan(round_values(np.array([np.nan]), 2)[0])


def test_grades_from_the_best_down():
    bands = (Band("优秀", 85), Band("良好", 70), Band("合格", 60), Band("不合格", None))
    assert grade(np.array([90, 85, 84.99, 60, 10, np.nan]), bands).tolist() == ["优秀", "优秀", "良好", "合格", "不合格", None]
    # without a catch-all band, values below the last minimum get no grade
    assert grade(np.array([50.0]), bands[:3]).tolist() == [None]


def test_a_value_on_a_bound_to_twelve_digits_is_on_it():
    # 0.7 + 0.1 + 0.1 + 0.075 is 0.9749999999999999: computed to land on the bound, it reaches it
    on_bound = 0.7 + 0.1 + 0.1 + 0.075
    assert on_bound < 0.975
    bands = (Band("优秀", 0.975), Band("其他", None))
    assert grade(np.array([on_bound, 0.9749999999, 0.975 * (1 - 2e-12)]), bands).tolist() == ["优秀", "其他", "其他"]
    # lower is better: just above a max bound by noise is on it, a real step above is not
    bands = (Band("好", None, 0.025), Band("差", None, None))
    assert grade(np.array([1 - 0.975, 0.02500001, np.nan]), bands).tolist() == ["好", "差", None]


def test_grades_with_max_bands_for_lower_is_better():
    bands = (Band("优秀", None, 0.1), Band("良好", None, 0.2), Band("较差", None, None))
    assert grade(np.array([0.0, 0.1, 0.15, 0.2, 0.5]), bands).tolist() == ["优秀", "优秀", "良好", "良好", "较差"]
    assert grade(np.array([0.5]), bands[:2]).tolist() == [None]  # above the last max: no grade


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), min_size=1, max_size=60),
       st.sampled_from(["min", "dense", "average", "ordinal"]), st.sampled_from(["descending", "ascending"]))
def test_ranks_within_groups_equal_ranks_of_each_group_alone(pairs, ties, order):
    groups = np.array([g for g, _ in pairs])
    values = np.array([float(v) for _, v in pairs])
    together = rank(values, order, ties, groups)
    for g in np.unique(groups):
        inside = groups == g
        assert together[inside].tolist() == rank(values[inside], order, ties).tolist()


@given(st.lists(st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 6))), min_size=1, max_size=60),
       st.sampled_from(["min", "dense", "average", "ordinal"]), st.sampled_from(["descending", "ascending"]))
def test_ranks_from_one_sort_equal_scipy_within_every_grouping(pairs, ties, order):
    """Overall and grouped ranks share one sort of the values; each must equal scipy's rankdata over
    the units (of the group) with a value, whether the codes fit a radix sort (< 65,536) or not."""
    groups = np.array([g for g, _ in pairs])
    values = np.array([np.nan if v is None else float(v) for _, v in pairs])
    overall, small, wide = ranks(values, order, ties, [None, groups, groups * 70_000])
    np.testing.assert_array_equal(small, wide)
    for got, inside in [(overall, np.ones(len(values), dtype=bool))] + [(small, groups == g) for g in np.unique(groups)]:
        present = inside & ~np.isnan(values)
        assert np.isnan(got[inside & np.isnan(values)]).all()
        if present.any():
            key = -values[present] if order == "descending" else values[present]
            assert got[present].tolist() == rankdata(key, method=ties).tolist()
