"""Scoring on a Dask cluster: the blocks of a run out of core (engine/blocks.py) as tasks on Dask's workers.

Each part of the source (some row groups of a Parquet file; a block of a CSV file, which is read on the
machine that runs the command into the shared scratch folder first) is a task. Its worker compiles the ruleset
from the ruleset's file (so workers need govscore, and the plugins the run uses, installed), reads its
rows and scores them with what the passes so far have found — or gathers its part of the next
statistics, which the cluster merges in a tree of tasks. The units are ranked (DuckDB, on the machine
that runs the command) from what the workers keep in a scratch folder beside the first output, which
workers and that machine must share; then each worker writes its part of every output, and the folders
of parts are moved into place.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .block_plan import block_rows, parts_wanted, source_units, unsupported
from .blocks import BlockScore, Cache, input_record, passes_until_scored, rank_every_unit, score_block, source_blocks
from .global_ranks import keep_units, with_ranks
from .execute import run_meta
from .diagnostics import EngineError, plugin_failed, said
from .gather import Passes
from .loading import (Data, as_written, file_sha256, named_at, number_columns, placed, source_file, units_of,
                      wanted_columns)
from .messages import Both
from .model import Ruleset
from .plugins import Plugins
from .writing import refuse_inputs, remove_stale


@dataclass(frozen=True)
class Job:
    """What a worker needs to score a part: where the ruleset and its data are, and the scratch folder."""

    ruleset: str  # the ruleset's file
    sha256: str  # its hash: a worker scores what the client compiled, or refuses
    data: str  # the unit source's file, where it is
    written: str  # that file as the ruleset or the command line wrote it, for messages
    parts: int
    scratch: str
    plugin_modules: tuple[str, ...] = ()
    cached: tuple = ()  # a source read on this machine (CSV): what reading each part said, the parts being in the scratch


@contextlib.contextmanager
def connected(address: str):
    """A client of the Dask scheduler at ``address``, or of a cluster of two workers on this machine ("local")."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError([said("E_OUT_OF_CORE", "cluster.not_installed", hint=Both(
            'pip install "govscore[dask]"', 'pip install "govscore[dask]"'))]) from None
    if address != "local":
        with Client(address) as client:
            yield client
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


@placed
def run_on_cluster(ruleset: Ruleset, plugins: Plugins, client, targets, data_paths=None, allow_dirs=(), inputs=(),
                   plugin_modules=(), memory: int = 2 << 30) -> dict:
    """Score every unit on the cluster and write each of ``targets`` ((output registration, path, params)) as
    a folder of part files. Returns the run's metadata and warnings."""
    problems = unsupported(ruleset, plugins, [reg for reg, _, _ in targets])
    if problems:
        raise EngineError(problems)
    source = ruleset.sources[ruleset.units["source"]]
    path, written, problem = source_file(ruleset, source, data_paths or {}, allow_dirs)
    if problem is not None:
        raise EngineError([problem])
    for _, output, _ in targets:
        refuse_inputs(output, [*inputs, path])
    first = Path(targets[0][1]).resolve()
    remove_stale(first.parent, f".{first.name}")  # what runs killed before they could remove it
    scratch = Path(tempfile.mkdtemp(prefix=f".{first.name}.{os.getpid()}.", suffix=".tmp", dir=first.parent))
    try:
        workers = len(client.scheduler_info().get("workers", {})) or 1
        if source.format.accepts("part"):
            parts, cached = parts_wanted(ruleset, path, memory, workers), ()
        else:
            parts, cached = _read_here(ruleset, path, written, scratch, memory, workers)
        job = Job(str(Path(ruleset.file).resolve()), ruleset.sha256, str(Path(path).resolve()), written, parts,
                  str(scratch), tuple(plugin_modules), cached)
        (scratch / "units").mkdir()

        def one_pass(passes):
            total, passes.gathering = _reduce(client, [client.submit(_score_part, job, k, passes.known, pure=False)
                                                       for k in range(job.parts)])
            return total
        passes, count, total = passes_until_scored(one_pass, scratch / "gathered")
        size, read, grouped, diagnostics = rank_every_unit(ruleset, scratch, written, memory, total)
        offsets = np.cumsum([0] + [total.sizes.get(k, 0) for k in range(job.parts)])[:-1].tolist()
        outputs = [(reg.name, params, reg.options.get("extension", reg.name)) for reg, _, params in targets]
        client.gather([client.submit(_write_part, job, k, passes.known, offsets[k], grouped, outputs, pure=False)
                       for k in range(job.parts)])
        for j, (_, output, _) in enumerate(targets):
            _into_place(scratch / f"output-{j}", Path(output))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"meta": {**run_meta(ruleset, [input_record(source, written, file_sha256(path), read)]),
                     "dask": {"parts": job.parts, "passes": count}},
            "diagnostics": ruleset.warnings + ruleset.place(diagnostics)}


def _reduce(client, futures):
    """The parts' scores and what they gathered, merged in a tree of tasks on the cluster."""
    while len(futures) > 1:
        futures = [client.submit(_merge, *futures[k:k + 2], pure=False) if k + 1 < len(futures) else futures[k]
                   for k in range(0, len(futures), 2)]
    return futures[0].result()


def _merge(a, b=None):
    if b is None:
        return a
    gathering = dict(a[1])
    for key, part in b[1].items():
        gathering[key] = gathering[key].merge(part) if key in gathering else part
    return a[0].plus(b[0]), gathering


@functools.lru_cache(maxsize=4)
def _compiled(ruleset_file: str, sha256: str, plugin_modules: tuple[str, ...]):
    """The ruleset compiled on a worker (once per worker process), checked to be the one the client compiled."""
    from .compiler import load_ruleset
    from .plugins import load_plugins
    plugins = load_plugins(list(plugin_modules))
    ruleset, diagnostics = load_ruleset(ruleset_file, plugins)
    if ruleset is None:
        raise EngineError(diagnostics)
    if ruleset.sha256 != sha256:
        raise EngineError([said("E_OUT_OF_CORE", "cluster.changed", file=ruleset_file)])
    return ruleset, plugins


def _read_here(ruleset: Ruleset, path: str, written: str, scratch: Path, memory: int, workers: int) -> tuple[int, tuple]:
    """A source that cannot be read in parts (CSV) read on this machine, in blocks, into the shared scratch folder
    (one pass; the blocks as the first pass out of core keeps them), at least two per worker. Returns how many
    parts there are, and what reading each said."""
    cache = Cache(scratch / "data.arrow")
    rows = block_rows(ruleset, memory)
    estimate = source_units(ruleset, path)
    if estimate:
        rows = max(16, min(rows, -(-estimate // (2 * workers))))
    for _ in cache.kept(source_blocks(ruleset, path, written, rows)):
        pass
    return len(cache.warnings), tuple(tuple(w) for w in cache.warnings)


def _read_part(job: Job, ruleset: Ruleset, k: int) -> Data:
    if job.cached:
        return Cache(Path(job.scratch) / "data.arrow").block(k, job.cached[k])
    source = ruleset.sources[ruleset.units["source"]]
    wanted = wanted_columns(ruleset)
    try:
        table = source.format.call(job.data, source.params, wanted[source.name], part=(k, job.parts))
        table.file = job.written
        units = units_of(ruleset, table)
        warnings = []
        return Data(units, number_columns(ruleset, {source.name: table}, wanted, units, warnings), [], warnings, [job.data])
    except EngineError as exc:
        raise EngineError([named_at(ruleset, source, as_written(d, job.data, job.written)) for d in exc.diagnostics]) from None
    except Exception as exc:
        raise EngineError([plugin_failed(source.format, job.written, exc)]) from None


def _score_part(job: Job, k: int, known: dict) -> tuple[BlockScore, dict]:
    """A task: part k scored, its units kept in the scratch folder; or its part of the next statistics."""
    ruleset, plugins = _compiled(job.ruleset, job.sha256, job.plugin_modules)
    passes = Passes(Path(job.scratch) / "gathered")
    passes.known = known
    try:
        scored = score_block(ruleset, plugins, _read_part(job, ruleset, k), passes, k)
    except EngineError as exc:
        return BlockScore(0, errors=exc.diagnostics), {}
    if scored.units is not None:
        keep_units(k, scored, Path(job.scratch) / "units" / f"part-{k:06d}.parquet")
        scored.units = None  # kept: the table stays on the worker
    return scored, passes.gathering


def _write_part(job: Job, k: int, known: dict, offset: int, grouped: bool, outputs) -> None:
    """A task: part k scored again, with its ranks over every unit, and written into each output's folder of parts."""
    ruleset, plugins = _compiled(job.ruleset, job.sha256, job.plugin_modules)
    from .execute import score
    from .writing import write_output
    passes = Passes()
    passes.known = known
    part = score(ruleset, plugins, _read_part(job, ruleset, k), passes)
    with_ranks(part, Path(job.scratch) / "ranks.bin", offset, grouped)
    width = max(5, math.ceil(math.log10(job.parts + 1)))
    for j, (name, params, extension) in enumerate(outputs):
        folder = Path(job.scratch) / f"output-{j}"
        folder.mkdir(exist_ok=True)
        write_output(part, plugins.get("output", name), str(folder / f"part-{k:0{width}d}.{extension}"), params)


def _into_place(folder: Path, target: Path):
    """A folder of parts renamed to be the output (what was there before goes only once the new one is whole)."""
    if target.is_dir() and not target.is_symlink():
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        target.rename(old)
        folder.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if target.exists() or target.is_symlink():
            target.unlink()
        folder.rename(target)
