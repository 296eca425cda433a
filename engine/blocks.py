"""Scoring out of core: the data read in blocks of units, so that no more than a few blocks are held.

Every method that needs statistics of whole columns is written as gathered (engine/gather.py). Each
pass over the blocks gathers the next statistics the methods need, until a pass finds every one of
them known: that pass scores every block, and keeps what each unit is ranked on (with its id, period
and group) in a scratch Parquet file. DuckDB checks the ids and ranks the units from that file (an
external sort, which spills to disk), and the outputs are written while the blocks are scored once
more, with their ranks. A ruleset that asks for something not (yet) possible so is told before any data
is read.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import lazy
from .data import as_numpy
from .diagnostics import Diagnostic, EngineError, plugin_failed, said
from .execute import indicator_coverage, ranking_values, run_meta, score
from .gather import Gathered, NotYet, Passes
from .loading import (Data, as_written, file_sha256, named_at, number_columns, placed, source_file, units_of,
                      wanted_columns)
from .messages import Both, KINDS
from .model import Ruleset
from .plugins import Plugins
from .statistics import MIN_AVAILABILITY
from .writing import refuse_inputs

pa = lazy.module("pyarrow")
pq = lazy.module("pyarrow.parquet")

BYTES_PER_UNIT_VALUE = 8 * 4  # a float64 per value, about four times over for the steps' own copies
DEFAULT_MEMORY = 2 << 30
ROW_ONLY_POLICIES = ("error", "leave", "drop_unit", "impute_mean", "impute_median")  # the missing-value policies out of core


def block_rows(ruleset: Ruleset, memory: int = DEFAULT_MEMORY) -> int:
    """How many units a block holds for the work on it to fit in ``memory`` bytes."""
    return max(16, memory // (BYTES_PER_UNIT_VALUE * _values_per_unit(ruleset)))


def fits_in_memory(ruleset: Ruleset, data_paths: dict[str, str], allow_dirs, memory: int) -> bool:
    """Whether scoring in memory would likely fit in ``memory`` bytes: the units (counted in a Parquet
    file's metadata, estimated from a CSV file's size and first lines) times what the work holds per unit.
    A ruleset whose data cannot be measured so is scored in memory."""
    source = ruleset.sources[ruleset.units["source"]]
    path, _, problem = source_file(ruleset, source, data_paths, allow_dirs)
    if problem is not None:
        return True  # said as the run reads it
    try:
        if source.format.name == "parquet":
            units = pq.ParquetFile(path).metadata.num_rows
        elif source.format.name == "csv":
            with open(path, "rb") as fh:
                sample = fh.read(1 << 20)
            units = os.path.getsize(path) * max(1, sample.count(b"\n")) // max(1, len(sample))
        else:
            return True
    except (OSError, pa.ArrowException):
        return True
    return units * BYTES_PER_UNIT_VALUE * _values_per_unit(ruleset) <= memory


def parts_wanted(ruleset: Ruleset, path: str, memory: int, workers: int) -> int:
    """Into how many parts a Parquet file is split on a cluster: each small enough for a worker's ``memory``,
    at least two per worker, at most one per row group."""
    metadata = pq.ParquetFile(path).metadata
    return max(1, min(metadata.num_row_groups, max(2 * workers, -(-metadata.num_rows // block_rows(ruleset, memory)))))


def input_record(source, written: str, sha256: str, rows: int) -> dict:
    """The unit source as the run's metadata lists its inputs."""
    return {"source": source.name, "path": written, "format": source.format.name, "sha256": sha256, "rows": rows}


def _values_per_unit(ruleset: Ruleset) -> int:
    return len(ruleset.indicators) * 3 + len(ruleset.nodes) * 2 + 8  # raw, treated, normalised; nodes, details


def unsupported(ruleset: Ruleset, plugins: Plugins, outputs=()) -> list[Diagnostic]:
    """What keeps the ruleset from being scored out of core, each said where the ruleset asks for it.
    ``outputs``: the output methods the run writes."""
    out: list[Diagnostic] = []

    def method(reg, kind, pointer, why):
        out.append(said("E_OUT_OF_CORE", "blocks.method", path=pointer, kind=KINDS[kind], name=reg.name, why=why, hint=Both(
            "run it without --blocks, or choose a method that can be gathered over blocks (see docs/out-of-core.md)",
            "请不加 --blocks 运行，或改用能分块汇总的方法（见 docs/out-of-core.md）")))

    whole = Both("it needs every unit at once", "它需要同时用到所有单位")
    used = {ind.source for ind in ruleset.indicators.values() if ind.column is not None} | {ruleset.units["source"]}
    if len(used) > 1:
        out.append(said("E_OUT_OF_CORE", "blocks.sources", path="/sources", sources=", ".join(sorted(used))))
    for name in sorted(used):
        source = ruleset.sources[name]
        if source.long is not None:
            out.append(said("E_OUT_OF_CORE", "blocks.long", path=source.pointer, source=name))
        elif not source.format.accepts("batch_rows"):
            method(source.format, "source", source.pointer + "/format", Both("it reads only whole files", "它只能整体读取文件"))
    imputes_mean = any(ind.missing in ("impute_mean", "impute_median") for ind in ruleset.indicators.values())
    drops = ruleset.document.get("coverage", {}).get("drop_units") or any(
        ind.missing == "drop_unit" for ind in ruleset.indicators.values())
    if imputes_mean and drops:
        out.append(said("E_OUT_OF_CORE", "blocks.drop_and_mean", path="/indicators"))
    if ruleset.normalise_per_period:
        out.append(said("E_OUT_OF_CORE", "blocks.per_period", path="/normalise"))
    for ind in ruleset.indicators.values():
        if ind.missing not in ROW_ONLY_POLICIES:
            out.append(said("E_OUT_OF_CORE", "blocks.missing", path=ind.pointer + "/missing", name=ind.name, policy=ind.missing,
                            policies=", ".join(ROW_ONLY_POLICIES)))
        if ind.treatment is not None and not isinstance(ind.treatment.impl, Gathered):
            method(ind.treatment, "treatment", ind.pointer + "/treatment", whole)
        if ind.normaliser is not None and not isinstance(ind.normaliser.impl, Gathered):
            method(ind.normaliser, "normaliser", ind.pointer + "/normalise", whole)
        if ind.formula is not None:
            out += _whole_column_calls(ind.formula, plugins, ind.pointer + "/formula")
    for node in ruleset.nodes.values():
        if node.formula is not None:
            out += _whole_column_calls(node.formula, plugins, node.pointer + "/formula")
            continue
        if node.aggregator.options.get("whole_columns"):
            method(node.aggregator, "aggregator", node.pointer + "/method", Both("it compares every unit with the others",
                                                                              "它要把每个单位与其他所有单位比较"))
        if node.weights is None and node.weight_set is not None:
            for ws in (node.weight_set, *node.weight_set.components):
                if ws.weighting.options.get("uses_data") and not isinstance(ws.weighting.impl, Gathered):
                    method(ws.weighting, "weighting", ws.pointer, whole)
    for reg in outputs:
        if not reg.options.get("streams"):
            method(reg, "output", "/outputs", Both("it writes a whole result at once", "它只能一次写出全部结果"))
    return out


def _whole_column_calls(formula, plugins: Plugins, pointer: str) -> list[Diagnostic]:
    """A formula's calls of functions over whole columns (col_mean and the like)."""
    functions = plugins.of("function")
    called = sorted({n.func.id for n in ast.walk(formula.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)})
    return [said("E_OUT_OF_CORE", "blocks.function", path=pointer, name=name) for name in called
            if name in functions and functions[name].options.get("whole_columns")]


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
        ranks = np.memmap(self.scratch / "ranks.bin", dtype=np.float64, mode="r", shape=(self.size, 2))
        start = 0
        for data in self.blocks():
            part = score(self.ruleset, self.plugins, data, self.passes)
            n = part.size
            part.rank = np.array(ranks[start:start + n, 0])
            if self.grouped:
                part.group_rank = np.array(ranks[start:start + n, 1])
            part.whole_ranks = self.ruleset.rank_ties != "average"
            part.diagnostics, part.meta = self.diagnostics, self.meta
            start += n
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
    wanted = wanted_columns(ruleset)

    def from_source():
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

    scratch = Path(tempfile.mkdtemp(prefix="govscore-blocks."))
    cache = _Cache(scratch / "data.arrow")

    def blocks():
        return cache.read() if cache.complete else cache.kept(from_source())

    try:
        passes, count = Passes(), 0
        while True:
            found = _pass(ruleset, plugins, blocks(), passes, scratch / "units")
            count += 1
            if not passes.finish_pass():
                break
        size, read, grouped, diagnostics = found
        if not read:
            raise EngineError([said("E_DATA_NO_UNITS", "units.no_rows", file=written)])
        check_ids(scratch / "units", written)
        rank_units(ruleset, scratch, size, memory)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    finally:
        hashing.shutdown(wait=False, cancel_futures=True)
    meta = {**run_meta(ruleset, [input_record(source, written, digest.result(), read)]), "blocks": {"rows": rows, "passes": count}}
    return BlockRun(ruleset, plugins, blocks, passes, scratch, size, ruleset.warnings + ruleset.place(diagnostics), meta,
                    grouped, [path])


class _Cache:
    """The blocks as the first pass read and cleaned them, kept in a scratch Arrow file: the later passes read
    them from there (a copy from the system's file cache, where parsing the source again costs far more)."""

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
                batch = reader.get_batch(k)
                units = {name[len("unit:"):]: batch.column(name) for name in batch.schema.names if name.startswith("unit:")}
                columns = {tuple(name.split("\x1f", 1)): as_numpy(batch.column(name))
                           for name in batch.schema.names if not name.startswith("unit:")}
                yield Data(units, columns, [], self.warnings[k], [])


def _as_batch(data: Data):
    names = [f"unit:{role}" for role in data.units] + ["\x1f".join(key) for key in data.columns]
    arrays = list(data.units.values()) + [pa.array(values) for values in data.columns.values()]
    return pa.RecordBatch.from_arrays(arrays, names=names)


@dataclass
class BlockScore:
    """What scoring one block gave the run: the rows it read and, when it could be scored, the value each
    unit is ranked on (with its id, period and group), its warnings and each indicator's missing values;
    else its errors, or nothing (it gathered statistics)."""

    read: int
    units: object = None  # an Arrow table: id, period, group, value
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    missing: dict = field(default_factory=dict)
    grouped: bool = False
    size: int = 0


def score_block(ruleset: Ruleset, plugins: Plugins, data: Data, passes: Passes) -> BlockScore:
    """One block scored if it can be; its part of the next statistics gathered (into ``passes``) if not."""
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
    return BlockScore(read, units, [d for d in part.diagnostics if d.key != "coverage.indicator" and d not in ruleset.warnings],
                      missing=missing, grouped=part.unit_groups is not None, size=part.size)


def summary(ruleset: Ruleset, scores: list[BlockScore]) -> tuple[int, int, bool, list[Diagnostic]]:
    """The units scored and rows read over every block, whether the units have groups, and the warnings,
    merged; the errors of every block, merged, raised."""
    errors = [d for s in scores for d in s.errors]
    if errors:
        raise EngineError(merged(errors))
    size, read = sum(s.size for s in scores), sum(s.read for s in scores)
    told = [d for s in scores for d in s.warnings]
    missing: dict[str, int] = {}
    for s in scores:
        for name, n in s.missing.items():
            missing[name] = missing.get(name, 0) + n
    if size and missing:
        limit = ruleset.document.get("coverage", {}).get("indicator", MIN_AVAILABILITY)
        told += indicator_coverage(ruleset, {name: 1 - n / size for name, n in missing.items()}, limit)
    return size, read, any(s.grouped for s in scores), merged(told)


def keep_units(part: int, scored: BlockScore, path: Path):
    """A block's units, as the ranks are taken from them: numbered by block and place in it."""
    units = scored.units.append_column("part", pa.array(np.full(scored.size, part, dtype=np.int64))) \
                        .append_column("idx", pa.array(np.arange(scored.size)))
    pq.write_table(units, path)


def _pass(ruleset: Ruleset, plugins: Plugins, blocks, passes: Passes, units_dir: Path):
    """One pass over the blocks, one after another: each scored if it can be (its units kept in ``units_dir``),
    its part of the next statistics gathered if not. Returns summary(...) of the blocks."""
    shutil.rmtree(units_dir, ignore_errors=True)
    units_dir.mkdir()
    scores = []
    for k, data in enumerate(blocks):
        scored = score_block(ruleset, plugins, data, passes)
        if scored.units is not None:
            keep_units(k, scored, units_dir / f"part-{k:06d}.parquet")
            scored.units = True  # kept: the table goes
        scores.append(scored)
    return summary(ruleset, scores)


def _text(column, size: int):
    return column if column is not None else pa.nulls(size, pa.string())


def merged(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same problem met in several blocks told once: its units put together, its counts added up."""
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
        joined = replace(first, units=first.units + d.units)
        out[key] = joined.refilled(**counts) if counts else joined
    return list(out.values())


def check_ids(units_dir: Path, file: str):
    """Every unit (and period) on one row, over every block."""
    import duckdb
    if not any(units_dir.glob("*.parquet")):
        return
    con = duckdb.connect()
    twice = con.execute("SELECT id, period FROM read_parquet(?) GROUP BY id, period HAVING count(*) > 1 "
                        "ORDER BY min(part), min(idx) LIMIT 1000", [str(units_dir / "*.parquet")]).fetchall()
    if twice:
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "units.duplicate", file=file, units=tuple(i for i, _ in twice),
                                hint=Both("each unit (and period) must have exactly one row", "每个单位（每个时期）只能有一行"))])


RANK_FUNCTIONS = {"min": "rank()", "dense": "dense_rank()", "ordinal": "row_number()", "average": "rank()"}


def rank_units(ruleset: Ruleset, scratch: Path, size: int, memory: int):
    """Each unit's rank overall (within its period) and within its group, in the ruleset's order and tie
    rule, as the engine ranks in memory: computed by DuckDB and kept in ``ranks.bin``, row by row."""
    import duckdb
    if not size:
        return
    direction = "DESC" if ruleset.rank_order == "descending" else "ASC"
    ties = ruleset.rank_ties

    def ranked(partition: str) -> str:
        by = f"PARTITION BY {partition} " if partition else ""
        order = f"ORDER BY value {direction} NULLS LAST" + (", part, idx" if ties == "ordinal" else "")
        r = f"{RANK_FUNCTIONS[ties]} OVER ({by}{order})"
        if ties == "average":
            r += f" + (count(*) OVER ({'PARTITION BY ' + partition + ', value' if partition else 'PARTITION BY value'}) - 1) / 2.0"
        return f"CASE WHEN value IS NULL THEN NULL ELSE ({r})::DOUBLE END"

    period, group = "coalesce(period, '')", "coalesce(\"group\", '')"
    con = duckdb.connect(config={"memory_limit": f"{max(256 << 20, memory // 2) >> 20}MB",
                                 "temp_directory": str(scratch / "duckdb"), "threads": max(1, min(4, os.cpu_count() or 1))})
    units = scratch / "units" / "*.parquet"
    query = (f"SELECT {ranked(period)} AS rank, {ranked(period + ', ' + group)} AS group_rank FROM read_parquet('{units}') "
             "ORDER BY part, idx")
    with open(scratch / "ranks.bin", "wb") as out:
        for batch in con.sql(query).to_arrow_reader(1 << 18):
            np.column_stack([as_numpy(batch.column(k)) for k in (0, 1)]).tofile(out)
    con.close()
