"""Fuzzy comprehensive evaluation (模糊综合评价): two published worked examples; memberships, the four
composition operators, the grade of maximum membership and the defuzzified score worked by hand;
declared memberships (questionnaire shares and counts); multi-level evaluation; invariants; bad input."""

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
        compile_and_run(fuzzy_ruleset(tmp_path, [(80, 65)], {"grades": ["优", "良", "差"], "centres": [90, 60, 75]}), plugins)
    assert "must run one way" in str(exc.value)
    with pytest.raises(EngineError) as exc:
        compile_and_run(fuzzy_ruleset(tmp_path, [(80, 65)], {"grades": ["优", "差"], "centres": [90, 75, 60]}), plugins)
    assert "2 grades, 3 given" in str(exc.value)


# 张敬信, mathmodels 包使用手册 (https://zhjx19.github.io/mathmodels-book/), 第 10 章 模糊综合评价.
GUIDE = "zhjx19 mathmodels-book ch. 10"


def test_declared_memberships_reproduce_the_clothing_example(tmp_path, plugins):
    """Ch. 10.2: a garment's colour, make, brand and style judged 好/一般/差 by a panel, r1 = (0.8, 0.1, 0.1),
    r2 = (0.7, 0.2, 0.1), r3 = (0.6, 0.2, 0.2), r4 = (0.7, 0.1, 0.2), weights (0.3, 0.3, 0.3, 0.1), M(·,⊕):
    μ = (0.70, 0.16, 0.14); with scores (90, 75, 50) the grade of maximum membership is 好 (90) and the
    weighted average 82. Two levels in govscore: one fuzzy_membership node per factor, one evaluation above."""
    shares = {"colour": (0.8, 0.1, 0.1), "make": (0.7, 0.2, 0.1), "brand": (0.6, 0.2, 0.2), "style": (0.7, 0.1, 0.2)}
    grades = ["好", "一般", "差"]
    columns = [f"{f}_{k}" for f in shares for k in range(3)]
    row = ",".join(str(v) for f in shares for v in shares[f])
    (tmp_path / "data.csv").write_text("id," + ",".join(columns) + "\ngarment," + row + "\n", encoding="utf-8")
    nodes = {f: {"method": "fuzzy_membership", "children": [f"{f}_{k}" for k in range(3)],
                 "params": {"grades": grades, "values": [90, 75, 50]}} for f in shares}
    nodes["garment"] = {"method": "fuzzy_evaluation", "children": list(shares),
                        "weights": {"colour": 0.3, "make": 0.3, "brand": 0.3, "style": 0.1},
                        "params": {"grades": grades, "values": [90, 75, 50]}}
    doc = {"format": "govscore/1", "id": "clothing", "title": GUIDE, "units": {"id": "id"},
           "sources": {"main": {"format": "csv", "path": "data.csv"}}, "normalise": "none",
           "indicators": {c: {"column": c, "direction": "higher"} for c in columns}, "nodes": nodes, "score": "garment"}
    result = compile_and_run(write_ruleset(tmp_path, doc), plugins)
    details = result.details["garment"]["details"]
    assert [details[f"B.{g}"][0] for g in grades] == pytest.approx([0.70, 0.16, 0.14])
    assert result.nodes["garment"][0] == pytest.approx(82)
    assert details["grade"][0] == "好"
    assert result.nodes["colour"][0] == pytest.approx(0.8 * 90 + 0.1 * 75 + 0.1 * 50)  # a factor's own score
    assert "colour" not in result.weights  # a declared membership has no weights of its own


FARMING = [("甲", 592.5, 3, 55, 72, 4), ("乙", 529, 2, 38, 105, 3), ("丙", 412, 1, 32, 85, 2)]


def farming_ruleset(tmp_path, **params):
    """Ch. 10.3 案例：耕作方案的模糊综合评价. Three schemes, five indicators, each with its own grading
    standard (the book's thresholds, read best grade first; quality, labour and ecological impact are
    better when lower, so their centres rise), weights (0.2, 0.1, 0.15, 0.3, 0.25), grades 优 良 中 差
    valued 90, 75, 60, 30."""
    names = ["product", "quality", "labour", "income", "ecology"]
    lines = ["id," + ",".join(names)] + [",".join(str(v) for v in row) for row in FARMING]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    centres = {"product": [550, 450, 350, 0], "quality": [1, 2, 3, 4], "labour": [20, 40, 60, 80],
               "income": [130, 90, 50, 0], "ecology": [1, 2, 3, 4]}
    doc = {"format": "govscore/1", "id": "farming", "title": GUIDE, "units": {"id": "id"},
           "sources": {"main": {"format": "csv", "path": "data.csv"}}, "normalise": "none",
           "indicators": {c: {"column": c, "direction": "higher"} for c in names},
           "nodes": {"F": {"method": "fuzzy_evaluation", "children": names,
                           "weights": dict(zip(names, [0.2, 0.1, 0.15, 0.3, 0.25])),
                           "params": {"grades": ["优", "良", "中", "差"], "centres": centres, "values": [90, 75, 60, 30],
                                      **params}}},
           "score": "F"}
    return write_ruleset(tmp_path, doc)


def test_per_indicator_grading_standards_reproduce_the_farming_case(tmp_path, plugins):
    """The book's evaluation vectors (printed worst grade first, here best first) and its weighted-average
    scores 61.5375, 75.5325 and 75.6975; by maximum membership 甲 is 中 (60), 乙 and 丙 良 (75)."""
    result = compile_and_run(farming_ruleset(tmp_path), plugins)
    details = result.details["F"]["details"]
    b = np.column_stack([details[f"B.{g}"] for g in ["优", "良", "中", "差"]])
    assert b[0] == pytest.approx([0.2000, 0.2025, 0.3475, 0.2500])
    assert b[1] == pytest.approx([0.2855, 0.4645, 0.2500, 0.0000])
    assert b[2] == pytest.approx([0.1600, 0.7265, 0.1135, 0.0000])
    assert result.nodes["F"] == pytest.approx([61.5375, 75.5325, 75.6975])
    assert list(details["grade"]) == ["中", "良", "良"]


def test_a_child_without_its_own_standard_is_named(tmp_path, plugins):
    path = farming_ruleset(tmp_path, centres={"product": [550, 450, 350, 0]})
    with pytest.raises(EngineError) as caught:
        compile_and_run(path, plugins)
    d = caught.value.diagnostics[0]
    assert d.code == "E_PARAMS" and "quality" in d.message and "centres" in d.message


def test_a_standard_that_turns_back_is_refused(tmp_path, plugins):
    centres = {c: [550, 450, 350, 0] for c in ["product", "quality", "labour", "income"]}
    path = farming_ruleset(tmp_path, centres={**centres, "ecology": [1, 3, 2, 4]})
    with pytest.raises(EngineError) as caught:
        compile_and_run(path, plugins)
    assert caught.value.diagnostics[0].code == "E_PARAMS" and "ecology" in caught.value.diagnostics[0].message


def survey_ruleset(tmp_path, rows, counts=False, top="fuzzy_evaluation", grades=("优", "良", "差")):
    """Two factors per dimension, two dimensions, declared shares per grade (questionnaire), then the index."""
    factors = {"service": ["wait", "manner"], "safety": ["patrol", "lighting"]}
    columns = [f"{f}_{k}" for d in factors.values() for f in d for k in range(3)]
    lines = ["id," + ",".join(columns)] + [f"u{n}," + ",".join(str(v) for v in row) for n, row in enumerate(rows, 1)]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nodes = {f: {"method": "fuzzy_membership", "children": [f"{f}_{k}" for k in range(3)],
                 "params": {"grades": ["优", "良", "差"], "values": [90, 70, 40], "counts": counts}}
             for d in factors.values() for f in d}
    nodes["service"] = {"method": "fuzzy_evaluation", "children": factors["service"], "weights": {"wait": 0.6, "manner": 0.4},
                        "params": {"grades": list(grades), "values": [90, 70, 40][:len(grades)]}}
    nodes["safety"] = {"method": "fuzzy_evaluation", "children": factors["safety"], "weights": {"patrol": 0.5, "lighting": 0.5},
                       "params": {"grades": ["优", "良", "差"], "values": [90, 70, 40]}}
    nodes["index"] = {"method": top, "children": ["service", "safety"], "weights": {"service": 0.7, "safety": 0.3},
                      **({"params": {"grades": ["优", "良", "差"], "values": [90, 70, 40]}} if top == "fuzzy_evaluation" else {})}
    doc = {"format": "govscore/1", "id": "survey", "title": "survey", "units": {"id": "id"},
           "sources": {"main": {"format": "csv", "path": "data.csv"}}, "normalise": "none",
           "indicators": {c: {"column": c, "direction": "higher"} for c in columns}, "nodes": nodes, "score": "index"}
    return write_ruleset(tmp_path, doc)


SURVEY = [(0.5, 0.3, 0.2, 0.2, 0.6, 0.2, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2)]


def test_multi_level_evaluation_composes_the_vectors_below(tmp_path, plugins):
    """B(service) = 0.6·(0.5, 0.3, 0.2) + 0.4·(0.2, 0.6, 0.2) = (0.38, 0.42, 0.20);
    B(safety) = 0.5·(0.1, 0.3, 0.6) + 0.5·(0.4, 0.4, 0.2) = (0.25, 0.35, 0.40);
    B(index) = 0.7·B(service) + 0.3·B(safety) = (0.341, 0.399, 0.260): grade 良, score 30.69 + 27.93 + 10.4 = 69.02."""
    result = compile_and_run(survey_ruleset(tmp_path, SURVEY), plugins)
    d = result.details
    assert [d["service"]["details"][f"B.{g}"][0] for g in "优良差"] == pytest.approx([0.38, 0.42, 0.20])
    assert [d["safety"]["details"][f"B.{g}"][0] for g in "优良差"] == pytest.approx([0.25, 0.35, 0.40])
    assert [d["index"]["details"][f"B.{g}"][0] for g in "优良差"] == pytest.approx([0.341, 0.399, 0.260])
    assert result.nodes["index"][0] == pytest.approx(69.02)
    assert d["index"]["details"]["grade"][0] == "良"


def test_counts_of_answers_become_shares(tmp_path, plugins):
    counts = [tuple(round(10 * v) for v in SURVEY[0])]  # ten answers per factor
    shares = compile_and_run(survey_ruleset(tmp_path, SURVEY), plugins)
    counted = compile_and_run(survey_ruleset(tmp_path, counts, counts=True), plugins)
    assert counted.nodes["index"] == pytest.approx(shares.nodes["index"])


def test_shares_that_do_not_add_up_to_one_name_the_units(tmp_path, plugins):
    rows = [SURVEY[0], (0.5, 0.5, 0.2) + SURVEY[0][3:]]  # u2's "wait" adds up to 1.2
    with pytest.raises(EngineError) as caught:
        compile_and_run(survey_ruleset(tmp_path, rows), plugins)
    d = caught.value.diagnostics[0]
    assert d.code == "E_DOMAIN" and d.units == ("u2",) and "wait" in d.message and d.path.endswith("/nodes/wait")
    assert "counts" in d.hint


def test_counts_must_count_someone(tmp_path, plugins):
    rows = [(0, 0, 0) + tuple(round(10 * v) for v in SURVEY[0][3:])]
    with pytest.raises(EngineError) as caught:
        compile_and_run(survey_ruleset(tmp_path, rows, counts=True), plugins)
    assert caught.value.diagnostics[0].code == "E_DOMAIN" and "wait" in caught.value.diagnostics[0].message


def test_negative_shares_are_refused(tmp_path, plugins):
    rows = [(1.2, -0.2, 0) + SURVEY[0][3:]]
    with pytest.raises(EngineError) as caught:
        compile_and_run(survey_ruleset(tmp_path, rows), plugins)
    assert caught.value.diagnostics[0].code == "E_DOMAIN" and caught.value.diagnostics[0].units == ("u1",)


def test_levels_in_different_grades_are_refused(tmp_path, plugins):
    with pytest.raises(EngineError) as caught:
        compile_and_run(survey_ruleset(tmp_path, SURVEY, grades=("好", "差")), plugins)
    d = caught.value.diagnostics[0]
    assert d.code == "E_PARAMS" and "wait" in d.message and "好" in d.message


def test_a_plain_parent_uses_the_scores_of_fuzzy_children(tmp_path, plugins):
    """A weighted mean above fuzzy nodes combines their scores Σ b·v like any other values."""
    result = compile_and_run(survey_ruleset(tmp_path, SURVEY, top="weighted_mean"), plugins)
    assert result.nodes["index"][0] == pytest.approx(0.7 * result.nodes["service"][0] + 0.3 * result.nodes["safety"][0])


def test_multi_level_evaluation_block_by_block(tmp_path, plugins, monkeypatch):
    from govscore.engine import execute
    rows = [SURVEY[0], (0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4, 0.9, 0.1, 0.0), SURVEY[0]]
    whole = compile_and_run(survey_ruleset(tmp_path, rows), plugins)
    monkeypatch.setattr(execute, "BLOCK_ROWS", 2)
    blocked = compile_and_run(survey_ruleset(tmp_path, rows), plugins)
    assert blocked.nodes["index"] == pytest.approx(whole.nodes["index"])
    assert whole.nodes["index"][0] == pytest.approx(whole.nodes["index"][2]) != pytest.approx(whole.nodes["index"][1])


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 150))
def test_memberships_of_a_rising_standard_mirror_a_falling_one(v):
    from govscore.plugins.fuzzy import trapezoidal, triangular
    x = np.array([v])
    assert triangular(x, [20, 40, 60, 80]) == pytest.approx(triangular(100 - x, [80, 60, 40, 20]))
    assert trapezoidal(x, [[0, 20], [30, 40], [50, 100]]) == pytest.approx(trapezoidal(-x, [[-20, 0], [-40, -30], [-100, -50]]))
    assert trapezoidal(x, [[0, 20], [30, 40], [50, 100]]).sum() == pytest.approx(1)
