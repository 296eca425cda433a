"""Tables of columns, and the conversions every source plugin needs.

A :class:`Table` is what a source plugin returns: named columns, all the same length. Columns
asked for as ``"number"`` are numpy float64 arrays with NaN for a missing value; columns asked
for as ``"text"`` are Arrow string arrays (null when missing), which keep a million ids compact
and pass to outputs without conversion.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import numpy as np

from . import lazy
from .diagnostics import Diagnostic, EngineError, did_you_mean, excerpt, said
from .messages import Both
from .values import LARGEST, too_large

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")

DEFAULT_NA = ("", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None", "-", "--", "—", "——", "－", "/", "／",
              "缺失", "无数据", "暂无", "暂无数据", "无", "空")


@dataclass
class Table:
    columns: dict[str, np.ndarray | pa.StringArray]
    rows: int
    file: str = ""
    row_numbers_offset: int = 2  # the file line of row 0 (after a header line), for messages


SNIFF_BYTES = 1 << 22


def detect_encoding(path: str, declared: str = "auto") -> str:
    """The encoding of a data file: UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312).

    Chinese office software often saves CSV in GBK. With ``auto``, a file whose first 4 MiB are
    UTF-8 is taken as UTF-8 without reading the rest (a reader that then meets invalid UTF-8
    should call ``not_utf8_after_all(path)`` and read again); otherwise the whole file
    must be GB18030. A declared encoding is checked over the whole file.
    """
    if declared != "auto":
        return check_encoding(path, declared)
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        return check_encoding(path, "gb18030", auto=True)


UTF8_EVIDENCE = 8  # characters of several bytes read as UTF-8 before a bad byte: the file is UTF-8


def not_utf8_after_all(path: str) -> str:
    """For a file that began as UTF-8 but holds bytes that are not: GB18030 when nothing before the
    first bad byte was Chinese written in UTF-8 (a GBK file with a plain-ASCII start); otherwise the file
    is UTF-8 with a foreign part (pasted from a GBK file, say), and reading it all as GB18030 would
    garble every Chinese label: E_DATA_ENCODING naming the line."""
    decoder, several, lines = codecs.getincrementaldecoder("utf-8")(), 0, 0
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(1 << 24), b""):
            try:
                decoder.decode(piece, final=False)
            except UnicodeDecodeError as exc:
                good = piece[:exc.start]
                several += int(np.count_nonzero(np.frombuffer(good, dtype=np.uint8) >= 0xC2))
                if several < UTF8_EVIDENCE:
                    return check_encoding(path, "gb18030", auto=True)
                raise EngineError([said("E_DATA_ENCODING", "data.mixed_encoding", file=path, line=lines + good.count(b"\n") + 1,
                                        hint=Both('save it again as CSV UTF-8, or declare its encoding in the source\'s params, '
                                                  'e.g. "encoding": "gb18030"',
                                                  '请另存为“CSV UTF-8”，或在数据源的 params 中声明编码，例如 "encoding": "gb18030"'))]) from None
            several += int(np.count_nonzero(np.frombuffer(piece, dtype=np.uint8) >= 0xC2))
            lines += piece.count(b"\n")
    return "utf-8"


def check_encoding(path: str, encoding: str, auto: bool = False) -> str:
    """Read the whole file in pieces to check it is valid ``encoding``; E_DATA_ENCODING if not."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise EngineError([said("E_DATA_ENCODING", "data.unknown_encoding", file=path, encoding=encoding,
                                hint=Both('use "auto", "utf-8" or "gb18030"', '请用 "auto"、"utf-8" 或 "gb18030"'))]) from None
    try:
        with open(path, "rb") as fh:
            for piece in iter(lambda: fh.read(1 << 24), b""):
                decoder.decode(piece, final=False)
        decoder.decode(b"", final=True)
        return encoding
    except UnicodeDecodeError as exc:
        what = (Both("neither UTF-8 nor GB18030/GBK text", "既不是 UTF-8 也不是 GB18030/GBK 文本") if auto else
                Both(f"not {encoding} text, as the ruleset declares", f"不是规则集所声明的 {encoding} 文本"))
        raise EngineError([said("E_DATA_ENCODING", "data.bad_encoding", file=path, what=what, reason=exc.reason,
                                hint=Both("save it again as CSV UTF-8 from the spreadsheet program",
                                          "请在表格软件中另存为“CSV UTF-8”"))]) from None


def _listed_columns(present: list[str]) -> str:
    """A file's columns for a message: the first 30, each and all of them cut short."""
    return excerpt(", ".join(excerpt(c) for c in present[:30]), 300)


def missing_columns(file: str, wanted, present, key: str = "data.no_column", **fields) -> list[Diagnostic]:
    """A diagnostic for each wanted column that the file does not have, with near matches. ``key``
    names the message (a sheet's or a query's columns, say) and ``fields`` fill it in."""
    present = list(present)
    if not present and wanted:  # an empty file: one problem, not one per column it lacks
        return [said("E_DATA_COLUMN", "data.no_columns", file=file,
                     hint=Both("check that the file is the one meant, and was saved completely", "请检查是否选对了文件，以及文件是否完整保存"))]
    known = set(present)
    wanted = list(wanted)
    if len(wanted) > 1 and not known & set(wanted):  # one mistake (the header is elsewhere), told once
        return [said("E_DATA_COLUMN", "data.none_of_the_columns", file=file, count=len(wanted),
                     columns=excerpt(", ".join(wanted), 200), present=_listed_columns(present),
                     hint=Both('is the header on another row? Give it in the source\'s params: "header_row" for a workbook, '
                               '"skip_rows" for CSV (the rows above the header)',
                               '表头是否在其他行？请在数据源的 params 中写明：工作簿用 "header_row"，CSV 用 "skip_rows"（表头之上的行数）'))]
    out = []
    for name in wanted:
        if name not in known:
            hint = did_you_mean(name, present) or "the columns are: " + _listed_columns(present)
            out.append(said("E_DATA_COLUMN", key, file=file, hint=hint, column=name, **fields))
    return out


def to_numbers(values: pa.Array | pa.ChunkedArray, column: str, file: str, first_row: int, na=DEFAULT_NA,
               thousands: str | None = ",", decimal: str = ".", place: Both | str = "") -> np.ndarray:
    """Numbers from an Arrow column of any type; text like "1,234" or " 12.5 " is converted.

    Cells that are neither numbers nor NA markers raise ``E_DATA_NOT_NUMBER`` naming the rows; ``place``
    says more of where the column is (a workbook's sheet and column letter), in either language.
    """
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type) or pa.types.is_decimal(values.type):
        return as_numpy(values.cast(pa.float64()))
    if pa.types.is_null(values.type):
        return np.full(len(values), np.nan)
    if pa.types.is_boolean(values.type):
        raise EngineError([said("E_DATA_NOT_NUMBER", "data.booleans", file=file, column=column, place=place)])
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    text = pc.if_else(pc.is_in(text, value_set=pa.array(list(na), pa.string())), pa.scalar(None, pa.string()), text)
    if thousands:
        text = pc.replace_substring(text, thousands, "")
    if decimal != ".":
        text = pc.replace_substring(text, decimal, ".")
    text = pc.replace_substring(text, "\u2212", "-")  # a typographic minus sign
    numeric = pc.match_substring_regex(text, r"^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
    bad = pc.and_(pc.invert(pc.fill_null(numeric, True)), pc.is_valid(text))
    bad_rows = np.flatnonzero(as_numpy(bad))
    if len(bad_rows):
        shown = ", ".join(f"{first_row + i} ({excerpt(repr(values[int(i)].as_py()))})" for i in bad_rows[:8])
        raise EngineError([said(
            "E_DATA_NOT_NUMBER", "data.not_numbers", file=file, column=column, place=place, count=len(bad_rows),
            cells=shown + (", …" if len(bad_rows) > 8 else ""),
            hint=Both("fix those cells, or list the marker they use for 'no data' in the source's params.na",
                      "请改正这些单元格，或在数据源的 params.na 中列出它们表示“无数据”的标记"))])
    return as_numpy(pc.cast(text, pa.float64()))


def as_numpy(values) -> np.ndarray:
    """An Arrow column of numbers or true/false as numpy: numbers a read-only view of Arrow's buffer
    (null is NaN; whole numbers and true/false must have none). Through DLPack rather than to_numpy,
    whose conversion imports pandas (0.3 s) wherever it is installed."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_boolean(values.type):  # bits in Arrow, bytes in numpy
        return np.from_dlpack(pc.cast(values, pa.uint8())).view(np.bool_)
    if values.null_count:
        values = pc.fill_null(values, float("nan"))
    return np.from_dlpack(values)


def to_text(values: pa.Array | pa.ChunkedArray) -> pa.StringArray:
    """Text from an Arrow column: ids keep their leading zeros, numbers print without a trailing .0."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_floating(values.type):
        as_int = pc.cast(values, pa.int64(), safe=False)
        if pc.all(pc.equal(pc.cast(as_int, values.type), values)).as_py() in (True, None):
            values = as_int
    return values.cast(pa.string())


def ids_where(ids: pa.StringArray, mask) -> tuple[str, ...]:
    """The ids of the units where ``mask`` holds, for a diagnostic."""
    return tuple(ids.filter(pa.array(np.asarray(mask, dtype=bool))).to_pylist())


def duplicates(key: pa.Array) -> list[str]:
    """The keys that occur more than once, for people (a unit and its period joined with " / ")."""
    if len(key) > 1 and key.null_count < 2:  # the usual answer, none, from one sort: a third of counting them
        ordered = key.take(pc.sort_indices(key))
        if not pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(key) - 1))).as_py():
            return []
    counts = pc.value_counts(key)
    twice = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
    return [str(v).replace("\x1f", " / ") for v in twice.to_pylist()]


def array_of(values: list) -> pa.Array:
    """A column of Python values (a workbook's cells, a query's rows) as Arrow: float64 when every value
    is a number or missing, else text."""
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values):
        return pa.array(values, pa.float64())
    return pa.array([None if v is None else v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                     for v in values], pa.string())


def pivot_long(table: Table, key: pa.Array, indicator: str, value: str, wanted: list[str]) -> Table:
    """A table in long format (a row per unit, indicator and period; ``key`` identifies the unit and
    period of each row) as a row per unit and period with a column per wanted indicator. Text
    columns (id, period, label, group) are taken from each unit's first row."""
    codes = pc.fill_null(table.columns[indicator], "")
    pair = pc.binary_join_element_wise(key, codes, "\x1e")
    twice = duplicates(pair)
    if twice:
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "data.long_twice", file=table.file,
                                hint=Both("one row per unit, indicator (and period)", "每个单位、指标（及期别）只能有一行"),
                                units=tuple(t.replace("\x1e", ": ") for t in twice[:50]))])
    present = pc.unique(codes).to_pylist()
    problems = [said("E_DATA_COLUMN", "data.long_no_indicator", file=table.file, name=name, column=indicator,
                     hint=did_you_mean(name, present) or Both("it has: " + ", ".join(present[:30]), "现有：" + ", ".join(present[:30])))
                for name in wanted if name not in present]
    if problems:
        raise EngineError(problems)
    units = pc.unique(key)  # in order of first appearance
    first = positions(units, key)
    out: dict[str, np.ndarray | pa.StringArray] = {
        name: column.take(pa.array(first)) for name, column in table.columns.items() if isinstance(column, pa.Array)
        and name != indicator}
    numbers = table.columns[value]
    for name in wanted:
        rows = np.flatnonzero(as_numpy(pc.fill_null(pc.equal(codes, name), False)))
        where = positions(key.take(pa.array(rows)), units)
        column = np.full(len(units), np.nan)
        column[where] = numbers[rows]
        out[name] = column
    return Table(out, len(units), file=f"{table.file} (long format)", row_numbers_offset=table.row_numbers_offset)


def positions(keys: pa.Array, among: pa.Array) -> np.ndarray:
    """For each key, its position in ``among`` (-1 where it is not there)."""
    return as_numpy(pc.fill_null(pc.index_in(keys, value_set=among), -1))
