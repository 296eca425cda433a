"""engine edit: the saved text, the open file's state (check, preview, save), the server's refusals, and the
page itself in headless Chromium (Playwright), as a policy officer uses it."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ARTEFACTS, ROOT, RULESETS, engine, needs_chromium, sample_data

from govscore.editor.session import Editing
from govscore.engine.jsonwrite import ruleset_text
from govscore.engine.plugins import load_plugins



def governance_copy(folder: Path, name: str = "governance.json") -> Path:
    """The shipped governance ruleset and its sample data, in a folder of the test's own."""
    folder.mkdir(parents=True, exist_ok=True)
    sample_data(folder)
    path = folder / name
    shutil.copyfile(RULESETS / "governance.json", path)
    return path


# ---------- the saved text ----------

@pytest.mark.parametrize("path", sorted(RULESETS.glob("*.json")), ids=lambda p: p.name)
def test_saved_text_is_the_same_document_stable_and_readable(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    text = ruleset_text(document)
    assert json.loads(text) == document
    assert ruleset_text(json.loads(text)) == text  # saving again changes nothing
    assert "\\u" not in text  # Chinese as it is
    lines = text.splitlines()
    assert lines[0] == "{" and all((len(line) - len(line.lstrip(" "))) % 2 == 0 for line in lines)  # 2-space indent
    for line in lines:  # a part on one line fits the width; only a long text runs past it
        if len(line) > 100:
            assert line.strip().split('": ', 1)[-1].startswith('"'), line


def test_saved_text_puts_each_part_in_the_order_of_the_format():
    document = {"score": "H", "nodes": {"H": {"children": ["b", "a"], "method": "weighted_mean", "label": "总"}},
                "indicators": {"b": {"direction": "lower", "column": "b", "label": "乙"}, "a": {"column": "a"}},
                "format": "govscore/1", "title": "t"}
    text = ruleset_text(document)
    assert list(json.loads(text)) == ["format", "title", "indicators", "nodes", "score"]
    assert text.index('"label": "乙"') < text.index('"column": "b"') < text.index('"direction": "lower"')
    assert text.index('"b": {') < text.index('"a": {')  # the indicators stay in the user's order
    assert '"children": ["b", "a"]' in text  # and so do a node's children
    # one change, one line of difference
    changed = json.loads(text)
    changed["indicators"]["b"]["direction"] = "higher"
    diff = [(x, y) for x, y in zip(text.splitlines(), ruleset_text(changed).splitlines()) if x != y]
    assert len(diff) == 1 and len(text.splitlines()) == len(ruleset_text(changed).splitlines())


# ---------- the open file ----------

@pytest.fixture
def plugins():
    return load_plugins()


def test_a_change_is_checked_by_the_compiler_and_previewed(tmp_path, plugins):
    editing = Editing(governance_copy(tmp_path), tmp_path, plugins)
    opened = editing.open()
    document = opened["document"]
    checked = editing.check(document)
    assert checked["diagnostics"] == [] or all(d["severity"] == "warning" for d in checked["diagnostics"])
    preview = checked["preview"]
    assert preview["ok"] and preview["units"] == preview["scored"] == 72
    ranks = [r["rank"] for r in preview["rows"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert sum(g["count"] for g in preview["grades"]) == 72
    assert preview["weights"]["H"] == {"S": 0.3, "L": 0.3, "I": 0.2, "P": 0.2}
    assert any(w["code"] == "W_IMPUTED" for w in preview["warnings"])

    document["weights"]["indicator_weights"]["params"]["values"]["social_orgs"] = 0.5
    checked = editing.check(document)
    (problem,) = [d for d in checked["diagnostics"] if d["severity"] == "error"]
    assert problem["code"] == "E_WEIGHTS_SUM" and problem["path"] == "/nodes/S/weights"
    assert "1.2" in problem["message_zh"] and problem["hint_zh"]
    assert "preview" not in checked  # no preview of a ruleset that does not compile
    # the line is that of the text the ruleset is saved as
    assert checked["text"].splitlines()[problem["line"] - 1].strip().startswith('"weights"')


def test_typed_json_is_read_by_the_engine_reader(tmp_path, plugins):
    editing = Editing(governance_copy(tmp_path), tmp_path, plugins)
    text = editing.open()["text"].replace('"version": "1.0.0",', '"version": "1.0.0"，', 1)
    checked = editing.check(text=text)
    assert checked["document"] is None
    (problem,) = checked["diagnostics"]
    assert problem["code"] == "E_JSON_SYNTAX" and "，" in problem["message"] and problem["line"] == 6
    assert editing.parse('{"lower": 1，"upper": 2}')["diagnostics"][0]["code"] == "E_JSON_SYNTAX"
    assert editing.parse('{"lower": 1, "upper": 2}') == {"value": {"lower": 1, "upper": 2}}


def test_save_is_atomic_keeps_a_backup_and_refuses_a_file_changed_on_disk(tmp_path, plugins):
    path = governance_copy(tmp_path)
    original = path.read_bytes()
    editing = Editing(path, tmp_path, plugins)
    document = editing.open()["document"]
    document["title"] = "改过的标题"
    saved = editing.save(document)
    assert saved.ok and saved.file == "governance.json"
    assert path.read_text(encoding="utf-8") == ruleset_text(document)
    assert (tmp_path / "governance.json.bak").read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "governance.json", "governance.json.bak"]  # no scratch left

    path.write_text(path.read_text(encoding="utf-8").replace("改过的标题", "别人改的"), encoding="utf-8")  # changed elsewhere
    on_disk = path.read_bytes()
    document["title"] = "第三版"
    refused = editing.save(document)
    assert not refused.ok and refused.conflict and refused.diagnostics[0].code == "E_OUTPUT"
    assert "changed on disk" in refused.diagnostics[0].message
    assert path.read_bytes() == on_disk  # nothing written
    assert json.loads(editing.open()["text"])["title"] == "别人改的"  # reloaded, it saves again
    assert editing.save(document).ok and json.loads(path.read_text(encoding="utf-8"))["title"] == "第三版"


def test_a_new_ruleset_is_named_once_with_a_plain_name_in_its_folder(tmp_path, plugins):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "taken.json").write_text("{}", encoding="utf-8")
    editing = Editing(None, folder, plugins)
    assert editing.open() == {"file": None, "exists": False}
    document = {"format": "govscore/1", "title": "新"}
    for name in ("../outside.json", "sub/x.json", "/tmp/x.json", "x.txt", ".hidden.json", "", "a\\b.json", "taken.json"):
        saved = editing.save(document, name)
        assert not saved.ok and saved.diagnostics[0].code == "E_OUTPUT", name
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["taken.json", "work"]
    assert editing.save(document, "新评价.json").ok
    assert (folder / "新评价.json").read_text(encoding="utf-8") == ruleset_text(document)
    # named once: later saves go to that file, whatever name is asked for
    assert editing.save(document, "other.json").ok and not (folder / "other.json").exists()


def test_a_strangers_ruleset_reads_nothing_outside_its_folder_and_runs_no_code(tmp_path, plugins):
    (tmp_path / "secret.csv").write_text("社区编码,x\nC1,1\n", encoding="utf-8")
    folder = tmp_path / "stranger"
    path = governance_copy(folder)
    editing = Editing(path, folder, plugins)
    document = editing.open()["document"]
    document["sources"]["communities"]["path"] = "../secret.csv"
    preview = editing.check(document)["preview"]
    assert not preview["ok"] and [d["code"] for d in preview["problems"]] == ["E_SOURCE_OUTSIDE"]
    document["sources"]["communities"]["path"] = "data/communities.csv"
    document["indicators"]["volunteers_per_1000"]["formula"] = "__import__('os').system('touch pwned')"
    checked = editing.check(document)
    assert "preview" not in checked and any(d["severity"] == "error" for d in checked["diagnostics"])
    assert not (folder / "pwned").exists() and not (ROOT / "pwned").exists()


# ---------- the server ----------

class Server:
    def __init__(self, *args, cwd: Path, lang: str = "en", plugin: Path | None = None):
        env = {**os.environ, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", "LANG": "C.UTF-8", "LC_ALL": "", "GOVSCORE_LANG": ""}
        extra = ["--plugin", str(plugin)] if plugin else []
        self.proc = subprocess.Popen([sys.executable, "-m", "govscore.engine.cli", "edit", *map(str, args), "--no-browser",
                                      "--lang", lang, *extra], cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert found, line + self.proc.stderr.read()
        self.url, self.port, self.token = found.group(0), int(found.group(1)), found.group(2)
        self.base = f"http://127.0.0.1:{self.port}"

    def request(self, path: str, body: dict | None = None, headers: dict | None = None, token: bool = True):
        headers = {"Content-Type": "application/json", **({"X-Govscore-Token": self.token} if token else {}),
                   **({"Origin": self.base} if body is not None else {}), **(headers or {})}
        request = urllib.request.Request(self.base + path, data=None if body is None else json.dumps(body).encode(),
                                         headers={k: v for k, v in headers.items() if v is not None})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self, signum=signal.SIGINT) -> tuple[int, str]:
        self.proc.send_signal(signum)
        try:
            _, rest = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return self.proc.returncode, rest


@pytest.fixture
def server(tmp_path):
    started = []

    def start(*args, cwd=tmp_path, **kwargs):
        started.append(Server(*args, cwd=cwd, **kwargs))
        return started[-1]
    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def test_every_request_needs_the_token_our_host_and_our_origin(tmp_path, server):
    s = server(governance_copy(tmp_path))
    for path in ("/", "/static/editor.js", "/api/start", "/api/schema", "/favicon.ico"):
        assert s.request(path, token=False)[0] == 403, path
        assert s.request(path + "?token=wrong", token=False)[0] == 403, path
    status, headers, page = s.request(f"/?token={s.token}", token=False)
    assert status == 200 and b'data-token="' + s.token.encode() in page
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
    assert not re.search(rb"""(src|href)\s*=\s*["'](https?:)?//""", page), "nothing from elsewhere"
    assert s.request("/api/start")[0] == 200
    # another site's page, or a name of ours pointed elsewhere (DNS rebinding), is refused even with the token
    assert s.request("/api/check", {"document": {}}, {"Origin": "http://evil.example"})[0] == 403
    assert s.request("/api/check", {"document": {}}, {"Origin": None})[0] == 403  # a change must say where it is from
    assert s.request("/api/start", headers={"Host": f"evil.example:{s.port}"})[0] == 403
    assert s.request("/api/check", {"document": {}})[0] == 200


def test_no_request_reaches_a_path_of_its_choosing(tmp_path, server):
    path = governance_copy(tmp_path / "here")
    s = server(path)
    for probe in ("/static/../session.py", "/static/%2e%2e/session.py", "/static/..%2fsession.py", "/api/start?path=/etc/passwd"):
        status, _, body = s.request(probe)
        assert b"Editing" not in body and b"root:" not in body, probe
    document = json.loads(path.read_text(encoding="utf-8"))
    status, _, body = s.request("/api/save", {"document": document, "name": "../evil.json"})
    assert status == 200 and json.loads(body)["file"] == "governance.json"
    assert not (tmp_path / "evil.json").exists()
    assert s.request("/api/template", {"name": "../../engine/cli"})[0] == 404
    assert s.request("/api/check", [1, 2])[0] == 400


def test_ctrl_c_stops_the_editor_cleanly(tmp_path, server):
    s = server(governance_copy(tmp_path), lang="zh-CN")
    assert s.request("/api/start")[0] == 200
    code, rest = s.stop(signal.SIGINT)
    assert code == 0 and "编辑器已停止" in rest and "Traceback" not in rest
    with pytest.raises(OSError):
        urllib.request.urlopen(s.base + "/", timeout=2)


def test_a_port_in_use_is_a_mistake_on_the_command_line(tmp_path, server):
    s = server(governance_copy(tmp_path))
    proc = engine("edit", tmp_path / "governance.json", "--no-browser", "--port", s.port, "--lang", "en", timeout=30)
    assert proc.returncode == 2 and f"port {s.port} on 127.0.0.1 cannot be used" in proc.stderr


def test_the_command_line_says_what_edit_does():
    proc = engine("edit", "--help")
    assert proc.returncode == 0 and "--no-browser" in proc.stdout and "engine edit rulesets/governance.json" in proc.stdout
    assert "engine edit" in engine("--help").stdout


# ---------- the page, in headless Chromium ----------

def open_page(browser, s: Server, problems: list, width=1366, height=768):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: problems.append("elsewhere: " + r.url) if not r.url.startswith(s.base) else None)
    page.goto(s.url)
    return page


def settled(page):
    """Wait until the engine has answered the last change."""
    page.wait_for_function("() => !document.querySelector('#status').textContent.match(/Checking|正在检查/)")


def governance_page(tmp_path, server, browser, problems, **options):
    """The editor open on a copy of the shipped governance ruleset, its first preview drawn."""
    path = governance_copy(tmp_path)
    page = open_page(browser, server(path, **options), problems)
    page.wait_for_selector("#ranking tbody tr")
    settled(page)
    return path, page


def ranking(page) -> list[str]:
    return page.locator("#ranking tbody tr").all_inner_texts()


@needs_chromium
def test_change_a_weight_see_the_problem_on_its_field_fix_it_and_save(tmp_path, server, browser):
    problems = []
    path, page = governance_page(tmp_path, server, browser, problems, lang="zh-CN")
    original = path.read_bytes()
    before = ranking(page)
    assert len(before) == 72 and page.locator(".tree-item[data-pointer='/nodes/H']").get_attribute("aria-current") == "true"
    assert "共 72 个评价对象" in page.locator("#pane-preview .summary").inner_text()

    # keyboard alone: from the headline down the tree to S, Enter opens its form
    page.focus(".tree-item[data-pointer='/nodes/H']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.weights")
    assert page.locator(".tree-item[aria-current='true']").get_attribute("data-pointer") == "/nodes/S"

    weight = page.locator("input[data-pointer='/weights/indicator_weights/params/values/social_orgs']")
    weight.fill("0.5")
    settled(page)
    field = page.locator("fieldset.children")
    assert "has-error" in field.get_attribute("class")
    said = field.locator(".field-problems li.error").inner_text()
    assert "E_WEIGHTS_SUM" in said and "权重之和为 1.2" in said and "提示" in said
    assert page.locator(".tree-item[data-pointer='/nodes/S'] .badge.error").inner_text() == "1"
    assert "1 个问题待修改" in page.locator("#status").inner_text()
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "editor-zh-problem.png"))
    page.select_option("#lang", "en")  # the same problem, in the other language
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator("fieldset.children .field-problems li.error")).to_contain_text("sum to 1.2, not 1")
    assert page.locator("#save").inner_text() == "Save" and "1 problem(s) to fix" in page.locator("#status").inner_text()
    page.screenshot(path=str(ARTEFACTS / "editor-en-problem.png"))
    page.select_option("#lang", "zh")
    expect(page.locator("fieldset.children .field-problems li.error")).to_contain_text("权重之和为 1.2")

    page.locator("input[data-pointer='/weights/indicator_weights/params/values/volunteers_per_1000']").fill("0.2")
    settled(page)
    assert page.locator("fieldset.children .field-problems li").count() == 0
    assert page.locator(".stale-note").count() == 0
    after = ranking(page)
    assert after != before  # the preview scored the change
    used = page.locator("table.weights tbody tr").nth(1).locator("td").nth(2).inner_text()
    assert used == "0.5000"
    page.screenshot(path=str(ARTEFACTS / "editor-zh.png"))

    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('已保存')")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["weights"]["indicator_weights"]["params"]["values"]["social_orgs"] == 0.5
    assert saved["weights"]["indicator_weights"]["params"]["values"]["volunteers_per_1000"] == 0.2
    assert path.read_text(encoding="utf-8") == ruleset_text(saved)
    assert (tmp_path / "governance.json.bak").read_bytes() == original
    proc = engine("validate", path)
    assert proc.returncode == 0, proc.stderr
    assert problems == []


@needs_chromium
def test_a_file_changed_on_disk_is_not_overwritten_and_can_be_reloaded(tmp_path, server, browser):
    problems = []
    path, page = governance_page(tmp_path, server, browser, problems)
    page.click(".tree-item[data-pointer='']")
    page.locator(".field[data-pointer='/title'] input").fill("my change")
    settled(page)
    elsewhere = path.read_text(encoding="utf-8").replace("社区治理水平评价 H", "changed elsewhere")
    path.write_text(elsewhere, encoding="utf-8")
    page.click("#save")
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert "changed on disk" in dialog.inner_text() and "nothing was saved" in dialog.inner_text()
    assert path.read_text(encoding="utf-8") == elsewhere
    page.screenshot(path=str(ARTEFACTS / "editor-en-conflict.png"))
    page.click("#reload-from-disk")
    page.wait_for_function("() => document.querySelector('#json').value.includes('changed elsewhere')")
    assert page.locator(".tree-item[data-pointer=''] .muted").inner_text().strip() == "changed elsewhere"
    assert problems == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]  # the refusal


@needs_chromium
def test_start_from_a_template_and_create_the_file_on_first_save(tmp_path, server, browser):
    sample_data(tmp_path)
    problems = []
    s = server("new.json", lang="en")
    page = open_page(browser, s, problems)
    page.wait_for_selector("#chooser button.template")
    names = page.locator("#chooser button.template").evaluate_all("bs => bs.map(b => b.dataset.name)")
    assert names[0] == "empty" and {"governance", "efficiency", "effectiveness", "grassroots"} <= set(names)
    page.screenshot(path=str(ARTEFACTS / "editor-en-templates.png"))
    assert not (tmp_path / "new.json").exists()
    page.click("#chooser button.template[data-name='governance']")
    page.wait_for_selector("#ranking tbody tr")
    settled(page)
    assert "72 units, 72 scored" in page.locator("#pane-preview .summary").inner_text()
    assert page.locator("#status").inner_text().startswith("Unsaved")
    page.click("#tab-json")
    assert '"format": "govscore/1"' in page.locator("#json").input_value()
    page.click("#tab-preview")
    page.screenshot(path=str(ARTEFACTS / "editor-en.png"))
    page.click("#save")
    page.wait_for_function("() => document.querySelector('#status').textContent.includes('Saved')")
    assert engine("validate", tmp_path / "new.json").returncode == 0
    assert not (tmp_path / "new.json.bak").exists()
    assert problems == []


@needs_chromium
def test_without_a_ruleset_the_first_save_asks_for_a_plain_name(tmp_path, server, browser):
    problems = []
    s = server(lang="en")
    page = open_page(browser, s, problems)
    page.click("#chooser button.template[data-name='empty']")
    page.wait_for_selector("#problem-list li")  # an empty ruleset is not finished: the engine says what is missing
    page.click("#save")
    name = page.locator("dialog[open] #save-name")
    name.fill("../outside.json")
    name.press("Enter")
    page.wait_for_selector("dialog[open] p.error")
    assert "not a name the ruleset can be saved as" in page.locator("dialog[open] p.error").inner_text()
    name.fill("draft.json")
    name.press("Enter")
    page.wait_for_function("() => document.querySelector('#file').textContent === 'draft.json'")
    assert (tmp_path / "draft.json").exists() and not (tmp_path.parent / "outside.json").exists()
    assert problems == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]  # the refusal


@needs_chromium
def test_json_typed_with_chinese_punctuation_is_told_and_not_saved(tmp_path, server, browser):
    problems = []
    path, page = governance_page(tmp_path, server, browser, problems, lang="zh-CN")
    original = path.read_bytes()
    page.click("#tab-json")
    text = page.locator("#json").input_value().replace('"version": "1.0.0",', '"version": "1.0.0"，', 1)
    page.locator("#json").fill(text)
    page.wait_for_selector("#json-problems li")
    told = page.locator("#json-problems li").first.inner_text()
    assert told.startswith("第 6 行") and "，" in told
    page.keyboard.press("Control+s")
    page.wait_for_selector("#toast:not([hidden])")
    assert "无法读取" in page.locator("#toast").inner_text()
    assert path.read_bytes() == original
    page.locator("#json").fill(text.replace('"1.0.0"，', '"1.0.1",'))
    settled(page)
    assert page.locator("#json-problems li").count() == 0
    assert problems == []


PLUGIN = """
import numpy as np
from govscore.engine.hookspecs import hookimpl

def best_child(x, w, params, children):
    return np.nanmax(x, axis=1)

@hookimpl
def register_aggregators(register):
    register("best_child", best_child, description="The highest child (a plugin of the test's own).")
"""


@needs_chromium
def test_a_plugins_method_appears_in_the_form_by_itself(tmp_path, server, browser):
    module = tmp_path / "best.py"
    module.write_text(PLUGIN, encoding="utf-8")
    problems = []
    _, page = governance_page(tmp_path, server, browser, problems, plugin=module)
    method = page.locator(".field[data-pointer='/nodes/H/method'] select")
    options = method.locator("option").all_inner_texts()
    assert "best_child" in options and "weighted_sum" in options
    method.select_option(label="best_child")
    settled(page)
    assert "The highest child" in page.locator(".field[data-pointer='/nodes/H/method'] .help").inner_text()
    assert page.locator("#problem-list li.error").count() == 0
    assert problems == []


@needs_chromium
def test_add_and_remove_an_indicator_and_change_a_grade_band(tmp_path, server, browser):
    expect = pytest.importorskip("playwright.sync_api").expect
    problems = []
    _, page = governance_page(tmp_path, server, browser, problems)
    page.click(".tree-item[data-pointer='/nodes/S']")
    page.locator("fieldset.children input.code").fill("new indicator")
    page.click("text=New indicator")
    expect(page.locator("#toast")).to_contain_text("A code is letters, digits and _")
    page.locator("fieldset.children input.code").fill("helpers_per_1000")
    page.click("text=New indicator")
    settled(page)
    # under S in the tree, with a weight of 0 in S's weight set, so the sum stays 1
    assert page.locator(".tree-item.depth-2[data-pointer='/indicators/helpers_per_1000']").count() == 1
    assert page.locator("input[data-pointer='/weights/indicator_weights/params/values/helpers_per_1000']").input_value() == "0"
    # the data has no such column: the preview says so, in words
    expect(page.locator("#pane-preview")).to_contain_text("helpers_per_1000")
    page.click("button[aria-label='Remove helpers_per_1000']")
    settled(page)
    assert page.locator(".tree-item.depth-2[data-pointer='/indicators/helpers_per_1000']").count() == 0
    assert page.locator(".tree-item.depth-0[data-pointer='/indicators/helpers_per_1000']").count() == 1  # now in no node
    assert page.locator("input[data-pointer='/weights/indicator_weights/params/values/helpers_per_1000']").count() == 0
    page.once("dialog", lambda d: d.accept())  # deleted, it is gone from the ruleset
    page.click(".tree-item[data-pointer='/indicators/helpers_per_1000']")
    page.click("text=Delete helpers_per_1000")
    settled(page)
    assert page.locator(".tree-item[data-pointer='/indicators/helpers_per_1000']").count() == 0
    assert "helpers_per_1000" not in page.locator("#json").input_value()
    # a grade band edited in its table changes the grades of the preview
    page.click(".tree-item[data-pointer='/grades']")
    before = page.locator("#pane-preview .grades").inner_text()
    assert "优秀 3" in before
    page.locator("td[data-pointer='/grades/bands/0/min'] input").fill("55")
    settled(page)
    expect(page.locator("#pane-preview .grades")).not_to_have_text(before)
    assert "优秀 3" not in page.locator("#pane-preview .grades").inner_text()
    assert problems == []


def test_the_preview_shows_the_weights_the_data_gave(tmp_path, plugins):
    sample_data(tmp_path)
    path = tmp_path / "entropy.json"
    shutil.copyfile(RULESETS / "governance_entropy.json", path)
    editing = Editing(path, tmp_path, plugins)
    preview = editing.check(editing.open()["document"])["preview"]
    assert preview["ok"] and set(preview["derived"].values()) == {"entropy"}
    for node in preview["derived"]:  # entropy weights, as the engine used them: each node's sum to 1, none equal
        weights = list(preview["weights"][node].values())
        assert abs(sum(weights) - 1) < 1e-9 and len(set(weights)) == len(weights)
    result = json.loads(engine("run", path, "-o", "-", "--format", "json", "-q", cwd=tmp_path).stdout)
    assert preview["weights"] == result["weights"]  # the same weights as engine run reports


@needs_chromium
@pytest.mark.parametrize("width", [1366, 390])
def test_the_page_fits_a_laptop_and_a_phone_without_scrolling_sideways(tmp_path, server, browser, width):
    problems = []
    path = governance_copy(tmp_path)
    page = open_page(browser, server(path, lang="zh-CN"), problems, width=width, height=844)
    page.wait_for_selector("#ranking tbody tr")
    settled(page)
    for pointer in ("/nodes/H", "/nodes/S", "/grades", "/indicators/mean_age"):
        page.click(f".tree-item[data-pointer='{pointer}']")
        page.wait_for_selector("#form h2")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, pointer
    page.screenshot(path=str(ARTEFACTS / f"editor-zh-{width}.png"))
    assert problems == []
