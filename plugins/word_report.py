"""Built-in Word report (.docx): the report an evaluation office files, in the ruleset's language.

Title page, summary, the ranking (chart and table, its header repeated on every page, grades
shaded), the dimensions by group, the correlations, unit profiles, weights, the analyses asked for,
method notes, warnings and provenance. Headings use Word's own Heading styles, so a table of
contents can be inserted (References → Table of Contents); A4 with page numbers; Chinese text set in
宋体 and headings in 黑体, which WPS, Word and LibreOffice substitute where missing. What it says is the
:class:`~govscore.engine.report.Report`, the same as the HTML report's; the charts are drawn as
images by :mod:`chart_images`. Written with python-docx.
"""

from __future__ import annotations

import io

from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import aside, listed
from govscore.engine.report import ANALYSIS_PARAMS, REPORT_LIMIT, Report, build, fixed, units_text

from . import chart_images

RANKING_PART = 40  # units per ranking chart: a part fits on a page
TEXT_WIDTH_CM = 16.6  # A4 less the margins
NO_BREAK = "\u2060"  # a word joiner: "11.9%" is not broken before its "%"
PROFILE_CHARTS = 10  # units whose profile is drawn as a chart too; every listed unit has its table
WORDS = {  # what only the Word report says, (English, Chinese)
    "no_font": ("The charts are left out: this machine has no font that draws Chinese (install fonts-wqy-zenhei or "
                "Noto Sans CJK).", "本机没有可显示中文的字体，图表从略（请安装 fonts-wqy-zenhei 或 Noto Sans CJK）。"),
    "profile_charts": ("The first {n} units' profiles are also drawn as charts.", "前 {n} 个单位的画像另附图。"),
    "figure": ("Figure {n}. {title}", "图 {n}  {title}"),
}


def _say(key: str, lang: str, **fields) -> str:
    return WORDS[key][lang == "zh"].format(**fields)


class _Writer:
    """A python-docx document being filled with one report."""

    def __init__(self, report: Report):
        from docx import Document

        self.report, self.t, self.lang = report, report.text, report.lang
        self.doc = Document()
        self.figures = 0
        self.charts = chart_images.can_draw(
            [report.title, *report.headers, *(row[report.name_column] for row in report.rows[:50])])
        self._page_setup()

    # ---- the page and its styles ----

    def _page_setup(self):
        from docx.shared import Cm, Pt

        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
        language = "zh-CN" if self.lang == "zh" else "en-GB"
        for name, east_asian in (("Normal", "宋体"), ("Title", "黑体"), ("Subtitle", "黑体"), ("Heading 1", "黑体"),
                                 ("Heading 2", "黑体"), ("Heading 3", "黑体"), ("Caption", "宋体")):
            _fonts(self.doc.styles[name], east_asian, language)
        self.doc.styles["Normal"].font.size = Pt(10.5)
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centred
        _field(footer, "PAGE")
        self.doc.core_properties.title = self.report.title
        self.doc.core_properties.language = language

    # ---- building blocks ----

    def heading(self, text: str, level: int = 1):
        self.doc.add_heading(text, level)

    def paragraph(self, text: str, style: str | None = None, keep: bool = False):
        """A paragraph; ``keep``: on the same page as what follows (a note with its chart, a unit's facts with its table)."""
        paragraph = self.doc.add_paragraph(text, style=style)
        paragraph.paragraph_format.keep_with_next = keep
        return paragraph

    def image(self, png: bytes, width_share: float = 1.0):
        """A chart kept on the page of what follows it (its caption or its table)."""
        from docx.shared import Cm

        self.doc.add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM * width_share))
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True

    def table(self, headers: list[str], rows: list[list], digits: list[int | None], fills: dict | None = None):
        """A table with a header row repeated on each page; numbers right-aligned with their decimals;
        ``fills``: (row, column) → a cell's background colour."""
        from docx.shared import Pt

        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        _repeat_header(table.rows[0])
        for k, h in enumerate(headers):
            cell = table.rows[0].cells[k]
            cell.text = str(h)
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell, "EEF2F6")
        for r, row in enumerate(rows):
            cells = table.add_row().cells
            for k, (value, d) in enumerate(zip(row, digits)):
                cells[k].text = fixed(value, d)
                if d is not None:
                    cells[k].paragraphs[0].alignment = 2  # right
                if fills and (r, k) in fills:
                    _shade(cells[k], fills[r, k].lstrip("#"))
        widths = _widths([headers, *rows[:200]], digits)
        table.autofit = False
        for column, w in zip(table.columns, widths):
            column.width = w  # the grid, which LibreOffice and WPS follow; Word follows the cells'
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = w
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(8.5 if len(headers) > 6 else 9.5)
        self.doc.add_paragraph()
        return table

    def picture(self, png: bytes, title: str):
        """A numbered figure: the chart and its caption under it."""
        self.image(png)
        self.figures += 1
        self.paragraph(_say("figure", self.lang, n=self.figures, title=title), "Caption")

    # ---- the parts of the report ----

    def title_page(self, description: str):
        r = self.report
        self.doc.add_paragraph("\n" * 6)
        self.doc.add_paragraph(r.title, style="Title")
        if r.subtitle:
            self.paragraph(r.subtitle, "Subtitle")
        if description:
            self.paragraph(description)
        self.doc.add_page_break()

    def summary(self):
        r, t = self.report, self.t
        self.heading(t["summary"])
        self.table([t["key"], t["value"]], [list(p) for p in r.summary], [None, None])

    def ranking(self):
        r, t = self.report, self.t
        self.heading(t["ranking"])
        if self.charts and r.figures["ranking"]:
            colours = {g["label"]: g["colour"] for g in r.grades}
            top = max((row["value"] or 0 for row in r.figures["ranking"]), default=0)
            rows = r.figures["ranking"]
            for start in range(0, len(rows), RANKING_PART):
                self.picture(chart_images.ranking(rows[start:start + RANKING_PART], colours, r.score_digits, top),
                             t["ranking_chart"].format(score=r.score_label))
        fills = {}
        if r.grade_column is not None:
            fills = {(k, r.grade_column): g["fill"] for k, row in enumerate(r.rows) if (g := r.grade_of(row[r.grade_column]))}
        self.table(r.headers, r.rows, r.digits, fills)
        if r.hidden:
            self.paragraph(t["more"].format(n=f"{r.hidden:,}"))

    def dimensions(self):
        r, t = self.report, self.t
        if not r.dimensions:
            return
        self.heading(t["dimensions"])
        if self.charts:
            self.picture(chart_images.distributions(r.figures["distributions"]), t["distributions"])
            groups = r.figures["groups"]
            self.picture(chart_images.heat(groups["names"], groups["dimensions"], groups["means"]), t["group_heat"])
        self.table([t["group"]] + [label for _, label in r.dimensions], [[name] + m for name, m in r.group_means],
                   [None] + [r.digits[k] for k in r.dimension_columns])

    def correlations(self):
        r, t = self.report, self.t
        c = r.figures["correlations"]
        if not c["labels"] or not self.charts:
            return
        self.heading(t["correlations"])
        self.paragraph(t["correlation_note"], keep=True)
        self.picture(chart_images.heat(c["labels"], c["labels"], c["matrix"], -1, 1, "RdBu", rotate=True), t["correlations"])

    def profiles(self):
        r, t = self.report, self.t
        if not r.profiles:
            return
        self.heading(t["profiles"])
        self.paragraph(t["profile_legend"], keep=True)
        if self.charts and len(r.profiles) > PROFILE_CHARTS:
            self.paragraph(_say("profile_charts", self.lang, n=PROFILE_CHARTS))
        if r.profiles[0]["obstacles"] is None:
            self.paragraph(t["obstacles_none"])
        top = max([d[k] for p in r.profiles for d in p["dimensions"] for k in ("value", "peers") if d[k] is not None] + [0])
        for k, p in enumerate(r.profiles):
            self.heading(f"{p['rank'] if p['rank'] is not None else '-'}. {p['name']}", 2)
            facts = [p["unit"], p["group"], f"{r.score_label} {p['score']}",
                     t["score_in_group"].format(rank=p["group_rank"]) if p["group_rank"] is not None else None,
                     p["grade"]["label"] if p["grade"] else None]
            self.paragraph(" · ".join(str(f) for f in facts if f), keep=True)
            if self.charts and k < PROFILE_CHARTS:
                self.image(chart_images.profile(p["dimensions"], p["grade"]["colour"] if p["grade"] else None, top), 0.6)
            self.table(["", t["value"], t["peers"], t["obstacle"]],
                       [[d["label"], d["shown"], d["peers_shown"], d["obstacle"]] for d in p["dimensions"]],
                       [None, 0, 0, 0])
            self.paragraph(f"{t['strengths']}{t['colon']}{listed(p['strengths'], self.lang) or t['none']}")
            self.paragraph(f"{t['weaknesses']}{t['colon']}{listed(p['weaknesses'], self.lang) or t['none']}")
            if p["obstacles"] is not None:
                self.paragraph(f"{t['obstacles']}{t['colon']}"
                               + (listed((f"{label}\u00a0{share.replace('%', NO_BREAK + '%')}" for label, share in p["obstacles"]),
                                         self.lang) or t["none"]))

    def weights(self):
        r, t = self.report, self.t
        self.heading(t["weights"])
        for w in r.weights:
            self.heading(w["label"], 2)
            self.paragraph(f"{t['method']}{t['colon']}{w['aggregation']}" + (f"{t['comma']}{w['method']}" if w["method"] else "")
                           + aside(w["notes"], self.lang))
            self.table([t["child"], t["weight"], t["in_score"]], [[label, weight, share] for _, label, weight, share in w["parts"]],
                       [None, 4, 4])

    def analyses(self):
        r, t = self.report, self.t
        for a in r.analyses:
            self.heading(a["title"])
            if a["note"]:
                self.paragraph(a["note"])
            if a["key"] == "sensitivity" and r.figures.get("intervals") and self.charts:
                self.picture(chart_images.intervals(r.figures["intervals"], t["rank"]), t["intervals"])
            for part in a["tables"]:
                if part["title"]:
                    self.heading(part["title"], 2)
                self.table(part["headers"], part["rows"], part["digits"])

    def notes(self):
        r, t = self.report, self.t
        self.heading(t["methods"])
        for line in r.methods:
            self.paragraph(line, "List Bullet")
        self.heading(t["diagnostics"])
        if not r.diagnostics and not r.imputed:
            self.paragraph(t["none"])
        for d in r.diagnostics:
            self.paragraph(f"{d['level']}{t['colon']}{d['message']}"
                           + (" " + t["units_concerned"].format(units=units_text(d, t, self.lang)) if d["units"] else ""),
                           "List Bullet")
        if r.imputed:
            self.heading(t["imputed"], 2)
            self.table([t["indicator"], t["how_filled"], t["affected"]],
                       [[i["indicator"], i["how"], units_text(i, t, self.lang)] for i in r.imputed], [None, None, None])
        self.heading(t["provenance"])
        self.table([t["key"], t["value"]], [list(p) for p in r.provenance], [None, None])


def _widths(rows: list[list], digits: list[int | None]):
    """Column widths in proportion to the widest cell of each column (a Chinese character counting two;
    a heading may wrap onto two lines between its words), filling the text width: a unit's name on one line
    where it can."""
    from docx.shared import Cm

    from govscore.engine.textwidth import width

    header, *body = rows
    def heading(text: str) -> float:  # it may wrap between words, never inside one (名次 is not 名/次)
        return max([0.6 * width(text)] + [width(word) for word in text.split()])

    need = [max([width(fixed(row[k], d)) for row in body] + [heading(str(header[k]))]) + 3  # + the cell's padding
            for k, d in enumerate(digits)]
    total = sum(need)
    return [Cm(TEXT_WIDTH_CM * n / total) for n in need]


def _fonts(style, east_asian: str, language: str):
    """A style's font for Chinese characters (w:eastAsia) and its language, which python-docx does not set."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _repeat_header(row):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _shade(cell, fill: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _field(paragraph, instruction: str):
    """A field Word fills in as the page is laid out (PAGE: the page number)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def write_docx(result, stream, params):
    report = build(result, params.get("limit", 200), params)
    writer = _Writer(report)
    writer.title_page(result.ruleset.document.get("description", ""))
    if not writer.charts:
        writer.paragraph(_say("no_font", report.lang))
    for part in (writer.summary, writer.ranking, writer.dimensions, writer.correlations, writer.profiles, writer.weights,
                 writer.analyses, writer.notes):
        part()
    writer.doc.save(stream)


@hookimpl
def register_outputs(register):
    register("docx", write_docx, extension="docx", params={
        "type": "object", "additionalProperties": False, "properties": {
            "limit": REPORT_LIMIT, **ANALYSIS_PARAMS}},
        description={"en": "A Word report (.docx, opens in WPS and LibreOffice): title page, summary, ranking, dimensions by "
                    "group, correlations, unit profiles, weights, method notes, warnings and provenance, with charts, "
                    "in Word's heading styles so a table of contents can be inserted.",
                    "zh": "Word 报告（.docx，WPS 和 LibreOffice 均可打开）：封面、概况、排名、各组维度得分、指标相关、单位画像、"
                          "权重、方法说明、警告和数据来源，附图表；使用 Word 标题样式，可直接插入目录。"})
