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

from govscore.engine import lazy
from govscore.engine.diagnostics import EngineError, said
from govscore.engine.explain import linear_names
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import HEADINGS, Both, say
from govscore.engine.report import ANALYSIS_PARAMS, analyses, language_of, weights_by_node
from govscore.engine.report import group_means, report_grades
from govscore.engine.textwidth import width

pa = lazy.module("pyarrow")

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


IMPUTED_FILL = "#FFE08A"
TREATED_FILL = "#F8C9A8"
CHART_UNITS = 200  # units drawn in the ranking chart; a bar chart of more is read by nobody


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
    sheet.print_area(0, 0, top + max(size, 1), max(len(columns) - 1, 0))
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


def _grades(result) -> dict[str, dict]:
    """Each grade's colours (the report's), by label."""
    return {g["label"]: g for g in report_grades(result)}


def _marks(result, name: str) -> list | None:
    """Per unit, the fill of an indicator's raw value: filled in (imputed), changed by the outlier
    treatment, or none; None when no value of it is either."""
    imputed = result.imputed.get(name)
    imputed = imputed if imputed is not None and imputed.any() else None
    treated = None
    if name in result.treated:
        points = result.treatment.get(name, {}).get("points")  # the treatment's note per unit, where it gives one
        if points is not None:
            treated = np.array([p is not None for p in points], dtype=bool)
        else:
            raw, after = result.raw[name], result.treated[name]
            treated = ~np.isnan(raw) & ~np.isnan(after) & (raw != after)
        treated = treated if treated.any() else None
    if imputed is None and treated is None:
        return None
    none = np.zeros(result.size, dtype=bool)
    imputed, treated = (none if mark is None else mark for mark in (imputed, treated))
    return np.where(imputed, IMPUTED_FILL, np.where(treated, TREATED_FILL, None)).tolist()


def _charts_sheet(book: _Book, result, t, number: str, name_column: int, score_column: int, grades: dict):
    """A sheet of native Excel charts: the ranking (from the first sheet, bars coloured by grade) and the
    dimensions by group (from the table of group means written here)."""
    rs = result.ruleset
    sheet = book.book.add_worksheet(t["sheet_charts"])
    dims = list(rs.nodes[rs.score].children) if rs.score in rs.nodes else []
    sheet.write_string(0, 0, t["dimensions"], book.title)
    means = group_means(result, [(d, rs.label(d)) for d in dims], t)
    legend = len(dims) + 2  # the grades' colours, right of the table
    header = [t["group"]] + [rs.label(d) for d in dims] + ([None, t["grade"]] if grades else [])
    for k, text in enumerate(header):
        if text is not None:
            sheet.write_string(1, k, text, book.header)
    cell = book.number_format(number)
    bands = list(grades.values())
    for r in range(max(len(means), len(bands))):  # row by row: the book is written in constant memory
        if r < len(means):
            group, values = means[r]
            sheet.write_string(2 + r, 0, str(group))
            for k, v in enumerate(values, start=1):
                if v is not None:
                    sheet.write_number(2 + r, k, v, cell)
        if r < len(bands):
            sheet.write_string(2 + r, legend, f"{bands[r]['label']} ({bands[r]['count']})", book.number_format(None, bands[r]["fill"]))
    sheet.set_column(0, 0, 14)
    if bands:
        sheet.set_column(legend, legend, 2 + max(width(f"{b['label']} ({b['count']})") for b in bands))
    sheet.set_paper(9)  # A4, upright, as wide as the charts
    sheet.fit_to_pages(1, 0)
    last, below = 1 + len(means), 3 + max(len(means), len(bands))  # the last row of means; the first free row
    if dims:
        by_group = book.book.add_chart({"type": "column"})
        for k, d in enumerate(dims, start=1):
            by_group.add_series({"name": [t["sheet_charts"], 1, k], "categories": [t["sheet_charts"], 2, 0, last, 0],
                                 "values": [t["sheet_charts"], 2, k, last, k]})
        by_group.set_title({"name": t["dimensions"]})
        by_group.set_size({"width": 640, "height": 340})
        sheet.insert_chart(below, 0, by_group)
    shown = min(result.size, CHART_UNITS)
    if shown:
        top = 2  # the first sheet's rows: title, header, then the units best first
        order = result.best_first()[:shown]
        grade = result.grade if result.grade is not None else [None] * result.size
        colours = [grades[grade[i]]["colour"] if grade[i] in grades else "#2F6FB0" for i in order]
        end = top + shown - 1
        ranking = book.book.add_chart({"type": "bar"})
        ranking.add_series({"name": rs.label(rs.score), "categories": [t["sheet_scores"], top, name_column, end, name_column],
                            "values": [t["sheet_scores"], top, score_column, end, score_column],
                            "points": [{"fill": {"color": c}} for c in colours], "gap": 40})
        ranking.set_title({"name": t["ranking_chart"].format(score=rs.label(rs.score))})
        ranking.set_y_axis({"reverse": True, "num_font": {"size": 8}})  # XlsxWriter names a bar chart's vertical (category) axis y
        ranking.set_legend({"none": True})
        ranking.set_size({"width": 640, "height": 80 + 16 * shown})
        sheet.insert_chart(below + 19, 0, ranking)  # under the first chart's 340 px


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
    fills, grades = {}, _grades(result)
    if result.grade is not None:
        fills[len(scores)] = [grades[g]["fill"] if g in grades else None for g in result.grade]
        scores.append((t["grade"], result.grade, None))
    _sheet(book, t["sheet_scores"], scores, result.size, order, heading=rs.title + (f" ({rs.version})" if rs.version else ""),
           fills=fills)
    name_column = [h for h, _, _ in units].index(t["name"]) if result.unit_labels is not None else 0
    _charts_sheet(book, result, t, number, name_column=name_column, score_column=len(units) + len(dimensions), grades=grades)
    _sheet(book, t["sheet_nodes"], units + [(rs.label(n), v, number) for n, v in result.nodes.items()], result.size, order)
    values, fills = [], {}
    for name in result.raw:
        marks = _marks(result, name)
        if marks is not None:
            fills[len(units) + len(values)] = marks
        values.append((f"{rs.label(name)} ({t['raw']})", result.raw[name], "General"))
        if name in result.normalised:
            values.append((f"{rs.label(name)} ({t['normalised']})", result.normalised[name], number))
    sheet, after = _sheet(book, t["sheet_normalised"], units + values, result.size, order, fills=fills)
    used = {fill for marks in fills.values() for fill in marks if fill}
    legends = [(fill, t[key]) for fill, key in ((IMPUTED_FILL, "imputed_legend"), (TREATED_FILL, "treated_legend")) if fill in used]
    for k, (fill, legend) in enumerate(legends):  # the legend of each fill used, under the table
        sheet.write_string(after + 1 + k, 0, legend, book.number_format(None, fill))
    if legends:
        sheet.print_area(0, 0, after + len(legends), len(units) + len(values) - 1)
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
