"""Scoring out of core: the data read in blocks of units, so that no more than a few blocks are held.

Every method that needs statistics of whole columns is written as gathered (engine/gather.py). Each
pass over the blocks gathers the next statistics the methods need, until a pass finds every one of
them known: that pass scores every block, and keeps what each unit is ranked on (engine/global_ranks.py,
which then ranks every unit), and the outputs are written while the blocks are scored once more, with
their ranks. What cannot run so is told before any data is read (engine/block_plan.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import lazy
from .block_plan import DEFAULT_MEMORY, block_rows, unsupported
from .data import as_numpy
from .diagnostics import Diagnostic, EngineError, plugin_failed, said
from .execute import indicator_coverage, ranking_values, run_meta, score
from .gather import NotYet, Passes
from .global_ranks import check_ids, keep_units, rank_units, with_ranks
from .loading import (Data, as_written, file_sha256, named_at, number_columns, placed, source_file, units_of,
                      wanted_columns)
from .model import Ruleset
from .plugins import Plugins
from .statistics import MIN_AVAILABILITY
from .writing import refuse_inputs, remove_stale

pa = lazy.module("pyarrow")




def input_record(source, written: str, sha256: str, rows: int) -> dict:
    """The unit source as the run's metadata lists its inputs."""
    return {"source": source.name, "path": written, "format": source.format.name, "sha256": sha256, "rows": rows}


@dataclass
class BlockRun:
    """A run scored out of core, for the outputs that write as they go: its parts are the blocks, scored
    again with their ranks over every unit."""

    ruleset: Ruleset
    plugins: Plugins
    blocks: object  # () -> iterator of Data, one per block
    passes: Passes
    scratch: Path
    size: int
    diagnostics: list[Diagnostic]
    meta: dict
    grouped: bool
    files: list[str]  # the files read, where they are

    def parts(self):
        start = 0
        for data in self.blocks():
            part = score(self.ruleset, self.plugins, data, self.passes)
            with_ranks(part, self.scratch / "ranks.bin", start, self.grouped)
            part.diagnostics, part.meta = self.diagnostics, self.meta
            start += part.size
            yield part

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


@placed
def run_blocks(ruleset: Ruleset, plugins: Plugins, data_paths: dict[str, str] | None = None, allow_dirs: tuple[str, ...] = (),
               rows: int | None = None, memory: int = DEFAULT_MEMORY, outputs=(), inputs=()) -> BlockRun:
    """Score every unit in blocks of ``rows`` (by default, as many as fit in ``memory`` bytes). The
    caller writes the outputs from the BlockRun's parts, then closes it. ``outputs``, the paths to be
    written, are refused before any scoring if one is the data or among ``inputs``."""
    problems = unsupported(ruleset, plugins)
    if problems:
        raise EngineError(problems)
    rows = rows or block_rows(ruleset, memory)
    source = ruleset.sources[ruleset.units["source"]]
    path, written, problem = source_file(ruleset, source, data_paths or {}, allow_dirs)
    if problem is not None:
        raise EngineError([problem])
    for output in outputs:
        refuse_inputs(output, [*inputs, path])
    hashing = ThreadPoolExecutor(max_workers=1)
    digest = hashing.submit(file_sha256, path)
    scratch = _scratch_folder()
    cache = Cache(scratch / "data.arrow")

    def blocks():
        return cache.read() if cache.complete else cache.kept(source_blocks(ruleset, path, written, rows))

    try:
        passes, count, total = passes_until_scored(lambda passes: _pass(ruleset, plugins, blocks(), passes, scratch / "units"),
                                                   scratch / "gathered")
        size, read, grouped, diagnostics = rank_every_unit(ruleset, scratch, written, memory, total)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    finally:
        hashing.shutdown(wait=False, cancel_futures=True)
    meta = {**run_meta(ruleset, [input_record(source, written, digest.result(), read)]), "blocks": {"rows": rows, "passes": count}}
    return BlockRun(ruleset, plugins, blocks, passes, scratch, size, ruleset.warnings + ruleset.place(diagnostics), meta,
                    grouped, [path])


def source_blocks(ruleset: Ruleset, path: str, written: str, rows: int):
    """The unit source read in blocks of about ``rows`` units, each cleaned as a run in memory cleans its data."""
    source = ruleset.sources[ruleset.units["source"]]
    wanted = wanted_columns(ruleset)
    try:
        for table in source.format.call(path, source.params, wanted[source.name], batch_rows=rows):
            warnings: list[Diagnostic] = []
            table.file = written
            units = units_of(ruleset, table)
            columns = number_columns(ruleset, {source.name: table}, wanted, units, warnings)
            yield Data(units, columns, [], warnings, [path])
    except EngineError as exc:
        raise EngineError([named_at(ruleset, source, as_written(d, path, written)) for d in exc.diagnostics]) from None
    except Exception as exc:
        raise EngineError([plugin_failed(source.format, written, exc)]) from None


SCRATCH_PREFIX = "govscore-blocks"


def _scratch_folder() -> Path:
    """A scratch folder of this run's own in the temporary folder, after removing those that runs killed
    before they could (their process no longer runs)."""
    folder = Path(tempfile.gettempdir())
    remove_stale(folder, SCRATCH_PREFIX)
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}.{os.getpid()}.", suffix=".tmp", dir=folder))


class Cache:
    """The blocks as the first pass read and cleaned them, kept in a scratch Arrow file: the later passes read
    them from there (a copy from the system's file cache, where parsing the source again costs far more), and
    on a cluster, the workers each their own (a CSV source is read so on the machine that runs the command)."""

    def __init__(self, path: Path):
        self.path, self.complete = path, False
        self.warnings: list[list[Diagnostic]] = []  # what reading each block said

    def kept(self, blocks):
        writer, self.warnings = None, []
        try:
            for data in blocks:
                self.warnings.append(data.warnings)
                batch = _as_batch(data)
                writer = writer or pa.ipc.new_file(str(self.path), batch.schema)
                writer.write_batch(batch)
                yield data
        finally:
            if writer is not None:
                writer.close()
        self.complete = writer is not None

    def read(self):
        with pa.OSFile(str(self.path)) as fh:  # read, not mapped: pages of a mapped file would count as the run's memory
            reader = pa.ipc.open_file(fh)
            for k in range(reader.num_record_batches):
                yield _as_data(reader.get_batch(k), self.warnings[k])

    def block(self, k: int, warnings) -> Data:
        """Block k alone, with what reading it said."""
        with pa.OSFile(str(self.path)) as fh:
            return _as_data(pa.ipc.open_file(fh).get_batch(k), warnings)


def _as_data(batch, warnings) -> Data:
    units = {name[len("unit:"):]: batch.column(name) for name in batch.schema.names if name.startswith("unit:")}
    columns = {tuple(name.split("\x1f", 1)): as_numpy(batch.column(name))
               for name in batch.schema.names if not name.startswith("unit:")}
    return Data(units, columns, [], list(warnings), [])


def _as_batch(data: Data):
    names = [f"unit:{role}" for role in data.units] + ["\x1f".join(key) for key in data.columns]
    arrays = list(data.units.values()) + [pa.array(values) for values in data.columns.values()]
    return pa.RecordBatch.from_arrays(arrays, names=names)


@dataclass
class BlockScore:
    """What scoring blocks gave the run: the rows read and, for blocks that could be scored, the value each
    unit is ranked on (with its id, period and group), the warnings and each indicator's missing values;
    else the errors, or nothing (the blocks gathered statistics). ``plus`` adds up two."""

    read: int
    units: object = None  # one block's Arrow table: id, period, group, value
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    missing: dict = field(default_factory=dict)
    grouped: bool = False
    size: int = 0
    sizes: dict = field(default_factory=dict)  # block -> units scored

    def plus(self, other: BlockScore) -> BlockScore:
        missing = dict(self.missing)
        for name, n in other.missing.items():
            missing[name] = missing.get(name, 0) + n
        return BlockScore(self.read + other.read, None, merged(self.warnings + other.warnings),
                          merged(self.errors + other.errors), missing, self.grouped or other.grouped,
                          self.size + other.size, {**self.sizes, **other.sizes})


def score_block(ruleset: Ruleset, plugins: Plugins, data: Data, passes: Passes, k: int) -> BlockScore:
    """Block ``k`` scored if it can be; its part of the next statistics gathered (into ``passes``) if not."""
    read = len(data.units["id"])
    try:
        part = score(ruleset, plugins, data, passes)
    except NotYet:
        return BlockScore(read)
    except EngineError as exc:
        return BlockScore(read, errors=exc.diagnostics)
    value = ranking_values(ruleset, part.score, part.rounded.get(ruleset.score))
    units = pa.table({"id": part.unit_ids, "period": _text(part.unit_periods, part.size),
                      "group": _text(part.unit_groups, part.size), "value": pa.array(value, pa.float64(), from_pandas=True)})
    missing = {}
    for name in part.normalised:
        gone = part.imputed[name] if name in part.imputed else np.isnan(part.raw[name])
        missing[name] = int(np.count_nonzero(gone))
    told = merged([d for d in part.diagnostics if d.key != "coverage.indicator" and d not in ruleset.warnings])
    return BlockScore(read, units, told, missing=missing, grouped=part.unit_groups is not None, size=part.size,
                      sizes={k: part.size})


def passes_until_scored(one_pass, scratch: Path) -> tuple[Passes, int, BlockScore]:
    """Passes over the data, ``one_pass(passes) -> BlockScore`` of every block, until one gathers nothing
    more: every block was then scored. Returns the passes, how many there were, and what the last found;
    the errors of a pass are raised after it. Statistics that hold values spill them into ``scratch``."""
    passes, count = Passes(scratch), 0
    while True:
        total = one_pass(passes)
        count += 1
        if total.errors:
            raise EngineError(total.errors)
        if not passes.finish_pass():
            return passes, count, total


def rank_every_unit(ruleset: Ruleset, scratch: Path, written: str, memory: int, total: BlockScore):
    """After the scoring pass: the ids checked and every unit ranked (engine/global_ranks.py). Returns the
    units scored, the rows read, whether the units have groups, and the run's warnings."""
    size, read, grouped, diagnostics = summary(ruleset, total)
    if not read:
        raise EngineError([said("E_DATA_NO_UNITS", "units.no_rows", file=written)])
    check_ids(scratch, written, memory)
    rank_units(ruleset, scratch, size, memory)
    return size, read, grouped, diagnostics


def summary(ruleset: Ruleset, total: BlockScore) -> tuple[int, int, bool, list[Diagnostic]]:
    """The units scored and rows read over every block, whether the units have groups, and the warnings
    (with the indicators' coverage over every block)."""
    told = list(total.warnings)
    if total.size and total.missing:
        limit = ruleset.document.get("coverage", {}).get("indicator", MIN_AVAILABILITY)
        told += indicator_coverage(ruleset, {name: 1 - n / total.size for name, n in total.missing.items()}, limit)
    return total.size, total.read, total.grouped, told


def _pass(ruleset: Ruleset, plugins: Plugins, blocks, passes: Passes, units_dir: Path):
    """One pass over the blocks, one after another: each scored if it can be (its units kept in ``units_dir``),
    its part of the next statistics gathered if not. Returns what they all gave."""
    shutil.rmtree(units_dir, ignore_errors=True)
    units_dir.mkdir()
    total = BlockScore(0)
    for k, data in enumerate(blocks):
        scored = score_block(ruleset, plugins, data, passes, k)
        if scored.units is not None:
            keep_units(k, scored, units_dir / f"part-{k:06d}.parquet")
        total = total.plus(scored)  # as it goes: what the blocks said is told once, naming a bounded number of units
    return total


def _text(column, size: int):
    return column if column is not None else pa.nulls(size, pa.string())


UNITS_NAMED = 1000  # units a diagnostic of a run out of core names at most (how many it concerns is told in full)


def merged(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same problem met in several blocks told once: its units put together (the first UNITS_NAMED of
    them named, and their number kept), its counts added up."""
    out: dict[tuple, Diagnostic] = {}
    for d in diagnostics:
        fields = dict(d.fields)
        key = (d.code, d.key, d.path, d.file, d.span, d.message if d.key is None else None,
               repr(sorted((k, repr(v)) for k, v in fields.items() if k not in ("count", "total"))))
        if key not in out:
            out[key] = d
            continue
        first = out[key]
        counts = {k: dict(first.fields)[k] + fields[k] for k in ("count", "total") if k in fields and k in dict(first.fields)}
        total = first.unit_total + d.unit_total
        units = (first.units + d.units)[:UNITS_NAMED]
        joined = replace(first, units=units, units_count=total if total > len(units) else None)
        out[key] = joined.refilled(**counts) if counts else joined
    return list(out.values())


