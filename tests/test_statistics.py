"""Indicator statistics against COINr 1.1.14 on its ASEM example (tests/reference/README.md), and by hand."""

import csv
import json

import numpy as np
import pytest

from conftest import RULESETS, engine
from govscore.engine.statistics import correlation, cronbach_alpha, describe, first_component_share, kurtosis, skewness

REF = RULESETS.parent / "tests" / "reference" / "coinr_asem"


def table(name):
    with open(REF / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def column(rows, key):
    return np.array([np.nan if r[key] == "NA" else float(r[key]) for r in rows])


def test_skewness_and_kurtosis_as_coinr():
    # COINr's formula check: x = (3, 1, 4, 1, 5, 9, 2, 6, NA, 35), e1071 type-2 sample formulas
    [skew, kurt] = table("formula_checks_skew_kurt.csv")
    x = np.array([3, 1, 4, 1, 5, 9, 2, 6, np.nan, 35.0])
    assert skewness(x) == pytest.approx(float(skew["value"]), rel=1e-12)
    assert kurtosis(x) == pytest.approx(float(kurt["value"]), rel=1e-12)


def test_indicator_statistics_match_coinr_get_stats():
    raw = table("example_coin_dset_Raw.csv")
    for expected in table("example_coin_stats_Raw.csv"):
        d = describe(expected["iCode"], column(raw, expected["iCode"]))
        for ours, theirs in (("min", "Min"), ("max", "Max"), ("mean", "Mean"), ("median", "Median"), ("sd", "Std"),
                             ("skew", "Skew"), ("kurtosis", "Kurt")):
            assert d[ours] == pytest.approx(float(expected[theirs]), rel=1e-9, abs=1e-12), (expected["iCode"], ours)
        # (N.Unique is not compared: the CSV keeps 15 significant digits, which merges a few distinct values)
        assert d["count"] == int(expected["N.Avail"])
        assert d["count"] - d["zeros"] == int(expected["N.NonZero"])
        assert d["needs_treatment"] == (expected["Flag.SkewKurt"] == "OUT"), expected["iCode"]


def test_cronbach_alpha_of_a_pillar_as_coinr():
    normalised = table("example_coin_dset_Normalised.csv")
    physical = ["LPI", "Flights", "Ship", "Bord", "Elec", "Gas", "ConSpeed", "Cov4G"]
    alpha = cronbach_alpha(np.column_stack([column(normalised, c) for c in physical]))
    assert alpha == pytest.approx(float(table("example_coin_cronbach_Physical.csv")[0]["x"]), rel=1e-9)


def test_correlations_of_pillars_with_the_index_as_coinr():
    aggregated = table("example_coin_dset_Aggregated.csv")
    for row in table("example_coin_corr_L2_vs_Index.csv"):
        if row["Correlation"] == "NA":
            continue
        r = correlation(column(aggregated, row["Var1"]), column(aggregated, row["Var2"]))
        assert r == pytest.approx(float(row["Correlation"]), rel=1e-9), row["Var2"]


def test_spearman_and_principal_component_by_hand():
    x = np.array([1.0, 2, 3, 4, 5])
    assert correlation(x, x ** 3, "spearman") == pytest.approx(1.0)  # monotone: rank correlation 1
    assert correlation(x, x ** 3, "pearson") < 1
    # y = (2, 2, 1, 5, 4) ranks as (2.5, 2.5, 1, 5, 4) with the tie averaged; against 1..5: Σdx·dy = 5.5,
    # Σdx² = 10, Σdy² = 9.5, so r = 5.5/√95
    assert correlation(x, np.array([2.0, 2, 1, 5, 4]), "spearman") == pytest.approx(5.5 / np.sqrt(95))
    # two perfectly correlated columns: the first component explains everything
    assert first_component_share(np.column_stack([x, 2 * x + 1])) == pytest.approx(1.0)


def test_stats_command_on_a_shipped_ruleset():
    proc = engine("stats", RULESETS / "governance.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert len(body["indicators"]) == 13 and {d["node"] for d in body["nodes"]} == {"S", "L", "I", "P", "H"}
    proc = engine("stats", RULESETS / "governance.json", "--lang", "en")
    assert proc.returncode == 0 and "Cronbach" in proc.stdout and "kurtosis" in proc.stdout
    assert "克朗巴赫 α" in engine("stats", RULESETS / "governance.json").stdout


def test_statistics_of_large_values_do_not_overflow(small):
    # 1e100 is within what the engine computes with, but its fourth power is not a float: skewness and
    # kurtosis, which do not depend on the unit, come out as for 1, 2, -3, 4, without numpy's warnings
    from conftest import small_ruleset
    doc = small_ruleset(normalise="none")
    doc["indicators"]["c"]["direction"] = "higher"
    csv_text = "id,name,town,a,b,c\nu1,一,甲,1e100,10,5\nu2,二,甲,2e100,20,4\nu3,三,乙,-3e100,30,1\nu4,四,乙,4e100,40,2\n"
    proc = engine("stats", small(doc, csv=csv_text), "--format", "json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    found = json.loads(proc.stdout)
    a = next(d for d in found["indicators"] if d["indicator"] == "a")
    assert a["max"] == 4e100 and a["sd"] == pytest.approx(np.std([1e100, 2e100, -3e100, 4e100], ddof=1))
    small_values = np.array([1, 2, -3, 4.0])
    assert a["skew"] == pytest.approx(skewness(small_values)) and a["kurtosis"] == pytest.approx(kurtosis(small_values))


@pytest.mark.parametrize("on", ["raw", "normalised"])
def test_missing_shares_are_those_of_the_data_as_read(small, on):
    # b is missing for u2 and u3 and imputed with the mean: 2 of 4 values were missing as read, which also
    # makes b's availability (50%) low, though every unit has a value once imputed
    from conftest import small_ruleset
    doc = small_ruleset()
    doc["indicators"]["b"]["missing"] = "impute_mean"
    csv_text = "id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,2,,4\nu3,三,乙,3,,3\nu4,四,乙,4,40,2\n"
    proc = engine("stats", small(doc, csv=csv_text), "--on", on, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    found = {d["indicator"]: d for d in json.loads(proc.stdout)["indicators"]}
    assert found["b"]["missing_share"] == 0.5 and found["b"]["imputed"] == 2 and found["b"]["low_availability"]
    assert found["b"]["count"] == 4  # the distribution is that of the values scored
    assert found["a"]["missing_share"] == 0 and found["a"]["imputed"] == 0
