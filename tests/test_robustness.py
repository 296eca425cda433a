"""Bad data and odd choices of method get diagnostics, never a traceback, an infinite score or numpy's
warnings: every shipped ruleset, run on its sample data with cells spoiled and methods swapped."""

import csv
import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import RULESETS
from govscore.engine.compiler import compile_document
from govscore.engine.diagnostics import CODES, EngineError
from govscore.engine.execute import run
from govscore.engine.plugins import load_plugins

PLUGINS = load_plugins(autoload=False)
SHIPPED = sorted(RULESETS.glob("*.json"))
with open(RULESETS / "data" / "communities.csv", encoding="utf-8-sig", newline="") as fh:
    HEADER, *ROWS = list(csv.reader(fh))
FIRST_NUMBER_COLUMN = 4  # id, name, township, year come first
SPOILED = ["", "0", "-1", "1e300", "-0", "NA", "abc", "0.0000001", "3"]


def spoil(data, rows):
    """The sample rows (or some of them) with cells replaced, and perhaps a column made constant."""
    count = data.draw(st.sampled_from([1, 2, 3, len(rows)]))
    rows = [list(r) for r in rows[:count]]
    for _ in range(data.draw(st.integers(0, 12))):
        row = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.integers(FIRST_NUMBER_COLUMN, len(HEADER) - 1))
        rows[row][column] = data.draw(st.sampled_from(SPOILED))
    if data.draw(st.booleans()):
        column = data.draw(st.integers(FIRST_NUMBER_COLUMN, len(HEADER) - 1))
        for row in rows:
            row[column] = "5"
    return rows


def swap_methods(data, document):
    """Another normaliser for all indicators, other aggregators and weightings (with their parameters
    dropped), other missing-value policies."""
    if data.draw(st.booleans()):
        document["normalise"] = data.draw(st.sampled_from(sorted(PLUGINS.of("normaliser"))))
    for node in document.get("nodes", {}).values():
        if "method" in node and data.draw(st.integers(0, 3)) == 0:
            node["method"] = data.draw(st.sampled_from(sorted(PLUGINS.of("aggregator"))))
            node.pop("params", None)
    for weights in document.get("weights", {}).values():
        if data.draw(st.integers(0, 3)) == 0:
            weights["method"] = data.draw(st.sampled_from(["equal", "entropy", "critic", "coefficient_of_variation",
                                                           "standard_deviation", "pca"]))
            weights.pop("params", None)
    for indicator in document["indicators"].values():
        if data.draw(st.integers(0, 7)) == 0:
            indicator["missing"] = data.draw(st.sampled_from(["leave", "impute_mean", "impute_median", "drop_unit"]))
    document.pop("outputs", None)
    return document


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_spoiled_data_and_swapped_methods_give_diagnostics_never_a_crash(data):
    path = data.draw(st.sampled_from(SHIPPED))
    document = swap_methods(data, json.loads(path.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "data").mkdir()
        with open(Path(folder) / "data" / "communities.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *spoil(data, ROWS)])
        ruleset, diagnostics = compile_document(document, None, PLUGINS, base_dir=Path(folder))
        if ruleset is None:  # a method that needs parameters it was not given: told at compile time
            assert any(d.is_error for d in diagnostics)
            return
        try:
            result = run(ruleset, PLUGINS)
        except EngineError as exc:
            for d in exc.diagnostics:
                assert d.code in CODES and d.message
                assert d.code not in ("E_INTERNAL", "E_PLUGIN_FAILED"), d.format_text()  # a built-in never fails
            return
    assert not np.isinf(result.score).any()
