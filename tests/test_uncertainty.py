"""Monte Carlo uncertainty and sensitivity analysis over the alternatives a ruleset declares."""

import json

import numpy as np
import pytest

from conftest import RULESETS, codes, engine, sample_data, write_ruleset
from govscore.engine.compiler import compile_document, load_ruleset
from govscore.engine.diagnostics import EngineError
from govscore.engine.loading import load_data
from govscore.engine.uncertainty import analyse, levels_text

# Three units, already on a common scale (normalise "none"). The headline H weighs c0 and c1 equally:
# A = (0.9, 0.2): mean 0.55, minimum 0.2; B = (0.5, 0.5): 0.5 and 0.5; C = (0.1, 0.1): 0.1 and 0.1.
# By the weighted mean A ranks 1 and B 2; by the minimum B ranks 1 and A 2; C is always 3rd.
CSV = "id,c0,c1\nA,0.9,0.2\nB,0.5,0.5\nC,0.1,0.1\n"


def document(uncertainty, nodes=None):
    return {
        "format": "govscore/1", "id": "mc", "title": "Monte Carlo test",
        "units": {"id": "id"}, "sources": {"data": {"format": "csv", "path": "data.csv"}},
        "normalise": "none",
        "indicators": {"c0": {"column": "c0", "direction": "higher"}, "c1": {"column": "c1", "direction": "higher"}},
        "nodes": nodes or {"H": {"method": "weighted_mean", "children": ["c0", "c1"], "weights": {"c0": 0.5, "c1": 0.5}}},
        "score": "H",
        "uncertainty": uncertainty,
    }


def analysis(tmp_path, plugins, doc, samples=None, seed=None, csv=CSV):
    (tmp_path / "data.csv").write_text(csv, encoding="utf-8")
    ruleset, diagnostics = load_ruleset(str(write_ruleset(tmp_path, doc)), plugins)
    assert ruleset is not None, "\n".join(d.format_text() for d in diagnostics)
    return analyse(ruleset, plugins, load_data(ruleset, plugins), samples, seed)


def problems(tmp_path, plugins, doc):
    (tmp_path / "data.csv").write_text(CSV, encoding="utf-8")
    ruleset, diagnostics = load_ruleset(str(write_ruleset(tmp_path, doc)), plugins)
    assert ruleset is None
    return [d for d in diagnostics if d.is_error]


def test_every_configuration_is_recorded_and_scored_as_recorded(tmp_path, plugins):
    # Two factors: the aggregator of H (weighted mean or minimum) and ±20% noise on its weights.
    # With weight w on c0 (and 1 − w on c1) A scores 0.9w + 0.2(1 − w) against B's 0.5: A leads when w > 3/7.
    # The weights each configuration records give, by hand, the ranks it must have produced.
    found = analysis(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean", "minimum"]},
                                                  "weights": {"H": {"noise": 0.2}}}), samples=400, seed=3)
    assert found["samples"] == len(found["configurations"]) == 100 * 4  # Saltelli: N·(D + 2) with D = 2
    assert found["nominal_rank"].tolist() == [1, 2, 3]
    flips = 0
    for c in found["configurations"]:
        w = c["weights"]["H"]
        assert w["c0"] + w["c1"] == pytest.approx(1) and 0.4 <= w["c0"] <= 0.6
        if c["aggregation"]["H"] == "minimum":
            a_first = False
        else:
            a_first = 0.9 * w["c0"] + 0.2 * w["c1"] > 0.5 * (w["c0"] + w["c1"])
        expected = 0 if a_first else 2 / 3  # A and B swap places: shifts 1, 1, 0 over three units
        flips += not a_first
        assert c["mean_absolute_rank_shift"] == pytest.approx(expected)
    assert 0 < flips < len(found["configurations"])
    assert found["rank_5"].tolist()[:2] == [1, 1] and found["rank_95"].tolist()[:2] == [2, 2]
    assert found["rank_5"][2] == found["rank_95"][2] == found["median_rank"][2] == 3
    by_name = {f["factor"]: f for f in found["factors"]}
    assert by_name["aggregation.H"]["levels"] == ["weighted_mean", "minimum"]
    assert by_name["weights.H"]["levels"] == "±20% uniform noise"  # a stable JSON value, in English
    assert by_name["weights.H"]["draw"] == {"kind": "noise", "size": 0.2}
    assert levels_text(by_name["weights.H"], "zh") == "±20% 均匀扰动"
    assert levels_text(by_name["aggregation.H"], "zh") == "weighted_mean、minimum"
    # the aggregator decides most flips (every minimum run flips; the weights only near w = 3/7)
    assert by_name["aggregation.H"]["total"] > by_name["weights.H"]["total"] > 0


def test_sobol_indices_match_the_hand_worked_values(tmp_path, plugins):
    # The flip of A and B above, worked out exactly. X1: the aggregator, minimum with probability 1/2 (always
    # flips). X2: the weights; with c0's weight w = (1 + u0) / (2 + u0 + u1), u0, u1 ~ U(−0.2, 0.2), A falls
    # behind B when w < 3/7, i.e. when 1 + 4·u0 < 3·u1: probability p = 1/24 (a triangle of the square).
    # The mean rank shift is (2/3)·Z with Z = 1 − (1 − X1)(1 − X2). Var Z = q(1 − q) with q = 1 − (1 − p)/2;
    # Var E[Z|X1] = ((1 − p)/2)², Var E[Z|X2] = p(1 − p)/4 (Sobol' 1993; Saltelli et al. 2010 for the
    # estimators): S1 = 529/575 = 0.920 and 23/575 = 0.040; with two factors ST1 = 1 − S2 = 0.960 and
    # ST2 = 1 − S1 = 0.080.
    found = analysis(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean", "minimum"]},
                                                  "weights": {"H": {"noise": 0.2}}}), samples=4000, seed=1)
    by_name = {f["factor"]: f for f in found["factors"]}
    aggregation, weights = by_name["aggregation.H"], by_name["weights.H"]
    assert aggregation["first_order"] == pytest.approx(529 / 575, abs=0.05)
    assert aggregation["total"] == pytest.approx(552 / 575, abs=0.04)
    assert weights["first_order"] == pytest.approx(23 / 575, abs=0.04)
    assert weights["total"] == pytest.approx(46 / 575, abs=0.03)
    flips = np.mean([c["mean_absolute_rank_shift"] > 0 for c in found["configurations"]
                     if c["aggregation"]["H"] == "weighted_mean"])
    assert flips == pytest.approx(1 / 24, abs=0.015)


def test_a_choice_that_moves_no_rank_has_zero_indices(tmp_path, plugins):
    # The node X is computed but not part of the score: whichever aggregator it uses, no rank moves.
    # Saltelli's estimators then give exactly 0: f(A) = f(AB_i) in every pair.
    nodes = {"H": {"method": "weighted_mean", "children": ["c0", "c1"]},
             "X": {"method": "weighted_mean", "children": ["c0", "c1"]}}
    found = analysis(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean", "minimum"],
                                                                  "X": ["weighted_mean", "geometric_mean"]}}, nodes),
                     samples=200)
    by_name = {f["factor"]: f for f in found["factors"]}
    assert by_name["aggregation.X"]["first_order"] == 0 and by_name["aggregation.X"]["total"] == 0
    # with the only other factor all-deciding, its indices are near 1
    assert by_name["aggregation.H"]["total"] == pytest.approx(1, abs=0.05)


def test_no_rank_moves_at_all(tmp_path, plugins):
    # weighted mean and weighted sum agree when the weights sum to 1: every interval is the nominal rank
    found = analysis(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean", "weighted_sum"]}}), samples=30)
    assert found["median_rank"].tolist() == found["rank_5"].tolist() == found["rank_95"].tolist() == [1, 2, 3]
    assert found["factors"][0]["first_order"] == found["factors"][0]["total"] == 0


def test_the_seed_makes_results_reproducible(tmp_path, plugins):
    doc = document({"weights": {"H": {"dirichlet": 5}}, "aggregation": {"H": ["weighted_mean", "minimum"]}})
    first = analysis(tmp_path, plugins, doc, samples=80, seed=11)
    again = analysis(tmp_path, plugins, doc, samples=80, seed=11)
    other = analysis(tmp_path, plugins, doc, samples=80, seed=12)
    assert first["configurations"] == again["configurations"] and first["factors"] == again["factors"]
    assert first["configurations"] != other["configurations"]
    for c in first["configurations"]:  # Dirichlet draws stay on the simplex
        assert sum(c["weights"]["H"].values()) == pytest.approx(1) and min(c["weights"]["H"].values()) >= 0


def test_a_rank_matrix_too_large_for_memory_goes_to_a_temporary_file(tmp_path, plugins, monkeypatch):
    import govscore.engine.uncertainty as uncertainty
    doc = document({"weights": {"H": {"dirichlet": 5}}, "aggregation": {"H": ["weighted_mean", "minimum"]}})
    in_memory = analysis(tmp_path, plugins, doc, samples=80, seed=11)
    monkeypatch.setattr(uncertainty, "RANKS_IN_MEMORY", 64)  # bytes: any matrix here is larger
    made = []
    monkeypatch.setattr(uncertainty, "_rank_matrix", lambda *a, f=uncertainty._rank_matrix: made.append(f(*a)) or made[-1])
    on_disk = analysis(tmp_path, plugins, doc, samples=80, seed=11)
    assert isinstance(made[0], np.memmap)
    for key in ("median_rank", "rank_5", "rank_95"):
        np.testing.assert_array_equal(on_disk[key], in_memory[key])
    assert on_disk["factors"] == in_memory["factors"]


def test_normaliser_and_imputation_alternatives(tmp_path, plugins):
    # A fourth unit D = (0.6, missing). Two factors: the imputation of c1 (mean or median of A, B, C) and
    # the normaliser (none, or min-max to [0, 1]). Each recorded configuration is re-scored here by hand:
    # fill D's c1, rescale if min-max, average, rank; its mean absolute rank shift must match.
    csv = CSV + "D,0.6,\n"
    doc = document({"missing": {"alternatives": ["impute_mean", "impute_median"]},
                    "normalise": {"alternatives": ["none", {"method": "minmax"}]}})
    doc["indicators"]["c1"]["missing"] = "impute_mean"
    found = analysis(tmp_path, plugins, doc, samples=40, csv=csv)
    values = {"c0": np.array([0.9, 0.5, 0.1, 0.6]), "c1": np.array([0.2, 0.5, 0.1, np.nan])}
    nominal = {"c0": values["c0"], "c1": np.where(np.isnan(values["c1"]), np.nanmean(values["c1"]), values["c1"])}
    score = (nominal["c0"] + nominal["c1"]) / 2
    assert found["nominal_rank"].tolist() == (np.argsort(np.argsort(-score)) + 1).tolist()
    seen = set()
    for c in found["configurations"]:
        seen.add((c["missing"], c["normalise"]))
        fill = np.nanmean if c["missing"] == "impute_mean" else np.nanmedian
        x = {k: np.where(np.isnan(v), fill(v), v) for k, v in values.items()}
        if c["normalise"] != "none":
            x = {k: (v - v.min()) / np.ptp(v) for k, v in x.items()}
        ranks = np.argsort(np.argsort(-(x["c0"] + x["c1"]) / 2)) + 1
        assert c["mean_absolute_rank_shift"] == pytest.approx(np.abs(ranks - found["nominal_rank"]).mean())
    assert seen == {(m, n) for m in ("impute_mean", "impute_median") for n in ("none", "minmax")}
    assert any(c["mean_absolute_rank_shift"] > 0 for c in found["configurations"])  # min-max puts B above A


def test_the_ruleset_checks(tmp_path, plugins):
    nodes = {"H": {"method": "weighted_mean", "children": ["c0", "c1"]}, "F": {"formula": "H * 2"},
             "E": {"method": "dea", "children": ["c0", "c1"], "params": {"inputs": ["c0"]}}}
    found = problems(tmp_path, plugins, document({
        "weights": {"Z": {"noise": 0.2}, "F": {"noise": 0.2}, "E": {"noise": 0.1}},
        "aggregation": {"H": ["weighted_mean", "geometric_meen"]},
        "missing": {"alternatives": ["impute_group_mean", "impute_mean"]},
        "normalise": {"alternatives": ["minmax", "interval"], "indicators": ["c0", "c9"]},
    }, nodes))
    messages = {d.path: d for d in found}
    assert messages["/uncertainty/weights/Z"].code == "E_UNKNOWN_NAME"
    assert "formula" in messages["/uncertainty/weights/F"].message
    assert "chooses its own weights" in messages["/uncertainty/weights/E"].message
    assert messages["/uncertainty/aggregation/H/1"].code == "E_UNKNOWN_METHOD"
    assert "geometric_mean" in messages["/uncertainty/aggregation/H/1"].hint
    assert "group column" in messages["/uncertainty/missing/alternatives/0"].message
    assert messages["/uncertainty/normalise/alternatives/1"].code == "E_DIRECTION"  # interval needs an optimum
    assert messages["/uncertainty/normalise/indicators/1"].code == "E_UNKNOWN_NAME"
    assert all(d.line is not None for d in found)
    empty = problems(tmp_path, plugins, document({"samples": 100}))
    assert codes(empty) == ["E_SCHEMA_REQUIRED"] and "no alternative" in empty[0].message
    # a ratio's denominator must name children; the place given is the alternative's own
    found = problems(tmp_path, plugins, document({"aggregation": {"H": ["geometric_meen", {"method": "ratio",
                                                                                          "params": {"denominator": ["zz"]}}]}}))
    assert {d.path for d in found} == {"/uncertainty/aggregation/H/0", "/uncertainty/aggregation/H/1/params"}
    [short] = problems(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean"]}}))
    assert short.path == "/uncertainty/aggregation/H" and short.message == '"H": 1 item given, at least 2 needed.'
    [both] = problems(tmp_path, plugins, document({"weights": {"H": {"noise": 0.2, "dirichlet": 3}}}))
    assert "at most 1" in both.message and both.hint == "choose one of: noise, dirichlet"


def test_a_failing_configuration_is_named(tmp_path, plugins):
    # the geometric mean needs positive children; C's c1 is made 0
    with pytest.raises(EngineError) as exc:
        analysis(tmp_path, plugins, document({"aggregation": {"H": ["weighted_mean", "geometric_mean"]}}), samples=30,
                 csv=CSV.replace("C,0.1,0.1", "C,0.1,0"))
    [d] = exc.value.diagnostics
    assert d.code == "E_DOMAIN" and d.message.startswith("In the sampled configuration (aggregation: {'H': 'geometric_mean'})")
    assert d.text("zh").startswith("在抽样方案（aggregation: {'H': 'geometric_mean'}）中：节点“H”为几何平均")
    assert d.units == ("C",)


def test_an_alternative_that_mixes_scales_is_warned(tmp_path, plugins):
    # c0 and c1 are on min-max 0–100; a z-score for c0 alone would mix scales within H
    def warnings_for(uncertainty):
        doc = document(uncertainty)
        doc["normalise"] = {"method": "minmax", "params": {"scale": [0, 100]}}
        (tmp_path / "data.csv").write_text(CSV, encoding="utf-8")
        ruleset, diagnostics = load_ruleset(str(write_ruleset(tmp_path, doc)), plugins)
        assert ruleset is not None
        return [d for d in diagnostics if d.code == "W_SCALE"]

    same = {"method": "minmax", "params": {"scale": [0, 100]}}
    [w] = warnings_for({"normalise": {"alternatives": [same, "zscore"], "indicators": ["c0"]}})
    assert w.path == "/uncertainty/normalise/alternatives/1" and "c0" in w.message and "c1" in w.message
    assert "indicators" in w.hint
    # the same scale for some, or another scale for every indicator, mixes nothing
    assert warnings_for({"normalise": {"alternatives": [same, {"method": "percentile", "params": {"scale": [0, 100]}}],
                                       "indicators": ["c0"]}}) == []
    assert warnings_for({"normalise": {"alternatives": ["zscore", "rank"]}}) == []
    # min-max onto [0, 1] among values on [0, 100] is another scale too
    assert [w.path for w in warnings_for({"normalise": {"alternatives": ["minmax", same], "indicators": ["c1"]}})] == [
        "/uncertainty/normalise/alternatives/0"]


def test_a_ruleset_without_alternatives(tmp_path, plugins):
    doc = document({})
    del doc["uncertainty"]
    (tmp_path / "data.csv").write_text(CSV, encoding="utf-8")
    ruleset, _ = compile_document(doc, None, plugins, tmp_path)
    with pytest.raises(EngineError) as exc:
        analyse(ruleset, plugins, load_data(ruleset, plugins))
    assert exc.value.diagnostics[0].code == "E_SCHEMA_REQUIRED" and "--leave-one-out" in exc.value.diagnostics[0].hint


def test_sensitivity_command_on_the_shipped_ruleset(tmp_path):
    proc = engine("sensitivity", RULESETS / "governance.json", "--samples", "60", "--seed", "5", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "configurations scored (seed 5)" in proc.stdout and "aggregation of 治理水平 H" in proc.stdout
    assert "weights of 专业化 P" in proc.stdout and "median, 5% and 95%: of the unit's ranks" in proc.stdout
    assert "C104  城关街道光明社区" in proc.stdout  # units with their names
    assert "共评分 60 个方案（随机种子 5）" in engine("sensitivity", RULESETS / "governance.json", "--samples", "60",
                                                   "--seed", "5").stdout
    out = tmp_path / "mc.json"
    proc = engine("sensitivity", RULESETS / "governance.json", "--samples", "60", "--seed", "5", "--format", "json", "-o", out)
    assert proc.returncode == 0 and proc.stdout == ""
    body = json.loads(out.read_text(encoding="utf-8"))
    assert body["seed"] == 5 and len(body["units"]) == 72 and len(body["configurations"]) == body["samples"]
    assert {f["factor"] for f in body["factors"]} == {"normalise", "weights.H", "weights.P", "aggregation.H"}
    for u in body["units"]:
        assert u["rank_5"] <= u["median_rank"] <= u["rank_95"]
    again = engine("sensitivity", RULESETS / "governance.json", "--samples", "60", "--seed", "5", "--format", "json")
    assert json.loads(again.stdout) == body
    none = engine("sensitivity", RULESETS / "efficiency.json")
    assert none.returncode == 1 and "E_SCHEMA_REQUIRED" in none.stderr


def test_the_json_output_carries_the_analyses(tmp_path):
    # A ruleset whose JSON output asks for both analyses: engine run computes them once and writes
    # the same sections engine sensitivity prints.
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    doc["uncertainty"]["samples"] = 30
    doc["outputs"] = [{"format": "json", "path": "out.json", "params": {"sensitivity": True, "leave_one_out": True}}]
    path = write_ruleset(tmp_path, doc)
    proc = engine("run", path, "-q")
    assert proc.returncode == 0, proc.stderr
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    alone = json.loads(engine("sensitivity", path, "--format", "json").stdout)
    assert written["sensitivity"] == alone
    assert written["leave_one_out"] == json.loads(engine("sensitivity", path, "--leave-one-out", "--format", "json").stdout)
    assert len(written["units"]) == 72


def test_panel_units_are_told_apart_by_period(tmp_path):
    # The same three units in two years; in 2025 A and B swap places. Each (unit, year) gets its own ranks,
    # in the JSON and in the report.
    (tmp_path / "data.csv").write_text(
        "id,year,c0,c1\nA,2024,0.9,0.2\nB,2024,0.5,0.5\nC,2024,0.1,0.1\nA,2025,0.2,0.2\nB,2025,0.9,0.6\nC,2025,0.1,0.1\n",
        encoding="utf-8")
    doc = document({"aggregation": {"H": ["weighted_mean", "minimum"]}, "samples": 40, "seed": 3})
    doc["units"]["period"] = "year"
    doc["outputs"] = [{"format": "json", "path": "r.json", "params": {"sensitivity": True}},
                      {"format": "markdown", "path": "r.md", "params": {"sensitivity": True}}]
    path = write_ruleset(tmp_path, doc)
    proc = engine("run", path, "-q", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    listed = [line.split() for line in engine("sensitivity", path, "--lang", "en").stdout.splitlines()[-7:]]
    assert listed[0] == ["unit", "period", "nominal", "median", "5%", "95%"]
    assert [row[:3] for row in listed[1:]] == [["A", "2024", "1"], ["B", "2024", "2"], ["C", "2024", "3"],
                                               ["B", "2025", "1"], ["A", "2025", "2"], ["C", "2025", "3"]]
    units = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["sensitivity"]["units"]
    by = {(u["unit"], u["period"]): u for u in units}
    assert len(by) == 6
    assert by["A", "2024"]["rank_5"] == 1 and by["A", "2024"]["rank_95"] == 2  # mean puts A first, minimum B
    assert by["A", "2025"]["rank_5"] == by["A", "2025"]["rank_95"] == 2  # B leads 2025 either way
    assert by["B", "2025"]["nominal_rank"] == 1 and by["C", "2024"]["median_rank"] == 3
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| Unit | Period | Nominal | Median | 5% | 95% |" in text
    assert "| A | 2024 | 1 | 2.0 | 1.0 | 2.0 |" in text and "| A | 2025 | 2 | 2.0 | 2.0 | 2.0 |" in text
