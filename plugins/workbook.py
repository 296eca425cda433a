"""Built-in Excel workbook output (.xlsx): the results as policy staff pass them upwards.

Sheets: scores, ranks and grades; every node's value; raw and normalised indicators; contributions
to the score; the weights used (derived ones and AHP consistency too); warnings; the ruleset; and
the run's metadata. Headers are the labels (Chinese where the ruleset is), the header row is
frozen, columns are sized to their text and numbers formatted. Written row by row with XlsxWriter in
constant memory (about 16 µs a cell; openpyxl took 40); text cells are always text, so a unit name
starting with "=" never becomes a formula.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from govscore.engine.diagnostics import EngineError, said
from govscore.engine.explain import linear_names
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import HEADINGS, Both, say
from govscore.engine.report import ANALYSIS_PARAMS, analyses, language_of, weights_by_node
from govscore.engine.textwidth import width

MAX_ROWS = 1_048_575  # an Excel sheet's rows, less the header


def _unit_columns(result, t) -> list[tuple[str, object, str | None]]:
    return [(t["unit"], result.unit_ids, None)] + [(t[key], values, None) for key, values in result.descriptors()]


class _Book:
    """An xlsxwriter workbook written row by row (constant memory), with its cell formats made once."""

    def __init__(self, stream):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(stream, {"constant_memory": True})
        self.header = self.book.add_format({"bold": True, "bg_color": "#EEF2F6", "text_wrap": True, "valign": "top"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.formats: dict[tuple, object] = {}

    def number_format(self, fmt: str | None, fill: str | None = None):
        """A cell format with a number format and a fill colour, made once each."""
        if fmt is None and fill is None:
            return None
        if (fmt, fill) not in self.formats:
            self.formats[fmt, fill] = self.book.add_format({**({"num_format": fmt} if fmt else {}),
                                                            **({"bg_color": fill} if fill else {})})
        return self.formats[fmt, fill]


GRADE_FILLS = ("#D3F1DC", "#DCEBFB", "#FFF0C7", "#FBDCD8", "#E4DDF4", "#E6E6E6")  # best band first
IMPUTED_FILL = "#FFE08A"


def _sheet(book: _Book, title: str, columns: list[tuple[str, object, str | None]], size: int, order=None,
           heading: str | None = None, fills: dict[int, list] | None = None):
    """A sheet from (header, values, number format) columns of ``size`` rows, header frozen, filter on it,
    printed A4 landscape as wide as the page with the header on every page. ``order``: the rows in the
    order written (the units best first); ``heading``: a title row above the header; ``fills``: for a
    column, each row's fill colour (or None). Text is always written as text (a name starting with "="
    is not a formula, nor an address a link)."""
    sheet = book.book.add_worksheet(title)
    plain = [values.to_pylist() if isinstance(values, pa.Array) else values for _, values, _ in columns]
    for k, (header, _, _) in enumerate(columns):
        sample = [header] + [str(v) for v in (plain[k][:200] if size else [])]
        sheet.set_column(k, k, min(max(width(s) for s in sample) + 2, 60))
    top = 0
    if heading is not None:
        sheet.write_string(0, 0, heading, book.title)
        top = 1
    sheet.freeze_panes(top + 1, 0)
    for k, (name, _, _) in enumerate(columns):
        sheet.write_string(top, k, str(name), book.header)
    if columns:
        sheet.autofilter(top, 0, top + max(size, 1), len(columns) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, top)
    sheet.set_footer("&C&P / &N")
    fills = fills or {}
    formats = [book.number_format(fmt) for _, _, fmt in columns]
    for row, i in enumerate(order if order is not None else range(size), start=top + 1):
        for k, fmt in enumerate(formats):
            value = plain[k][i]
            filled = fills[k][i] if k in fills else None
            cell = book.number_format(columns[k][2], filled) if filled else fmt
            if value is None:
                if filled:
                    sheet.write_blank(row, k, None, cell)
                continue
            if isinstance(value, str):
                sheet.write_string(row, k, value, cell)
            elif isinstance(value, (bool, np.bool_)):
                sheet.write_boolean(row, k, bool(value), cell)
            elif not np.isnan(value):
                sheet.write_number(row, k, float(value), cell)
    return sheet, top + 1 + size


def _rows_sheet(book, title: str, headers: list[str], rows: list[list], formats: list[str | None]):
    columns = [(h, [r[k] for r in rows], f) for k, (h, f) in enumerate(zip(headers, formats))]
    return _sheet(book, title, columns, len(rows))


def write_xlsx(result, stream, params):
    if result.size > MAX_ROWS:
        raise EngineError([said("E_OUTPUT", "output.too_many_rows", count=f"{result.size:,}", limit=f"{MAX_ROWS:,}",
                                hint=Both("write CSV or Parquet instead", "请改为输出 CSV 或 Parquet"))])
    rs = result.ruleset
    lang = language_of(result)
    t = HEADINGS[lang]
    digits = params.get("digits", 2)
    number = "0" if digits == 0 else "0." + "0" * digits
    book = _Book(stream)
    units = _unit_columns(result, t)
    score = result.rounded.get(rs.score, result.score)
    order = result.best_first()  # every sheet of units lists them best first, as the ranking does
    dimensions = [(rs.label(n), result.nodes[n], number) for n in rs.nodes if n != rs.score]
    scores = units + dimensions + [(rs.label(rs.score), score, number), (t["rank"], result.rank, "0")]
    if result.group_rank is not None:
        scores.append((f"{t['rank']} ({t['group']})", result.group_rank, "0"))
    fills = {}
    if result.grade is not None:
        band = {b.label: GRADE_FILLS[min(k, len(GRADE_FILLS) - 1)] for k, b in enumerate(rs.bands)}
        fills[len(scores)] = [band.get(g) for g in result.grade]
        scores.append((t["grade"], result.grade, None))
    _sheet(book, t["sheet_scores"], scores, result.size, order, heading=rs.title + (f" ({rs.version})" if rs.version else ""),
           fills=fills)
    _sheet(book, t["sheet_nodes"], units + [(rs.label(n), v, number) for n, v in result.nodes.items()], result.size, order)
    values, fills = [], {}
    for name in result.raw:
        if name in result.imputed and result.imputed[name].any():
            fills[len(units) + len(values)] = [IMPUTED_FILL if m else None for m in result.imputed[name]]
        values.append((f"{rs.label(name)} ({t['raw']})", result.raw[name], "General"))
        if name in result.normalised:
            values.append((f"{rs.label(name)} ({t['normalised']})", result.normalised[name], number))
    sheet, after = _sheet(book, t["sheet_normalised"], units + values, result.size, order, fills=fills)
    if fills:  # the legend of the fill, under the table
        sheet.write_string(after + 1, 0, t["imputed_legend"], book.number_format(None, IMPUTED_FILL))
    shares = result.effective_weights()
    linear, _ = linear_names(result)
    leaves = [n for n in result.normalised if n in linear and n in shares]  # contributions add up only along linear paths
    _sheet(book, t["sheet_contributions"], units + [(rs.label(n), result.value(n) * shares[n], number) for n in leaves],
           result.size, order)
    weight_rows = [[w["label"], label, weight, share, w["aggregation"], w["method"], w["notes"]]
                   for w in weights_by_node(result, lang) for _, label, weight, share in w["parts"]]
    consistency = result.hierarchy_consistency()
    if consistency is not None:
        weight_rows.append([t["weights"], "CR", consistency["CR"], None, "", "ahp", ", ".join(consistency["nodes"])])
    _rows_sheet(book, t["sheet_weights"], [t["node"], t["child"], t["weight"], t["in_score"], t["method"], t["weighting"], t["weighting_reported"]],
                weight_rows, [None, None, "0.0000", "0.0000", None, None, None])
    _rows_sheet(book, t["sheet_diagnostics"], [t["severity"], t["code"], t["message"], t["affected"]],
                [[say(d.severity, lang), d.code, d.text(lang), ", ".join(d.units[:200])] for d in result.diagnostics],
                [None] * 4)
    for analysis in analyses(result, params):
        for k, part in enumerate(analysis["tables"]):
            formats = [None if d is None else ("0" if d == 0 else "0." + "0" * d) for d in part["digits"]]
            _rows_sheet(book, (analysis["title"] if k == 0 else part["title"])[:31], part["headers"], part["rows"], formats)
    text = json.dumps(rs.document, ensure_ascii=False, indent=2).splitlines()
    _rows_sheet(book, t["sheet_ruleset"], [rs.file or rs.id], [[line] for line in text], [None])
    meta = result.meta
    run_rows = [[t["engine"], f"govscore {meta.get('engine_version', '')}"],
                [t["ruleset"], meta.get("ruleset", {}).get("file") or rs.id], ["sha256", meta.get("ruleset", {}).get("sha256")]]
    run_rows += [[f"{i['source']}: {i['path']}", f"sha256 {i['sha256']} ({i['rows']} rows)"] for i in meta.get("inputs", [])]
    _rows_sheet(book, t["sheet_run"], [t["key"], t["value"]], run_rows, [None, None])
    book.book.close()


@hookimpl
def register_outputs(register):
    register("xlsx", write_xlsx, extension="xlsx", params={
        "type": "object", "additionalProperties": False, "properties": {
            "digits": {"type": "integer", "minimum": 0, "maximum": 10, "default": 2,
                       "description": "Decimal places shown for scores and values (the cells keep full precision)."},
            **ANALYSIS_PARAMS}},
        description={"en": "An Excel workbook: scores and ranks, every node, raw and normalised indicators, contributions, "
                    "weights (with AHP consistency), warnings, the ruleset and the run's metadata.",
                    "zh": "Excel 工作簿：得分与名次、每个节点、原始与标准化指标、贡献、权重（含 AHP 一致性）、警告、规则集和运行的元数据。"})
