"""The golden cases in rulesets/golden/: small inputs with results worked out by hand (the
"working" of each case explains the arithmetic), run through the real command line."""

import json
import math
from pathlib import Path

import pytest

from conftest import RULESETS, engine

CASES = [(path, case) for path in sorted((RULESETS / "golden").glob("*.json"))
         for case in json.loads(path.read_text(encoding="utf-8"))["cases"]]


@pytest.mark.parametrize("golden,case", CASES, ids=[f"{p.stem}: {c['name']}" for p, c in CASES])
def test_golden_case(golden: Path, case: dict, tmp_path):
    ruleset = (golden.parent / json.loads(golden.read_text(encoding="utf-8"))["ruleset"]).resolve()
    data_args = []
    for source, lines in case["data"].items():
        csv = tmp_path / f"{source}.csv"
        csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        data_args += ["--data", f"{source}={csv}"]
    out = tmp_path / "result.json"
    proc = engine("run", ruleset, *data_args, "-o", out, "-q")
    if "expected_error" in case:
        expected = case["expected_error"]
        assert proc.returncode == expected["exit_code"], proc.stderr
        assert expected["code"] in proc.stderr
        for unit in expected.get("units", []):
            assert unit in proc.stderr
        assert not out.exists()
        return
    assert proc.returncode == 0, proc.stderr
    units = {u["unit"]: u for u in json.loads(out.read_text(encoding="utf-8"))["units"]}
    for unit, values in case["expected"].items():
        for key, want in values.items():
            got = units[unit][key]
            if isinstance(want, str):
                assert got == want, (unit, key)
            else:
                assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (unit, key, got, want)
