"""Scoring out of core (engine run --blocks): the same results as in memory, block by block, and plain refusals
of what cannot be done so."""

import contextlib
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest

from conftest import RULESETS, codes, engine, write_ruleset
from govscore.engine.block_plan import fits_in_memory, unsupported
from govscore.engine.blocks import merged, run_blocks
from govscore.engine.compiler import load_ruleset
from govscore.engine.diagnostics import EngineError
from govscore.engine.execute import run


def compiled(path, plugins):
    ruleset, diagnostics = load_ruleset(str(path), plugins)
    assert ruleset is not None, "\n".join(d.format_text() for d in diagnostics)
    return ruleset


@contextlib.contextmanager
def out_of_core(*args, **kwargs):
    """A run out of core, closed (its scratch folder removed) whatever the test found."""
    scored = run_blocks(*args, **kwargs)
    try:
        yield scored
    finally:
        scored.close()


def parts_joined(scored):
    """The parts of a run out of core as one table of its columns (as the csv output writes them)."""
    from govscore.plugins.outputs import arrow_batches
    return pa.concat_tables(batch for part in scored.parts() for batch in arrow_batches(part, "all"))


def in_memory(result):
    from govscore.plugins.outputs import arrow_table
    return arrow_table(result, "all")


def assert_same(blocks: pa.Table, memory: pa.Table, tolerance=1e-12):
    assert blocks.column_names == memory.column_names
    for name in memory.column_names:
        a, b = blocks[name].to_pylist(), memory[name].to_pylist()
        if memory[name].type == pa.float64():
            x, y = np.array(a, dtype=float), np.array(b, dtype=float)
            assert np.array_equal(np.isnan(x), np.isnan(y)), name
            scale = np.nanmax(np.abs(y)) if np.isfinite(y).any() else 1.0
            assert np.nanmax(np.abs(x - y), initial=0) <= tolerance * max(1.0, scale), name
        else:
            assert a == b, name  # ids, ranks, grades: exactly


def synthetic(tmp_path, units=6000, ties="min", fmt="csv"):
    """A ruleset over synthetic data with what is gathered over blocks: mean and median imputation, min-max,
    z-scores, ratios, goalposts and vectors, entropy, CRITIC and PCA weights, groups, rounding, ties and grades."""
    rng = np.random.default_rng(5)
    columns = {"id": [f"U{i:05d}" for i in range(units)], "town": [f"T{i % 17}" for i in range(units)]}
    for k in range(6):
        x = rng.gamma(2 + k, 10.0, units)
        x[rng.random(units) < 0.02] = np.nan
        columns[f"x{k}"] = x
    table = pa.table(columns)
    if fmt == "csv":
        pv.write_csv(table, tmp_path / "data.csv")
    else:
        pq.write_table(table, tmp_path / "data.parquet", row_group_size=1000)
    document = {
        "format": "govscore/1", "id": "synthetic", "title": "synthetic",
        "units": {"source": "main", "id": "id", "group": "town"},
        "sources": {"main": {"format": fmt, "path": f"data.{fmt}"}},
        "indicators": {
            "x0": {"label": "x0", "column": "x0", "missing": "impute_mean", "normalise": {"method": "minmax", "params": {"scale": [1, 100]}}},
            "x1": {"label": "x1", "column": "x1", "direction": "lower", "missing": "impute_median",
                   "normalise": {"method": "minmax", "params": {"scale": [0, 100]}}},
            "x2": {"label": "x2", "column": "x2", "missing": "impute_median", "normalise": {"method": "zscore", "params": {"mean": 50, "sd": 10}}},
            "x3": {"label": "x3", "column": "x3", "missing": "impute_mean", "normalise": {"method": "ratio"}},
            "x4": {"label": "x4", "column": "x4", "missing": "impute_mean", "goalposts": {"lower": 0, "upper": 150},
                   "normalise": {"method": "goalposts", "params": {"scale": [1, 100]}}},
            "x5": {"label": "x5", "column": "x5", "missing": "impute_mean", "normalise": {"method": "vector"}},
            "x5_share": {"label": "x5 share", "formula": "x5 / (x5 + x4)", "normalise": {"method": "minmax"}},
        },
        "weights": {"e": {"method": "entropy"}, "c": {"method": "critic"}, "p": {"method": "pca", "params": {"negative": "absolute"}}},
        "nodes": {
            "A": {"label": "A", "method": "weighted_mean", "children": ["x0", "x1", "x2"], "weights": "e"},
            "B": {"label": "B", "method": "weighted_mean", "children": ["x3", "x4", "x5", "x5_share"], "weights": "c"},
            "C": {"label": "C", "method": "geometric_mean", "children": ["x0", "x4"], "weights": "p"},
            "H": {"label": "H", "method": "weighted_mean", "children": ["A", "B"], "weights": "e"},
        },
        "score": "H",
        "rounding": [{"node": "H", "digits": 1}],
        "rank": {"ties": ties, "use_rounded": True},
        "grades": {"bands": [{"label": "A", "min": 60}, {"label": "B", "min": 45}, {"label": "C"}]},
    }
    return write_ruleset(tmp_path, document)


@pytest.mark.parametrize("ties", ["min", "average", "dense", "ordinal"])
@pytest.mark.parametrize("budget", [1 << 30, 100_000], ids=["ranked at once", "ranked by DuckDB's external sort"])
def test_synthetic_out_of_core_is_what_memory_gives(tmp_path, plugins, ties, budget):
    ruleset = compiled(synthetic(tmp_path, ties=ties), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=700, memory=budget) as scored:
        assert scored.size == memory.size == 6000 and scored.meta["blocks"]["passes"] > 4  # median steps, then weights on nodes
        blocks = parts_joined(scored)
        assert_same(blocks, in_memory(memory))
        assert blocks["rank"].to_pylist() == memory.rank.tolist()  # ties among the rounded scores: exactly as in memory
        assert len(set(memory.rounded["H"])) < 6000
        assert [d.format_text() for d in scored.diagnostics] == [d.format_text() for d in memory.diagnostics]
    assert not scored.scratch.exists()


def test_parquet_source_out_of_core(tmp_path, plugins):
    ruleset = compiled(synthetic(tmp_path, units=3000, fmt="parquet"), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=400) as scored:
        assert_same(parts_joined(scored), in_memory(memory))


@pytest.mark.parametrize("name", ["effectiveness", "efficiency", "efficiency_dea", "governance", "governance_ahp",
                                  "governance_coupling", "governance_entropy", "ranking_topsis"])
def test_shipped_rulesets_out_of_core(name, plugins):
    ruleset = compiled(RULESETS / f"{name}.json", plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=10) as scored:
        assert_same(parts_joined(scored), in_memory(memory))
        assert [d.format_text() for d in scored.diagnostics] == [d.format_text() for d in memory.diagnostics]


def test_command_line_out_of_core_writes_what_memory_writes(tmp_path):
    ruleset = synthetic(tmp_path, units=2000)
    assert engine("run", ruleset, "-q", "-o", tmp_path / "memory.csv").returncode == 0
    out = engine("run", ruleset, "--blocks", "--memory", "64KB", "-o", tmp_path / "blocks.csv", "-o", tmp_path / "blocks.parquet")
    assert out.returncode == 0, out.stderr
    assert_same(pv.read_csv(tmp_path / "blocks.csv"), pv.read_csv(tmp_path / "memory.csv"))
    assert pq.read_table(tmp_path / "blocks.parquet").num_rows == 2000
    assert "W_IMPUTED" in out.stderr and list(tmp_path.glob("govscore-blocks.*")) == []


def test_what_cannot_run_out_of_core_is_told_before_reading(tmp_path, plugins):
    problems = unsupported(compiled(RULESETS / "grassroots.json", plugins), plugins)
    assert "E_OUT_OF_CORE" in codes(problems) and "/nodes/G/formula" in [d.path for d in problems]
    path = synthetic(tmp_path, units=50)
    document = json.loads(path.read_text())
    document["indicators"]["x0"]["normalise"] = {"method": "rank", "params": {"ties": "ordinal"}}
    document["indicators"]["x2"]["missing"] = "drop_unit"  # while others are filled in with means
    document["nodes"]["B"]["method"] = "copeland"
    problems = unsupported(compiled(write_ruleset(tmp_path, document), plugins), plugins, [plugins.get("output", "table")])
    said = {d.path: d.text("en") for d in problems}
    assert 'normaliser rank cannot be run out of core: ties "ordinal" needs every unit' in said["/indicators/x0/normalise"]
    assert "together with a mean or median imputation" in said["/indicators"]
    assert "output format table" in said["/outputs"]
    assert "aggregator copeland cannot be run out of core: it compares every unit" in said["/nodes/B/method"]
    out = engine("run", write_ruleset(tmp_path, document), "--blocks", "-o", tmp_path / "out.csv")
    assert out.returncode == 1 and "E_OUT_OF_CORE" in out.stderr and not (tmp_path / "out.csv").exists()
    zh = engine("run", write_ruleset(tmp_path, document), "--blocks", "--lang", "zh-CN", "-o", tmp_path / "out.csv")
    assert "无法分块运行" in zh.stderr


def test_errors_of_every_block_told_once(tmp_path, plugins):
    path = synthetic(tmp_path, units=3000)
    document = json.loads(path.read_text())
    document["indicators"]["x0"]["missing"] = "error"
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    with pytest.raises(EngineError) as memory:
        run(ruleset, plugins)
    with pytest.raises(EngineError) as blocks:
        run_blocks(ruleset, plugins, rows=300)
    (m,), (b,) = memory.value.diagnostics, blocks.value.diagnostics
    assert b.code == "E_MISSING_VALUE" and sorted(b.units) == sorted(m.units) and b.text() == m.text() and len(b.units) > 30


def test_duplicate_ids_in_different_blocks(tmp_path, plugins):
    rows = "id,a\n" + "".join(f"u{i},{i}\n" for i in range(200)) + "u3,7\n"
    (tmp_path / "data.csv").write_text(rows)
    document = {"format": "govscore/1", "id": "d", "title": "d", "units": {"source": "main", "id": "id"},
                "sources": {"main": {"format": "csv", "path": "data.csv"}},
                "indicators": {"a": {"label": "a", "column": "a", "normalise": {"method": "minmax"}}}, "score": "a"}
    with pytest.raises(EngineError) as caught:
        run_blocks(compiled(write_ruleset(tmp_path, document), plugins), plugins, rows=50)
    (d,) = caught.value.diagnostics
    assert d.code == "E_DATA_DUPLICATE_UNIT" and d.units == ("u3",)


def test_numbers_written_as_text_further_down_the_file(tmp_path, plugins):
    """A block far into the file with "1,234" and a marker for no data: the file is read on as text, from that row."""
    lines = ["id,a,b"] + [f"u{i},{i},{i % 7}" for i in range(5000)] + ['u5000,"1,234",—', "u5001,3,4"]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    document = {"format": "govscore/1", "id": "t", "title": "t", "units": {"source": "main", "id": "id"},
                "sources": {"main": {"format": "csv", "path": "data.csv"}},
                "indicators": {"a": {"label": "a", "column": "a", "normalise": {"method": "minmax"}},
                               "b": {"label": "b", "column": "b", "missing": "impute_mean", "normalise": {"method": "minmax"}}},
                "nodes": {"H": {"label": "H", "method": "weighted_mean", "children": ["a", "b"]}}, "score": "H"}
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=500) as scored:
        joined = parts_joined(scored)
        assert_same(joined, in_memory(memory))
        assert joined["a.raw"].to_pylist()[5000] == 1234.0 and np.isclose(joined["b.raw"].to_pylist()[5000], np.mean([i % 7 for i in range(5000)] + [4]))


def test_blocks_sized_to_the_memory_given(tmp_path, plugins):
    ruleset = compiled(synthetic(tmp_path, units=4000), plugins)
    assert fits_in_memory(ruleset, {}, (), 1 << 30) and not fits_in_memory(ruleset, {}, (), 100_000)
    with out_of_core(ruleset, plugins, memory=100_000) as small:
        assert small.meta["blocks"]["rows"] < 4000 and sum(p.size for p in small.parts()) == 4000


def test_memory_option_is_checked(tmp_path):
    out = engine("run", RULESETS / "governance.json", "--memory", "lots")
    assert out.returncode == 2 and "is not a size" in out.stderr


def test_merged_adds_counts_and_joins_units():
    from govscore.engine.diagnostics import said
    a = said("W_NO_SCORE", "units.no_score", severity="warning", path="/nodes/H", units=("u1",), count=1, total=10)
    b = said("W_NO_SCORE", "units.no_score", severity="warning", path="/nodes/H", units=("u7", "u8"), count=2, total=10)
    (m,) = merged([a, b])
    assert m.units == ("u1", "u7", "u8") and dict(m.fields)["count"] == 3 and dict(m.fields)["total"] == 20


def test_a_source_without_rows_is_told_as_in_memory(tmp_path, plugins):
    (tmp_path / "data.csv").write_text("id,a\n")
    document = {"format": "govscore/1", "id": "e", "title": "e", "units": {"source": "main", "id": "id"},
                "sources": {"main": {"format": "csv", "path": "data.csv"}},
                "indicators": {"a": {"label": "a", "column": "a", "normalise": {"method": "minmax"}}}, "score": "a"}
    with pytest.raises(EngineError) as caught:
        run_blocks(compiled(write_ruleset(tmp_path, document), plugins), plugins)
    assert codes(caught.value.diagnostics) == ["E_DATA_NO_UNITS"]


@pytest.mark.parametrize("params", [{}, {"extremes": "per_column", "rho": 0.3}, {"reference": {"x3": 0.9, "x4": 90, "x5": 0.02}}])
def test_grey_relational_and_topsis_gather_their_ideals_over_blocks(tmp_path, plugins, params):
    path = synthetic(tmp_path, units=3000)
    document = json.loads(path.read_text())
    document["nodes"]["B"] = {"label": "B", "method": "grey_relational", "children": ["x3", "x4", "x5"], "params": params}
    document["nodes"]["A"]["method"] = "topsis"
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=350) as scored:
        assert_same(parts_joined(scored), in_memory(memory))


@pytest.mark.parametrize("v, units", [(0.5, 3000), (0.1, 40)], ids=["many units", "a compromise set"])
def test_vikor_and_coupling_coordination_gather_over_blocks(tmp_path, plugins, v, units):
    """VIKOR: its ideals, the range of S and R, the first two units by Q (and, without an acceptable advantage,
    every unit within DQ of the first) gathered over every block; coupling coordination: each subsystem's range,
    when it rescales them."""
    path = synthetic(tmp_path, units=units)
    document = json.loads(path.read_text())
    document["nodes"]["B"] = {"label": "B", "method": "vikor", "children": ["x3", "x4", "x5"], "params": {"v": v}}
    document["nodes"]["C"] = {"label": "C", "method": "coupling_coordination", "children": ["x0", "x1"],
                              "params": {"rescale": True, "full": 100}}
    document["nodes"]["H"]["children"] = ["A", "C"]
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=units // 8) as scored:
        assert_same(parts_joined(scored), in_memory(memory))
        gathered = scored.passes.known[("aggregate", "B")][1]
    details = memory.details["B"]["details"]
    assert details["compromise"] == [str(u) for u in gathered["close" if "close" in gathered else "first"].carried["units"]
                                     ][:len(details["compromise"])]
    assert ("close" in gathered) == (not details["acceptable_advantage"]) == (units == 40)


def test_ranks_and_percentiles_count_every_block_sorted_values(tmp_path, plugins):
    """The rank, Borda and percentile normalisers out of core: each block's values sorted into a scratch file, and a
    unit's rank counted from every file (ties min and average); as in memory."""
    path = synthetic(tmp_path, units=3000)
    document = json.loads(path.read_text())
    document["indicators"]["x0"]["normalise"] = {"method": "rank", "params": {"ties": "average"}}
    document["indicators"]["x1"]["normalise"] = {"method": "borda"}  # direction lower: counted from the top
    document["indicators"]["x2"]["normalise"] = {"method": "percentile", "params": {"scale": [0, 100]}}
    document["indicators"]["x3"]["missing"] = "leave"
    document["indicators"]["x3"]["normalise"] = {"method": "rank"}
    for k in (0, 1, 2, 3):
        document["indicators"][f"x{k}"]["column"] = "x5"  # few distinct values: many ties
    pv.write_csv(pa.table({**pv.read_csv(tmp_path / "data.csv").to_pydict(),
                           "x5": np.round(np.random.default_rng(1).gamma(2, 3, 3000))}), tmp_path / "data.csv")
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=400) as scored:
        assert_same(parts_joined(scored), in_memory(memory))
        spilled = list((scored.scratch / "gathered").glob("sorted-*.f8"))
        runs = [len(statistic.runs) for _, found in scored.passes.known.values() for statistic in found.values()
                if hasattr(statistic, "runs")]
        assert len(runs) == 4 and min(runs) > 1 and len(spilled) == sum(runs)  # a sorted run per ranked indicator and block
    document["indicators"]["x0"]["normalise"] = {"method": "rank", "params": {"ties": "dense"}}
    problems = unsupported(compiled(write_ruleset(tmp_path, document), plugins), plugins)
    assert [d.path for d in problems] == ["/indicators/x0/normalise"] and 'ties "dense"' in problems[0].text("en")


def test_panel_normalised_per_period_and_groups_imputed_out_of_core(tmp_path, plugins):
    """Each period normalised on its own, and each group's mean or median filled in: out of core, each period's
    and each group's statistics gathered over its units in every block (exact medians too)."""
    rng = np.random.default_rng(8)
    n = 1200
    columns = {"id": [f"U{i % 400:04d}" for i in range(n)], "year": [str(2021 + i // 400) for i in range(n)],
               "town": [f"T{(i * 7) % 13}" for i in range(n)]}
    for k in range(4):
        x = np.round(rng.gamma(2 + k, 10.0, n), 1)
        x[rng.random(n) < 0.05] = np.nan
        columns[f"x{k}"] = x
    pv.write_csv(pa.table(columns), tmp_path / "panel.csv")
    document = {
        "format": "govscore/1", "id": "panel", "title": "panel", "units": {"source": "main", "id": "id", "period": "year",
                                                                      "group": "town"},
        "sources": {"main": {"format": "csv", "path": "panel.csv"}}, "panel": {"normalise": "per_period"},
        "indicators": {
            "x0": {"label": "x0", "column": "x0", "missing": "impute_group_mean", "normalise": {"method": "minmax"}},
            "x1": {"label": "x1", "column": "x1", "missing": "impute_group_median", "normalise": {"method": "zscore"}},
            "x2": {"label": "x2", "column": "x2", "missing": "impute_median", "normalise": {"method": "percentile"}},
            "x3": {"label": "x3", "column": "x3", "missing": "impute_group_median", "direction": "lower",
                   "normalise": {"method": "rank", "params": {"ties": "average"}}}},
        "weights": {"e": {"method": "entropy"}},
        "nodes": {"H": {"label": "H", "method": "weighted_mean", "children": ["x0", "x1", "x2", "x3"], "weights": "e"}},
        "score": "H"}
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    assert unsupported(ruleset, plugins) == []
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=150) as scored:
        assert_same(parts_joined(scored), in_memory(memory))
        assert sorted(d.format_text() for d in scored.diagnostics) == sorted(d.format_text() for d in memory.diagnostics)
        keys = scored.passes.known
    assert ("normalise", "x0", "2023") in keys and ("impute", "x1", "T5\x1f2022") in keys
    document["indicators"]["x0"]["missing"] = "carry_forward"  # a unit's periods may lie in different blocks
    (problem,) = unsupported(compiled(write_ruleset(tmp_path, document), plugins), plugins)
    assert problem.path == "/indicators/x0/missing" and "impute_group_median" in problem.text("en")


def test_outliers_treated_out_of_core(tmp_path, plugins):
    """The JRC outlier rule (winsorise_log) out of core: each indicator winsorised, logged or left as in memory."""
    path = synthetic(tmp_path, units=3000)
    data = pv.read_csv(tmp_path / "data.csv").to_pydict()
    rng = np.random.default_rng(2)
    data["x2"] = list(np.where(rng.random(3000) < 0.01, rng.uniform(500, 5000, 3000), data["x2"]))  # a long upper tail
    data["x0"][100:104] = [900.0, 950.0, 990.0, 1200.0]  # a few outliers
    pv.write_csv(pa.table(data), tmp_path / "data.csv")
    document = json.loads(path.read_text())
    document["treat"] = {"method": "winsorise_log", "params": {"winmax": 5}}
    document["indicators"]["x0"]["treat"] = {"method": "winsorise_log", "params": {"winmax": 40}}
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    done = {name: (d["winsorised"], d["log"]) for name, d in memory.treatment.items()}
    assert done["x2"] == (0, True) and any(w > 0 for w, _ in done.values())  # some winsorised, some logged
    with out_of_core(ruleset, plugins, rows=400) as scored:
        assert_same(parts_joined(scored), in_memory(memory))


def test_merged_names_a_bounded_number_of_units_and_counts_them_all():
    from govscore.engine.blocks import UNITS_NAMED
    from govscore.engine.diagnostics import said
    parts = [said("W_IMPUTED", "indicator.imputed", severity="warning", path="/indicators/a", name="a", label="a",
                  policy="impute_mean", units=tuple(f"u{b}-{i}" for i in range(400))) for b in range(5)]
    (m,) = merged(merged(parts[:3]) + merged(parts[3:]))
    assert len(m.units) == UNITS_NAMED and m.units[0] == "u0-0" and m.unit_total == 2000
    assert "and 1990 more" in m.format_text() and m.to_dict()["units_count"] == 2000


def test_scratch_left_by_a_killed_run_is_removed(tmp_path, plugins, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    dead = tmp_path / "tmp" / "govscore-blocks.999999999.abcd.tmp"  # no process has that id
    dead.mkdir()
    (dead / "data.arrow").write_bytes(b"left over")
    mine = tmp_path / "tmp" / f"govscore-blocks.{os.getpid()}.efgh.tmp"  # a run of this process, still going
    mine.mkdir()
    ruleset = compiled(synthetic(tmp_path, units=200), plugins)
    scored = run_blocks(ruleset, plugins, rows=50)
    scored.close()
    assert not dead.exists() and mine.exists() and not scored.scratch.exists()


def frontier_data(tmp_path, method, params, units=1500, fmt="csv"):
    """A ruleset of one frontier method over synthetic inputs and outputs, some units missing one of them."""
    rng = np.random.default_rng(11)
    inputs = rng.uniform(1, 10, (units, 2))
    outputs = inputs.sum(axis=1, keepdims=True) ** 0.8 * rng.uniform(0.2, 1, (units, 3))
    columns = {"id": [f"D{i:05d}" for i in range(units)]}
    for k, values in enumerate([*inputs.T, *outputs.T]):
        values[rng.random(units) < 0.01] = np.nan
        columns[f"c{k}"] = values
    if fmt == "csv":
        pv.write_csv(pa.table(columns), tmp_path / "frontier.csv")
    else:
        pq.write_table(pa.table(columns), tmp_path / "frontier.parquet", row_group_size=200)
    names = [f"c{k}" for k in range(5)]
    document = {
        "format": "govscore/1", "id": "frontier", "title": "frontier", "units": {"source": "main", "id": "id"},
        "sources": {"main": {"format": fmt, "path": f"frontier.{fmt}"}}, "normalise": "none",
        "indicators": {name: {"label": name, "column": name, "missing": "leave"} for name in names},
        "nodes": {"F": {"label": "F", "method": method, "children": names if method != "benefit_of_the_doubt" else names[2:],
                        "params": params}},
        "score": "F"}
    return write_ruleset(tmp_path, document)


@pytest.mark.parametrize("method, params", [
    ("dea", {"inputs": ["c0", "c1"]}),
    ("dea", {"inputs": ["c0", "c1"], "model": "BCC", "orientation": "output", "super": True}),
    ("dea", {"inputs": ["c0", "c1"], "model": "CCR", "super": True}),
    ("sbm", {"inputs": ["c0", "c1"], "returns": "variable", "super": True}),
    ("sbm", {"inputs": ["c0"], "undesirable": ["c1"], "orientation": "output"}),
    ("benefit_of_the_doubt", {"shares": {"c2": [0.1, 0.7]}}),
], ids=["CCR", "BCC output super", "CCR super", "SBM VRS super", "SBM undesirable", "benefit of the doubt"])
def test_frontier_methods_out_of_core_measure_against_the_frontier_found_first(tmp_path, plugins, method, params):
    """DEA out of core: the units on the frontier found over every block first (those of each block sorted out with
    those found so far), then each block measured against them: scores, slacks, targets, peers and statuses
    as in memory, where every unit is measured against all."""
    ruleset = compiled(frontier_data(tmp_path, method, params), plugins)
    memory = run(ruleset, plugins)
    with out_of_core(ruleset, plugins, rows=250) as scored:
        assert scored.meta["blocks"]["passes"] == 2  # the frontier, then the scores
        blocks, expected = parts_joined(scored), in_memory(memory)
        assert_same(blocks.select(["unit", "F", "rank"]), expected.select(["unit", "F", "rank"]), tolerance=1e-9)
        peers = [name for name in expected.column_names if name == "F.peers"]  # DEA's: the same units, in another order
        assert_same(blocks.drop_columns(peers), expected.drop_columns(peers), tolerance=1e-7)  # slacks, targets, statuses
        assert sorted(d.format_text() for d in scored.diagnostics) == sorted(d.format_text() for d in memory.diagnostics)
        frontier = scored.passes.known[("aggregate", "F")][1]["frontier"]
    details = memory.details["F"]["details"]
    assert frontier.merged and len(frontier.ids) < 150 and (0 < len(frontier.second[0]) < 300) == bool(params.get("super"))
    if params.get("model") == "BCC":  # the frontier found over blocks: the units BCC rates efficient over all of them
        efficiency = details["efficiency"]
        assert sorted(frontier.ids) == sorted(np.asarray(memory.unit_ids)[efficiency >= 1 - 1e-6])
    assert details.get("efficient", 1) > 0 and (np.nan_to_num(memory.nodes["F"]) <= 1).all() == (not params.get("super"))
