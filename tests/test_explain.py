"""engine explain: the path from raw values to one unit's score, and what-if changes."""

import csv
import io
import json
import re

import numpy as np
import pytest

from conftest import RULESETS, ROOT, engine, small_ruleset
from govscore.engine.compiler import load_ruleset
from govscore.engine.diagnostics import EngineError
from govscore.engine.execute import score
from govscore.engine.loading import load_data
from govscore.engine.explain import explain, format_explanation
from govscore.engine.whatif import what_if


@pytest.fixture(scope="module")
def governance():
    from govscore.engine.plugins import load_plugins
    plugins = load_plugins(autoload=False)
    ruleset, _ = load_ruleset(str(RULESETS / "governance.json"), plugins)
    data = load_data(ruleset, plugins)
    return ruleset, plugins, data, score(ruleset, plugins, data)


def test_contributions_add_up_to_the_score(governance):
    ruleset, plugins, data, result = governance
    for unit in ("C104", "C311", "C505"):
        e = explain(result, unit)
        assert e["additive"]
        assert sum(d["contribution"] for d in e["indicators"]) == pytest.approx(e["score"]["value"])
        assert sum(d["effective_weight"] for d in e["indicators"]) == pytest.approx(1)


def test_strongest_and_weakest_against_the_group(governance):
    ruleset, plugins, data, result = governance
    e = explain(result, "C311")
    gap = {d["name"]: d["normalised"] - d["group_mean"] for d in e["indicators"]}
    ordered = sorted(gap, key=gap.get)
    assert e["weakest"] == [n for n in ordered if gap[n] < 0][:3]
    assert e["strongest"] == [n for n in ordered[::-1] if gap[n] > 0][:3]
    assert len(e["weakest"]) == 3 and len(e["strongest"]) == 3
    assert e["group"] == "西山镇" and e["score"]["group_size"] == 12


def test_imputed_values_are_marked(governance):
    ruleset, plugins, data, result = governance
    e = explain(result, "C406")  # the sample data leaves its participation rate blank
    assert {d["name"]: d["imputed"] for d in e["indicators"]}["participation"] is True


def test_a_geometric_node_makes_contributions_not_additive(plugins):
    ruleset, _ = load_ruleset(str(ROOT / "tests" / "reference" / "undp_hdi_2022" / "hdi.json"), plugins)
    result = score(ruleset, plugins, load_data(ruleset, plugins))
    e = explain(result, "NOR")
    assert not e["additive"] and e["not_additive_at"] == "hdi"
    assert all(d["contribution"] is None for d in e["indicators"])
    # the HDI is the geometric mean of three indices, so ln HDI is the sum of the children's log terms
    terms = [d["log_contribution"] for d in e["indicators"] + e["nodes"] if d["log_contribution"] is not None]
    assert len(terms) == 3 and sum(terms) == pytest.approx(np.log(e["score"]["value"]))


def test_unknown_unit(governance):
    ruleset, plugins, data, result = governance
    with pytest.raises(EngineError) as exc:
        explain(result, "C3111")
    assert exc.value.diagnostics[0].hint == 'did you mean "C311"?'


def test_what_if_a_raw_value_changes(governance, tmp_path):
    ruleset, plugins, data, result = governance
    change = what_if(ruleset, plugins, data, result, "C311", {"online_rate": 80.0}, {})
    assert change["score_before"] == pytest.approx(result.score[result.unit_ids.to_pylist().index("C311")])
    # the same as scoring a copy of the data with that cell changed
    rows = (RULESETS / "data" / "communities.csv").read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    col = header.index("政务服务网办率_pct")
    parsed = list(csv.reader(io.StringIO("\n".join(rows))))
    for r in parsed[1:]:
        if r[0] == "C311":
            r[col] = "80"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(parsed)
    (tmp_path / "changed.csv").write_text(out.getvalue(), encoding="utf-8")
    direct = score(ruleset, plugins, load_data(ruleset, plugins, {"communities": str(tmp_path / "changed.csv")}))
    i = direct.unit_ids.to_pylist().index("C311")
    assert change["score_after"] == pytest.approx(direct.score[i]) and change["rank_after"] == direct.rank[i]
    assert change["score_after"] > change["score_before"]


def test_what_if_a_weight_changes(governance):
    ruleset, plugins, data, result = governance
    change = what_if(ruleset, plugins, data, result, "C311", {}, {"beta.I": 0.4})
    # β was S 0.3, L 0.3, I 0.2, P 0.2; with I = 0.4 the others keep their proportions: 0.225, 0.225, 0.15
    e = explain(result, "C311")
    nodes = {n["name"]: n["value"] for n in e["nodes"]}
    expected = 0.225 * nodes["S"] + 0.225 * nodes["L"] + 0.4 * nodes["I"] + 0.15 * nodes["P"]
    assert change["score_after"] == pytest.approx(expected)
    with pytest.raises(EngineError):
        what_if(ruleset, plugins, data, result, "C311", {}, {"beta.X": 0.4})
    with pytest.raises(EngineError):
        what_if(ruleset, plugins, data, result, "C311", {"volunteers_per_1000": 3.0}, {})  # a formula indicator
    with pytest.raises(EngineError) as exc:  # the other children would need negative weights
        what_if(ruleset, plugins, data, result, "C311", {}, {"beta.I": 1.5})
    assert "from 0 to 1" in exc.value.diagnostics[0].message


def test_what_if_weights_in_points_keep_their_total(small, plugins):
    # weights written as points (renormalised): giving a 5 of 10 points leaves b and c the other 5, 3 : 2
    doc = small_ruleset(weights={"points": {"method": "fixed", "renormalise": True,
                                            "params": {"values": {"a": 2, "b": 6, "c": 2}}}})
    doc["nodes"]["total"]["weights"] = "points"
    ruleset, _ = load_ruleset(str(small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,40,5\nu2,二,甲,2,10,4\nu3,三,乙,4,20,3\n")), plugins)
    data = load_data(ruleset, plugins)
    result = score(ruleset, plugins, data)
    change = what_if(ruleset, plugins, data, result, "u2", {}, {"points.a": 5})
    # u2 after min-max: a = 1/3, b = 0, c = 1/2 (c lower is better); weights 5, 3.75, 1.25 of 10
    assert change["score_after"] == pytest.approx(0.5 / 3 + 0.375 * 0 + 0.125 / 2)


PANEL = ("id,name,town,year,a,b,c\nu1,一,甲,2025,3,30,3\nu2,二,甲,2025,4,40,2\nu3,三,乙,2025,1,10,9\n"
         "u1,一,甲,2024,1,10,5\nu2,二,甲,2024,2,20,4\nu3,三,乙,2024,5,50,1\n")


def test_explain_panel_data_one_period_against_that_period(small, plugins, tmp_path):
    doc = small_ruleset()
    doc["units"]["period"] = "year"
    ruleset, _ = load_ruleset(str(small(doc, csv=PANEL)), plugins)
    data = load_data(ruleset, plugins)
    result = score(ruleset, plugins, data)
    latest = explain(result, "u1")  # the unit's latest period, though its 2024 row comes later in the file
    assert latest["period"] == "2025" and latest["score"]["value"] == pytest.approx(result.score[0])
    earlier = explain(result, "u1", "2024")
    assert earlier["period"] == "2024" and earlier["score"]["value"] == pytest.approx(result.score[3])
    # ranks, the group's average and the best value are those of the same period
    assert earlier["score"]["rank"] == result.rank[3] and earlier["score"]["ranked"] == 3
    a = {d["name"]: d for d in earlier["indicators"]}["a"]
    assert a["best"] == pytest.approx(result.normalised["a"][3:].max())
    assert a["group_mean"] == pytest.approx(result.normalised["a"][3:5].mean())  # u1, u2 of 甲 in 2024
    assert earlier["score"]["group_size"] == 2
    assert "period 2024" in format_explanation(earlier, "en")
    with pytest.raises(EngineError) as exc:
        explain(result, "u1", "2023")
    assert exc.value.diagnostics[0].hint == "its periods: 2024, 2025"
    # what if: the unit's row in that period changes, as if the file said so
    change = what_if(ruleset, plugins, data, result, "u1", {"a": 2.0}, {}, "2024")
    assert change["period"] == "2024" and change["score_before"] == pytest.approx(result.score[3])
    (tmp_path / "data.csv").write_text(PANEL.replace("u1,一,甲,2024,1,", "u1,一,甲,2024,2,"), encoding="utf-8")
    direct = score(ruleset, plugins, load_data(ruleset, plugins))
    assert change["score_after"] == pytest.approx(direct.score[3]) and change["rank_after"] == direct.rank[3]
    assert change["score_after"] != pytest.approx(change["score_before"])


def test_explain_period_without_panel_data(governance):
    ruleset, plugins, data, result = governance
    with pytest.raises(EngineError) as exc:
        explain(result, "C311", "2024")
    assert exc.value.diagnostics[0].code == "E_UNKNOWN_NAME"


def test_what_if_values_must_be_finite_numbers():
    for bad in ("online_rate=1e400", "online_rate=nan", "online_rate=1e200"):
        proc = engine("explain", RULESETS / "governance.json", "--unit", "C104", "--set", bad, "--lang", "en")
        assert proc.returncode == 2 and "finite and within ±1e+150" in proc.stderr, proc.stderr


def test_explain_command():
    proc = engine("explain", RULESETS / "governance.json", "--unit", "C104", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "contributions add up" in proc.stdout and "短板" in proc.stdout
    chinese = engine("explain", RULESETS / "governance.json", "--unit", "C104", "--set", "online_rate=99").stdout
    assert "各项贡献之和等于总分。" in chinese and "短板（低于城关街道平均）" in chinese and "假如 online_rate = 99" in chinese
    # Chinese punctuation in Chinese text: the group in full-width brackets, lists with 、 and ；
    assert chinese.startswith("C104 城关街道光明社区（城关街道）\n")
    assert re.search(r"^各节点：[^\n]*；", chinese, re.M) and re.search(r"^短板（低于城关街道平均）：[^,\n]+、", chinese, re.M)
    proc = engine("explain", RULESETS / "governance.json", "--unit", "C104", "--set", "online_rate=99", "--format", "json")
    body = json.loads(proc.stdout)
    assert body["explanation"]["unit"] == "C104" and body["what_if"]["score_after"] >= body["what_if"]["score_before"]
    assert engine("explain", RULESETS / "governance.json", "--unit", "nobody").returncode == 1
    assert engine("explain", RULESETS / "governance.json", "--unit", "C104", "--set", "online_rate").returncode == 2


def test_explain_says_which_columns_are_normalised_and_can_be_quiet(tmp_path):
    from conftest import sample_data, write_ruleset
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    doc["indicators"]["spare"] = {"column": "常住人口", "direction": "lower"}  # warned: no node uses it
    path = write_ruleset(tmp_path, doc)
    loud = engine("explain", path, "--unit", "C311", "--lang", "en")
    assert loud.returncode == 0 and "W_UNUSED" in loud.stderr
    assert "group mean (normalised)" in loud.stdout and "best (normalised)" in loud.stdout
    quiet = engine("explain", path, "--unit", "C311", "--lang", "en", "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout


OBSTACLE_CSV = "id,name,town,a,b,c\nu1,一,甲,1,40,2\nu2,二,甲,2,10,5\nu3,三,乙,3,20,3\nu4,四,乙,4,30,4\n"


def test_obstacle_degrees_of_a_hand_worked_example(small, tmp_path):
    """Worked by hand (障碍度模型, O_ij = F_j·I_ij / Σ_j F_j·I_ij, I = 1 − x′ of min-max onto [0, 1]): unit u2 has
    x′ = 1/3 on a, 0 on b (10 of 10–40), 0 on c (5 of 2–5, lower is better); with weights 0.5, 0.25, 0.25,
    F·I = 1/3, 1/4, 1/4, summing to 5/6: obstacle degrees 0.4, 0.3, 0.3."""
    from govscore.engine.obstacles import obstacle_degrees
    from govscore.engine.plugins import load_plugins

    plugins = load_plugins()
    ruleset, _ = load_ruleset(str(small(csv=OBSTACLE_CSV)), plugins)
    result = score(ruleset, plugins, load_data(ruleset, plugins))
    indicators, nodes = obstacle_degrees(result)
    assert [indicators[n][1] for n in "abc"] == pytest.approx([0.4, 0.3, 0.3])
    # u4 is best on a, but not on b (30) nor c (4): x′ = 1, 2/3, 1/3; F·I = 0, 1/12, 1/6 of 1/4 → 0, 1/3, 2/3
    assert [indicators[n][3] for n in "abc"] == pytest.approx([0, 1 / 3, 2 / 3])
    assert nodes == {}  # the score's own node is not reported: its obstacle degree is 1
    e = explain(result, "u2")
    assert e["obstacles"] == ["a", "b", "c"] and e["indicators"][0]["obstacle"] == pytest.approx(0.4)
    assert "Main obstacles (obstacle degree, 障碍度): 甲 40.0%, 乙 30.0%, 丙 30.0%" in format_explanation(e, "en")
    # written out with the other results of every unit: CSV, Parquet and JSON with include "all"
    out = tmp_path / "all.csv"
    assert engine("run", small(csv=OBSTACLE_CSV), "-o", out, "--include", "all", "-q").returncode == 0
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert [float(rows["u2"][f"{n}.obstacle"]) for n in "abc"] == pytest.approx([0.4, 0.3, 0.3])
    header = list(rows["u2"])
    assert header.index("c.obstacle") < header.index("rank") and "total.obstacle" not in header
    labelled = tmp_path / "labelled.csv"
    assert engine("run", small(csv=OBSTACLE_CSV), "-o", labelled, "--include", "all", "--headers", "labels", "-q").returncode == 0
    assert "甲 (Obstacle degree)" in labelled.read_text(encoding="utf-8-sig").splitlines()[0]


def test_obstacle_degrees_add_up_to_one_and_a_dimensions_is_its_indicators(governance):
    from govscore.engine.obstacles import obstacle_degrees

    result = governance[3]
    indicators, nodes = obstacle_degrees(result)
    total = sum(indicators.values())
    assert np.allclose(total[~np.isnan(total)], 1.0) and (~np.isnan(total)).sum() == result.size
    rs = result.ruleset
    for dimension in ("S", "L", "I", "P"):
        assert np.allclose(nodes[dimension], sum(indicators[c] for c in rs.nodes[dimension].children))
    assert all(np.all((v >= -1e-12) & (v <= 1 + 1e-12)) for v in indicators.values())
    # an unbounded normalisation has no deviation from the best: said, not computed
    proc = engine("explain", RULESETS / "ranking_topsis.json", "--unit", "C311", "--lang", "en")
    assert proc.returncode == 0 and "Obstacle degrees need every indicator normalised onto a fixed range" in proc.stdout
