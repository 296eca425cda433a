"""Scoring on a Dask cluster (engine run --dask): the same results as in memory, each output a folder of parts."""

import json
import sys
import tempfile
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from conftest import engine, write_ruleset
from test_blocks import assert_same, compiled, frontier_data, in_memory, synthetic
from govscore.engine.diagnostics import EngineError
from govscore.engine.execute import run

distributed = pytest.importorskip("distributed", reason="the test extra installs dask and distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_on_a_cluster_the_results_are_those_in_memory(tmp_path, plugins, client):
    from govscore.engine.cluster import run_on_cluster
    document = json.loads(synthetic(tmp_path, units=5000, ties="average", fmt="parquet").read_text())
    document["indicators"]["x2"]["normalise"] = {"method": "percentile"}  # each part's values sorted, in the shared scratch
    ruleset = compiled(write_ruleset(tmp_path, document), plugins)
    memory = run(ruleset, plugins)
    targets = [(plugins.get("output", "parquet"), str(tmp_path / "out.parquet"), {"include": "all"}),
               (plugins.get("output", "csv"), str(tmp_path / "out.csv"), {"include": "all"})]
    done = run_on_cluster(ruleset, plugins, client, targets, memory=2_000_000)
    assert done["meta"]["dask"]["parts"] > 2 and done["meta"]["inputs"][0]["rows"] == 5000
    parts = sorted(p.name for p in (tmp_path / "out.parquet").iterdir())
    assert parts[0] == "part-00000.parquet" and len(parts) == done["meta"]["dask"]["parts"]
    assert_same(ds.dataset(tmp_path / "out.parquet").to_table(), in_memory(memory))
    csv = ds.dataset(sorted((tmp_path / "out.csv").iterdir()), format="csv").to_table()
    assert csv.num_rows == 5000 and csv["rank"].to_pylist() == memory.rank.tolist()
    assert [d.format_text() for d in done["diagnostics"]] == [d.format_text() for d in memory.diagnostics]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # the scratch folder is gone
    assert Path(tempfile.gettempdir()).is_dir()  # workers writing at once on threads left the process's temporary folder be


def test_dea_on_a_cluster_measures_against_the_frontier_merged_over_the_parts(tmp_path, plugins, client):
    from govscore.engine.cluster import run_on_cluster
    params = {"inputs": ["c0", "c1"], "model": "BCC", "super": True}
    ruleset = compiled(frontier_data(tmp_path, "dea", params, units=1200, fmt="parquet"), plugins)
    memory = run(ruleset, plugins)
    done = run_on_cluster(ruleset, plugins, client, [(plugins.get("output", "parquet"), str(tmp_path / "out.parquet"), {})],
                          memory=50_000)
    assert done["meta"]["dask"]["parts"] > 2
    assert_same(ds.dataset(tmp_path / "out.parquet").to_table(), in_memory(memory).select(["unit", "F", "rank"]), tolerance=1e-9)


def test_a_second_run_replaces_the_folder_of_parts(tmp_path, plugins, client):
    from govscore.engine.cluster import run_on_cluster
    ruleset = compiled(synthetic(tmp_path, units=800, fmt="parquet"), plugins)
    target = [(plugins.get("output", "parquet"), str(tmp_path / "out.parquet"), {})]
    run_on_cluster(ruleset, plugins, client, target)
    stale = tmp_path / "out.parquet" / "part-99999.parquet"
    stale.write_bytes((tmp_path / "out.parquet" / "part-00000.parquet").read_bytes())  # a part of an older, larger run
    run_on_cluster(ruleset, plugins, client, target)
    assert not stale.exists() and ds.dataset(tmp_path / "out.parquet").to_table().num_rows == 800


def test_a_csv_source_is_read_here_into_the_scratch_and_scored_on_the_cluster(tmp_path, plugins, client):
    from govscore.engine.cluster import run_on_cluster
    ruleset = compiled(synthetic(tmp_path, units=3000, fmt="csv"), plugins)
    memory = run(ruleset, plugins)
    done = run_on_cluster(ruleset, plugins, client, [(plugins.get("output", "parquet"), str(tmp_path / "o.parquet"), {"include": "all"})],
                          memory=1_000_000)
    assert done["meta"]["dask"]["parts"] >= 4 and done["meta"]["inputs"][0]["rows"] == 3000
    assert_same(ds.dataset(tmp_path / "o.parquet").to_table(), in_memory(memory))
    assert [d.format_text() for d in done["diagnostics"]] == [d.format_text() for d in memory.diagnostics]


def test_what_a_cluster_cannot_do_is_told(tmp_path, plugins, client):
    synthetic(tmp_path, units=100, fmt="csv")
    out = engine("run", tmp_path / "ruleset.json", "--dask", "local", "-o", "-")
    assert out.returncode == 2 and "folder" in out.stderr


def test_without_dask_the_option_says_how_to_install_it(monkeypatch):
    from govscore.engine.cluster import connected
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(EngineError) as caught:
        with connected("local"):
            pass
    assert 'pip install "govscore[dask]"' in caught.value.diagnostics[0].format_text()
