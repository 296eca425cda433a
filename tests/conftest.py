import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
ARTEFACTS = ROOT / "test-artefacts"  # screenshots and rendered documents, kept by CI to be looked at
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed here (CI installs it): "
                                                             "pages are not checked in a browser")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None or shutil.which("pdftotext") is None,
                                  reason="LibreOffice and poppler are not installed here (CI installs them): documents "
                                         "are not opened in an office program")


def office_convert(document: Path, target: str, folder: Path) -> Path:
    """``document`` converted by headless LibreOffice into ``target`` (pdf, xlsx...) in ``folder``, as an
    office opening it saves or prints it; a profile of its own, so tests never share one."""
    proc = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{folder / 'profile'}",
                           "--convert-to", target, "--outdir", str(folder), str(document)],
                          capture_output=True, text=True, timeout=180)
    out = folder / f"{document.stem}.{target}"
    assert out.exists(), proc.stdout + proc.stderr
    return out


@pytest.fixture
def browser():
    """Debian's headless Chromium through Playwright, with no network of its own."""
    playwright = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def builtins_only(monkeypatch):
    """Tests see the built-in plugins only, whatever else is installed on the machine."""
    monkeypatch.setenv("GOVSCORE_DISABLE_PLUGIN_AUTOLOAD", "1")


def engine(*args, cwd=None, env=None, timeout=120):
    """Run the installed `engine` command line; returns the completed process."""
    # a fixed English locale, so that what the tests read does not depend on the machine's
    full_env = {**os.environ, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "",
                "GOVSCORE_LANG": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "govscore.engine.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=full_env, timeout=timeout)


def sample_data(folder: Path) -> str:
    """A copy of the bundled sample data beside a ruleset written to ``folder`` (a ruleset reads only
    inside its own folder); the path to write in the ruleset."""
    (folder / "data").mkdir(exist_ok=True)
    shutil.copyfile(RULESETS / "data" / "communities.csv", folder / "data" / "communities.csv")
    return "data/communities.csv"


def write_ruleset(tmp_path: Path, document: dict, name: str = "ruleset.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


SMALL_CSV = "id,name,town,a,b,c\nu1,一社区,甲镇,1,10,5\nu2,二社区,甲镇,2,20,4\nu3,三社区,乙镇,3,30,3\nu4,四社区,乙镇,4,40,2\n"


def small_ruleset(**overrides) -> dict:
    """A small valid ruleset over SMALL_CSV (written as data.csv beside the ruleset)."""
    document = {
        "format": "govscore/1",
        "id": "small",
        "title": "小规则集",
        "units": {"source": "main", "id": "id", "label": "name", "group": "town"},
        "sources": {"main": {"format": "csv", "path": "data.csv"}},
        "indicators": {
            "a": {"label": "甲", "column": "a", "direction": "higher"},
            "b": {"label": "乙", "column": "b", "direction": "higher"},
            "c": {"label": "丙", "column": "c", "direction": "lower"},
        },
        "nodes": {"total": {"label": "总分", "method": "weighted_mean", "children": ["a", "b", "c"],
                            "weights": {"a": 0.5, "b": 0.25, "c": 0.25}}},
        "score": "total",
    }
    document.update(overrides)
    return document


@pytest.fixture
def small(tmp_path):
    """Write SMALL_CSV and return a function that writes a ruleset beside it and returns its path."""
    (tmp_path / "data.csv").write_text(SMALL_CSV, encoding="utf-8")

    def make(document=None, csv=None, **overrides):
        if csv is not None:
            (tmp_path / "data.csv").write_text(csv, encoding="utf-8")
        return write_ruleset(tmp_path, document if document is not None else small_ruleset(**overrides))

    return make


@pytest.fixture
def plugins():
    from govscore.engine.plugins import load_plugins
    return load_plugins(autoload=False)


def compile_and_run(path, plugins, data_paths=None):
    from govscore.engine.compiler import load_ruleset
    from govscore.engine.execute import run
    ruleset, diagnostics = load_ruleset(str(path), plugins)
    assert ruleset is not None, "\n".join(d.format_text() for d in diagnostics)
    return run(ruleset, plugins, data_paths)


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]
