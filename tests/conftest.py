import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"


@pytest.fixture(autouse=True)
def builtins_only(monkeypatch):
    """Tests see the built-in plugins only, whatever else is installed on the machine."""
    monkeypatch.setenv("GOVSCORE_DISABLE_PLUGIN_AUTOLOAD", "1")


def engine(*args, cwd=None, env=None, timeout=120):
    """Run the installed `engine` command line; returns the completed process."""
    full_env = {**os.environ, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=full_env, timeout=timeout)


def write_ruleset(tmp_path: Path, document: dict, name: str = "ruleset.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
