"""Framework workbooks: a ruleset written as sheets a COIN Tool or Excel user fills in, and read back."""

import json
import shutil

import openpyxl
import pytest

from conftest import RULESETS, engine, needs_office, office_convert, sample_data, write_ruleset

SHIPPED = sorted(RULESETS.glob("*.json"))


def scores(path, cwd):
    proc = engine("run", path, "-o", "-", "--format", "json", "-q", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return [{k: v for k, v in unit.items()} for unit in json.loads(proc.stdout)["units"]]


@pytest.mark.parametrize("ruleset", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_ruleset_survives_the_round_trip(ruleset, tmp_path):
    book, again = tmp_path / "framework.xlsx", tmp_path / "ruleset.json"
    proc = engine("export", ruleset, "-o", book, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    proc = engine("import", book, "-o", again, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    sample_data(tmp_path)
    # the ruleset read back scores every unit exactly as the original
    assert scores(again, tmp_path) == scores(ruleset, RULESETS)
    # and writing it out again gives the same sheets: nothing drifts from one round to the next
    second = tmp_path / "second.xlsx"
    assert engine("export", again, "-o", second).returncode == 0
    first_book, second_book = openpyxl.load_workbook(book), openpyxl.load_workbook(second)
    assert first_book.sheetnames == second_book.sheetnames
    for name in first_book.sheetnames:
        assert list(first_book[name].values) == list(second_book[name].values), name


def test_what_the_sheets_cannot_hold_is_said(tmp_path):
    proc = engine("export", RULESETS / "governance.json", "-o", tmp_path / "f.xlsx", "--lang", "en")
    assert proc.returncode == 0
    assert 'the label and description of the weight set "beta"' in proc.stderr


def test_the_template_is_bilingual_with_drop_down_lists_and_reads_back(tmp_path):
    book = tmp_path / "framework.xlsx"
    assert engine("template", book).returncode == 0
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["设置 Settings", "指标 Indicators", "结构 Structure", "节点 Nodes", "等级 Grades", "其他 Other"]
    indicators = workbook["指标 Indicators"]
    assert indicators["A1"].value == "代码\ncode" and indicators["D1"].value == "方向\ndirection"
    lists = {str(v.sqref): v.formula1 for v in indicators.data_validations.dataValidation}
    assert any("正向" in formula and "higher" in formula for formula in lists.values())
    assert engine("import", book, "-o", tmp_path / "r.json").returncode == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["nodes"]["H"]["weights"] == {"S": 0.5, "L": 0.5}


def test_typical_mistakes_are_told_by_sheet_column_and_row(tmp_path):
    book = tmp_path / "framework.xlsx"
    assert engine("template", book).returncode == 0
    workbook = openpyxl.load_workbook(book)
    structure, indicators = workbook["结构 Structure"], workbook["指标 Indicators"]
    structure.append(["SS", "volunteers", 1])           # row 6: a parent that is no node
    structure["C4"] = 0.4                               # H's weights (rows 4 and 5) now 0.4 + 0.5 = 0.9
    indicators["D3"] = "正向指标"                         # the direction of petitions
    indicators.append([None, "人均培训时长", "小时"])      # row 4: a row without its code
    workbook.save(book)
    proc = engine("import", book, "-o", tmp_path / "r.json", "--lang", "en")
    assert proc.returncode == 1 and not (tmp_path / "r.json").exists()
    told = {line.split(": ")[0].split("[")[1].rstrip("]"): line for line in proc.stderr.splitlines() if "[" in line}
    assert set(told) == {"结构 Structure!A6", "结构 Structure!C4", "指标 Indicators!D3", "指标 Indicators!A4"}, proc.stderr
    assert "E_FRAMEWORK" in told["结构 Structure!A6"] and "E_WEIGHTS_SUM" in told["结构 Structure!C4"]
    assert "E_SCHEMA_VALUE" in told["指标 Indicators!D3"] and "E_FRAMEWORK" in told["指标 Indicators!A4"]
    assert '"SS" is not a node' in proc.stderr and "must not be empty" in proc.stderr


def test_an_import_never_overwrites_its_workbook_and_a_file_that_is_not_a_workbook_is_told(tmp_path):
    book = tmp_path / "framework.xlsx"
    assert engine("template", book).returncode == 0
    proc = engine("import", book, "-o", book)
    assert proc.returncode == 1 and "E_OUTPUT" in proc.stderr
    (tmp_path / "not.xlsx").write_text("hello", encoding="utf-8")
    proc = engine("import", tmp_path / "not.xlsx", "-o", tmp_path / "r.json")
    assert proc.returncode == 1 and "E_FRAMEWORK" in proc.stderr and "Traceback" not in proc.stderr


def test_coinr_metadata_comes_across_unchanged(tmp_path):
    """COINr's iMeta/iData tables of its ASEM example index (COINr 1.1.14, tests/reference/coinr_asem)
    become a ruleset with the same indicators, directions, framework and relative weights as COINr's;
    on the normalised data of COINr's overview vignette it gives COINr's published index to 1e-9."""
    import csv
    reference = RULESETS.parent / "tests" / "reference" / "coinr_asem"
    for name in ("ASEM_iMeta.csv", "ASEM_iData.csv", "overview_pipeline_dset_Normalised.csv"):
        shutil.copyfile(reference / name, tmp_path / name)
    proc = engine("import", tmp_path / "ASEM_iMeta.csv", "-o", tmp_path / "asem.json", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "asem.json").read_text(encoding="utf-8"))
    with open(reference / "ASEM_iMeta.csv", encoding="utf-8") as fh:
        meta = list(csv.DictReader(fh))
    indicators = [m for m in meta if m["Type"] == "Indicator"]
    assert list(doc["indicators"]) == [m["iCode"] for m in indicators]
    assert [doc["indicators"][m["iCode"]]["direction"] for m in indicators] == \
        ["higher" if m["Direction"] == "1" else "lower" for m in indicators]
    for m in (m for m in meta if m["Type"] == "Aggregate"):
        assert doc["nodes"][m["iCode"]]["children"] == [c["iCode"] for c in meta if c["Parent"] == m["iCode"]]
    assert doc["score"] == "Index" and doc["sources"]["data"]["path"] == "ASEM_iData.csv"
    assert engine("run", tmp_path / "asem.json", "-q", cwd=tmp_path).returncode == 0
    # the published index from COINr's own normalised data, with COINr's aggregation
    doc["sources"]["data"]["path"] = "overview_pipeline_dset_Normalised.csv"
    doc["normalise"] = "none"
    del doc["units"]["label"]  # that file holds codes only
    for spec in doc["indicators"].values():
        spec["direction"] = "higher"  # the normalised data have the directions applied already
    write_ruleset(tmp_path, doc, "normalised.json")
    got = {u["unit"]: u for u in scores(tmp_path / "normalised.json", tmp_path)}
    with open(reference / "overview_pipeline_results_full.csv", encoding="utf-8") as fh:
        published = list(csv.DictReader(fh))
    assert len(published) == 46
    for row in published:
        assert got[row["uCode"]]["Index"] == pytest.approx(float(row["Index"]), rel=1e-9) and got[row["uCode"]]["rank"] == int(row["Rank"])


@needs_office
def test_the_workbook_as_libreoffice_saves_and_prints_it(tmp_path):
    import subprocess

    book = tmp_path / "framework.xlsx"
    assert engine("export", RULESETS / "governance.json", "-o", book).returncode == 0
    out = tmp_path / "office"
    for target in ("xlsx", "pdf"):  # as an office that opens it in LibreOffice or WPS saves and prints it
        office_convert(book, target, out)
    # saved again by LibreOffice, the workbook still reads back as the same ruleset
    again = tmp_path / "again.json"
    proc = engine("import", out / "framework.xlsx", "-o", again, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    sample_data(tmp_path)
    assert scores(again, tmp_path) == scores(RULESETS / "governance.json", RULESETS)
    # printed: one landscape page a sheet, headings in both languages, Chinese drawn as text
    info = subprocess.run(["pdfinfo", str(out / "framework.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           6" in info and "841.89 x 595.3" in info  # A4 landscape, in points
    text = subprocess.run(["pdftotext", "-layout", str(out / "framework.pdf"), "-"], capture_output=True, text=True).stdout
    for word in ("代码", "code", "方向", "direction", "社区工作者人数", "volunteers_per_1000", "优秀"):
        assert word in text, word
