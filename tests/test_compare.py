"""engine compare: two rulesets' results side by side."""

import json

import pytest

from conftest import RULESETS, compile_and_run, engine, small_ruleset, write_ruleset
from govscore.engine.compare import compare, document_differences


def test_a_ruleset_against_itself(small, plugins):
    result = compile_and_run(small(), plugins)
    found = compare(result, result)
    assert found["pearson"] == pytest.approx(1) and found["mean_absolute_rank_change"] == 0
    assert found["differences"] == [] and found["units_compared"] == 4


def test_weights_that_change_the_order(small, tmp_path, plugins):
    # The small ruleset scores u1..u4 as 0, 1/3, 2/3, 1 (ranks 4, 3, 2, 1). Declaring c (5, 4, 3, 2)
    # higher-is-better and giving it most of the weight reverses the order.
    base = compile_and_run(small(), plugins)
    doc = small_ruleset()
    doc["indicators"]["c"]["direction"] = "higher"
    doc["nodes"]["total"]["weights"] = {"a": 0.1, "b": 0.1, "c": 0.8}
    other = compile_and_run(small(doc), plugins)
    found = compare(base, other)
    # other: 0.1·a + 0.1·b + 0.8·c' with a = b = (0, 1/3, 2/3, 1) and c' = (1, 2/3, 1/3, 0): 0.8, 0.6, 0.4, 0.2
    assert [u["rank_b"] for u in found["units"]] == [1, 2, 3, 4]
    assert [u["rank_change"] for u in found["units"]] == [-3, -1, 1, 3]
    assert found["pearson"] == pytest.approx(-1)
    paths = {d["path"] for d in found["differences"]}
    assert paths == {"/indicators/c/direction", "/nodes/total/weights/a", "/nodes/total/weights/b", "/nodes/total/weights/c"}


def test_document_differences_name_added_and_removed_keys():
    diffs = document_differences({"a": 1, "b": [1, 2]}, {"b": [1, 3], "c": True})
    assert diffs == [{"path": "/a", "a": 1, "b": None}, {"path": "/b/1", "a": 2, "b": 3}, {"path": "/c", "a": None, "b": True}]


def test_compare_command():
    proc = engine("compare", RULESETS / "governance.json", RULESETS / "governance_entropy.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["units_compared"] == 72 and 0 < found["spearman"] < 1
    assert any(d["path"].startswith("/weights/") for d in found["differences"])
    assert "places on average" in engine("compare", RULESETS / "governance.json", RULESETS / "governance_ahp.json",
                                         "--lang", "en").stdout
    assert "名次平均变化" in engine("compare", RULESETS / "governance.json", RULESETS / "governance_ahp.json").stdout
    # a unit that moved from 63rd to 45th went up, and is named; the JSON carries its label
    c202 = next(u for u in found["units"] if u["unit"] == "C202")
    assert c202["label"] == "东湖镇和平社区" and c202["rank_change"] < 0
    text = engine("compare", RULESETS / "governance.json", RULESETS / "governance_entropy.json", "--lang", "en").stdout
    assert f"C202 东湖镇和平社区: rank {c202['rank_a']:g} → {c202['rank_b']:g} (up {-c202['rank_change']:g})" in text
    assert "（上升" in engine("compare", RULESETS / "governance.json", RULESETS / "governance_entropy.json").stdout


def test_compare_says_when_scores_do_not_correlate(small, tmp_path):
    # every unit scores the same under the second ruleset: no correlation, printed as "-", not a crash
    first = small()
    flat = small_ruleset(normalise="none")
    flat["indicators"]["k"] = {"formula": "a * 0 + 1"}
    flat["nodes"]["total"] = {"method": "weighted_mean", "children": ["k"]}
    second = write_ruleset(tmp_path, flat, "flat.json")
    proc = engine("compare", first, second, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "scores correlate - (Pearson), - (Spearman)" in proc.stdout
    found = json.loads(engine("compare", first, second, "--format", "json").stdout)
    assert found["pearson"] is None and found["units_compared"] == 4
