"""The report outputs: Markdown, and the self-contained HTML report checked in headless Chromium."""

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, RULESETS, engine, sample_data, write_ruleset



def report(tmp_path, fmt, ruleset=RULESETS / "governance.json", *extra):
    out = tmp_path / f"report.{fmt}"
    proc = engine("run", ruleset, "-o", out, "-q", *extra)
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes() if fmt == "xlsx" else out.read_text(encoding="utf-8")


def english_governance(tmp_path) -> Path:
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["language"] = "en"
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    return write_ruleset(tmp_path, doc)


def test_markdown_report(tmp_path):
    text = report(tmp_path, "md")
    for heading in ("# 社区治理水平评价 H", "## 概况", "## 排名", "## 各组维度得分", "## 权重", "## 方法说明", "## 提示与警告"):
        assert heading + "\n" in text
    ranking = text.split("## 排名")[1].split("##")[0]
    rows = [line for line in ranking.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == 72 and rows[0].startswith("| 1 | C104 |")
    assert "| 全部单位 |" in text and "优秀 ≥ 60" in text
    english = report(tmp_path, "md", english_governance(tmp_path))
    assert "## Ranking" in english and "## Method notes" in english and "higher is better" in english
    # what a weighting reports beside its weights, named in the reader's language
    ahp = report(tmp_path, "md", RULESETS / "governance_ahp.json")
    assert re.search(r"层次分析法（最大特征值 λmax [\d.]+，一致性指标 CI [\d.e-]+，随机一致性指标 RI 0.58，一致性比率 CR", ahp)
    assert re.search(r"AHP \(λmax [\d.]+, CI [\d.e-]+, RI 0.58, CR", report(tmp_path, "md", RULESETS / "governance_ahp.json", "--lang", "en"))


def test_markdown_limit(tmp_path):
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    doc["outputs"] = [{"format": "markdown", "path": "r.md", "params": {"limit": 5}}]
    proc = engine("run", write_ruleset(tmp_path, doc), "-q")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "另有 67 个单位" in text


def test_workbook(tmp_path):
    import numpy as np
    import openpyxl
    report(tmp_path, "xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["得分排名", "图表", "各节点", "标准化值", "贡献", "权重", "提示", "规则集", "运行信息"]
    scores = book["得分排名"]
    # what an office hands upwards: a title, every dimension, in rank order, filtered, printed A4 landscape
    assert scores["A1"].value == "社区治理水平评价 H (1.0.0)"
    assert [c.value for c in scores[2]] == ["编号", "名称", "分组", "社会化 S", "法治化 L", "智能化 I", "专业化 P", "治理水平 H",
                                            "名次", "名次 (分组)", "等级"]
    assert scores.freeze_panes == "A3" and scores.max_row == 74 and scores.auto_filter.ref == "A2:K74"
    assert scores.page_setup.orientation == "landscape" and scores.page_setup.paperSize == 9
    assert scores.sheet_properties.pageSetUpPr.fitToPage and scores.page_setup.fitToHeight == 0
    assert scores.print_title_rows == "$1:$2" and scores.print_area == "'得分排名'!$A$1:$K$74"
    assert scores["H3"].number_format == "0.00" and scores["I3"].number_format == "0"
    assert scores.column_dimensions["B"].width >= 16  # sized to the Chinese names
    rows = list(scores.iter_rows(min_row=3, values_only=True))
    assert [r[8] for r in rows] == sorted(r[8] for r in rows) and rows[0][0] == "C104" and rows[0][10] == "优秀"
    by_unit = {row[0]: (row[0], row[1], row[2], row[7], row[8], row[9], row[10]) for row in rows}
    fills = {scores.cell(k, 11).value: scores.cell(k, 11).fill.fgColor.rgb for k in range(3, 75)}
    assert len(set(fills.values())) == 4 and fills["优秀"] != fills["不合格"]  # a colour a grade
    # imputed values are marked, with the legend under the table
    normalised = book["标准化值"]
    header = [c.value for c in normalised[1]]
    marked = {(normalised.cell(k, 1).value, header[c.column - 1]) for k in range(2, 74) for c in normalised[k]
              if c.fill.fgColor.rgb not in (None, "00000000")}
    assert marked == {("C406", "居民议事参与率 (原始值)"), ("C511", "法律顾问服务时长 (原始值)"),
                      ("C306", "每千人智能感知设备 (原始值)"), ("C206", "人均培训时长 (原始值)")}
    assert normalised.cell(normalised.max_row, 1).value.startswith("填补值")
    assert normalised.print_area.endswith(f"$A$1:${normalised.cell(1, normalised.max_column).column_letter}${normalised.max_row}")
    # native charts: the dimensions by group from the table beside them, the ranking from the first sheet
    charts = book["图表"]
    assert [c.value for c in charts[2]][:5] == ["分组", "社会化 S", "法治化 L", "智能化 I", "专业化 P"]
    assert charts["A3"].value == "全部单位" and charts["G2"].value == "等级" and charts["G3"].value.startswith("优秀 (")
    columns, ranking = charts._charts
    assert columns.type == "col" and len(columns.series) == 4
    assert ranking.type == "bar" and len(ranking.series) == 1 and ranking.x_axis.scaling.orientation == "maxMin"  # best at the top
    series = ranking.series[0]
    assert (series.cat.strRef or series.cat.numRef).f == "得分排名!$B$3:$B$74" and series.val.numRef.f == "得分排名!$H$3:$H$74"
    colours = [p.spPr.solidFill.srgbClr for p in series.dPt]
    assert len(colours) == 72 and colours[0] != colours[-1]  # coloured by grade, best first as the sheet
    # the contributions of the indicators add up to the score (every aggregation is a weighted mean or sum)
    contributions = book["贡献"]
    for row in contributions.iter_rows(min_row=2, values_only=True):
        assert sum(row[3:]) == pytest.approx(by_unit[row[0]][3], abs=0.006)  # the score is rounded to 2 places
    weights = list(book["权重"].iter_rows(min_row=2, values_only=True))
    top = [w for w in weights if w[0] == "治理水平 H"]
    assert [w[1] for w in top] == ["社会化 S", "法治化 L", "智能化 I", "专业化 P"] and sum(w[2] for w in top) == pytest.approx(1)
    assert sum(w[3] for w in weights if w[0] != "治理水平 H") == pytest.approx(1)  # indicators' weights in the score
    ahp = tmp_path / "ahp"
    ahp.mkdir()
    report(ahp, "xlsx", RULESETS / "governance_ahp.json")
    rows = list(openpyxl.load_workbook(ahp / "report.xlsx")["权重"].iter_rows(values_only=True))
    assert rows[0][-1] == "赋权方法报告的数值" and any(str(r[-1]).startswith("最大特征值 λmax") for r in rows[1:])
    ruleset = "\n".join(r[0] for r in book["规则集"].iter_rows(min_row=2, values_only=True))
    assert json.loads(ruleset)["id"] == "grassroots-governance-level"
    run = dict(book["运行信息"].iter_rows(min_row=2, values_only=True))
    assert run["sha256"] and any(k.startswith("communities:") for k in run)
    english = tmp_path / "en"
    english.mkdir()
    report(english, "xlsx", english_governance(english))
    assert openpyxl.load_workbook(english / "report.xlsx").sheetnames[:4] == ["Scores", "Charts", "Nodes", "Normalised"]
    assert not np.isnan(by_unit["C104"][3])


def test_reports_carry_the_analyses(tmp_path):
    import openpyxl
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    doc["uncertainty"]["samples"] = 30
    asked = {"statistics": True, "sensitivity": True, "leave_one_out": True}
    doc["outputs"] = [{"format": fmt, "path": f"r.{ext}", "params": asked}
                      for fmt, ext in (("markdown", "md"), ("html", "html"), ("xlsx", "xlsx"))]
    proc = engine("run", write_ruleset(tmp_path, doc), "-q")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    for heading in ("## 指标统计", "### 维度的一致性与结构", "## 排名敏感性（蒙特卡洛）", "### 各抽样方案下的名次", "## 逐一剔除指标后的名次变化"):
        assert heading + "\n" in text
    assert "| 治理水平 H的合成方法 |" in text and "aggregation.H" not in text and "克朗巴赫 α" in text
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    for section in ("statistics", "sensitivity", "leave_one_out"):
        assert f'<section id="{section}">' in page
    names = openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames
    assert {"指标统计", "维度的一致性与结构", "排名敏感性（蒙特卡洛）", "各抽样方案下的名次", "逐一剔除指标后的名次变化"} <= set(names)


def test_group_means_skip_missing_values_and_follow_the_groups_ranking(small, plugins):
    from conftest import compile_and_run, small_ruleset
    from govscore.engine.report import build
    # the node S has a missing value in u2 (a left missing) and none at all in town 丙 (u5)
    doc = small_ruleset(language="zh-CN")
    doc["indicators"]["a"]["missing"] = "leave"
    doc["nodes"] = {"S": {"method": "weighted_mean", "children": ["a", "b"]},
                    "total": {"method": "weighted_mean", "children": ["S", "c"], "missing": "renormalise"}}
    csv = "id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,,20,4\nu3,三,乙,3,30,3\nu4,四,乙,4,40,2\nu5,五,丙,,15,1\n"
    result = compile_and_run(small(doc, csv=csv), plugins)
    means = dict(build(result).group_means)
    s, c = result.nodes["S"], result.normalised["c"]
    assert means["全部单位"] == pytest.approx([np.nanmean(s), np.mean(c)])
    assert means["甲"] == pytest.approx([s[0], (c[0] + c[1]) / 2]) and means["丙"][0] is None
    by_score = [g["group"] for g in result.group_summary()]
    assert [name for name, _ in build(result).group_means[1:]] == by_score


def test_group_summary_against_a_count_by_hand():
    """Per group: units, units scored, mean, lowest, highest; best mean first (ties in the order the
    groups first come), groups with no score last; a unit without a group counts in group None."""
    import pyarrow as pa
    from hypothesis import given, settings, strategies as st

    from govscore.engine.result import Result

    class Scored(Result):
        score = None  # given directly here, not read off a ruleset

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙", None]), st.one_of(st.none(), st.integers(0, 4))),
                    min_size=1, max_size=40))
    def check(rows):
        groups = [g for g, _ in rows]
        score = np.array([np.nan if v is None else v / 4 for _, v in rows])
        result = object.__new__(Scored)
        result.unit_groups, result.score = pa.array(groups, pa.string()), score
        expected = []
        for g in dict.fromkeys(groups):
            values = [x for x, h in zip(score, groups) if h == g and not np.isnan(x)]
            expected.append({"group": g, "units": groups.count(g), "scored": len(values),
                             "mean": sum(values) / len(values) if values else None,
                             "min": min(values) if values else None, "max": max(values) if values else None})
        expected.sort(key=lambda e: -e["mean"] if e["mean"] is not None else float("inf"))
        got = result.group_summary()
        assert [{k: v for k, v in e.items() if k != "mean"} for e in got] == [
            {k: v for k, v in e.items() if k != "mean"} for e in expected]
        for e, f in zip(got, expected):
            assert (e["mean"] is None and f["mean"] is None) or e["mean"] == pytest.approx(f["mean"], rel=1e-12)

    check()


def test_workbook_writes_text_as_text(small, tmp_path):
    # a name that starts with "=" must not become a formula in the workbook, nor an address a link
    import openpyxl
    from conftest import small_ruleset
    csv = "id,name,town,a,b,c\nu1,=1+1,甲,1,10,5\nu2,https://example.org,甲,2,20,4\nu3,三,乙,3,30,3\n"
    out = tmp_path / "r.xlsx"
    assert engine("run", small(small_ruleset(), csv=csv), "-o", out, "-q").returncode == 0
    sheet = openpyxl.load_workbook(out)["Scores"]
    names = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names["u1"] == "=1+1" and names["u2"] == "https://example.org"
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    assert cells["=1+1"].data_type == "s" and cells["https://example.org"].hyperlink is None


FORMULA_LIKE = ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)")


def test_a_label_that_looks_like_a_formula_is_text_in_every_format(small, tmp_path):
    # names and labels beginning with = + - @ would run as formulas in a spreadsheet: every output keeps them text
    import csv
    import io
    import docx
    import openpyxl
    from conftest import small_ruleset
    doc = small_ruleset(language="en")
    doc["indicators"]["b"]["label"] = "=HYPERLINK(1)"
    data = io.StringIO()
    csv.writer(data).writerows([["id", "name", "town", "a", "b", "c"]] + [[f"u{k}", name, "甲", k, 10 * k, 5 - k]
                                                                       for k, name in enumerate(FORMULA_LIKE, start=1)])
    path = small(doc, csv=data.getvalue())
    outputs = {ext: tmp_path / f"out.{ext}" for ext in ("csv", "xlsx", "html", "md", "docx")}
    proc = engine("run", path, *[a for p in outputs.values() for a in ("-o", p)], "-q")
    assert proc.returncode == 0, proc.stderr
    labelled = tmp_path / "labelled.csv"
    assert engine("run", path, "-o", labelled, "--headers", "labels", "--include", "all", "-q").returncode == 0
    for table in (outputs["csv"], labelled):
        cells = [c for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))) for c in row]
        assert not [c for c in cells if c[:1] in "=+-@" and c[:1]], table.name
        assert {"'" + name for name in FORMULA_LIKE} <= set(cells)
    assert any(c.startswith("'=HYPERLINK(1)") for c in next(csv.reader(io.StringIO(labelled.read_text(encoding="utf-8-sig")))))
    book = openpyxl.load_workbook(outputs["xlsx"])
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no cell of any sheet is a formula
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(FORMULA_LIKE) <= texts and any(t.startswith("=HYPERLINK(1)") for t in texts)
    page, markdown = outputs["html"].read_text(encoding="utf-8"), outputs["md"].read_text(encoding="utf-8")
    words = "\n".join(p.text for p in docx.Document(outputs["docx"]).paragraphs) + "\n".join(
        c.text for t in docx.Document(outputs["docx"]).tables for row in t.rows for c in row.cells)
    for name in FORMULA_LIKE:
        assert name.replace("|", "\\|") in markdown and name in words  # Markdown escapes the bar of a table
        assert name.replace("'", "&#39;") in page or name in page


def test_workbook_marks_values_the_outlier_treatment_changed(small, tmp_path):
    import openpyxl
    from conftest import small_ruleset
    doc = small_ruleset(language="en")
    doc["indicators"]["a"]["treat"] = {"method": "winsorise_log", "params": {"winmax": 1}}
    a = [1, 2, 3, 4, 5, 6, 7, 100]  # skewness 2.8, kurtosis 8: one step of winsorising brings 100 to 7
    csv = "id,name,town,a,b,c\n" + "".join(f"u{k},n{k},甲,{v},{k},{9 - k}\n" for k, v in enumerate(a, start=1))
    out = tmp_path / "r.xlsx"
    assert engine("run", small(doc, csv=csv), "-o", out, "-q").returncode == 0
    sheet = openpyxl.load_workbook(out)["Normalised"]
    header = [c.value for c in sheet[1]]
    filled = {(sheet.cell(k, 1).value, header[c.column - 1]) for k in range(2, 10) for c in sheet[k]
              if c.fill.fgColor.rgb not in (None, "00000000")}
    assert filled == {("u8", "甲 (raw)")}
    row = next(k for k in range(2, 10) if sheet.cell(k, 1).value == "u8")
    assert sheet.cell(row, header.index("甲 (raw)") + 1).value == 100  # the raw value is shown, marked
    legends = [sheet.cell(k, 1).value for k in range(10, sheet.max_row + 1) if sheet.cell(k, 1).value]
    assert legends == ["Treated: an outlier the ruleset's treatment changed before normalising (the raw value is shown)"]


def test_reports_put_what_a_method_found_for_its_node_in_words(tmp_path, plugins):
    """A Delphi round's Kendall W and p, an RSR regression and the units in each grade a method gave,
    best grade first, appear beside the node's method in the report (not only in the JSON)."""
    from conftest import compile_and_run
    from govscore.engine.report import weights_by_node
    from test_methods import score
    experts = [{"c0": 9, "c1": 7, "c2": 5}, {"c0": 8, "c1": 8, "c2": 6}, {"c0": 9, "c1": 6, "c2": 7}]
    x = [[1, 2, 3], [2, 1, 1], [3, 4, 2], [4, 3, 5], [5, 5, 4]]
    result = score(tmp_path, plugins, x, normalise="none", method="rank_sum_ratio",
                   weighting={"method": "delphi", "params": {"experts": experts}})
    regression = result.details["score"]["details"]["regression"]
    w = result.details["score"]["weights"]["concordance"]["W"]
    for lang, words in (("en", [f"Kendall's W {w:.4g}", f"slope {regression['slope']:.4g}", "R² ", "units per grade: "]),
                        ("zh", [f"肯德尔和谐系数 W {w:.4g}", "斜率", "决定系数 R²", "各等级单位数："])):
        part = weights_by_node(result, lang)[0]
        said = part["notes"] + part["aggregation"]  # the weighting's figures beside it, the method's beside the method
        assert all(word in said for word in words), said
        assert words[0] in part["notes"] and words[1] in part["aggregation"] and words[1] not in part["notes"]
    grades = list(result.details["score"]["details"]["grade"])
    counted = weights_by_node(result, "en")[0]["aggregation"].split("units per grade: ")[1]
    best = result.details["score"]["details"]["grade"][int(np.argmax(result.nodes["score"]))]
    assert counted.startswith(f"{best} {grades.count(best)}")  # the best grade first


def test_reports_say_what_a_frontier_method_found(tmp_path, plugins):
    """A DEA node has no weights to sit beside, so the methods paragraph says what it found: the model, the
    orientation, how many units are efficient and, under BCC, how many have each returns to scale (the four
    units of the DEA tests: increasing 2, constant 1, decreasing 1); a Malmquist index its mean changes
    (DEAP's example EG4: overall TFP change 1.061)."""
    from govscore.engine.report import build
    from test_malmquist import EG4, panel_ruleset
    from test_methods import DEA_UNITS, score
    from conftest import compile_and_run
    result = score(tmp_path, plugins, DEA_UNITS, normalise="none", method="dea", params={"inputs": ["c0"], "model": "BCC"})
    efficient = int((result.nodes["score"] >= 1 - 1e-7).sum())
    for lang, words in (("en", ["data envelopment analysis (BCC, input-oriented", f"efficient units {efficient}",
                                "returns to scale: increasing 2, constant 1, decreasing 1)"]),
                        ("zh", ["数据包络分析（BCC 模型，投入导向", f"有效单位数 {efficient}", "规模报酬：递增 2、不变 1、递减 1）"])):
        result.meta["language"] = lang
        sentence = next(m for m in build(result).methods if "envelopment" in m or "包络" in m)
        assert all(word in sentence for word in words), sentence
    panel = compile_and_run(panel_ruleset(tmp_path, EG4, {"orientation": "output"}), plugins)
    panel.meta["language"] = "en"
    sentence = next(m for m in build(panel).methods if "Malmquist productivity index (" in m)  # a name, not lowercased
    overall = panel.details["M"]["details"]["means"]["overall"]
    assert f"mean TFP change {overall['tfpch']:.4g}" in sentence and sentence.count("mean ") == 5, sentence
    assert "output-oriented" in sentence and "adjacent frontiers" in sentence and f"{overall['tfpch']:.3f}" == "1.061"
    assert "Used as they are, not normalised: x (higher is better), y (higher is better)." in build(panel).methods
