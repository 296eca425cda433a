"""Reading a ruleset's sources and matching their rows to the units: what scoring starts from.

Each source is read by its format's plugin (in a confined folder, its file hashed while it is
parsed); rows of other sources are matched to the units' rows by id (and period).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from . import lazy
from .confine import allowed
from .data import Table, as_numpy, duplicates, ids_where, pivot_long, positions
from .diagnostics import Diagnostic, EngineError, plugin_failed, said
from .messages import Both
from .model import Ruleset
from .plugins import Plugins
from .values import LARGEST, too_large

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")


@dataclass
class Data:
    """What the sources gave, matched to the units: loaded once, scored as often as needed."""

    units: dict[str, pa.StringArray]  # role (id, label, group, period) -> column
    columns: dict[tuple[str, str], np.ndarray]  # (source, column) -> numbers, one per unit
    inputs: list[dict]  # each input file: source, path (as written), format, sha256, rows
    warnings: list[Diagnostic]
    files: list[str]  # the files read, where they are: an output may be none of them


def placed(step):
    """Raise a step's diagnostics at their lines in the ruleset."""
    def wrapper(ruleset: Ruleset, *args, **kwargs):
        try:
            return step(ruleset, *args, **kwargs)
        except EngineError as exc:
            raise EngineError(ruleset.place(exc.diagnostics)) from None
    wrapper.__doc__ = step.__doc__
    return wrapper


@placed
def load_data(ruleset: Ruleset, plugins: Plugins, data_paths: dict[str, str] | None = None,
              allow_dirs: tuple[str, ...] = ()) -> Data:
    """Read every source the ruleset needs (``data_paths`` replaces a source's file) and match rows to units.
    A source's file as the ruleset names it must be inside the ruleset's folder or one of ``allow_dirs``;
    the files of ``data_paths`` are the user's own choice."""
    data_paths = data_paths or {}
    unknown = sorted(set(data_paths) - set(ruleset.sources))
    if unknown:
        raise EngineError([said("E_UNKNOWN_NAME", "data.option_unknown_source", name=name,
                                hint=Both("sources: " + ", ".join(ruleset.sources), "数据源有：" + ", ".join(ruleset.sources)))
                           for name in unknown])
    warnings: list[Diagnostic] = []
    units, columns, inputs, files = _load(ruleset, plugins, data_paths, allow_dirs, warnings)
    pa.default_memory_pool().release_unused()  # parsing buffers go back to the system before scoring
    return Data(units, columns, inputs, warnings, files)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_file(ruleset: Ruleset, source, data_paths, allow_dirs) -> tuple[str, str, Diagnostic | None]:
    """Where a source's file is, the path as written (by the ruleset or on the command line), and the
    problem with it, if any: outside the folders a ruleset may read, missing, or not a regular file."""
    written = data_paths.get(source.name)
    where = {"source": source.name, "file": ruleset.file, "path": source.pointer + "/path"}
    if written is None:
        written = source.path
        if not allowed(ruleset.base_dir, written, allow_dirs):
            return "", written, said("E_SOURCE_OUTSIDE", "source.outside", location=written, **where, hint=Both(
                "a ruleset reads only files in its own folder; to read this one, name it yourself with --data "
                f"{source.name}=PATH, or allow its folder with --allow-dir DIR",
                f"规则集只能读取其所在文件夹中的文件；如确需读取该文件，请自己用 --data {source.name}=路径 指定，"
                "或用 --allow-dir 文件夹 允许其所在的文件夹"))
    path = written if source.name in data_paths else str(ruleset.base_dir / written)
    if os.path.isfile(path):
        return path, written, None
    key = "source.folder" if os.path.isdir(path) else "source.not_regular" if os.path.exists(path) else "source.missing"
    return path, written, said("E_FILE_NOT_FOUND", key, location=written, **where, hint=Both(
        "paths in a ruleset are relative to the ruleset's folder; engine run --data NAME=PATH names another file",
        "规则集中的路径相对于规则集所在的文件夹；engine run --data 名称=路径 可改读另一个文件"))


def as_written(d: Diagnostic, path: str, written: str) -> Diagnostic:
    """A source's problem naming its file as the ruleset or the command line wrote it, not by the full
    path the engine opened (which also tells the folders of the machine)."""
    if d.file != path and dict(d.fields).get("file") != path:
        return d
    if d.key is None:  # a plugin's own words
        return replace(d, file=written if d.file == path else d.file, message=d.message.replace(path, written))
    return replace(d.refilled(file=written), file=written if d.file == path else d.file)


def named_at(ruleset: Ruleset, source, d: Diagnostic) -> Diagnostic:
    """A data file's problem, with the place in the ruleset that names what is wrong: the indicator
    reading the column concerned, else the source."""
    column = dict(d.fields).get("column")
    reading = next((i for i in ruleset.indicators.values() if i.column == column and i.source == source.name), None)
    path = reading.pointer + "/column" if reading is not None and column is not None else source.pointer + "/path"
    line, col = ruleset.source_map.position(path) if ruleset.source_map is not None else (None, None)
    return replace(d, named_at=(ruleset.file or "<ruleset>", line, col, path))


def wanted_columns(ruleset: Ruleset) -> dict[str, dict[str, str]]:
    """The columns to read from each source, each as "text" or "number"."""
    spec = ruleset.units
    wanted: dict[str, dict[str, str]] = {name: {} for name in ruleset.sources}
    for role in ("id", "label", "group", "period"):
        if role in spec:
            wanted[spec["source"]][spec[role]] = "text"
    for ind in ruleset.indicators.values():
        if ind.column is not None:
            wanted[ind.source][ind.column] = "number"
            wanted[ind.source].setdefault(spec["id"], "text")
            if "period" in spec:
                wanted[ind.source].setdefault(spec["period"], "text")
    return wanted


def _load(ruleset: Ruleset, plugins: Plugins, data_paths, allow_dirs, warnings):
    unit_source = ruleset.units["source"]
    wanted = wanted_columns(ruleset)
    tables: dict[str, Table] = {}
    inputs, files = [], []
    problems: list[Diagnostic] = []
    hashing = ThreadPoolExecutor(max_workers=1)  # hashes a file while its plugin parses it
    for name, source in ruleset.sources.items():
        if not wanted[name] and name != unit_source:
            continue
        path, written, problem = source_file(ruleset, source, data_paths, allow_dirs)
        if problem is not None:
            problems.append(problem)
            continue
        digest = hashing.submit(file_sha256, path)
        try:
            if source.long is None:
                table = source.format.call(path, source.params, wanted[name])
            else:
                table = _read_long(source, path, wanted[name], ruleset.units)
        except EngineError as exc:
            problems += [named_at(ruleset, source, as_written(d, path, written)) for d in exc.diagnostics]
            continue
        except Exception as exc:
            problems.append(plugin_failed(source.format, written, exc))
            continue
        table.file = written
        tables[name] = table
        files.append(path)
        inputs.append({"source": name, "path": written, "format": source.format.name,
                       "sha256": digest.result(), "rows": table.rows})
    hashing.shutdown(wait=False, cancel_futures=True)
    if problems:
        raise EngineError(problems)
    units = units_of(ruleset, tables[unit_source])
    return units, number_columns(ruleset, tables, wanted, units, warnings), inputs, files


def number_columns(ruleset: Ruleset, tables: dict[str, Table], wanted, units, warnings) -> dict[tuple[str, str], np.ndarray]:
    """Every source's number columns, their rows matched to the units'; values beyond the engine's bound refused."""
    unit_source = ruleset.units["source"]
    columns: dict[tuple[str, str], np.ndarray] = {}
    problems: list[Diagnostic] = []
    for name, table in tables.items():
        rows = None if name == unit_source else _match_rows(ruleset, units, table, name, warnings)
        for column, kind in wanted[name].items():
            if kind == "number":
                values = table.columns[column]
                values = columns[(name, column)] = values if rows is None else _take(values, rows)
                bad = too_large(values)  # whichever plugin read the source
                if bad.any():
                    problems.append(said("E_DATA_NOT_NUMBER", "data.infinite", file=table.file, column=column,
                                         count=int(bad.sum()), largest=f"{LARGEST:g}", units=ids_where(units["id"], bad),
                                         hint=Both("check those cells", "请核对这些单元格")))
    if problems:
        raise EngineError(problems)
    return columns


def _read_long(source, path: str, wanted: dict[str, str], spec: dict) -> Table:
    """A source in long format, read and turned into a column per indicator."""
    indicator, value = source.long
    asked = {**{c: k for c, k in wanted.items() if k == "text"}, indicator: "text", value: "number"}
    asked.setdefault(spec["id"], "text")
    if "period" in spec:
        asked.setdefault(spec["period"], "text")
    table = source.format.call(path, source.params, asked)
    key = _key(table.columns[spec["id"]], table.columns.get(spec.get("period")))
    return pivot_long(table, key, indicator, value, [c for c, k in wanted.items() if k == "number"])


def _key(ids: pa.StringArray, periods: pa.StringArray | None = None) -> pa.Array:
    """The key that identifies a row: the unit id, with the period for panel data."""
    if periods is None:
        return ids
    return pc.binary_join_element_wise(ids, periods, "\x1f")


def units_of(ruleset: Ruleset, table: Table) -> dict[str, np.ndarray]:
    spec = ruleset.units
    units = {role: table.columns[spec[role]] for role in ("id", "label", "group", "period") if role in spec}
    if len(units["id"]) == 0:
        raise EngineError([said("E_DATA_NO_UNITS", "units.no_rows", file=table.file)])
    missing_id = np.flatnonzero(as_numpy(pc.is_null(units["id"])))
    if len(missing_id):
        rows = ", ".join(str(table.row_numbers_offset + i) for i in missing_id[:10])
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "units.without_id", file=table.file, rows=rows,
                                hint=Both("every row needs an id in the column " + spec["id"],
                                          f"每一行都要在“{spec['id']}”列填写编号"))])
    dups = duplicates(_key(units["id"], units.get("period")))
    if dups:
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "units.duplicate", file=table.file, units=tuple(dups),
                                hint=Both("each unit (and period) must have exactly one row", "每个单位（每个时期）只能有一行"))])
    return units


def _match_rows(ruleset, units, table: Table, name, warnings) -> np.ndarray:
    """For each unit, its row in another source (-1 where that source has no row for it)."""
    spec = ruleset.units
    key = _key(table.columns[spec["id"]], table.columns.get(spec.get("period")))
    dups = duplicates(key)
    if dups:
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "units.duplicate_source", source=name, file=table.file,
                                units=tuple(dups))])
    unit_key = _key(units["id"], units.get("period"))
    rows = positions(unit_key, key)
    extra = pc.invert(pc.is_in(key, value_set=unit_key))
    extra_ids = key.filter(extra).to_pylist()
    if extra_ids:
        warnings.append(said("W_EXTRA_UNITS", "units.extra", severity="warning", file=table.file,
                             units=tuple(map(str, extra_ids)), source=name))
    return rows


def _take(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = values[np.maximum(rows, 0)]
    out[rows < 0] = np.nan
    return out
