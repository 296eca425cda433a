"""Running rulesets: missing values, invalid domains, several sources, panels, and the result object."""

import hashlib

import numpy as np
import pytest

from conftest import codes, compile_and_run, small_ruleset
from govscore.engine.diagnostics import EngineError

GAPPY = "id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,,20,4\nu3,三,乙,3,,3\nu4,四,乙,4,40,2\n"


def run_error(path, plugins, data_paths=None):
    with pytest.raises(EngineError) as exc:
        compile_and_run(path, plugins, data_paths)
    return exc.value.diagnostics


def test_small_ruleset_by_hand(small, plugins):
    # a: 1..4 → 0, 1/3, 2/3, 1; b: 10..40 → the same; c is lower-is-better, 5..2 → the same
    result = compile_and_run(small(), plugins)
    np.testing.assert_allclose(result.score, [0, 1 / 3, 2 / 3, 1])
    assert result.rank.tolist() == [4, 3, 2, 1]
    assert result.group_rank.tolist() == [2, 1, 2, 1]
    assert result.weights == {"total": {"a": 0.5, "b": 0.25, "c": 0.25}}
    assert result.meta["ruleset"]["sha256"] == result.ruleset.sha256
    [source] = result.meta["inputs"]
    data = (result.ruleset.base_dir / "data.csv").read_bytes()
    assert source["sha256"] == hashlib.sha256(data).hexdigest() and source["rows"] == 4


def test_missing_values_are_an_error_by_default_naming_units_and_indicators(small, plugins):
    diagnostics = run_error(small(csv=GAPPY), plugins)
    assert codes(diagnostics) == ["E_MISSING_VALUE", "E_MISSING_VALUE"]
    assert diagnostics[0].units == ("u2",) and '"a"' in diagnostics[0].message
    assert diagnostics[1].units == ("u3",) and diagnostics[1].line is not None


def test_drop_unit_recomputes_without_the_dropped_units(small, plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["missing"] = "drop_unit"
    doc["indicators"]["b"]["missing"] = "impute_mean"
    result = compile_and_run(small(doc, csv=GAPPY), plugins)
    assert result.unit_ids.to_pylist() == ["u1", "u3", "u4"] and result.dropped == ["u2"]
    # the mean of b is taken over the units kept: (10 + 40) / 2 = 25 for u3
    assert result.raw["b"].tolist() == [10, 25, 40]
    assert result.imputed["b"].tolist() == [False, True, False]
    assert "W_DROPPED_UNITS" in codes(result.diagnostics) and "W_IMPUTED" in codes(result.diagnostics)


def test_impute_median(small, plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["missing"] = "impute_median"
    doc["indicators"]["b"]["missing"] = "impute_median"
    result = compile_and_run(small(doc, csv=GAPPY), plugins)
    assert result.raw["a"].tolist() == [1, 3, 3, 4] and result.raw["b"].tolist() == [10, 20, 20, 40]


def test_leave_with_propagate_or_renormalise(small, plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["missing"] = "leave"
    doc["indicators"]["b"]["missing"] = "leave"
    result = compile_and_run(small(doc, csv=GAPPY), plugins)
    assert np.isnan(result.score[1]) and np.isnan(result.score[2])  # propagate is the default
    assert np.isnan(result.rank[1]) and result.rank[[0, 3]].tolist() == [2, 1]
    doc["nodes"]["total"]["missing"] = "renormalise"
    result = compile_and_run(small(doc, csv=GAPPY), plugins)
    # u2 has no a: (0.25·b + 0.25·c) / 0.5 with b = (20-10)/30 = 1/3 and c = (5-4)/3 = 1/3
    assert result.score[1] == pytest.approx(1 / 3)
    # u3 has no b: (0.5·a + 0.25·c) / 0.75 with a = (3-1)/3 = 2/3 and c = 2/3
    assert result.score[2] == pytest.approx(2 / 3)
    doc["nodes"]["total"]["min_share"] = 0.6
    result = compile_and_run(small(doc, csv=GAPPY), plugins)
    assert np.isnan(result.score[1]) and result.score[2] == pytest.approx(2 / 3)


def test_an_indicator_no_unit_has_is_an_error_even_when_left_missing(small, plugins):
    doc = small_ruleset()
    doc["indicators"]["b"]["missing"] = "leave"
    doc["nodes"]["total"]["missing"] = "renormalise"
    empty_b = "id,name,town,a,b,c\nu1,一,甲,1,,5\nu2,二,甲,2,-,4\nu3,三,乙,3,,3\nu4,四,乙,4,NA,2\n"
    with pytest.raises(EngineError) as exc:
        compile_and_run(small(doc, csv=empty_b), plugins)
    [d] = exc.value.diagnostics
    assert d.code == "E_MISSING_VALUE" and d.path == "/indicators/b" and "No unit has a value" in d.message


@pytest.mark.parametrize("cells", [["inf", "1"], ["1", "1e400"], ["2", "-inf"], ["-2e200", "3"]])
def test_infinite_numbers_in_data_are_refused_naming_the_units(small, plugins, cells):
    # "inf", a number beyond what a float holds (read as infinite), or one whose square does not fit:
    # every statistic and score it reached would be nonsense, whichever plugin read the file
    csv = f"id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,{cells[0]},20,4\nu3,三,乙,{cells[1]},30,3\n"
    with pytest.raises(EngineError) as exc:
        compile_and_run(small(small_ruleset(), csv=csv), plugins)
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_NOT_NUMBER" and "infinite" in d.message and '"a"' in d.message
    assert d.units == (("u2",) if cells[0] in ("inf", "-2e200") else ("u3",))


def test_division_by_zero_in_a_formula_names_the_units(small, plugins):
    csv = "id,name,town,a,b,c\nu1,一,甲,1,0,5\nu2,二,甲,2,20,4\nu3,三,乙,3,0,3\nu4,四,乙,4,10,2\n"
    doc = small_ruleset()
    doc["indicators"]["ratio"] = {"formula": "a / b"}
    doc["nodes"]["total"] = {"method": "weighted_mean", "children": ["ratio", "c"]}
    [d] = run_error(small(doc, csv=csv), plugins)
    assert d.code == "E_DOMAIN" and d.units == ("u1", "u3") and "division by zero" in d.message
    assert d.span == (0, 5) and d.path == "/indicators/ratio/formula" and d.line is not None
    doc["indicators"]["ratio"]["on_invalid"] = "missing"
    doc["indicators"]["ratio"]["missing"] = "impute_mean"
    result = compile_and_run(small(doc, csv=csv), plugins)
    assert result.raw["ratio"].tolist() == pytest.approx([0.25, 0.1, 0.25, 0.4])


def test_geometric_mean_refuses_non_positive_children(small, plugins):
    doc = small_ruleset()
    doc["nodes"]["total"]["method"] = "geometric_mean"
    [d] = run_error(small(doc), plugins)  # min-max to [0, 1] gives 0 to the worst unit
    assert d.code == "E_DOMAIN" and d.units == ("u1",) and "[1, 100]" in d.hint
    doc["normalise"] = {"method": "minmax", "params": {"scale": [1, 100]}}
    result = compile_and_run(small(doc), plugins)
    assert result.score[0] == pytest.approx(1.0) and result.score[3] == pytest.approx(100.0)


def test_geometric_mean_with_a_zero_child_refuses_or_scores_zero_as_declared(small, plugins):
    doc = small_ruleset()
    doc["nodes"]["total"]["method"] = "geometric_mean"
    [d] = run_error(small(doc), plugins)  # min-max to [0, 1] gives 0 to the worst unit: refused by default
    assert d.code == "E_DOMAIN" and d.units == ("u1",) and '"zeros": "score_zero"' in d.hint and d.path == "/nodes/total"
    doc["nodes"]["total"]["params"] = {"zeros": "score_zero"}
    result = compile_and_run(small(doc), plugins)
    # u1 is the worst on every indicator: 0, as the HDI and the GII define a geometric mean with a zero
    assert result.score[0] == 0.0 and 0 < result.score[1] < 1 and result.score[3] == pytest.approx(1.0)
    # a negative child is still refused, whatever the zeros policy
    doc["normalise"] = {"method": "zscore"}
    [d] = run_error(small(doc), plugins)
    assert d.code == "E_DOMAIN" and "0 or more" in d.message


def test_zero_range_and_log_of_non_positive(small, plugins):
    csv = "id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,1,-20,4\n"
    [d] = run_error(small(csv=csv), plugins)
    assert d.code == "E_ZERO_RANGE" and '"a"' in d.message
    doc = small_ruleset()
    doc["nodes"]["total"] = {"formula": "log(b) + c"}
    [d] = run_error(small(doc, csv=csv), plugins)
    assert d.code == "E_DOMAIN" and d.units == ("u2",)


def test_two_sources_are_joined_on_the_unit_id(small, plugins, tmp_path):
    (tmp_path / "extra.csv").write_text("id,d\nu4,8\nu1,2\nu2,4\nu9,1\n", encoding="utf-8")
    doc = small_ruleset()
    doc["sources"]["extra"] = {"format": "csv", "path": "extra.csv"}
    for name in ("a", "b", "c"):
        doc["indicators"][name]["source"] = "main"
    doc["indicators"]["d"] = {"source": "extra", "column": "d", "missing": "leave"}
    doc["nodes"]["total"] = {"formula": "d"}
    result = compile_and_run(small(doc), plugins)
    np.testing.assert_array_equal(result.raw["d"], [2, 4, np.nan, 8])
    [extra] = [d for d in result.diagnostics if d.code == "W_EXTRA_UNITS"]
    assert extra.units == ("u9",)


def test_duplicate_unit_ids(small, plugins):
    csv = "id,name,town,a,b,c\nu1,一,甲,1,10,5\nu1,二,甲,2,20,4\n"
    [d] = run_error(small(csv=csv), plugins)
    assert d.code == "E_DATA_DUPLICATE_UNIT" and d.units == ("u1",)


def test_panel_data_ranks_within_each_period(small, plugins):
    csv = "id,name,town,year,a,b,c\nu1,一,甲,2024,1,10,5\nu2,二,甲,2024,2,20,4\nu1,一,甲,2025,3,30,3\nu2,二,甲,2025,4,40,2\n"
    doc = small_ruleset()
    doc["units"]["period"] = "year"
    result = compile_and_run(small(doc, csv=csv), plugins)
    assert result.unit_periods.to_pylist() == ["2024", "2024", "2025", "2025"]
    assert result.rank.tolist() == [2, 1, 2, 1]


def test_data_override_and_missing_files(small, plugins, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("id,name,town,a,b,c\nx1,一,甲,1,1,2\nx2,二,甲,2,2,1\n", encoding="utf-8")
    path = small()
    result = compile_and_run(path, plugins, {"main": str(other)})
    assert result.unit_ids.to_pylist() == ["x1", "x2"]
    [d] = run_error(path, plugins, {"main": str(tmp_path / "nope.csv")})
    assert d.code == "E_FILE_NOT_FOUND" and "does not exist" in d.message
    [d] = run_error(path, plugins, {"main": str(tmp_path)})
    assert d.code == "E_FILE_NOT_FOUND" and "is a folder, not a file" in d.message
    [d] = run_error(path, plugins, {"mian": str(other)})
    assert d.code == "E_UNKNOWN_NAME"


def test_grades_and_rounding(small, plugins):
    doc = small_ruleset(rounding=[{"node": "total", "digits": 1}],
                        grades={"bands": [{"label": "优秀", "min": 0.7}, {"label": "合格", "min": 0.3}, {"label": "不合格"}]})
    result = compile_and_run(small(doc), plugins)
    assert result.rounded["total"].tolist() == [0.0, 0.3, 0.7, 1.0]
    assert result.grade.tolist() == ["不合格", "合格", "优秀", "优秀"]
    doc["grades"]["use_rounded"] = False  # 1/3 is above 0.3 either way; 2/3 is below 0.7 unrounded
    result = compile_and_run(small(doc), plugins)
    assert result.grade.tolist() == ["不合格", "合格", "合格", "优秀"]


def test_group_summary(small, plugins):
    # scores 0, 1/3 in 甲 and 2/3, 1 in 乙 (see test_small_ruleset_by_hand)
    result = compile_and_run(small(), plugins)
    [first, second] = result.group_summary()
    assert (first["group"], first["units"], first["scored"]) == ("乙镇", 2, 2)
    assert first["mean"] == pytest.approx(5 / 6) and first["min"] == pytest.approx(2 / 3) and first["max"] == 1
    assert second["group"] == "甲镇" and second["mean"] == pytest.approx(1 / 6)


def test_group_median_imputation_and_coverage(small, plugins):
    # 甲镇: u1 a=1, u2 a=?, u5 a=7; 乙镇: u3 a=3, u4 a=4, u6 a=?. Group medians: 甲 (1, 7) → 4; 乙 (3, 4) → 3.5.
    csv = ("id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,,20,4\nu3,三,乙,3,,3\nu4,四,乙,4,40,2\n"
           "u5,五,甲,7,50,1\nu6,六,乙,,,\n")
    doc = small_ruleset()
    for name in ("a", "b", "c"):
        doc["indicators"][name]["missing"] = "impute_group_median"
    result = compile_and_run(small(doc, csv=csv), plugins)
    assert result.raw["a"].tolist() == [1, 4, 3, 4, 7, 3.5]
    # u6 has none of its three indicators: below the 65% coverage, and said so
    [warning] = [d for d in result.diagnostics if d.code == "W_COVERAGE"]
    assert warning.units == ("u6",)
    doc["coverage"] = {"unit": 0.65, "drop_units": True}
    result = compile_and_run(small(doc, csv=csv), plugins)
    assert "u6" not in result.unit_ids.to_pylist() and result.dropped == ["u6"]


def test_coverage_on_panel_data_names_units_per_period(small, plugins):
    # u2 lacks every indicator in 2024 and u1 in 2025: one warning per period, naming that period's units
    csv = ("id,name,town,year,a,b,c\nu1,一,甲,2024,1,10,5\nu2,二,甲,2024,,,\nu3,三,乙,2024,3,30,3\n"
           "u1,一,甲,2025,,,\nu2,二,甲,2025,4,40,2\nu3,三,乙,2025,5,50,1\n")
    doc = small_ruleset()
    doc["units"]["period"] = "year"
    for name in ("a", "b", "c"):
        doc["indicators"][name]["missing"] = "impute_mean"
    result = compile_and_run(small(doc, csv=csv), plugins)
    found = [(d.units, dict(d.fields)["period"], d.text("zh")) for d in result.diagnostics if d.code == "W_COVERAGE"]
    assert [(units, period) for units, period, _ in found] == [(("u2",), "2024"), (("u1",), "2025")]
    assert found[0][2].startswith("在 2024 期，有 1 个单位")


def test_group_imputation_needs_a_group(small, plugins):
    from govscore.engine.compiler import load_ruleset
    doc = small_ruleset()
    del doc["units"]["group"]
    doc["indicators"]["a"]["missing"] = "impute_group_mean"
    ruleset, diagnostics = load_ruleset(str(small(doc)), plugins)
    assert ruleset is None and codes(diagnostics) == ["E_SCHEMA_REQUIRED"] and "group" in diagnostics[0].message


PANEL = ("id,name,town,year,a,b,c\n"
         "u1,一,甲,2021,1,10,5\nu1,一,甲,2022,,20,4\nu1,一,甲,2023,3,30,3\nu1,一,甲,2025,,40,2\n"
         "u2,二,甲,2022,,15,5\nu2,二,甲,2021,2,25,4\nu2,二,甲,2024,8,35,3\nu2,二,甲,2023,,45,2\n")


@pytest.mark.parametrize("how,expected", [
    # u1: 1, ?, 3, ? (2021, 2022, 2023, 2025); u2 (rows out of order): 2021 2, 2022 ?, 2023 ?, 2024 8
    ("carry_forward", [1, 1, 3, 3, 2, 2, 8, 2]),
    # u1 2022 is half-way between 1 and 3; 2025 is past the last value, which is carried; u2 2022 and 2023
    # lie a third and two thirds of the way from 2 (2021) to 8 (2024)
    ("interpolate", [1, 2, 3, 3, 4, 2, 8, 6]),
])
def test_filling_in_over_periods(small, plugins, how, expected):
    doc = small_ruleset()
    doc["units"]["period"] = "year"
    doc["indicators"]["a"]["missing"] = how
    result = compile_and_run(small(doc, csv=PANEL), plugins)
    assert result.raw["a"].tolist() == pytest.approx(expected)
    assert result.imputed["a"].tolist() == [False, True, False, True, True, False, False, True]


def test_panel_changes_and_growth(small, plugins):
    # Two units over 2024 and 2026, min-max normalised over all four rows: a (1, 2 | 4, 3), b likewise and c
    # (lower is better) too, so the scores are u1 0, u2 1/3 in 2024 and u1 1, u2 2/3 in 2026; ranks are
    # within each year: u2 first in 2024, u1 first in 2026.
    csv = ("id,name,town,year,a,b,c\nu1,一,甲,2024,1,10,5\nu2,二,甲,2024,2,20,4\n"
           "u1,一,甲,2026,4,40,2\nu2,二,甲,2026,3,30,3\n")
    doc = small_ruleset()
    doc["units"]["period"] = "year"
    from govscore.engine.panel import panel_changes
    rows = panel_changes(compile_and_run(small(doc, csv=csv), plugins))
    assert [(r["unit"], r["from"], r["to"], r["change"], r["rank_change"]) for r in rows] == [
        ("u1", "2024", "2026", 1.0, -1.0), ("u2", "2024", "2026", pytest.approx(1 / 3), 1.0)]
    assert "cagr" not in rows[0]  # growth from a score of 0 is undefined
    doc["normalise"] = {"method": "minmax", "params": {"scale": [1, 2]}}
    rows = panel_changes(compile_and_run(small(doc, csv=csv), plugins))
    # on [1, 2], u2 goes from 4/3 to 5/3 over two years: (5/4)^(1/2) − 1
    assert rows[1]["cagr"] == pytest.approx(1.25 ** 0.5 - 1)


def _many_units_csv(n: int = 60_000, seed: int = 3) -> str:
    """Units enough for indicators to be done on several threads, with gaps in every column."""
    rng = np.random.default_rng(seed)
    rows = ["id,name,town,a,b,c,d"]
    cells = rng.lognormal(2, 0.7, (n, 4)).round(3).astype(str)
    cells[rng.random((n, 4)) < 0.02] = ""
    rows += [f"u{i},n{i},t{i % 37},{','.join(cells[i])}" for i in range(n)]
    return "\n".join(rows) + "\n"


def _many_units_ruleset():
    doc = small_ruleset()
    doc["indicators"] = {
        "a": {"column": "a", "missing": "impute_mean", "clamp": {"upper": 20}},
        "b": {"column": "b", "missing": "impute_group_median"},
        "c": {"column": "c", "direction": "lower", "missing": "impute_median"},
        "d": {"column": "d", "missing": "leave", "normalise": {"method": "zscore"}},
        "ab": {"formula": "a / b", "missing": "leave"},
    }
    doc["nodes"] = {"total": {"method": "weighted_mean", "children": ["a", "b", "c", "d", "ab"], "missing": "renormalise",
                              "weights": {"a": 0.3, "b": 0.2, "c": 0.2, "d": 0.2, "ab": 0.1}}}
    return doc


def test_many_units_score_the_same_on_one_thread_and_on_several(small, plugins, monkeypatch):
    from govscore.engine import plugins as manager
    assert manager.PARALLEL_UNITS < 60_000
    path = small(_many_units_ruleset(), csv=_many_units_csv())
    monkeypatch.setattr(manager, "WORKERS", 1)
    alone = compile_and_run(path, plugins)
    monkeypatch.setattr(manager, "WORKERS", 2)
    from govscore.engine import execute
    used = []
    monkeypatch.setattr(execute, "parallel_map",
                        lambda fn, items, workers: used.append(workers) or manager.parallel_map(fn, items, workers))
    threaded = compile_and_run(path, plugins)
    assert used == [2, 2]  # reading and filling in, then normalising, each on two threads
    for part in ("raw", "normalised", "nodes", "imputed"):
        assert getattr(alone, part).keys() == getattr(threaded, part).keys()
        for name, values in getattr(alone, part).items():
            np.testing.assert_array_equal(values, getattr(threaded, part)[name], err_msg=f"{part} {name}")
    np.testing.assert_array_equal(alone.rank, threaded.rank)
    np.testing.assert_array_equal(alone.group_rank, threaded.group_rank)
    assert [d.message for d in alone.diagnostics] == [d.message for d in threaded.diagnostics]
    assert codes(threaded.diagnostics).count("W_IMPUTED") == 3


def test_problems_found_on_threads_are_told_in_the_rulesets_order(small, plugins, monkeypatch, capsys):
    import sys
    from govscore.engine import plugins as manager
    doc = _many_units_ruleset()
    for name in ("a", "b", "c"):
        doc["indicators"][name]["missing"] = "error"
    path = small(doc, csv=_many_units_csv())
    monkeypatch.setattr(manager, "WORKERS", 2)
    stdout = sys.stdout
    diagnostics = run_error(path, plugins)
    assert sys.stdout is stdout  # the threads' redirection of plugins' output is undone
    assert [(d.code, d.path) for d in diagnostics] == [("E_MISSING_VALUE", f"/indicators/{n}") for n in ("a", "b", "c")]
    assert all(len(d.units) > 100 for d in diagnostics)


def test_a_plugin_printing_on_a_thread_writes_to_standard_error(small, plugins, monkeypatch, capfd, tmp_path):
    from govscore.engine import plugins as manager
    from govscore.engine.plugins import load_plugins
    (tmp_path / "talkative.py").write_text(
        "import numpy as np\nfrom govscore.engine.hookspecs import hookimpl\n\n"
        "def loud(x, direction, params, indicator):\n    print('normalising', indicator.name)\n"
        "    return (x - np.nanmin(x)) / (np.nanmax(x) - np.nanmin(x))\n\n"
        "@hookimpl\ndef register_normalisers(register):\n    register('loud', loud)\n", encoding="utf-8")
    doc = _many_units_ruleset()
    doc["normalise"] = {"method": "loud"}
    del doc["indicators"]["d"]["normalise"]
    path = small(doc, csv=_many_units_csv())
    monkeypatch.setattr(manager, "WORKERS", 2)
    result = compile_and_run(path, load_plugins([str(tmp_path / "talkative.py")], autoload=False))
    out, err = capfd.readouterr()
    assert out == "" and err.count("normalising") == 5  # two threads' lines may interleave, as printing does
    assert np.nanmax(result.normalised["a"]) == 1.0


def test_duplicate_keys_are_found_whatever_their_order():
    from collections import Counter

    import pyarrow as pa
    from hypothesis import given, settings, strategies as st

    from govscore.engine.data import duplicates

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "甲", "a\x1f2020"]), st.text(max_size=3))))
    def check(keys):
        counts = Counter(keys)
        expected = [str(k).replace("\x1f", " / ") for k in dict.fromkeys(keys) if counts[k] > 1]
        assert duplicates(pa.array(keys, pa.string())) == expected
        assert duplicates(pa.chunked_array([pa.array(keys, pa.string())])) == expected

    check()


def test_a_csv_written_on_several_threads_is_the_one_written_on_one(small, plugins, monkeypatch):
    import io

    from govscore.engine import plugins as manager
    from govscore.plugins import outputs
    csv = _many_units_csv().replace("u7,", "=cmd|u7,", 1)  # a unit id a spreadsheet would run, neutralised in any slice
    result = compile_and_run(small(_many_units_ruleset(), csv=csv), plugins)
    written = {}
    for workers in (1, 2):
        monkeypatch.setattr(manager, "WORKERS", workers)
        stream = io.BytesIO()
        outputs.write_csv(result, stream, {"include": "all"})
        written[workers] = stream.getvalue()
    assert written[1] == written[2]
    lines = written[2].decode("utf-8-sig").splitlines()
    assert len(lines) == 60_001 and lines[0].startswith('"unit"') and sum(line.startswith('"unit"') for line in lines) == 1
    assert "\"'=cmd|u7\"" in written[2].decode("utf-8")
