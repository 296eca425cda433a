"""Plugins: an installable package built by the test is discovered and used by a ruleset; broken
and clashing plugins are reported, never silently skipped; --plugin loads a local module."""

import inspect
import os
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, engine, small_ruleset
from govscore.engine import hookspecs
from govscore.engine.diagnostics import EngineError
from govscore.engine.plugins import KINDS, load_plugins

GOOD = '''
import numpy as np
from govscore.engine.hookspecs import hookimpl

@hookimpl
def register_normalisers(register):
    def share(x, direction, params, indicator):
        y = x / np.nansum(x)
        return y if direction == "higher" else 1 - y
    register("share", share, title={"en": "Share of the total", "zh": "占总量比重"}, description="Share of the total.", params={
        "type": "object", "additionalProperties": False, "properties": {}})

@hookimpl
def register_functions(register):
    register("square", lambda x: np.asarray(x) ** 2, title={"en": "Square", "zh": "平方"}, description="square(x)",
             min_args=1, max_args=1)

@hookimpl
def register_outputs(register):
    def tsv(result, stream, params):
        for unit, value in zip(result.unit_ids, result.score):
            stream.write(f"{unit}\\t{value:.4f}\\n".encode())
    register("tsv", tsv, description="Unit and score, tab-separated.", extension="tsv")
'''

BROKEN = '''
raise ImportError("this plugin needs a library that is not installed")
'''

CLASHING = '''
from govscore.engine.hookspecs import hookimpl

@hookimpl
def register_normalisers(register):
    register("minmax", lambda x, d, p, i: x, description="A second min-max.")
'''


def build_package(tmp_path: Path, name: str, modules: dict[str, str]) -> Path:
    """Write a plugin distribution, pip-install it into a folder of its own, and return that folder."""
    src = tmp_path / f"src-{name}"
    src.mkdir()
    entry_points = "\n".join(f'{module} = "{module}"' for module in modules)
    (src / "pyproject.toml").write_text(textwrap.dedent(f'''
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name}"
        version = "0.3.0"

        [project.entry-points.govscore]
        ''') + entry_points + "\n\n[tool.setuptools]\npy-modules = [" + ", ".join(f'"{m}"' for m in modules) + "]\n")
    for module, code in modules.items():
        (src / f"{module}.py").write_text(code)
    site = tmp_path / f"site-{name}"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(src)], check=True, capture_output=True, timeout=300)
    return site


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plugins")
    return {"good": build_package(tmp, "govscore-share", {"govscore_share": GOOD}),
            "bad": build_package(tmp, "govscore-bad", {"govscore_broken": BROKEN, "govscore_clash": CLASHING})}


def with_site(site: Path) -> dict:
    return {"PYTHONPATH": f"{site}:{ROOT}", "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "0"}


def test_an_installed_package_is_discovered_and_listed(sites):
    proc = engine("plugins", "--format", "json", env=with_site(sites["good"]))
    assert proc.returncode == 0, proc.stderr
    methods = {(m["kind"], m["name"]): m for m in json.loads(proc.stdout)["methods"]}
    share = methods[("normaliser", "share")]
    assert share["plugin"] == "govscore-share:govscore_share" and share["origin"] == "govscore-share 0.3.0"
    assert ("function", "square") in methods and ("output", "tsv") in methods
    assert methods[("normaliser", "minmax")]["origin"].startswith("govscore ")
    # titles and descriptions in each language; a plugin's single text stands for both
    assert share["title"] == {"en": "Share of the total", "zh": "占总量比重"}
    assert share["description"] == {"en": "Share of the total.", "zh": "Share of the total."}
    assert methods[("normaliser", "minmax")]["description"]["zh"].startswith("极差标准化")


def test_a_ruleset_uses_the_plugins_methods(sites, small, tmp_path):
    doc = small_ruleset(normalise="share")
    doc["nodes"]["total"] = {"formula": "square(a) + b + c"}
    path = small(doc)
    proc = engine("run", path, "--format", "tsv", "-o", "-", "-q", env=with_site(sites["good"]))
    assert proc.returncode == 0, proc.stderr
    # a = 1..4 → shares 0.1..0.4; b = 10..40 → the same; c is lower: 1 - c/14
    rows = dict(line.split("\t") for line in proc.stdout.splitlines())
    assert float(rows["u1"]) == pytest.approx(0.1 ** 2 + 0.1 + 1 - 5 / 14, abs=1e-4)
    # the published schema names the plugin's methods for editors
    proc = engine("schema", env=with_site(sites["good"]))
    assert '"share"' in proc.stdout and '"tsv"' in proc.stdout


def test_with_autoload_off_only_the_built_ins_are_there(sites, small):
    path = small(small_ruleset(normalise="share"))
    env = {**with_site(sites["good"]), "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = engine("validate", path, env=env)
    assert proc.returncode == 1 and "E_UNKNOWN_METHOD" in proc.stderr and "minmax" in proc.stderr


def test_broken_and_clashing_plugins_are_reported(sites, small):
    env = with_site(sites["bad"])
    proc = engine("plugins", "--format", "json", env=env)
    assert proc.returncode == 3
    listing = json.loads(proc.stdout)
    problems = {p["code"]: p["message"] for p in listing["problems"]}
    assert "needs a library that is not installed" in problems["E_PLUGIN_LOAD"]
    assert '"normalisers" (govscore' in problems["E_PLUGIN_DUPLICATE"]
    assert '"govscore-bad:govscore_clash" (govscore-bad 0.3.0)' in problems["E_PLUGIN_DUPLICATE"]
    assert any(m["name"] == "csv" for m in listing["methods"])  # the others still load
    # a run refuses to guess which minmax is meant
    proc = engine("run", small(), env=env)
    assert proc.returncode == 3 and "E_PLUGIN_DUPLICATE" in proc.stderr


def test_a_broken_plugin_does_not_stop_a_run_that_does_not_need_it(tmp_path, small):
    site = build_package(tmp_path, "govscore-only-broken", {"govscore_only_broken": BROKEN})
    proc = engine("run", small(), env=with_site(site))
    assert proc.returncode == 0
    assert "warning E_PLUGIN_LOAD" in proc.stderr


def test_plugin_option_loads_a_local_file(small, tmp_path):
    module = tmp_path / "local_share.py"
    module.write_text(GOOD)
    doc = small_ruleset()
    doc["nodes"]["total"] = {"formula": "square(a)"}
    proc = engine("run", small(doc), "--plugin", module, "--format", "csv", "-o", "-", "-q")
    assert proc.returncode == 0, proc.stderr
    proc = engine("run", small(doc), "-q")
    assert proc.returncode == 1 and 'no formula function "square"' in proc.stderr
    shared = small(small_ruleset(normalise="share"))  # the plugin's own title, in the reader's language
    assert engine("run", shared, "--plugin", module, "-o", tmp_path / "r.md", "-q", "--lang", "zh-CN").returncode == 0
    assert "标准化采用占总量比重：甲（正向）" in (tmp_path / "r.md").read_text(encoding="utf-8")
    proc = engine("plugins", "--plugin", tmp_path / "missing.py")
    assert proc.returncode == 3 and "E_PLUGIN_LOAD" in proc.stderr


NOISY = """
import numpy as np
from govscore.engine.hookspecs import hookimpl

def noisy(x, w, params, children):
    np.nanmean(np.full(3, np.nan))  # "Mean of empty slice"
    np.float64(1e308) * 10  # overflow
    return (x * w).sum(axis=1) / w.sum(axis=1)

@hookimpl
def register_aggregators(register):
    register("noisy_mean", noisy, description="A weighted mean that makes numpy complain.")
"""


def test_numpy_warnings_inside_a_method_do_not_reach_the_terminal(small, tmp_path):
    # policy staff would see numpy's "RuntimeWarning" lines; the engine checks what methods return instead
    module = tmp_path / "noisy.py"
    module.write_text(NOISY)
    doc = small_ruleset()
    doc["nodes"]["total"]["method"] = "noisy_mean"
    proc = engine("run", small(doc), "--plugin", module, "--format", "csv", "-o", "-")
    assert proc.returncode == 0 and "Warning" not in proc.stderr, proc.stderr


def test_plugin_managers_do_not_share_state():
    first = load_plugins(autoload=False)
    second = load_plugins(autoload=False)
    assert first.manager is not second.manager
    first.registrations["normaliser"].pop("minmax")
    assert "minmax" in second.registrations["normaliser"]


def test_every_hook_is_documented_implemented_by_a_built_in_and_in_the_plugin_guide():
    guide = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    plugins = load_plugins(autoload=False)
    specs = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("register_")]
    assert sorted(specs) == sorted(KINDS)
    for name in specs:
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and "register(" in doc, name
        assert name in guide, f"{name} is not in docs/plugins.md"
        builtin = [impl for impl in getattr(plugins.manager.hook, name).get_hookimpls()
                   if impl.plugin_name in {"sources", "treatments", "normalisers", "weightings", "aggregators",
                                           "evaluation", "dea", "functions", "outputs"}]
        assert builtin, f"no built-in implements {name}"


def test_built_ins_are_registered_through_entry_points():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    hooked = [f.stem for f in sorted((ROOT / "plugins").glob("*.py")) if "@hookimpl" in f.read_text(encoding="utf-8")]
    assert {"sources", "weightings", "aggregators", "dea", "sbm", "malmquist", "fuzzy", "outputs"} <= set(hooked)
    for module in hooked:  # every module of plugins/ that implements a hook is an entry point, as a third party's
        assert f'{module} = "govscore.plugins.{module}"' in text, module
    plugins = load_plugins(autoload=False)
    assert plugins.get("normaliser", "minmax").origin.startswith("govscore ")


DATA_WEIGHTING = '''
import numpy as np
from govscore.engine.hookspecs import hookimpl

@hookimpl
def register_weightings(register):
    register("by_spread", lambda children, params, data: data.std(axis=0), uses_data=True,
             renormalise_default=True, description="Weights in proportion to each child's standard deviation.")
    register("broken", lambda children, params, data: -np.ones(len(children)), uses_data=True,
             description="Negative weights, to see them refused.")
'''


def test_a_weighting_computed_from_the_data_is_reported(small, tmp_path):
    from conftest import compile_and_run
    module = tmp_path / "spread.py"
    module.write_text(DATA_WEIGHTING)
    plugins = load_plugins([str(module)], autoload=False)
    doc = small_ruleset(normalise="ratio", weights={"w": {"method": "by_spread"}})
    doc["nodes"]["total"]["weights"] = "w"
    result = compile_and_run(small(doc), plugins)
    data = np.column_stack([result.normalised[c] for c in ("a", "b", "c")])
    expected = data.std(axis=0) / data.std(axis=0).sum()
    assert list(result.weights["total"].values()) == pytest.approx(list(expected))
    assert sum(result.weights["total"].values()) == pytest.approx(1.0)
    np.testing.assert_allclose(result.score, data @ expected)
    doc["weights"]["w"]["method"] = "broken"
    with pytest.raises(EngineError) as exc:
        compile_and_run(small(doc), plugins)
    assert exc.value.diagnostics[0].code == "E_WEIGHTS_NEGATIVE" and exc.value.diagnostics[0].line is not None


def test_the_wheel_installs_one_import_package_and_the_command(tmp_path):
    """govscore must not claim names such as engine or plugins that other distributions use: installed,
    it adds the package govscore (govscore.engine, govscore.plugins, the editor govscore.editor and the shipped
    rulesets govscore.rulesets) and the engine command, nothing else."""
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, ROOT],
                   check=True, capture_output=True)
    [wheel] = wheels.glob("govscore-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, wheel],
                   check=True, capture_output=True)
    added = sorted(p.name for p in target.iterdir())
    assert added == ["bin", "govscore", "govscore-0.1.0.dist-info"], added
    assert sorted(p.name for p in (target / "govscore").iterdir()) == ["editor", "engine", "plugins", "rulesets"]
    # the editor's page ships inside the package, and so do the rulesets it offers to start from
    for part in ("editor/templates/editor.html", "editor/static/editor.js", "editor/static/form.js", "editor/static/editor.css",
                 "rulesets/governance.json", "rulesets/data/communities.csv"):
        assert (target / "govscore" / part).is_file(), part
    assert [p.name for p in (target / "bin").iterdir()] == ["engine"]
    # and it runs from there, the built-ins found through their entry points
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run([sys.executable, "-c", "import govscore.engine.cli as c, govscore.plugins.dea; print(c.__file__)"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith(str(target)), proc.stderr
