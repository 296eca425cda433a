"""Coupling coordination degree (耦合协调度): published and hand-worked examples, the named variants,
invariants, and bad input told as diagnostics."""

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import compile_and_run, engine, write_ruleset

# Urban and rural logistics levels of one province, 2011–2020, with C, T and D as published in Table 4 of
# "Urban-Rural Logistics Coupling Coordinated Development and Urban-Rural Integrated Development",
# Mathematical Problems in Engineering 2022, article 2969206 (two subsystems, equal weights, classic C).
PUBLISHED = [  # year, Uu, Ur, C, T, D
    (2011, 0.101, 0.280, 0.882, 0.190, 0.410), (2012, 0.165, 0.406, 0.906, 0.286, 0.509),
    (2013, 0.187, 0.427, 0.920, 0.307, 0.532), (2014, 0.238, 0.511, 0.931, 0.374, 0.590),
    (2015, 0.424, 0.421, 1.000, 0.422, 0.650), (2016, 0.538, 0.407, 0.990, 0.473, 0.684),
    (2017, 0.591, 0.466, 0.993, 0.528, 0.724), (2018, 0.694, 0.581, 0.996, 0.638, 0.797),
    (2019, 0.892, 0.662, 0.989, 0.777, 0.877), (2020, 0.879, 0.637, 0.987, 0.758, 0.865)]


def coupling_ruleset(tmp_path, rows, params=None, weights=None, language="zh-CN"):
    """A ruleset of one coupling node over the subsystem levels in ``rows`` (unit, level, level…), taken as they are."""
    names = [f"u{k}" for k in range(1, len(rows[0]))]
    data = io.StringIO()
    csv.writer(data).writerows([["id", *names]] + [list(r) for r in rows])
    (tmp_path / "levels.csv").write_text(data.getvalue(), encoding="utf-8")
    node = {"label": "耦合协调度 D", "method": "coupling_coordination", "children": names,
            "weights": weights or {n: 1 / len(names) for n in names}}
    if params is not None:
        node["params"] = params
    doc = {"format": "govscore/1", "id": "coupling", "title": "耦合协调", "language": language,
           "units": {"source": "main", "id": "id"}, "sources": {"main": {"format": "csv", "path": "levels.csv"}},
           "indicators": {n: {"column": n, "direction": "higher", "normalise": {"method": "none"}} for n in names},
           "nodes": {"D": node}, "score": "D"}
    return write_ruleset(tmp_path, doc)


def test_the_published_two_subsystem_example(tmp_path, plugins):
    result = compile_and_run(coupling_ruleset(tmp_path, [(y, uu, ur) for y, uu, ur, *_ in PUBLISHED]), plugins)
    details = result.details["D"]["details"]
    # the published levels are rounded to 3 decimals, so C, T and D agree to about 2 in the third
    assert details["C"] == pytest.approx([row[3] for row in PUBLISHED], abs=2e-3)
    assert details["T"] == pytest.approx([row[4] for row in PUBLISHED], abs=1e-3)
    assert result.nodes["D"] == pytest.approx([row[5] for row in PUBLISHED], abs=2e-3)
    # the ten bands of 田深圳 et al. (地理学报 2021, 76(4), table 1): 0.4 < D ≤ 0.5 濒临失调 … 0.8 < D ≤ 0.9 良好协调
    assert list(details["grade"]) == ["濒临失调", "勉强协调", "勉强协调", "勉强协调", "初级协调", "初级协调", "中级协调",
                                             "中级协调", "良好协调", "良好协调"]
    assert list(details["lagging"]) == ["u1"] * 4 + ["u2"] * 6  # urban logistics lags until 2015


def test_the_corrected_form_of_wang_2021_by_hand(tmp_path, plugins):
    """C = √[(1 − Σ_{i<j}|U_i − U_j| / (n(n−1)/2)) · (Π U_i / max U)^(1/(n−1))] (王淑佳 et al., 自然资源学报 2021,
    36(3)). Two subsystems 0.2, 0.8: (1 − 0.6)·(0.25) = 0.1, C = 0.316228, T = 0.5, D = √0.158114 = 0.397635.
    Three subsystems 0.5, 0.25, 1: the mean gap is 1.5/3 = 0.5, the ratio (0.125)^(1/2) = 0.353553, so
    C = √0.176777 = 0.420448; the classic C is 3·0.125^(1/3)/1.75 = 0.857143."""
    two = compile_and_run(coupling_ruleset(tmp_path, [("a", 0.2, 0.8)], {"coupling": "wang2021"}), plugins)
    assert two.details["D"]["details"]["C"][0] == pytest.approx(0.316228, abs=1e-6)
    assert two.nodes["D"][0] == pytest.approx(0.397635, abs=1e-6)
    three = [("a", 0.5, 0.25, 1.0)]
    corrected = compile_and_run(coupling_ruleset(tmp_path, three, {"coupling": "wang2021"}), plugins)
    assert corrected.details["D"]["details"]["C"][0] == pytest.approx(0.420448, abs=1e-6)
    classic = compile_and_run(coupling_ruleset(tmp_path, three), plugins)
    assert classic.details["D"]["details"]["C"][0] == pytest.approx(0.857143, abs=1e-6)
    assert classic.details["D"]["details"]["T"][0] == pytest.approx(1.75 / 3)
    assert corrected.details["D"]["details"]["lagging"][0] == "u2"


def test_spssau_rescaling_and_the_weights_of_t(tmp_path, plugins):
    # each subsystem onto [0.01, 0.99] over the units first: 0.01 + 0.98·(x − min)/(max − min)
    rows = [("a", 0.2, 0.5), ("b", 0.6, 0.9), ("c", 0.4, 0.1)]
    result = compile_and_run(coupling_ruleset(tmp_path, rows, {"rescale": True}, weights={"u1": 0.7, "u2": 0.3}), plugins)
    u1 = 0.01 + 0.98 * (np.array([0.2, 0.6, 0.4]) - 0.2) / 0.4
    u2 = 0.01 + 0.98 * (np.array([0.5, 0.9, 0.1]) - 0.1) / 0.8
    t = 0.7 * u1 + 0.3 * u2
    c = 2 * np.sqrt(u1 * u2) / (u1 + u2)
    assert result.details["D"]["details"]["T"] == pytest.approx(t)
    assert result.nodes["D"] == pytest.approx(np.sqrt(c * t))


def test_children_on_0_to_100_and_the_boundary_of_a_band(tmp_path, plugins):
    # equal levels couple fully (C = 1), so D = √T: 0.81 gives D = 0.9 exactly, on the boundary of 优质协调
    upper = compile_and_run(coupling_ruleset(tmp_path, [("a", 81, 81)], {"full": 100}), plugins)
    assert upper.nodes["D"][0] == pytest.approx(0.9) and upper.details["D"]["details"]["grade"][0] == "良好协调"
    assert upper.details["D"]["details"]["lagging"][0] is None  # neither lags
    lower = compile_and_run(coupling_ruleset(tmp_path, [("a", 81, 81)], {"full": 100, "boundary": "lower"}), plugins)
    assert lower.details["D"]["details"]["grade"][0] == "优质协调"
    bands = [{"above": 0.5, "label": "coordinated"}, {"above": 0, "label": "not yet"}]
    own = compile_and_run(coupling_ruleset(tmp_path, [("a", 81, 81), ("b", 10, 20)], {"full": 100, "bands": bands}), plugins)
    assert list(own.details["D"]["details"]["grade"]) == ["coordinated", "not yet"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), min_size=1, max_size=20))
def test_c_and_d_stay_within_0_and_1_in_both_forms(levels):
    from govscore.plugins.coupling import coupling_coordination, coupling_degree
    x = np.array(levels)
    w = np.full((1, 4), 0.25)
    for form in ("classic", "wang2021"):
        d, details = coupling_coordination(x, w, {"coupling": form}, ["a", "b", "c", "d"], units=np.arange(len(x)))
        assert np.all((details["C"] >= -1e-12) & (details["C"] <= 1 + 1e-12)) and np.all((d >= -1e-12) & (d <= 1 + 1e-12))
        equal = np.ptp(x, axis=1) == 0
        assert np.all(np.isnan(coupling_degree(np.array([[np.nan, 0.5]]), form)))  # a missing level: no C
        assert np.allclose(details["C"][equal & (x[:, 0] > 0)], 1.0)  # equal levels couple fully


def test_bad_input_is_told(tmp_path, plugins):
    negative = engine("run", coupling_ruleset(tmp_path, [("a", -0.1, 0.5), ("b", 0.2, 0.3)]), "-q")
    assert negative.returncode == 1 and "E_DOMAIN" in negative.stderr and "a" in negative.stderr
    above = engine("run", coupling_ruleset(tmp_path, [("a", 80, 50), ("b", 0.2, 0.3)], language="en"), "-q")
    assert above.returncode == 1 and "between 0 and 1" in above.stderr and '"full": 100' in above.stderr
    one = engine("run", coupling_ruleset(tmp_path, [("a", 0.5)], language="en"), "-q")
    assert one.returncode == 1 and "two or more subsystems" in one.stderr
    zeros = engine("run", coupling_ruleset(tmp_path, [("a", 0, 0), ("b", 0.2, 0.3)], language="en"), "-o", tmp_path / "d.csv")
    assert zeros.returncode == 0 and "W_METHOD" in zeros.stderr and "every subsystem is 0 for 1 unit(s)" in zeros.stderr
    assert "units: a\n" in zeros.stderr
    out = engine("run", coupling_ruleset(tmp_path, [("a", 0, 0), ("b", 0.2, 0.3)]), "-o", tmp_path / "all.csv", "--include", "all",
                 "-q")
    assert out.returncode == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "all.csv").read_text(encoding="utf-8-sig"))))
    assert float(rows[0]["D"]) == 0 and float(rows[0]["D.C"]) == 0 and rows[1]["D.grade"] == "濒临失调"
    assert rows[1]["D.lagging"] == "u1"
