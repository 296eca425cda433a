"""What a run out of core can do, and in what blocks: checked before any data is read.

A ruleset runs out of core (engine/blocks.py, engine/cluster.py) when every method it uses can be
gathered over blocks of units (engine/gather.py) and its one source can be read in parts; what cannot
is told as E_OUT_OF_CORE at the place in the ruleset that asks for it. The blocks are as large as the
memory given allows.
"""

from __future__ import annotations

import ast
import os

from . import lazy
from .diagnostics import Diagnostic, said
from .gather import Gathered
from .loading import source_file
from .messages import KINDS, Both
from .model import Ruleset
from .plugins import Plugins

pa = lazy.module("pyarrow")
pq = lazy.module("pyarrow.parquet")

BYTES_PER_UNIT_VALUE = 8 * 4  # a float64 per value, about four times over for the steps' own copies
DEFAULT_MEMORY = 2 << 30
ROW_ONLY_POLICIES = ("error", "leave", "drop_unit", "impute_mean", "impute_median", "impute_group_mean",
                     "impute_group_median")  # the missing-value policies out of core


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
    units = source_units(ruleset, path)
    return units is None or units * BYTES_PER_UNIT_VALUE * _values_per_unit(ruleset) <= memory


def source_units(ruleset: Ruleset, path: str) -> int | None:
    """How many units the unit source holds: counted in a Parquet file's metadata, estimated from a CSV file's
    size and first lines; None for other formats, or a file that cannot be read so."""
    name = ruleset.sources[ruleset.units["source"]].format.name
    try:
        if name == "parquet":
            return pq.ParquetFile(path).metadata.num_rows
        if name == "csv":
            with open(path, "rb") as fh:
                sample = fh.read(1 << 20)
            return os.path.getsize(path) * max(1, sample.count(b"\n")) // max(1, len(sample))
    except (OSError, pa.ArrowException):
        pass
    return None


def parts_wanted(ruleset: Ruleset, path: str, memory: int, workers: int) -> int:
    """Into how many parts a Parquet file is split on a cluster: each small enough for a worker's ``memory``,
    at least two per worker, at most one per row group."""
    metadata = pq.ParquetFile(path).metadata
    return max(1, min(metadata.num_row_groups, max(2 * workers, -(-metadata.num_rows // block_rows(ruleset, memory)))))


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
    imputes_mean = any(ind.missing.startswith("impute_") and ind.missing.endswith(("mean", "median"))
                       for ind in ruleset.indicators.values())
    drops = ruleset.document.get("coverage", {}).get("drop_units") or any(
        ind.missing == "drop_unit" for ind in ruleset.indicators.values())
    if imputes_mean and drops:
        out.append(said("E_OUT_OF_CORE", "blocks.drop_and_mean", path="/indicators"))
    for ind in ruleset.indicators.values():
        if ind.missing not in ROW_ONLY_POLICIES:
            out.append(said("E_OUT_OF_CORE", "blocks.missing", path=ind.pointer + "/missing", name=ind.name, policy=ind.missing,
                            policies=", ".join(ROW_ONLY_POLICIES)))
        for reg, kind, params, pointer in ((ind.treatment, "treatment", ind.treatment_params, ind.pointer + "/treatment"),
                                           (ind.normaliser, "normaliser", ind.normaliser_params, ind.pointer + "/normalise")):
            why = _not_gathered(reg, params, whole) if reg is not None else None
            if why is not None:
                method(reg, kind, pointer, why)
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


def _not_gathered(reg, params: dict, whole: Both) -> Both | None:
    """Why the method cannot be gathered over blocks with these parameters (None when it can)."""
    if not isinstance(reg.impl, Gathered):
        return whole
    return reg.impl.refuses(params) if reg.impl.refuses is not None else None


def _whole_column_calls(formula, plugins: Plugins, pointer: str) -> list[Diagnostic]:
    """A formula's calls of functions over whole columns (col_mean and the like)."""
    functions = plugins.of("function")
    called = sorted({n.func.id for n in ast.walk(formula.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)})
    return [said("E_OUT_OF_CORE", "blocks.function", path=pointer, name=name) for name in called
            if name in functions and functions[name].options.get("whole_columns")]
