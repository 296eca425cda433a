"""A ruleset from a stranger, run end to end through the command line: every case ends in a
diagnostic with a stable exit code, never a traceback; no file outside what the case writes is
created or changed; and the time and memory a case takes stay within a bound above the engine's own
start-up, measured in the same test."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SMALL_CSV, small_ruleset, write_ruleset

SECONDS_ABOVE_STARTUP = 20.0
MEMORY_ABOVE_STARTUP = 400 * 1024  # KiB, as ru_maxrss counts on Linux


def launch(*args, cwd: Path, env=None) -> subprocess.Popen:
    full_env = {**os.environ, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", "LANG": "C.UTF-8", "GOVSCORE_LANG": "", **(env or {})}
    out, err = open(cwd.parent / f"{cwd.name}.out", "wb"), open(cwd.parent / f"{cwd.name}.err", "wb")
    with out, err:
        return subprocess.Popen([sys.executable, "-m", "govscore.engine.cli", *map(str, args)], cwd=cwd, env=full_env,
                                stdout=out, stderr=err)


def finish(proc: subprocess.Popen, cwd: Path, timeout: float = 120) -> dict:
    """Wait for the process and read what it printed, with its elapsed time and peak memory."""
    start = time.monotonic()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            proc.kill()
            raise AssertionError(f"still running after {timeout} s")
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"code": proc.returncode, "seconds": time.monotonic() - start, "memory": usage.ru_maxrss,
            "stdout": (cwd.parent / f"{cwd.name}.out").read_text(encoding="utf-8", errors="replace"),
            "stderr": (cwd.parent / f"{cwd.name}.err").read_text(encoding="utf-8", errors="replace")}


def engine(*args, cwd: Path, env=None) -> dict:
    return finish(launch(*args, cwd=cwd, env=env), cwd)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def startup(tmp_path_factory) -> dict:
    """The engine's own start-up: validating a small ruleset."""
    folder = tmp_path_factory.mktemp("startup")
    (folder / "data.csv").write_text(SMALL_CSV, encoding="utf-8")
    write_ruleset(folder, small_ruleset())
    found = engine("validate", "ruleset.json", cwd=folder)
    assert found["code"] == 0, found["stderr"]
    return found


@pytest.fixture
def stranger(tmp_path):
    """A folder holding a ruleset and its data, as received."""
    folder = tmp_path / "received"
    folder.mkdir()
    (folder / "data.csv").write_text(SMALL_CSV, encoding="utf-8")

    def make(**changes):
        doc = small_ruleset()
        for key, value in changes.items():
            doc[key] = value
        write_ruleset(folder, doc)
        return folder
    return make


def refused(found: dict, startup: dict, code: str, exit_code: int = 1) -> None:
    assert found["code"] == exit_code, found["stderr"]
    assert code in found["stderr"], found["stderr"]
    assert "Traceback" not in found["stderr"] and "E_INTERNAL" not in found["stderr"]
    assert found["seconds"] < startup["seconds"] + SECONDS_ABOVE_STARTUP
    assert found["memory"] < startup["memory"] + MEMORY_ABOVE_STARTUP


# ---------------------------------------------------------------- data loss

@pytest.mark.parametrize("args", [
    ("sensitivity", "ruleset.json", "--leave-one-out", "-o", "data.csv"),
    ("run", "ruleset.json", "-o", "ruleset.json"),
    ("run", "ruleset.json", "-o", "./sub/../data.csv"),
    ("run", "ruleset.json", "-o", "hard-link.csv"),
    ("run", "ruleset.json", "-o", "sym-link.json", "--format", "json"),
])
def test_an_output_is_never_an_input(stranger, startup, args):
    folder = stranger()
    (folder / "sub").mkdir()
    os.link(folder / "data.csv", folder / "hard-link.csv")
    os.symlink("ruleset.json", folder / "sym-link.json")
    before = snapshot(folder)
    refused(engine(*args, cwd=folder), startup, "E_OUTPUT")
    assert snapshot(folder) == before


def test_a_ruleset_whose_outputs_name_itself_or_its_data(stranger, startup):
    for target in ("ruleset.json", "data.csv"):
        folder = stranger(outputs=[{"format": "csv", "path": target}])
        before = snapshot(folder)
        found = engine("run", "ruleset.json", cwd=folder)
        refused(found, startup, "E_OUTPUT")
        assert "ruleset.json" in found["stderr"].split(":")[0]  # told as the ruleset's problem
        assert snapshot(folder) == before


# ---------------------------------------------------------------- reading what it should not

@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.csv", "link/outside.csv", "sub/../../outside.csv"])
def test_a_ruleset_reads_only_inside_its_folder(stranger, startup, path, tmp_path):
    (tmp_path / "outside.csv").write_text(SMALL_CSV, encoding="utf-8")
    folder = stranger(sources={"main": {"format": "csv", "path": path, "params": {"delimiter": ":"} if "passwd" in path else {}}})
    os.symlink(tmp_path, folder / "link")
    before = snapshot(folder)
    found = engine("run", "ruleset.json", "-o", "out.csv", cwd=folder)
    refused(found, startup, "E_SOURCE_OUTSIDE")
    assert "--allow-dir" in found["stderr"] and "root:" not in found["stderr"]
    assert snapshot(folder) == before


def test_the_person_at_the_keyboard_may_allow_a_file_or_a_folder(stranger, tmp_path):
    (tmp_path / "outside.csv").write_text(SMALL_CSV, encoding="utf-8")
    folder = stranger(sources={"main": {"format": "csv", "path": "../outside.csv"}})
    assert engine("run", "ruleset.json", "--allow-dir", tmp_path, "-o", "a.csv", cwd=folder)["code"] == 0
    assert engine("run", "ruleset.json", "--data", f"main={tmp_path / 'outside.csv'}", "-o", "b.csv", cwd=folder)["code"] == 0
    assert (folder / "a.csv").read_bytes() == (folder / "b.csv").read_bytes()
    for command in (("stats",), ("explain", "--unit", "u1"), ("sensitivity", "--leave-one-out")):
        assert engine(command[0], "ruleset.json", *command[1:], "--allow-dir", tmp_path, cwd=folder)["code"] == 0
        assert engine(command[0], "ruleset.json", *command[1:], cwd=folder)["code"] == 1


def test_messages_quote_only_a_short_clean_excerpt_of_a_file(stranger, startup, tmp_path):
    # a file that is not data, such as a process environment: one long line of NUL-separated secrets
    secret = "\0".join(f"SECRET_{k}={'x' * 200}" for k in range(50))
    (tmp_path / "environ").write_text(secret + "\n1\n", encoding="utf-8")
    folder = stranger()
    found = engine("run", "ruleset.json", "--data", f"main={tmp_path / 'environ'}", cwd=folder)
    refused(found, startup, "E_DATA_COLUMN")
    assert "SECRET_1=" not in found["stderr"] and "x" * 60 not in found["stderr"] and "\0" not in found["stderr"]


def test_the_json_output_records_input_paths_as_written(stranger, tmp_path):
    folder = stranger()
    found = engine("run", "ruleset.json", "-o", "-", "--format", "json", cwd=folder)
    assert found["code"] == 0, found["stderr"]
    body = json.loads(found["stdout"])
    assert [i["path"] for i in body["meta"]["inputs"]] == ["data.csv"]
    assert str(tmp_path) not in found["stdout"]
    other = tmp_path / "other.csv"
    shutil.copyfile(folder / "data.csv", other)
    found = engine("run", "ruleset.json", "--data", "main=../other.csv", "-o", "-", "--format", "json", cwd=folder)
    assert [i["path"] for i in json.loads(found["stdout"])["meta"]["inputs"]] == ["../other.csv"]


def test_a_device_or_a_pipe_is_not_a_regular_file(stranger, startup, tmp_path):
    folder = stranger()
    os.mkfifo(tmp_path / "fifo")
    for path in ("/dev/zero", tmp_path / "fifo"):
        found = engine("run", "ruleset.json", "--data", f"main={path}", cwd=folder, env={"LANG": "C.UTF-8"})
        refused(found, startup, "E_FILE_NOT_FOUND")
        assert "not a regular file" in found["stderr"] and "does not exist" not in found["stderr"]


# ---------------------------------------------------------------- a writer stopped half-way

def _big_folder(tmp_path) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    rows = "".join(f"u{i},名{i},镇{i % 40},{i % 97},{i % 89 + 1},{i % 83}\n" for i in range(20_000))
    (folder / "data.csv").write_text("id,name,town,a,b,c\n" + rows, encoding="utf-8")
    write_ruleset(folder, small_ruleset())
    return folder


def _scratch(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".r.xlsx."))


def _stop_while_writing(folder: Path, temp: Path, signum: int) -> dict:
    proc = launch("run", "ruleset.json", "-o", "r.xlsx", "-q", cwd=folder, env={"TMPDIR": str(temp)})
    deadline = time.monotonic() + 120
    while not _scratch(folder) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it was seen writing"
    time.sleep(0.3)  # well inside the workbook's writing
    proc.send_signal(signum)
    return finish(proc, folder)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_writer_stopped_by_a_signal_leaves_nothing(tmp_path, signum):
    folder, temp = _big_folder(tmp_path), tmp_path / "temp"
    temp.mkdir()
    found = _stop_while_writing(folder, temp, signum)
    assert found["code"] == 128 + signum, found["stderr"]
    assert "Traceback" not in found["stderr"]
    assert _scratch(folder) == [] and not (folder / "r.xlsx").exists()
    assert list(temp.iterdir()) == []  # nor anything in the system's temporary folder


def test_a_killed_writer_is_cleaned_up_by_the_next_write(tmp_path):
    folder, temp = _big_folder(tmp_path), tmp_path / "temp"
    temp.mkdir()
    found = _stop_while_writing(folder, temp, signal.SIGKILL)
    assert found["code"] == -signal.SIGKILL
    left = _scratch(folder)
    assert left and not (folder / "r.xlsx").exists()  # a kill leaves no chance to clean up
    assert list(temp.iterdir()) == []  # the workbook's own temporary files were in the scratch folder too
    again = finish(launch("run", "ruleset.json", "-o", "r.xlsx", "-q", cwd=folder), folder)
    assert again["code"] == 0, again["stderr"]
    assert _scratch(folder) == [] and (folder / "r.xlsx").stat().st_size > 0


# ---------------------------------------------------------------- silent wrong results

@pytest.mark.parametrize("formula", ["1e999", "a + 1e999 * 0", "where(a > 2, 1e999, a)", "round(a, 1e999)"])
def test_an_infinite_number_in_a_formula_is_refused(stranger, startup, formula):
    folder = stranger(nodes={"total": {"formula": formula}})
    before = snapshot(folder)
    found = engine("run", "ruleset.json", "-o", "out.csv", cwd=folder)
    refused(found, startup, "E_FORMULA_TOO_COMPLEX")
    assert snapshot(folder) == before
    refused(engine("validate", "ruleset.json", cwd=folder), startup, "E_FORMULA_TOO_COMPLEX")


def test_rounding_to_more_digits_than_a_float_holds_changes_nothing(stranger):
    folder = stranger(nodes={"total": {"formula": "round(a, 400) + round(b, -200)"}})
    found = engine("run", "ruleset.json", "-o", "-", "--format", "json", cwd=folder)
    assert found["code"] == 0, found["stderr"]
    # in a node formula a name is the normalised value: min-max gives 0, 1/3, 2/3, 1; b rounds to 0
    assert [u["total"] for u in json.loads(found["stdout"])["units"]] == pytest.approx([0, 1 / 3, 2 / 3, 1])


def test_a_node_without_a_finite_value_names_the_units(stranger, startup):
    # a ratio whose inputs are 0 for one unit: 0 / 0 is no number, and says so
    (stranger().joinpath("data.csv")).write_text(SMALL_CSV.replace("u2,二社区,甲镇,2,20,4", "u2,二社区,甲镇,0,0,4"),
                                                 encoding="utf-8")
    folder = stranger(normalise="none", nodes={"total": {"method": "ratio", "children": ["a", "b"],
                                                          "params": {"denominator": ["b"]}}})
    doc = json.loads((folder / "ruleset.json").read_text(encoding="utf-8"))
    doc["indicators"]["c"]["direction"] = "higher"
    write_ruleset(folder, doc)
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DOMAIN")
    assert "u2" in found["stderr"]


def test_units_left_without_a_score_are_named(stranger):
    folder = stranger()
    (folder / "data.csv").write_text(SMALL_CSV.replace("u3,三社区,乙镇,3,30,3", "u3,三社区,乙镇,,30,3"), encoding="utf-8")
    doc = json.loads((folder / "ruleset.json").read_text(encoding="utf-8"))
    doc["indicators"]["a"]["missing"] = "leave"
    write_ruleset(folder, doc)
    found = engine("run", "ruleset.json", "-o", "-", "--format", "json", cwd=folder)
    assert found["code"] == 0 and "W_NO_SCORE" in found["stderr"] and "u3" in found["stderr"]
    [warning] = [d for d in json.loads(found["stdout"])["diagnostics"] if d["code"] == "W_NO_SCORE"]
    assert warning["units"] == ["u3"] and warning["path"] == "/nodes/total"


# ---------------------------------------------------------------- plugins that exit or print

EXITS_AT_IMPORT = "raise SystemExit(0)\n"
EXITS_IN_HOOK = """
from govscore.engine.hookspecs import hookimpl

@hookimpl
def register_aggregators(register):
    raise SystemExit(0)
"""
EXITS_IN_METHOD = """
from govscore.engine.hookspecs import hookimpl

def leave(x, w, params, children):
    raise SystemExit(0)

@hookimpl
def register_aggregators(register):
    register("leave", leave, description="exits")
"""
PRINTS = """
print("hello from a plugin")
from govscore.engine.hookspecs import hookimpl

def chatty(x, w, params, children):
    print("computing")
    return (x * w).sum(axis=1) / w.sum(axis=1)

@hookimpl
def register_aggregators(register):
    print("registering")
    register("chatty", chatty, description="prints")
"""


@pytest.mark.parametrize("code,expected", [(EXITS_AT_IMPORT, "E_PLUGIN_LOAD"), (EXITS_IN_HOOK, "E_PLUGIN_FAILED")])
def test_a_plugin_that_exits_while_loading_is_reported(stranger, startup, code, expected):
    folder = stranger()
    (folder.parent / "plugin.py").write_text(code, encoding="utf-8")
    plugin = folder.parent / "plugin.py"
    refused(engine("plugins", "--plugin", plugin, cwd=folder), startup, expected, exit_code=3)
    found = engine("run", "ruleset.json", "--plugin", plugin, cwd=folder)  # a run that does not need it goes on
    assert found["code"] == 0 and expected in found["stderr"] and "u1" in found["stdout"]


def test_a_method_that_exits_is_a_plugin_failure(stranger, startup):
    folder = stranger(nodes={"total": {"method": "leave", "children": ["a", "b", "c"]}})
    (folder.parent / "plugin.py").write_text(EXITS_IN_METHOD, encoding="utf-8")
    refused(engine("run", "ruleset.json", "--plugin", folder.parent / "plugin.py", cwd=folder), startup, "E_PLUGIN_FAILED",
            exit_code=3)


def test_what_a_plugin_prints_goes_to_standard_error(stranger):
    folder = stranger(nodes={"total": {"method": "chatty", "children": ["a", "b", "c"]}})
    (folder.parent / "plugin.py").write_text(PRINTS, encoding="utf-8")
    found = engine("run", "ruleset.json", "--plugin", folder.parent / "plugin.py", "-o", "-", "--format", "json", cwd=folder)
    assert found["code"] == 0, found["stderr"]
    assert len(json.loads(found["stdout"])["units"]) == 4
    for line in ("hello from a plugin", "registering", "computing"):
        assert line in found["stderr"]


# ---------------------------------------------------------------- rulesets built to crash the reader

@pytest.mark.parametrize("name,text,code", [
    ("deep", "[" * 100_000 + "]" * 100_000, "E_JSON_TOO_DEEP"),
    ("huge integer", '{"format": "govscore/1", "version": ' + "9" * 5000 + "}", "E_JSON_NOT_FINITE"),
    ("lone surrogate", '{"format": "govscore/1", "title": "\\ud800"}', "E_JSON_SYNTAX"),
    ("NaN", '{"format": "govscore/1", "weight": NaN}', "E_JSON_NOT_FINITE"),
])
def test_a_ruleset_built_to_crash_the_reader_is_told(tmp_path, startup, name, text, code):
    (tmp_path / "r.json").write_text(text, encoding="utf-8")
    for command in ("validate", "run"):
        refused(engine(command, "r.json", cwd=tmp_path), startup, code)


def test_control_characters_in_paths_are_told(stranger, startup):
    folder = stranger(outputs=[{"format": "csv", "path": "a\u0000b.csv"}],
                      sources={"main": {"format": "csv", "path": "data\u0001.csv"}})
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_SCHEMA_VALUE")
    assert found["stderr"].count("holds the control character") == 2


def test_a_huge_ruleset_is_refused_without_reading_it(tmp_path, startup):
    with open(tmp_path / "r.json", "wb") as fh:  # 200 MB, sparse: nothing written to the disk
        fh.truncate(200 * 2**20)
    for command in ("validate", "run"):
        found = engine(command, "r.json", cwd=tmp_path)
        refused(found, startup, "E_JSON_TOO_LARGE")
        assert found["memory"] < startup["memory"] + 50 * 1024


# ---------------------------------------------------------------- outputs that carry an attack

ATTACKS = ['=HYPERLINK("http://example.invalid","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tlead"]


def _attacking_data(folder: Path) -> None:
    rows = [f'u{k},"{name.replace(chr(34), chr(34) * 2)}",甲镇,{k},{k * 10},{5 - k}' for k, name in enumerate(ATTACKS, 1)]
    (folder / "data.csv").write_text("id,name,town,a,b,c\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_csv_neutralises_text_that_a_spreadsheet_would_run(stranger):
    import csv
    folder = stranger()
    _attacking_data(folder)
    assert engine("run", "ruleset.json", "-o", "out.csv", "-q", cwd=folder)["code"] == 0
    with open(folder / "out.csv", encoding="utf-8-sig", newline="") as fh:
        labels = {row["unit"]: row["label"] for row in csv.DictReader(fh)}
    assert sorted(labels.values()) == sorted("'" + name for name in ATTACKS)
    # the raw option writes them as they are, for analysts' tools
    doc = json.loads((folder / "ruleset.json").read_text(encoding="utf-8"))
    doc["outputs"] = [{"format": "csv", "path": "raw.csv", "params": {"formulas": "raw"}}]
    write_ruleset(folder, doc)
    assert engine("run", "ruleset.json", "-q", cwd=folder)["code"] == 0
    with open(folder / "raw.csv", encoding="utf-8-sig", newline="") as fh:
        assert sorted(row["label"] for row in csv.DictReader(fh)) == sorted(ATTACKS)


def test_csv_on_standard_output_has_no_bom(stranger):
    found = engine("run", "ruleset.json", "-o", "-", "--format", "csv", cwd=stranger())
    assert found["code"] == 0 and found["stdout"].startswith('"unit",')


def test_markdown_shows_html_in_labels_as_text(stranger):
    folder = stranger()
    (folder / "data.csv").write_text(SMALL_CSV.replace("一社区", "<script>alert(1)</script>").replace(
        "二社区", '<img src=x onerror="alert(2)">'), encoding="utf-8")
    doc = json.loads((folder / "ruleset.json").read_text(encoding="utf-8"))
    doc["title"] = "<b>title</b>"
    write_ruleset(folder, doc)
    assert engine("run", "ruleset.json", "-o", "r.md", "-q", cwd=folder)["code"] == 0
    text = (folder / "r.md").read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "# &lt;b&gt;title&lt;/b&gt;" in text


# ---------------------------------------------------------------- messages that say what to fix

def test_an_empty_file_is_told_once(stranger, startup):
    folder = stranger()
    (folder / "data.csv").write_text("", encoding="utf-8")
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DATA_COLUMN")
    assert found["stderr"].count("E_DATA_COLUMN") == 1 and "no columns" in found["stderr"]


def test_every_bad_column_is_told_and_a_ragged_row_by_its_line(stranger, startup):
    folder = stranger()
    (folder / "data.csv").write_text("id,name,town,a,b,c\nu1,一,甲,x,y,z\nu2,二,甲,2,20,4\n", encoding="utf-8")
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DATA_NOT_NUMBER")
    assert found["stderr"].count("E_DATA_NOT_NUMBER") == 3
    (folder / "data.csv").write_text("id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,2,20\n", encoding="utf-8")
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DATA_FORMAT")
    assert "Line 3 of data.csv has 5 cell(s), but the header has 6" in found["stderr"] and "u2,二" not in found["stderr"]


def test_a_formula_problem_is_not_followed_by_the_missing_values_it_causes(stranger, startup):
    doc = small_ruleset()
    doc["indicators"]["a"] = {"formula": "log(-1) + b"}
    folder = stranger()
    write_ruleset(folder, doc)
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DOMAIN")
    assert "E_MISSING_VALUE" not in found["stderr"]


def test_a_data_problem_names_the_file_as_written_and_the_ruleset_place(stranger, startup):
    folder = stranger()
    (folder / "data.csv").write_text("id,name,town,a,b,c\nu1,一,甲,x,10,5\nu2,二,甲,2,20,4\n", encoding="utf-8")
    found = engine("run", "ruleset.json", cwd=folder)
    refused(found, startup, "E_DATA_NOT_NUMBER")
    first = found["stderr"].splitlines()[0]
    assert first.startswith("data.csv: error") and str(folder) not in found["stderr"]
    assert "named in the ruleset at ruleset.json:" in found["stderr"] and "(/indicators/a/column)" in found["stderr"]


RAISES_IN_FUNCTION = """
from govscore.engine.hookspecs import hookimpl

def broken(x):
    raise ValueError("no luck")

@hookimpl
def register_functions(register):
    register("broken", broken, description="fails", min_args=1, max_args=1)
"""


def test_a_formula_function_that_fails_is_the_plugins_failure(stranger, startup):
    folder = stranger(nodes={"total": {"formula": "broken(a)"}})
    (folder.parent / "plugin.py").write_text(RAISES_IN_FUNCTION, encoding="utf-8")
    found = engine("run", "ruleset.json", "--plugin", folder.parent / "plugin.py", cwd=folder)
    refused(found, startup, "E_PLUGIN_FAILED", exit_code=3)
    assert '"broken"' in found["stderr"] and "no luck" in found["stderr"]
