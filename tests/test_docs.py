"""The examples of docs/rulesets.md that are meant to run, run: the base ruleset of the methods section
and each method's fragment merged into it, scored on the shipped sample data."""

import json
import re

import pytest

from conftest import ROOT, RULESETS, engine

SECTION = "## Methods of Chinese evaluation practice, one example each"


def _examples():
    text = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
    part = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", part, flags=re.S)]
    return blocks[0], blocks[1:]


BASE, FRAGMENTS = _examples()


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=[next(iter(f)) + ":" + json.dumps(f, ensure_ascii=False)[12:40]
                                                       for f in FRAGMENTS])
def test_each_method_example_runs_on_the_sample_data(fragment, tmp_path):
    doc = json.loads(json.dumps(BASE))
    doc.update(fragment)
    doc["sources"]["communities"]["path"] = str(RULESETS / "data" / "communities.csv")
    path = tmp_path / "example.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.json"
    proc = engine("run", path, "-o", out, "--allow-dir", RULESETS / "data", "-q")
    assert proc.returncode == 0, proc.stderr
    units = json.loads(out.read_text(encoding="utf-8"))["units"]
    assert len(units) == 72 and all(u["rank"] is not None for u in units)


def test_the_section_has_an_example_for_every_method_it_names():
    assert len(FRAGMENTS) == 8
