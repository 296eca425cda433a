"""Fuzzy comprehensive evaluation (模糊综合评价): memberships, the four composition operators, the grade of
maximum membership and the defuzzified score, worked by hand; invariants; bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import compile_and_run, write_ruleset
from govscore.engine.diagnostics import EngineError

CENTRES = {"grades": ["优", "良", "差"], "centres": [90, 75, 60]}


def fuzzy_ruleset(tmp_path, rows, params):
    lines = ["id,c0,c1"] + [f"u{k},{a},{b}" for k, (a, b) in enumerate(rows, start=1)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = {"format": "govscore/1", "id": "fuzzy", "title": "fuzzy", "units": {"id": "id"},
           "sources": {"main": {"format": "csv", "path": "data.csv"}}, "normalise": "none",
           "indicators": {c: {"column": c, "direction": "higher"} for c in ("c0", "c1")},
           "nodes": {"F": {"method": "fuzzy_evaluation", "children": ["c0", "c1"], "weights": {"c0": 0.6, "c1": 0.4},
                           "params": params}}, "score": "F"}
    return write_ruleset(tmp_path, doc)


def test_triangular_memberships_by_hand():
    """Centres 90, 75, 60: 80 is 1/3 优 and 2/3 良; 65 is 1/3 良 and 2/3 差; beyond the ends a value is wholly the end grade."""
    from govscore.plugins.fuzzy import trapezoidal, triangular
    r = triangular(np.array([80.0, 65, 95, 50, 75]), [90, 75, 60])
    assert r == pytest.approx(np.array([[1 / 3, 2 / 3, 0], [0, 1 / 3, 2 / 3], [1, 0, 0], [0, 0, 1], [0, 1, 0]]))
    # plateaus [85, 100], [70, 80], [0, 60]: 82 lies 2/5 of the way from 80 to 85
    assert trapezoidal(np.array([82.0, 75, 65]), [[85, 100], [70, 80], [0, 60]]) == pytest.approx(
        np.array([[0.4, 0.6, 0], [0, 1, 0], [0, 0.5, 0.5]]))


@pytest.mark.parametrize("operator,b", [
    # R = [[1/3, 2/3, 0], [0, 1/3, 2/3]] with A = (0.6, 0.4); B normalised to sum 1
    ("weighted_average", [0.2, 0.4 + 0.4 / 3, 0.8 / 3]),                  # 0.6·R0 + 0.4·R1
    ("max_min", [0.25, 0.45, 0.3]),                                        # (1/3, 0.6, 0.4) / (4/3)
    ("max_product", np.array([0.2, 0.4, 0.8 / 3]) / (0.2 + 0.4 + 0.8 / 3)),  # (0.2, 0.4, 0.2667)
    ("min_bounded_sum", [0.2, 0.56, 0.24])])                               # (1/3, 0.9333, 0.4) / (5/3)
def test_the_four_composition_operators_by_hand(tmp_path, plugins, operator, b):
    result = compile_and_run(fuzzy_ruleset(tmp_path, [(80, 65), (95, 95), (50, 50)], {**CENTRES, "operator": operator}), plugins)
    details = result.details["F"]["details"]
    got = np.column_stack([details[f"B.{g}"] for g in CENTRES["grades"]])
    assert got[0] == pytest.approx(b)
    assert result.nodes["F"][0] == pytest.approx(np.dot(b, [90, 75, 60]))  # the score Σ b·v with the centres as values
    assert list(details["grade"]) == ["良", "优", "差"]  # maximum membership
    assert got[1] == pytest.approx([1, 0, 0]) and got[2] == pytest.approx([0, 0, 1])


def test_own_grade_values_and_trapezoids(tmp_path, plugins):
    params = {"grades": ["优", "良", "差"], "plateaus": [[85, 100], [70, 80], [0, 60]], "values": [100, 80, 40]}
    result = compile_and_run(fuzzy_ruleset(tmp_path, [(82, 75), (90, 65)], params), plugins)
    # u1: 0.6·(0.4, 0.6, 0) + 0.4·(0, 1, 0) = (0.24, 0.76, 0); score 24 + 60.8 = 84.8
    assert result.nodes["F"][0] == pytest.approx(84.8)
    assert result.details["F"]["details"]["B.良"][1] == pytest.approx(0.4 * 0.5)  # u2: 65 is half 良, half 差


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=2, max_size=2), st.sampled_from(["weighted_average", "max_min", "max_product",
                                                                               "min_bounded_sum"]))
def test_memberships_and_b_sum_to_one(values, operator):
    from govscore.plugins.fuzzy import fuzzy_evaluation, triangular
    x = np.array([values])
    assert triangular(x, [90, 75, 60]).sum(axis=-1) == pytest.approx(np.ones((1, 2)))
    score, details = fuzzy_evaluation(x, np.array([[0.6, 0.4]]), {**CENTRES, "operator": operator}, ["c0", "c1"])
    assert sum(details[f"B.{g}"][0] for g in CENTRES["grades"]) == pytest.approx(1)
    assert 60 - 1e-9 <= score[0] <= 90 + 1e-9


def test_details_of_a_method_called_block_by_block_cover_every_unit(tmp_path, plugins, monkeypatch):
    from govscore.engine import execute
    rows = [(50 + 9 * k, 95 - 8 * k) for k in range(5)]
    whole = compile_and_run(fuzzy_ruleset(tmp_path, rows, CENTRES), plugins)
    monkeypatch.setattr(execute, "BLOCK_ROWS", 2)  # three blocks: 2, 2 and 1 units
    blocked = compile_and_run(fuzzy_ruleset(tmp_path, rows, CENTRES), plugins)
    for key in ("B.优", "B.良", "B.差"):
        assert blocked.details["F"]["details"][key] == pytest.approx(whole.details["F"]["details"][key])
    assert list(blocked.details["F"]["details"]["grade"]) == list(whole.details["F"]["details"]["grade"])


def test_bad_scales_are_told(tmp_path, plugins):
    with pytest.raises(EngineError) as exc:
        compile_and_run(fuzzy_ruleset(tmp_path, [(80, 65)], {"grades": ["优", "良", "差"], "centres": [60, 75, 90]}), plugins)
    assert "the centres must fall" in str(exc.value)
    with pytest.raises(EngineError) as exc:
        compile_and_run(fuzzy_ruleset(tmp_path, [(80, 65)], {"grades": ["优", "差"], "centres": [90, 75, 60]}), plugins)
    assert "2 grades, 3 centres" in str(exc.value)
