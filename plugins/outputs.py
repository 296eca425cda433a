"""Built-in outputs: a table for the terminal, CSV, Parquet, and JSON with the run's metadata."""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np

from govscore.engine import lazy
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import HEADINGS, say
from govscore.engine.obstacles import obstacle_columns
from govscore.engine.panel import panel_changes
from govscore.engine.plugins import parallel_map, workers_for
from govscore.engine.report import ANALYSIS_PARAMS, computed, language_of
from govscore.engine.statistics import statistics
from govscore.engine.textwidth import table

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")
pv = lazy.module("pyarrow.csv")
pq = lazy.module("pyarrow.parquet")

INCLUDE = {"enum": ["scores", "all"], "default": "scores",
           "description": "scores: units, nodes, rank and grade; all: also every raw and normalised indicator, and "
                          "what each method computed per unit (DEA peers and slacks, TOPSIS distances...)."}


def arrow_table(result, include: str = "scores", labels: bool = False) -> pa.Table:
    """The result as an Arrow table: ranks as whole numbers where they are, missing as null."""
    return pa.concat_tables(arrow_batches(result, include, labels, rows=max(result.size, 1)))


def arrow_batches(result, include: str = "scores", labels: bool = False, rows: int = 1 << 16, exact: bool = False):
    """The result table in slices of ``rows`` units, so that writing a million units never holds a
    second copy of every column. ``exact``: each rounded column as a decimal of its step's digits, so that
    text keeps the trailing zeros (67.60 in a two-decimal column, not 67.6)."""
    lang = language_of(result)
    columns = result.columns(include, lang)
    if include == "all":  # each unit's obstacle degrees, before the rounded score and the ranks
        at = next(k for k, (key, _, _) in enumerate(columns) if key.endswith(".rounded") or key == "rank")
        columns[at:at] = obstacle_columns(result, lang)
    places = {f"{node}.rounded": rounding.digits for node, rounding in result.ruleset.rounding.items()} if exact else {}
    whole = {key: values.dtype != object and key.endswith("rank") and (
                 result.whole_ranks if result.whole_ranks is not None else bool(np.all(np.isnan(values) | (values == np.round(values)))))
             for key, _, values in columns if not isinstance(values, pa.Array)}
    names = [label if labels else key for key, label, _ in columns]
    for start in range(0, max(result.size, 1), rows):
        arrays = []
        for key, _, values in columns:
            part = values[start:start + rows]
            if isinstance(values, pa.Array):
                arrays.append(part)
            elif values.dtype == object:
                arrays.append(pa.array(part, pa.string()))
            else:
                array = pa.array(part, pa.float64(), from_pandas=True)
                if key in places and not np.any(np.abs(part) >= 1e30):  # beyond what a decimal of 38 digits holds
                    array = pc.cast(array, pa.decimal128(38, places[key]), safe=False)
                arrays.append(array.cast(pa.int64()) if whole[key] else array)
        yield pa.Table.from_arrays(arrays, names=names)


FORMULA_START = "^[=+\\-@\t\r]"  # what a spreadsheet may take for the start of a formula (OWASP)


def neutralised(batch: pa.Table) -> pa.Table:
    """Text cells and headers that a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, @SUM(…))
    get a leading apostrophe, which spreadsheets show as text."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_START), False)
            if pc.any(risky).as_py():
                column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    names = ["'" + name if re.match(FORMULA_START, name) else name for name in batch.column_names]
    return pa.Table.from_arrays(columns, names=names)


def write_csv(result, stream, params):
    """Slices of units turned into text on several threads (Arrow's writer lets go of the GIL; turning
    numbers into text is most of the work), and written in order, a few slices at a time."""
    if params.get("bom", True) and getattr(stream, "name", None) != "<stdout>":  # a BOM would reach the next program in a pipe
        stream.write("\ufeff".encode("utf-8"))
    safe = params.get("formulas", "neutralise") == "neutralise"
    batches = (batch for part in result.parts()
               for batch in arrow_batches(part, params.get("include", "scores"), params.get("labels", False), exact=True))
    workers = workers_for(result.size)

    def text(numbered):
        k, batch = numbered
        out = pa.BufferOutputStream()
        pv.write_csv(neutralised(batch) if safe else batch, out, pv.WriteOptions(include_header=k == 0))
        return out.getvalue()  # an Arrow buffer, written as it is

    numbered = enumerate(batches)
    while window := list(itertools.islice(numbered, 2 * workers)):
        for chunk in parallel_map(text, window, workers):
            stream.write(chunk)


def write_parquet(result, stream, params):
    writer = None
    for batch in (batch for part in result.parts() for batch in arrow_batches(part, params.get("include", "scores"))):
        writer = writer or pq.ParquetWriter(stream, batch.schema)
        writer.write_table(batch)
    if writer is not None:
        writer.close()


def _plain(value, units: int):
    """JSON-ready: numbers made plain; per-unit arrays are left out (with include "all" they are columns of the units)."""
    if isinstance(value, dict):
        return {k: _plain(v, units) for k, v in value.items() if not (isinstance(v, np.ndarray) and v.shape == (units,))}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist(), units)
    if isinstance(value, (list, tuple)):
        return [_plain(v, units) for v in value]
    if isinstance(value, (np.floating, float)):
        return _json_number(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def _json_number(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def write_json(result, stream, params):
    rs = result.ruleset
    table = arrow_table(result, params.get("include", "scores"))
    document = {
        "meta": result.meta,
        "score": rs.score,
        "labels": {name: rs.label(name) for name in [*rs.indicators, *rs.nodes]},
        "weights": result.weights,
        "effective_weights": result.effective_weights(),
        "hierarchy_consistency": result.hierarchy_consistency(),
        "methods": {name: _plain(d, result.size) for name, d in result.details.items()},
        "treatment": {name: _plain(d, result.size) for name, d in result.treatment.items()},
        "groups": [{k: _json_number(v) for k, v in g.items()} for g in result.group_summary()],
        "panel": panel_changes(result),
        "dropped_units": result.dropped,
        "imputed": {name: result.ids_where(mask) for name, mask in result.imputed.items() if mask.any()},
        "diagnostics": [d.to_dict() for d in result.diagnostics],
        "units": [{k: _json_number(v) for k, v in row.items()} for row in table.to_pylist()],
    }
    if params.get("statistics"):
        document["statistics"] = statistics(result)
    for section in ("sensitivity", "leave_one_out"):  # computed by engine run beside the scoring
        if params.get(section):
            document[section] = computed(result, section)
    text = json.dumps(document, ensure_ascii=False, indent=params.get("indent", 2), allow_nan=False)
    stream.write(text.encode("utf-8") + b"\n")


def _cell(value, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "-"
        return f"{value:.0f}" if float(value).is_integer() and abs(value) < 1e15 and digits == 0 else f"{value:.{digits}f}"
    return str(value)


def write_table(result, stream, params):
    """A ranked table for people: best first, the score and the top-level nodes."""
    rs = result.ruleset
    limit = params.get("limit", 50)
    digits = params.get("digits", 3)
    score = result.rounded.get(rs.score, result.score)
    lang = language_of(result)
    t = HEADINGS[lang]
    columns = [(t["rank"], result.rank, 0), (t["unit"], result.unit_ids, 0)]
    columns += [(t[key], values, 0) for key, values in result.descriptors()]
    shown_nodes = [n for n in rs.nodes if n != rs.score][-8:]
    columns += [(rs.label(n), result.nodes[n], digits) for n in shown_nodes]
    score_digits = rs.rounding[rs.score].digits if rs.score in rs.rounding else digits
    columns.append((rs.label(rs.score), score, score_digits))
    if result.grade is not None:
        columns.append((t["grade"], result.grade, 0))
    order = result.best_first()
    rows = order[:limit] if limit else order
    shown = [values.take(pa.array(rows)).to_pylist() if isinstance(values, pa.Array) else values[rows]
             for _, values, _ in columns]
    cells = [[_cell(col[i], d) for col, (_, _, d) in zip(shown, columns)] for i in range(len(rows))]
    headers = [name for name, _, _ in columns]
    numeric = [isinstance(values, np.ndarray) and values.dtype != object for _, values, _ in columns]
    lines = [f"{rs.title}" + (f" ({rs.version})" if rs.version else "")] + table(headers, cells, numeric, rule=True)
    if limit and result.size > limit:
        lines.append(say("table_more", lang, n=result.size - limit))
    if result.dropped:
        lines.append(say("table_dropped", lang, n=len(result.dropped), units=", ".join(result.dropped[:10])))
    stream.write(("\n".join(lines) + "\n").encode("utf-8"))


@hookimpl
def register_outputs(register):
    register("table", write_table, extension="txt", params={
        "type": "object", "additionalProperties": False, "properties": {
            "limit": {"type": "integer", "minimum": 0, "default": 50, "description": "Rows shown; 0 for all."},
            "digits": {"type": "integer", "minimum": 0, "maximum": 12, "default": 3, "description": "Decimal places shown."}}},
        description={"en": "A ranked table for the terminal, best first.", "zh": "在终端显示的排名表，从高到低。"})
    register("csv", write_csv, extension="csv", streams=True, params={
        "type": "object", "additionalProperties": False, "properties": {
            "include": INCLUDE,
            "labels": {"type": "boolean", "default": False, "description": "Column headers in the reader's language: the ruleset's "
                                                                          "labels (治理水平 H) and words (名次), instead of codes for tools."},
            "bom": {"type": "boolean", "default": True, "description": "Start with a UTF-8 BOM, so spreadsheet programs read "
                                                                       "Chinese text correctly (never on standard output)."},
            "formulas": {"enum": ["neutralise", "raw"], "default": "neutralise",
                         "description": "neutralise: a text cell starting with = + - @, a tab or a carriage return gets a "
                                        "leading ', so a spreadsheet does not run it as a formula; raw: as it is."}}},
        description={"en": "CSV, one row per unit.", "zh": "CSV，每个单位一行。"})
    register("parquet", write_parquet, extension="parquet", streams=True, params={
        "type": "object", "additionalProperties": False, "properties": {"include": INCLUDE}},
        description={"en": "Parquet, one row per unit, for analysts' tools (pandas, R arrow, DuckDB).",
                     "zh": "Parquet，每个单位一行，供分析工具使用（pandas、R arrow、DuckDB）。"})
    register("json", write_json, extension="json", params={
        "type": "object", "additionalProperties": False, "properties": {
            "include": INCLUDE,
            "indent": {"type": ["integer", "null"], "minimum": 0, "default": 2, "description": "Indentation; null for one line."},
            **ANALYSIS_PARAMS}},
        description={"en": "JSON with the run's metadata (engine version, ruleset and input hashes), weights, warnings and every unit's values.",
                     "zh": "JSON：运行的元数据（引擎版本、规则集与输入文件的哈希）、权重、警告和每个单位的数值。"})
