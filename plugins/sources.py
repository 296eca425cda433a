"""Built-in data sources: CSV, Excel (xlsx), JSON and Parquet files."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from govscore.engine import lazy
from govscore.engine.data import (DEFAULT_NA, Table, array_of, detect_encoding, missing_columns, not_utf8_after_all, to_numbers,
                                  to_text)
from govscore.engine.diagnostics import EngineError, did_you_mean, excerpt, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both

pa = lazy.module("pyarrow")
pv = lazy.module("pyarrow.csv")
pq = lazy.module("pyarrow.parquet")

COMMON_PARAMS = {
    "encoding": {"type": "string", "default": "auto",
                 "description": "auto (UTF-8, else GB18030/GBK), or an encoding name such as gb18030."},
    "na": {"type": "array", "items": {"type": "string"},
           "description": "Cell texts that mean 'no value'. Default: empty, NA, N/A, NULL, -, —, / and the like."},
    "thousands": {"type": ["string", "null"], "default": ",",
                  "description": "The thousands separator inside numbers (removed before reading them); null for none."},
    "decimal": {"type": "string", "default": ".", "description": "The decimal mark."},
}

CSV_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **COMMON_PARAMS,
        "delimiter": {"type": "string", "minLength": 1, "maxLength": 1, "default": ",",
                      "description": "The character between cells."},
        "skip_rows": {"type": "integer", "minimum": 0, "default": 0,
                      "description": "Lines to skip before the header line (a title line, say)."},
    },
}

JSON_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **COMMON_PARAMS,
        "records": {"type": "string",
                    "description": "The key of the array of records, when the file is an object rather than an array."},
    },
}


def _columns(tables: list[pa.Table], columns: dict[str, str], file: str, first_row: int, params) -> dict:
    """numpy columns from an Arrow table, converting one column at a time and letting Arrow's copy
    of it go, so that a large file is never held twice in memory. The table comes in a list that is
    emptied here, so that no caller's reference keeps the whole of it alive."""
    table = tables.pop()
    left = {name: table.column(name) for name in columns}  # the columns still to convert, and only those
    del table
    out, problems = {}, []
    for name, kind in columns.items():
        values = left.pop(name)
        try:
            if kind == "number":
                out[name] = to_numbers(values, name, file, first_row, params.get("na", DEFAULT_NA),
                                       params.get("thousands", ","), params.get("decimal", "."))
            else:
                out[name] = to_text(values)
        except EngineError as exc:  # every column's cells told at once, not only the first column's
            problems += exc.diagnostics
        del values
        pa.default_memory_pool().release_unused()
    if problems:
        raise EngineError(problems)
    return out


def load_csv(path: str, params: dict, columns: dict[str, str], batch_rows: int | None = None):
    """The file as one Table; with ``batch_rows``, Tables of about that many rows each, read as they are used."""
    declared = params.get("encoding", "auto")
    encoding = detect_encoding(path, declared)
    if batch_rows is not None:
        return _csv_batches(path, params, columns, encoding, batch_rows)
    try:
        return _load_csv(path, params, columns, encoding)
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc) or declared != "auto" or encoding != "utf-8":
            raise
    # UTF-8 at the start, but not further on: a GBK file after all, or a UTF-8 file with a foreign part
    return _load_csv(path, params, columns, not_utf8_after_all(path))


def _csv_options(path: str, params: dict, columns: dict[str, str], encoding: str, numbers, block_size: int | None = None):
    """How pyarrow reads the file: the columns the ruleset uses, number columns as ``numbers`` (float64,
    which parses fastest and with least memory; None, the type pyarrow infers; or text). A file whose numbers
    are written as text ("1,234", a marker for 'no data') is read again so, and cleaned column by column."""
    skip = params.get("skip_rows", 0)
    read = pv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding, skip_rows=skip,
                          **({"block_size": block_size} if block_size else {}))
    parse = pv.ParseOptions(delimiter=params.get("delimiter", ","))
    types = {name: pa.string() if kind == "text" else numbers for name, kind in columns.items()
             if numbers is not None or kind == "text"}
    convert = pv.ConvertOptions(
        include_columns=list(columns), column_types=types,
        null_values=list(params.get("na", DEFAULT_NA)), strings_can_be_null=True,
        quoted_strings_can_be_null=True, decimal_point=params.get("decimal", "."))
    return {"read_options": read, "parse_options": parse, "convert_options": convert}


def _check_header(path: str, params: dict, columns: dict[str, str], encoding: str):
    problems = missing_columns(path, columns, _header(path, encoding, params.get("skip_rows", 0), params.get("delimiter", ",")))
    if problems:
        raise EngineError(problems)


def _load_csv(path: str, params: dict, columns: dict[str, str], encoding: str) -> Table:
    skip = params.get("skip_rows", 0)
    _check_header(path, params, columns, encoding)

    def read_as(typed: bool) -> pa.Table:
        return pv.read_csv(path, **_csv_options(path, params, columns, encoding, pa.float64() if typed else None))

    try:
        try:
            table = read_as(typed=True)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise
            table = read_as(typed=False)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            raise
        raise _unreadable_csv(path, encoding, skip, params.get("delimiter", ","), exc) from None
    rows, first_row, tables = table.num_rows, skip + 2, [table]
    del table
    return Table(_columns(tables, columns, path, first_row, params), rows, file=path, row_numbers_offset=first_row)


def _csv_batches(path: str, params: dict, columns: dict[str, str], encoding: str, rows: int):
    """The file in Tables of about ``rows`` rows, each cleaned as a whole file is. Where a later part of the
    file needs another reading (numbers written as text, or not UTF-8 after all), the file is opened again
    that way and read on from the row reached."""
    _check_header(path, params, columns, encoding)
    skip = params.get("skip_rows", 0)
    with open(path, "rb") as fh:
        sample = fh.read(1 << 20)
    block_size = max(1 << 16, min(1 << 30, rows * max(1, len(sample) // max(1, sample.count(b"\n")))))
    typed, done = True, 0

    def batches():
        # read on as text: the type pyarrow infers from one block may not hold for the next
        reader = pv.open_csv(path, **_csv_options(path, params, columns, encoding, pa.float64() if typed else pa.string(), block_size))
        seen = 0
        for batch in reader:
            if seen + batch.num_rows > done:  # the rows not read before
                yield batch.slice(max(0, done - seen))
            seen += batch.num_rows

    stream = batches()
    while True:
        try:
            batch = next(stream)
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) and params.get("encoding", "auto") == "auto" and encoding == "utf-8":
                encoding = not_utf8_after_all(path)
            elif "UTF8" not in str(exc) and typed:
                typed = False
            else:
                raise _unreadable_csv(path, encoding, skip, params.get("delimiter", ","), exc) from None
            stream = batches()
            continue
        first_row = skip + 2 + done
        table = Table(_columns([pa.Table.from_batches([batch])], columns, path, first_row, params), batch.num_rows,
                      file=path, row_numbers_offset=first_row)
        done += batch.num_rows
        yield table


def _unreadable_csv(path: str, encoding: str, skip: int, delimiter: str, exc) -> EngineError:
    """What the CSV parser could not read: for a row with another number of cells than the header, its
    line (Arrow quotes the row's content, not its line); otherwise a short excerpt of the parser's words."""
    hint = Both("check the delimiter and that every row has as many cells as the header",
                "请检查分隔符，以及每行的单元格数是否与表头相同")
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        rows = csv.reader(fh, delimiter=delimiter)
        width = len(next(rows, []))
        for row in rows:
            if row and len(row) != width:
                return EngineError([said("E_DATA_FORMAT", "data.ragged", file=path, line=skip + rows.line_num,
                                         cells=len(row), width=width, hint=hint)])
    return EngineError([said("E_DATA_FORMAT", "data.unreadable", file=path, format="CSV", detail=excerpt(str(exc), 120), hint=hint)])


def _header(path: str, encoding: str, skip: int, delimiter: str) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20).decode(encoding, errors="replace").lstrip("\ufeff")
    lines = io.StringIO(head)
    for _ in range(skip):
        lines.readline()
    return next(csv.reader(lines, delimiter=delimiter), [])


def load_json(path: str, params: dict, columns: dict[str, str]) -> Table:
    encoding = detect_encoding(path, params.get("encoding", "auto"))
    with open(path, "rb") as fh:
        raw = fh.read()
    if encoding == "utf-8":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            encoding = not_utf8_after_all(path)

    def refuse(constant):
        raise ValueError(f"{constant} is not a JSON number")

    try:
        document = json.loads(raw.decode(encoding).lstrip("\ufeff"), parse_constant=refuse)
    except ValueError as exc:
        raise EngineError([said("E_DATA_FORMAT", "data.unreadable", file=path, format="JSON", detail=excerpt(str(exc), 120))]) from None
    key = params.get("records")
    records = document.get(key) if key and isinstance(document, dict) else document
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        where = Both(f'the key "{key}"', f"键“{key}”处") if key else Both("the top level", "最外层")
        raise EngineError([said("E_DATA_FORMAT", "data.json_records", file=path, where=where,
                                hint=Both('name the key of the array in params.records, e.g. "data"',
                                          '请在 params.records 中写明数组所在的键，例如 "data"'))])
    present = set().union(*(r.keys() for r in records)) if records else set()
    problems = missing_columns(path, columns, sorted(present))
    if problems:
        raise EngineError(problems)
    arrays = {name: array_of([r.get(name) for r in records]) for name in columns}
    return Table(_columns([pa.table(arrays)], columns, path, 1, params), len(records), file=path, row_numbers_offset=1)


PARQUET_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "na": COMMON_PARAMS["na"],
        "thousands": COMMON_PARAMS["thousands"],
        "decimal": COMMON_PARAMS["decimal"],
    },
}


def load_parquet(path: str, params: dict, columns: dict[str, str], batch_rows: int | None = None,
                 part: tuple[int, int] | None = None):
    """A Parquet file: only the columns the ruleset reads are loaded. With ``batch_rows``, Tables of that
    many rows each, read as they are used; with ``part`` (k, n), the k-th of n parts of its row groups."""
    try:
        present = pq.read_schema(path).names
    except (pa.ArrowInvalid, OSError) as exc:
        raise EngineError([said("E_DATA_FORMAT", "data.unreadable", file=path, format="Parquet", detail=excerpt(str(exc), 120))]) from None
    problems = missing_columns(path, columns, present)
    if problems:
        raise EngineError(problems)
    if batch_rows is not None:
        return _parquet_batches(path, params, columns, batch_rows)
    if part is not None:
        return _parquet_part(path, params, columns, *part)
    tables = [pq.read_table(path, columns=list(columns))]
    rows = tables[0].num_rows
    return Table(_columns(tables, columns, path, 1, params), rows, file=path, row_numbers_offset=1)


def parquet_parts(path: str, n: int) -> list[tuple[int, int]]:
    """The row groups of n parts of a Parquet file as evenly as its groups allow: (first group, groups) of each."""
    groups = pq.ParquetFile(path).metadata.num_row_groups
    edges = [round(k * groups / n) for k in range(n + 1)]
    return [(a, b - a) for a, b in zip(edges, edges[1:])]


def _parquet_part(path: str, params: dict, columns: dict[str, str], k: int, n: int) -> Table:
    file = pq.ParquetFile(path)
    first, count = parquet_parts(path, n)[k]
    before = sum(file.metadata.row_group(g).num_rows for g in range(first))
    tables = [file.read_row_groups(list(range(first, first + count)), columns=list(columns))]
    rows = tables[0].num_rows
    return Table(_columns(tables, columns, path, 1 + before, params), rows, file=path, row_numbers_offset=1 + before)


def _parquet_batches(path: str, params: dict, columns: dict[str, str], rows: int):
    done = 0
    # without pre-buffering, which would keep every row group's column chunks read so far until the end
    for batch in pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=rows, columns=list(columns)):
        yield Table(_columns([pa.Table.from_batches([batch])], columns, path, 1 + done, params), batch.num_rows,
                    file=path, row_numbers_offset=1 + done)
        done += batch.num_rows


XLSX_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "sheet": {"type": ["string", "integer"], "minimum": 1, "default": 1,
                  "description": "The worksheet: its name, or its place (1 is the first)."},
        "header_row": {"type": "integer", "minimum": 1, "default": 1,
                       "description": "The row that holds the column names (a title above it is skipped)."},
        "header_rows": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1,
                        "description": "How many rows the column names span; a merged cell above names every column "
                                       "under it, and the parts are joined with /, e.g. 社会化/志愿者数."},
        "skip_rows": {"type": "integer", "minimum": 0, "default": 0,
                      "description": "Rows to skip between the column names and the data (a row of units, say)."},
        "na": COMMON_PARAMS["na"],
        "thousands": COMMON_PARAMS["thousands"],
        "decimal": COMMON_PARAMS["decimal"],
    },
}


def load_xlsx(path: str, params: dict, columns: dict[str, str]) -> Table:
    """An Excel workbook (xlsx): one worksheet, column names in a header row (merged cells allowed),
    values as the workbook last calculated them. Numbers stored as text are converted; other text
    in a number column is reported cell by cell. Read with calamine: a sheet of 50,000 rows × 40 columns
    in seconds, where a cell-by-cell reader takes minutes."""
    from openpyxl.utils import get_column_letter
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        sheet = _worksheet(book, params.get("sheet", 1), path)
        grid = [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]  # from A1
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise EngineError([said("E_DATA_FORMAT", "data.unreadable", file=path, format="Excel (xlsx)", detail=excerpt(str(exc), 120),
                                hint=Both("save it from the spreadsheet program as .xlsx (Excel Workbook)",
                                          "请在表格软件中另存为 .xlsx（Excel 工作簿）"))]) from None
    top, depth = params.get("header_row", 1), params.get("header_rows", 1)
    names = _header_names(grid, sheet.merged_cell_ranges, top, depth)
    problems = missing_columns(path, columns, [n for n in names if n], key="data.no_column_sheet", sheet=sheet.name)
    twice = sorted({n for n in columns if names.count(n) > 1})
    problems += [said("E_DATA_COLUMN", "data.column_twice", file=path, sheet=sheet.name, column=n,
                      hint=Both("rename one of them in the workbook", "请在工作簿中给其中一列改名")) for n in twice]
    if problems:
        raise EngineError(problems)
    first = top + depth + params.get("skip_rows", 0)
    rows = grid[first - 1:]
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()  # formatted but empty rows at the end of the sheet
    out = {}
    for name, kind in columns.items():
        k = names.index(name)
        array = array_of([row[k] if k < len(row) else None for row in rows])
        if kind == "number":
            letter = get_column_letter(k + 1)
            out[name] = to_numbers(array, name, path, first, params.get("na", DEFAULT_NA), params.get("thousands", ","),
                                   params.get("decimal", "."), place=Both(f" (column {letter} of the sheet {sheet.name})",
                                                                          f"（工作表 {sheet.name} 的 {letter} 列）"))
        else:
            out[name] = to_text(array)
    return Table(out, len(rows), file=path, row_numbers_offset=first)


def _cell(value):
    """A cell as the workbook shows it: an empty cell is None, and a whole number is an int (a sheet
    stores every number as a float; the id 2 is "2" as text, not "2.0")."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _worksheet(book, wanted, path: str):
    names = book.sheet_names
    if isinstance(wanted, int) and 1 <= wanted <= len(names):
        return book.get_sheet_by_index(wanted - 1)
    if wanted in names:
        return book.get_sheet_by_name(wanted)
    close = did_you_mean(wanted, names) if isinstance(wanted, str) else None
    raise EngineError([said("E_DATA_SHEET", "data.no_sheet_number" if isinstance(wanted, int) else "data.no_sheet",
                            file=path, sheet=wanted, count=len(names),
                            hint=(close + " " if close else "") + "its sheets: " + ", ".join(names))])


def _header_names(grid: list[list], merged, top: int, depth: int) -> list[str]:
    """The column names: each header cell's text, a merged cell's text in every column it spans, and
    the rows of a header of several rows joined with / (a part repeated by a vertical merge once).
    ``merged``: the sheet's merged ranges, ((first row, first column), (last row, last column)) from 0."""
    width = max((len(row) for row in grid), default=0)
    rows = [grid[r] if r < len(grid) else [] for r in range(top - 1, top - 1 + depth)]
    header = [row + [None] * (width - len(row)) for row in rows]  # every header row as wide as the sheet
    for (r0, c0), (r1, c1) in merged:
        value = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else None
        for r in range(max(r0, top - 1), min(r1, top + depth - 2) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                header[r - top + 1][c] = value
    names = []
    for c in range(width):
        parts = []
        for r in range(depth):
            text = "" if header[r][c] is None else " ".join(str(header[r][c]).split())
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        names.append("/".join(parts))
    return names


@hookimpl
def register_sources(register):
    register("csv", load_csv, params=CSV_PARAMS,
             description={"en": "A CSV file: UTF-8 (with or without BOM) or GB18030/GBK, detected; thousands separators and "
                         "NA markers handled.", "zh": "CSV 文件：自动识别 UTF-8（带或不带 BOM）或 GB18030/GBK；处理千位分隔符和缺失值标记。"})
    register("parquet", load_parquet, params=PARQUET_PARAMS,
             description={"en": "A Parquet file (columns read as stored; text cells in number columns are cleaned as in CSV).",
                          "zh": "Parquet 文件（按存储的类型读取列；数值列中的文本单元格按 CSV 的规则清理）。"})
    register("xlsx", load_xlsx, params=XLSX_PARAMS,
             description={"en": "An Excel workbook (.xlsx): a sheet by name or place, header row(s) with merged cells, numbers "
                         "stored as text converted.", "zh": "Excel 工作簿（.xlsx）：按名称或序号选工作表，支持含合并单元格的表头行，文本形式的数字会被转换。"})
    register("json", load_json, params=JSON_PARAMS,
             description={"en": "A JSON file holding an array of records (one object per unit).",
                          "zh": "JSON 文件，内含记录数组（每个单位一个对象）。"})
