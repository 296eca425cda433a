"""govscore reproduces published composite indices exactly, from its own ruleset format.

- UNDP Human Development Index 2022 (HDR 2023/2024, technical note 1): goalposts with clipping,
  a log scale for income, a geometric mean, rounding to 3 dp before ranking and classifying.
- COINr's ASEM example index (COINr 1.1.14, `build_example_coin()`; the index scores and ranks
  published in the package's vignettes): min-max to [0, 100] with indicator directions, then
  arithmetic means over three levels, effective weights and ranks within a group; variants with
  geometric means, z-scores, and rank normalisation with Copeland at every level; a pipeline whose
  missing values are skipped by renormalising weights; the harmonic-mean example of COINr's
  aggregation vignette, and the normalisation vignette's Borda count, z-scores and min-max side by side.
- The Compind R package's vignette table of the adjusted Mazziotta–Pareto index (goalposts around a
  reference value, rescaled to 70–130; mean plus the spread penalty).
See tests/reference/README.md for where each file comes from.
"""

import csv
from pathlib import Path

import numpy as np
import pytest

from govscore.engine.compiler import compile_document, load_ruleset
from govscore.engine.execute import run
from govscore.engine.plugins import load_plugins

REF = Path(__file__).parent / "reference"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(autoload=False)


def test_undp_hdi_2022_matches_published_values_ranks_and_categories(plugins):
    ruleset, diagnostics = load_ruleset(str(REF / "undp_hdi_2022" / "hdi.json"), plugins)
    assert ruleset is not None, diagnostics
    result = run(ruleset, plugins)
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    expected = read_csv(REF / "undp_hdi_2022" / "expected.csv")
    assert len(expected) == 193
    for row in expected:
        i = index[row["iso3"]]
        assert result.rounded["hdi"][i] == pytest.approx(float(row["hdi"]), abs=1e-12), row["iso3"]
        assert result.rank[i] == int(row["hdi_rank"]), row["iso3"]
        assert result.grade[i] == row["hdicode"], row["iso3"]
    # the two countries with incomplete components get no score, rank or category
    for iso3 in ("PRK", "MCO"):
        i = index[iso3]
        assert np.isnan(result.score[i]) and np.isnan(result.rank[i]) and result.grade[i] is None


def asem_ruleset(data_file: str, normaliser, aggregator: str, missing: str = "error", node_missing: str = "propagate",
                 directions: bool = True) -> dict:
    """A govscore ruleset for the ASEM index, written from COINr's indicator metadata."""
    meta = read_csv(REF / "coinr_asem" / "ASEM_iMeta.csv")
    indicators = {
        m["iCode"]: {"label": m["iName"], "unit": m["Unit"], "column": m["iCode"], "missing": missing,
                     "direction": ("higher" if m["Direction"] == "1" else "lower") if directions else "higher"}
        for m in meta if m["Type"] == "Indicator"
    }
    nodes, weights = {}, {}
    for m in sorted((m for m in meta if m["Type"] == "Aggregate"), key=lambda m: int(m["Level"])):
        children = [c["iCode"] for c in meta if c["Parent"] == m["iCode"]]
        weights[m["iCode"] + "_w"] = {"method": "fixed", "renormalise": True, "params": {
            "values": {c["iCode"]: float(c["Weight"]) for c in meta if c["Parent"] == m["iCode"]}}}
        nodes[m["iCode"]] = {"label": m["iName"], "method": aggregator, "children": children,
                             "weights": m["iCode"] + "_w", "missing": node_missing}
    return {
        "format": "govscore/1", "id": "asem", "title": "ASEM Sustainable Connectivity (COINr example)",
        "units": {"source": "data", "id": "uCode"},
        "sources": {"data": {"format": "csv", "path": str(REF / "coinr_asem" / data_file)}},
        "normalise": normaliser,
        "indicators": indicators,
        # COINr's weights are relative (all 1 in this index): renormalised within each parent
        "weights": weights,
        "nodes": nodes,
        "score": "Index",
        "rank": {"order": "descending", "ties": "min"},
    }


def score(plugins, document):
    ruleset, diagnostics = compile_document(document, None, plugins)
    assert ruleset is not None, [d.format_text() for d in diagnostics]
    # the reference data stay where they are: their folders are allowed, as with engine run --allow-dir
    return run(ruleset, plugins, allow_dirs=tuple(str(Path(s["path"]).parent) for s in document["sources"].values()))


def assert_scores_and_ranks(result, rows, score_column):
    """Each row's unit has the row's score (to 1e-9) and rank; returns unit id -> position."""
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    for row in rows:
        i = index[row["uCode"]]
        assert result.score[i] == pytest.approx(float(row[score_column]), rel=1e-9), row["uCode"]
        assert result.rank[i] == int(row["Rank"]), row["uCode"]
    return index


def test_coinr_asem_index_matches_published_nominal_scores_and_ranks(plugins):
    result = score(plugins, asem_ruleset("example_coin_dset_Treated.csv", {"method": "minmax", "params": {"scale": [0, 100]}},
                                         "weighted_mean"))
    published = read_csv(REF / "coinr_asem" / "vignette_UA_results_Nominal.csv")
    assert len(published) == 51
    index = assert_scores_and_ranks(result, published, "Score")
    # every pillar and sub-index too, against the aggregated data set COINr produces
    for row in read_csv(REF / "coinr_asem" / "example_coin_dset_Aggregated.csv"):
        i = index[row["uCode"]]
        for node in ("Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin", "Conn", "Sust"):
            assert result.nodes[node][i] == pytest.approx(float(row[node]), rel=1e-9), (row["uCode"], node)
    # each indicator's and aggregate's effective weight in the index, as COINr's get_eff_weights()
    shares = result.effective_weights()
    rows = read_csv(REF / "coinr_asem" / "example_coin_effective_weights.csv")
    assert len(rows) == 60 and set(shares) == {r["iCode"] for r in rows}
    for row in rows:
        assert shares[row["iCode"]] == pytest.approx(float(row["EffWeight"]), rel=1e-12), row["iCode"]


def test_coinr_asem_ranks_within_a_group(plugins, tmp_path):
    """Ranks within GDP-per-capita groups, as printed in COINr's results vignette for the XL group
    (docs/articles/results.html, results_vignette_groupranks_XL_head.csv: the index column)."""
    groups = {r["uCode"]: r["GDPpc_group"] for r in read_csv(REF / "coinr_asem" / "ASEM_iData.csv")}
    rows = read_csv(REF / "coinr_asem" / "example_coin_dset_Treated.csv")
    data = tmp_path / "treated_with_groups.csv"
    with open(data, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "GDPpc_group"])
        writer.writeheader()
        writer.writerows({**r, "GDPpc_group": groups[r["uCode"]]} for r in rows)
    document = asem_ruleset("example_coin_dset_Treated.csv", {"method": "minmax", "params": {"scale": [0, 100]}},
                            "weighted_mean")
    document["sources"]["data"]["path"] = str(data)
    document["units"]["group"] = "GDPpc_group"
    result = score(plugins, document)
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    published = read_csv(REF / "coinr_asem" / "results_vignette_groupranks_XL_head.csv")
    assert len(published) == 6
    for row in published:
        assert result.unit_groups[index[row["uCode"]]].as_py() == "XL"
        assert result.group_rank[index[row["uCode"]]] == int(row["Index"]), row["uCode"]


@pytest.mark.parametrize("normaliser,aggregator,results", [
    ({"method": "minmax", "params": {"scale": [1, 100]}}, "geometric_mean", "variant_minmax1-100_gmean_results_full.csv"),
    ({"method": "zscore", "params": {"mean": 10, "sd": 2}}, "weighted_mean", "variant_zscore10-2_amean_results_full.csv"),
])
def test_coinr_asem_variants(plugins, normaliser, aggregator, results):
    """The treated ASEM data re-normalised and re-aggregated as COINr does (min-max to [1, 100] with
    geometric means; z-scores with mean 10 and standard deviation 2 with arithmetic means)."""
    result = score(plugins, asem_ruleset("example_coin_dset_Treated.csv", normaliser, aggregator))
    assert_scores_and_ranks(result, read_csv(REF / "coinr_asem" / results), "Index")


def test_coinr_overview_pipeline_renormalises_weights_over_present_indicators(plugins):
    """The overview vignette's normalised data keep 25 missing values; COINr's arithmetic mean
    skips them and renormalises the weights, as a node with "missing": "renormalise" does."""
    document = asem_ruleset("overview_pipeline_dset_Normalised.csv", "none", "weighted_mean",
                            missing="leave", node_missing="renormalise", directions=False)
    result = score(plugins, document)
    assert sum(np.isnan(v).sum() for v in result.raw.values()) == 25
    rows = read_csv(REF / "coinr_asem" / "overview_pipeline_results_full.csv")
    assert len(rows) == 46
    assert_scores_and_ranks(result, rows, "Index")


@pytest.mark.parametrize("method,params,missing,column", [
    ("weighted_mean", {}, "renormalise", "a_amean_w121"),
    ("geometric_mean", {}, "renormalise", "a_gmean_w121"),
    ("weighted_harmonic_mean", {}, "renormalise", "a_hmean_w121"),
    ("generalised_mean", {"p": 2}, "propagate", "a_genmean_p2_w121"),
    ("generalised_mean", {"p": -1}, "propagate", "a_genmean_pm1_w121"),
    ("copeland", {}, "propagate", "a_copeland_w121_completecase"),
])
def test_coinr_aggregation_formulas(plugins, tmp_path, method, params, missing, column):
    """COINr 1.1.14's aggregators on a 5 × 3 matrix with one missing value, weights (1, 2, 1)
    (formula_checks_aggregate.csv): the means skip the missing value and renormalise the weights,
    the generalised mean and Copeland (complete cases) leave that unit without a score."""
    source = REF / "coinr_asem" / "formula_checks_aggregate.csv"
    rows = read_csv(source)
    data = tmp_path / "abc.csv"
    data.write_text("id,a,b,c\n" + "".join(f"u{i},{r['a']},{r['b']},{r['c']}\n" for i, r in enumerate(rows)), encoding="utf-8")
    document = {
        "format": "govscore/1", "id": "coinr-aggregation", "title": "COINr aggregation checks",
        "units": {"id": "id"}, "sources": {"d": {"format": "csv", "path": str(data)}},
        "normalise": "none",
        "indicators": {k: {"column": k, "missing": "leave"} for k in "abc"},
        "weights": {"w": {"method": "fixed", "renormalise": True, "params": {"values": {"a": 1, "b": 2, "c": 1}}}},
        "nodes": {"x": {"method": method, "children": ["a", "b", "c"], "weights": "w", "params": params, "missing": missing}},
        "score": "x",
    }
    result = score(plugins, document)
    for i, row in enumerate(rows):
        if row[column] == "NA":
            assert np.isnan(result.score[i])
        else:
            assert result.score[i] == pytest.approx(float(row[column]), rel=1e-9), (i, row[column])


def test_coinr_outlier_treatment(plugins, tmp_path):
    """COINr's default Treat() on the screened ASEM data (winsorise up to 5 points while |skew| ≥ 2 and
    kurtosis ≥ 3.5, else log): the treated data set, and the number of points winsorised per indicator."""
    document = asem_ruleset("example_coin_dset_Screened.csv", "none", "weighted_mean", directions=False)
    document["treat"] = {"method": "winsorise_log", "params": {"winmax": 5}}
    result = score(plugins, document)
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    treated = read_csv(REF / "coinr_asem" / "example_coin_dset_Treated.csv")
    for name in result.raw:
        for row in treated:
            got = result.treated[name][index[row["uCode"]]]
            assert got == pytest.approx(float(row[name]), rel=1e-9, abs=1e-12), (name, row["uCode"])
    for row in read_csv(REF / "coinr_asem" / "example_coin_treat_details.csv"):
        done = result.treatment[row["iCode"]]
        assert done["passed_before"] == (row["check_SkewKurt0.Pass"] == "TRUE"), row["iCode"]
        assert done["skew_before"] == pytest.approx(float(row["check_SkewKurt0.Skew"]), rel=1e-9)
        if row["winsorise.nwin"] not in ("NA", ""):
            assert done["winsorised"] == int(row["winsorise.nwin"]) or done["log"], row["iCode"]


def test_coinr_denominate_and_group_mean_imputation(plugins):
    """COINr's example pipeline up to imputation: indicators with a denominator are divided by it
    (formula indicators here), then missing values are filled with the mean of the unit's
    EurAsia_group (i_mean_grp). Compared with COINr's imputed data set."""
    meta = read_csv(REF / "coinr_asem" / "ASEM_iMeta.csv")
    indicators = {d: {"column": d, "missing": "leave"} for d in ("Area", "Energy", "GDP", "Population")}
    for m in meta:
        if m["Type"] != "Indicator":
            continue
        code, denominator = m["iCode"], m["Denominator"]
        if denominator not in ("", "NA"):
            indicators[code + "_raw"] = {"column": code, "missing": "leave"}
            indicators[code] = {"formula": f"{code}_raw / {denominator}", "missing": "impute_group_mean"}
        else:
            indicators[code] = {"column": code, "missing": "impute_group_mean"}
    codes = [m["iCode"] for m in meta if m["Type"] == "Indicator"]
    document = {
        "format": "govscore/1", "id": "asem-impute", "title": "ASEM imputation",
        "units": {"id": "uCode", "group": "EurAsia_group"},
        "sources": {"data": {"format": "csv", "path": str(REF / "coinr_asem" / "ASEM_iData.csv")}},
        "normalise": "none", "indicators": indicators,
        "nodes": {"Index": {"method": "weighted_mean", "children": codes}}, "score": "Index",
    }
    result = score(plugins, document)
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    filled = 0
    for row in read_csv(REF / "coinr_asem" / "example_coin_dset_Imputed.csv"):
        for code in codes:
            assert result.raw[code][index[row["uCode"]]] == pytest.approx(float(row[code]), rel=1e-9), (code, row["uCode"])
        filled += sum(bool(result.imputed.get(code, np.zeros(51, bool))[index[row["uCode"]]]) for code in codes)
    assert filled > 0  # the raw data has gaps, and they were filled by group


def test_coinr_rank_normalisation_and_copeland_at_every_level(plugins):
    """COINr 1.1.14 on the treated ASEM data: n_rank (ties "min"), then Copeland outranking with weights
    at every level (variant_rank_copeland_results_full.csv): every pillar, sub-index and the index, and
    the index ranks. Copeland scores are whole numbers, so they must agree exactly."""
    result = score(plugins, asem_ruleset("example_coin_dset_Treated.csv", {"method": "rank"}, "copeland"))
    rows = read_csv(REF / "coinr_asem" / "variant_rank_copeland_results_full.csv")
    assert len(rows) == 51
    index = assert_scores_and_ranks(result, rows, "Index")
    for row in rows:
        i = index[row["uCode"]]
        for node in ("Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin"):
            assert result.nodes[node][i] == float(row[node]), (row["uCode"], node)
    # the rank normalisation itself; the treated CSV keeps 15 significant digits, so two values R told
    # apart (3.4 against 3.4 + 1e-15) may be tied here: there COINr's rank must lie within the tie
    for name in result.raw:
        values = result.treated.get(name, result.raw[name])
        for row in rows:
            i = index[row["uCode"]]
            ties = int((values == values[i]).sum())
            ours, theirs = result.normalised[name][i], float(row[name])
            assert ours == theirs or (ties > 1 and ours <= theirs < ours + ties), (name, row["uCode"])


def test_coinr_published_weighted_harmonic_mean_example(plugins):
    """The worked example of COINr's aggregation vignette (docs/articles/aggregate.html, printed to 3
    significant figures): the raw LPI, Flights, Ship and Bord of the ASEM data min-max normalised to
    [1, 100], then a weighted harmonic mean with weights (1, 1, 2, 1); the vignette prints the first
    five units."""
    columns = ("LPI", "Flights", "Ship", "Bord")
    document = {
        "format": "govscore/1", "id": "asem-hmean", "title": "COINr harmonic mean example",
        "units": {"id": "uCode"},
        "sources": {"data": {"format": "csv", "path": str(REF / "coinr_asem" / "ASEM_iData.csv")}},
        "normalise": {"method": "minmax", "params": {"scale": [1, 100]}},
        "indicators": {c: {"column": c} for c in columns},
        "weights": {"w": {"method": "fixed", "renormalise": True,
                          "params": {"values": {"LPI": 1, "Flights": 1, "Ship": 2, "Bord": 1}}}},
        "nodes": {"y": {"method": "weighted_harmonic_mean", "children": list(columns), "weights": "w"}},
        "score": "y",
    }
    result = score(plugins, document)
    published = read_csv(REF / "coinr_asem" / "aggregate_vignette_hmean_example_signif3.csv")
    assert len(published) == 5
    for i, row in enumerate(published):  # the vignette's rows are the data's first five units
        for name in columns:
            assert float(f"{result.normalised[name][i]:.3g}") == float(row[name]), (i, name)
        assert float(f"{result.score[i]:.3g}") == float(row["y"]), i


def test_coinr_published_individual_normalisation_example(plugins):
    """The normalisation vignette of COINr (docs/articles/normalise.html): the raw ASEM data with LPI
    as a Borda count, Flights as z-scores with mean 10 and sd 2, and Ship min-max to [0, 100]; the
    vignette prints the first ten units."""
    document = {
        "format": "govscore/1", "id": "asem-indiv", "title": "COINr individual normalisation example",
        "units": {"id": "uCode"},
        "sources": {"data": {"format": "csv", "path": str(REF / "coinr_asem" / "example_coin_dset_Raw.csv")}},
        "normalise": {"method": "minmax", "params": {"scale": [0, 100]}},
        "indicators": {"LPI": {"column": "LPI", "normalise": "borda"},
                       "Flights": {"column": "Flights", "normalise": {"method": "zscore", "params": {"mean": 10, "sd": 2}}},
                       "Ship": {"column": "Ship"}},
        "nodes": {"y": {"method": "weighted_mean", "children": ["LPI", "Flights", "Ship"]}},
        "score": "y",
    }
    result = score(plugins, document)
    published = read_csv(REF / "coinr_asem" / "normalise_vignette_indiv_specs_borda_zscore_head10.csv")
    assert len(published) == 10
    index = {u: i for i, u in enumerate(result.unit_ids.to_pylist())}
    for row in published:
        i = index[row["uCode"]]
        assert result.normalised["LPI"][i] == float(row["LPI"]), row["uCode"]
        for name in ("Flights", "Ship"):  # R prints a column with the same decimals in every row
            decimals = len(row[name].partition(".")[2])
            assert round(result.normalised[name][i], decimals) == float(row[name]), (name, row["uCode"])


def compind_ampi_ruleset(params: dict, panel: dict) -> dict:
    """The vignette's call ci_ampi(EU_2020_long, gp = c(50, 100), polarity = c("POS", "POS")) as a ruleset."""
    return {
        "format": "govscore/1", "id": "compind-ampi", "title": "Compind AMPI example",
        "units": {"id": "row", "label": "geo", "period": "year"},
        "sources": {"data": {"format": "csv", "path": str(REF / "compind_eu2020" / "EU_2020_long.csv")}},
        "indicators": {name: {"column": name, "normalise": {"method": "ampi", "params": {"reference": reference}}}
                       for name, reference in (("employ", 50), ("finalenergy", 100))},
        "nodes": {"ampi": {"method": "mazziotta_pareto", "children": ["employ", "finalenergy"], "params": params}},
        "score": "ampi",
        "panel": panel,
    }


def test_compind_vignette_adjusted_mazziotta_pareto_table(plugins):
    """The adjusted Mazziotta–Pareto index table printed (2 dp) in the vignette of the Compind R package
    ("Compind: Composite indicators", §2.4: ci_ampi on EU_2020, employment rate and final energy
    consumption in 2010 and 2011, reference values 50 and 100, penalty "POS", i.e. M + S·cv). The printed
    numbers rescale each year on its own range and take S with k − 1 (Mazziotta & Pareto's AMPI, and
    Compind's released code, use the range over all years and k): the ruleset states both choices."""
    result = score(plugins, compind_ampi_ruleset({"penalty": "positive", "deviation": "sample"},
                                                 {"normalise": "per_period"}))
    published = read_csv(REF / "compind_eu2020" / "vignette_ci_ampi_est.csv")
    assert len(published) == 30
    position = {key: i for i, key in enumerate(zip(result.unit_ids.to_pylist(), result.unit_periods.to_pylist()))}
    for row in published:
        for year in ("2010", "2011"):
            ours = result.score[position[row["row"], year]]
            assert ours == pytest.approx(float(row[year]), abs=0.005 + 1e-9), (row["row"], year)

