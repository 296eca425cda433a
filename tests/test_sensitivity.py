"""Leave-one-indicator-out: how far ranks move without each indicator."""

import json


from conftest import RULESETS, engine, small_ruleset
from govscore.engine.compiler import load_ruleset
from govscore.engine.execute import score
from govscore.engine.loading import load_data
from govscore.engine.sensitivity import leave_one_out


def run(path, plugins):
    ruleset, diagnostics = load_ruleset(str(path), plugins)
    assert ruleset is not None, diagnostics
    data = load_data(ruleset, plugins)
    return leave_one_out(ruleset, plugins, data, score(ruleset, plugins, data))


def test_leave_one_out_by_hand(small, plugins):
    # With c declared higher-is-better, c runs against a and b. Scores 0.5·a + 0.25·b + 0.25·c with
    # a = b = (0, 1/3, 2/3, 1) and c = (1, 2/3, 1/3, 0): 0.25, 0.42, 0.58, 0.75, ranks 4, 3, 2, 1.
    # Without a: b and c weigh 0.5 each and every unit scores 0.5: all tie at rank 1, shifts −3, −2, −1, 0.
    # Without b or without c the order of a decides, as before: no shift.
    doc = small_ruleset()
    doc["indicators"]["c"]["direction"] = "higher"
    found = run(small(doc), plugins)
    shifts = {n: list(v) for n, v in found["rank_shift"].items()}
    assert shifts["a"] == [-3, -2, -1, 0] and shifts["b"] == [0] * 4 and shifts["c"] == [0] * 4
    first = found["indicators"][0]
    assert first["indicator"] == "a" and first["mean_absolute_rank_shift"] == 1.5 and first["largest_rank_shift"] == 3


def test_leave_one_out_keeps_ahp_matrices_consistent(plugins):
    found = run(RULESETS / "governance_ahp.json", plugins)
    assert {r["indicator"] for r in found["indicators"]} >= {"legal_hours", "dispute_rate", "petitions_per_10k"}
    assert all(r["mean_absolute_rank_shift"] >= 0 for r in found["indicators"])


def test_sensitivity_command():
    proc = engine("sensitivity", RULESETS / "governance.json", "--leave-one-out", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert len(body["indicators"]) == 13 and len(body["units"]) == 72
    both = engine("sensitivity", RULESETS / "governance.json", "--leave-one-out", "--samples", "50")
    assert both.returncode == 2 and "--leave-one-out" in both.stderr


def test_a_closed_pipe_is_not_an_error():
    """The reader of the output stops after one line (| head -1): the engine stops quietly."""
    import os
    import subprocess
    import sys
    from conftest import ROOT
    command = f"{sys.executable} -m govscore.engine.cli sensitivity rulesets/governance.json --leave-one-out --lang en | head -1"
    proc = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1", "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert proc.stdout.startswith("Rank shifts") and proc.stderr == ""
