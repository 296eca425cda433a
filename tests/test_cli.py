"""The command line, end to end: every shipped ruleset, exit codes, outputs, help."""

import csv
import hashlib
import io
import json
import re

import pytest

from conftest import RULESETS, ROOT, engine, small_ruleset

SHIPPED = sorted(RULESETS.glob("*.json"))


def test_the_shipped_rulesets_each_have_golden_cases():
    assert [p.name for p in SHIPPED] == ["effectiveness.json", "efficiency.json", "efficiency_dea.json", "governance.json",
                                         "governance_ahp.json", "governance_coupling.json", "governance_entropy.json", "grassroots.json",
                                         "ranking_topsis.json"]
    assert sorted(p.name for p in (RULESETS / "golden").glob("*.json")) == [p.name for p in SHIPPED]


def test_validate_all_shipped_rulesets():
    proc = engine("validate", *SHIPPED, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok") == len(SHIPPED)


@pytest.mark.parametrize("ruleset", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_run_every_shipped_ruleset_on_the_sample_data(ruleset, tmp_path):
    data = RULESETS / "data" / "communities.csv"
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    table = engine("run", ruleset)
    assert table.returncode == 0, table.stderr
    out = tmp_path / "out.json"
    proc = engine("run", ruleset, "-o", out, "-q")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    units = result["units"]
    assert len(units) == 72 and len({u["group"] for u in units}) == 6
    ranks = sorted(u["rank"] for u in units)
    assert ranks[0] == 1 and ranks[-1] <= 72 and all(u["grade"] for u in units)
    assert result["meta"]["inputs"][0]["sha256"] == before
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before  # inputs are never modified
    # the table on screen leads with the best unit
    best = min(units, key=lambda u: u["rank"])
    assert table.stdout.splitlines()[3].split()[1] == best["unit"]


def test_the_sample_gaps_are_filled_and_said():
    proc = engine("run", RULESETS / "governance.json")  # the ruleset is Chinese: so are the messages
    assert proc.returncode == 0
    imputed = [block for block in proc.stderr.split("rulesets/governance.json:") if "W_IMPUTED" in block]
    assert len(imputed) == 4 and any("participation" in b and "涉及单位：C406" in b and "缺失值已填补" in b for b in imputed)


def test_csv_output_opens_in_excel_with_labels(small, tmp_path):
    out = tmp_path / "r.csv"
    proc = engine("run", small(), "-o", out)
    assert proc.returncode == 0, proc.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["unit"] for r in rows] == ["u1", "u2", "u3", "u4"] and rows[3]["rank"] == "1"


def test_csv_headers_in_the_readers_language(tmp_path):
    out = tmp_path / "h.csv"
    assert engine("run", RULESETS / "governance.json", "-o", out, "-q", "--headers", "labels").returncode == 0
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert header == ["编号", "名称", "分组", "社会化 S", "法治化 L", "智能化 I", "专业化 P", "治理水平 H", "治理水平 H（舍入后）",
                      "名次", "组内名次", "等级"]
    assert engine("run", RULESETS / "governance.json", "-o", out, "-q", "--headers", "labels", "--include", "all",
                  "--lang", "en").returncode == 0
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert header[:3] == ["Unit", "Name", "Group"] and "每千人注册志愿者 (raw)" in header and "Rank in group" in header
    assert engine("run", RULESETS / "governance.json", "-o", out, "-q").returncode == 0  # codes stay the default, for tools
    assert out.read_text(encoding="utf-8-sig").startswith('"unit","label","group","S"')
    proc = engine("run", RULESETS / "governance.json", "-q", "--headers", "labels", "--lang", "en")
    assert proc.returncode == 2 and "--headers is for the formats that take it: csv" in proc.stderr


def test_csv_keeps_the_decimals_a_ruleset_rounds_to(tmp_path):
    # 67.60 in a two-decimal column, not 67.6: an office compares the CSV with its own table to the digit
    out = tmp_path / "h.csv"
    assert engine("run", RULESETS / "governance.json", "-o", out, "-q").returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 72 and all(re.fullmatch(r"\d+\.\d\d", r["H.rounded"]) for r in rows)
    assert any(r["H.rounded"].endswith("0") for r in rows)
    assert all(abs(float(r["H.rounded"]) - round(float(r["H"]) + 1e-9, 2)) < 1e-9 for r in rows)
    # the exact text of every value with two decimals, as the writer casts them
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    values = np.round(np.arange(-2000, 2000) * 0.01 + 0.005 * (np.arange(4000) % 2 == 0), 2)
    text = [str(v) for v in pc.cast(pa.array(values), pa.decimal128(38, 2), safe=False).to_pylist()]
    assert text == [f"{v:.2f}" for v in values]


def test_ruleset_outputs_are_written_relative_to_the_ruleset(small, tmp_path):
    path = small(small_ruleset(outputs=[{"format": "csv", "path": "out/scores.csv", "params": {"include": "all"}},
                                        {"format": "json", "path": "out/scores.json"}]))
    proc = engine("run", path, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    header = (tmp_path / "out" / "scores.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert '"a.raw"' in header and '"a.normalised"' in header
    assert json.loads((tmp_path / "out" / "scores.json").read_text(encoding="utf-8"))["score"] == "total"


def test_exit_code_1_for_a_ruleset_problem_with_the_line(small, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "govscore/1",\n  "id": "x",\n  "id": "y"\n}', encoding="utf-8")
    for command in ("run", "validate"):
        proc = engine(command, path)
        assert proc.returncode == 1
        assert f"{path}:4:" in proc.stderr and "E_JSON_DUPLICATE_KEY" in proc.stderr
    assert engine("run", tmp_path / "missing.json").returncode == 1


def test_exit_code_1_for_a_data_problem(small):
    proc = engine("run", small(csv="id,name,town,a,b,c\nu1,一,甲,1,10,x\nu2,二,甲,2,20,4\n"))
    assert proc.returncode == 1 and "E_DATA_NOT_NUMBER" in proc.stderr and "rows 2 ('x')" in proc.stderr


def test_exit_code_2_for_a_wrong_command_line(small):
    assert engine("run").returncode == 2
    assert engine("run", small(), "--colour").returncode == 2
    assert engine("run", small(), "--data", "nonsense").returncode == 2
    proc = engine("run", small(), "--format", "odt")
    assert proc.returncode == 2 and "table" in proc.stderr
    assert engine("frobnicate").returncode == 2


def test_problems_of_the_command_line_name_the_ruleset_they_ran(small):
    path = small()
    for args, words in ((("--data", "nosuch=x.csv"), 'names the source "nosuch"'),
                        (("-o", str(path.parent / "data.csv")), "one of the input files"),
                        (("--period", "2024"), "no periods")):
        command = "explain" if args[0] == "--period" else "run"
        proc = engine(command, path, *args, *(("--unit", "u1") if command == "explain" else ()), "--lang", "en")
        assert proc.returncode == 1 and words in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"{path}: error"), proc.stderr


def test_exit_code_3_for_a_failing_plugin(small, tmp_path):
    module = tmp_path / "failing.py"
    module.write_text(
        "from govscore.engine.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def register_normalisers(register):\n"
        "    register('explode', lambda x, d, p, i: 1 / 0, description='fails')\n")
    proc = engine("run", small(small_ruleset(normalise="explode")), "--plugin", module)
    assert proc.returncode == 3 and "E_PLUGIN_FAILED" in proc.stderr and "ZeroDivisionError" in proc.stderr


def test_validate_json_format(small):
    doc = small_ruleset()
    doc["score"] = "totl"
    proc = engine("validate", small(doc), "--format", "json")
    assert proc.returncode == 1
    [entry] = json.loads(proc.stdout)["files"]
    [d] = entry["diagnostics"]
    assert entry["ok"] is False and d["code"] == "E_NO_SCORE" and d["path"] == "/score" and d["line"] > 1
    # the same for every language of the command line, the Chinese beside the English
    assert json.loads(engine("validate", small(doc), "--format", "json", "--lang", "zh-CN").stdout) == json.loads(proc.stdout)
    assert d["message"] == 'The score "totl" is not a node or indicator of this ruleset.'
    assert d["message_zh"] == "总分“totl”不是本规则集的节点或指标。"
    assert d["hint"] == 'did you mean "total"?' and d["hint_zh"] == "是否想写“total”？"


def test_an_output_may_not_overwrite_an_input(small, tmp_path):
    path = small()
    before = (tmp_path / "data.csv").read_bytes()
    proc = engine("run", path, "-o", tmp_path / "data.csv")
    assert proc.returncode == 1 and "E_OUTPUT" in proc.stderr
    assert (tmp_path / "data.csv").read_bytes() == before


def test_help_and_version():
    proc = engine("--help")
    assert proc.returncode == 0 and "Examples:" in proc.stdout and "Exit codes" in proc.stdout
    for command in ("run", "validate", "plugins", "schema"):
        assert engine(command, "--help").returncode == 0
    assert "engine run rulesets/governance.json -o out/h.csv" in engine("run", "--help").stdout
    assert engine("--version").stdout.startswith("govscore engine, version ")


def test_schema_command_prints_the_published_schema():
    proc = engine("schema")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text(encoding="utf-8"))


def test_the_output_format_follows_the_extension(small, tmp_path):
    path = small()
    assert engine("run", path, "-o", tmp_path / "r.txt", "-q").returncode == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("小规则集")
    proc = engine("run", path, "-o", tmp_path / "r.odt")
    assert proc.returncode == 2 and "--format" in proc.stderr and not (tmp_path / "r.odt").exists()
    assert engine("run", path, "-o", tmp_path / "r.data", "--format", "json", "-q").returncode == 0
    assert json.loads((tmp_path / "r.data").read_text(encoding="utf-8"))["score"] == "total"


def test_json_output_can_carry_the_statistics(small, tmp_path):
    path = small(small_ruleset(outputs=[{"format": "json", "path": "out.json", "params": {"statistics": True}}]))
    assert engine("run", path, "-q").returncode == 0
    body = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [d["indicator"] for d in body["statistics"]["indicators"]] == ["a", "b", "c"]
    assert body["statistics"]["nodes"][0]["node"] == "total"


def test_parquet_output_round_trip(small, tmp_path):
    import pyarrow.parquet as pq
    out = tmp_path / "r.parquet"
    assert engine("run", small(), "-o", out, "-q").returncode == 0
    table = pq.read_table(out)
    assert table.column("unit").to_pylist() == ["u1", "u2", "u3", "u4"]
    assert table.column("rank").to_pylist() == [4, 3, 2, 1]


def test_include_all_on_the_command_line(tmp_path):
    out = tmp_path / "all.csv"
    proc = engine("run", RULESETS / "efficiency_dea.json", "-o", out, "--include", "all", "-q")
    assert proc.returncode == 0, proc.stderr
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert ".raw" in header and ".normalised" in header and "eta_dea.slack_staff" in header and "eta_dea.peers" in header
    proc = engine("run", RULESETS / "governance.json", "--include", "all", "--lang", "en")  # the terminal table lists no columns
    assert proc.returncode == 2 and "csv, json, parquet" in proc.stderr


def test_run_writes_every_output_given(tmp_path):
    html, csv = tmp_path / "r.html", tmp_path / "r.csv"
    proc = engine("run", RULESETS / "governance.json", "-o", html, "-o", csv, "-q")
    assert proc.returncode == 0, proc.stderr
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>") and '"H.rounded"' in csv.read_text(encoding="utf-8")
    twice = engine("run", RULESETS / "governance.json", "-o", csv, "-o", csv, "--lang", "en")
    assert twice.returncode == 2 and "given more than once" in twice.stderr
