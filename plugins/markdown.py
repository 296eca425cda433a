"""Built-in Markdown output: the report (summary, ranking, dimensions by group, weights, method
notes, warnings) as Markdown tables and lists, for wikis, e-mail and conversion to Word."""

from __future__ import annotations

import html

from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import aside
from govscore.engine.report import ANALYSIS_PARAMS, REPORT_LIMIT, build, fixed, units_text


def plain(value) -> str:
    """Text as Markdown shows it, never as HTML: a label "<script>" or "<img onerror=…>" stays text."""
    return html.escape(str(value), quote=False)


def cell(value, digits: int | None = None) -> str:
    """A table cell: numbers with ``digits`` decimals (trailing zeros kept), missing as -, pipes escaped."""
    return plain(fixed(value, digits)).replace("|", "\\|").replace("\n", " ")


def table(headers: list[str], rows: list[list], digits: list[int | None] | None = None) -> list[str]:
    digits = digits or [None] * len(headers)
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "| " + " | ".join("---:" if d is not None else "---" for d in digits) + " |"]
    lines += ["| " + " | ".join(cell(v, d) for v, d in zip(row, digits)) + " |" for row in rows]
    return lines


def write_markdown(result, stream, params):
    report = build(result, params.get("limit", 200), params)
    t = report.text
    out = [f"# {plain(report.title)}", "", plain(report.subtitle), "", f"## {t['summary']}", ""]
    out += table([t["key"], t["value"]], [list(p) for p in report.summary], [None, None])
    out += ["", f"## {t['ranking']}", ""]
    out += table(report.headers, report.rows, report.digits)
    if report.hidden:
        out += ["", t["more"].format(n=f"{report.hidden:,}")]
    if report.dimensions:
        out += ["", f"## {t['dimensions']}", ""]
        out += table([t["group"]] + [label for _, label in report.dimensions],
                     [[name] + means for name, means in report.group_means],
                     [None] + [report.digits[k] for k in report.dimension_columns])
    out += ["", f"## {t['weights']}", ""]
    for w in report.weights:
        out += [f"### {plain(w['label'])}", "", plain(f"{t['method']}{t['colon']}{w['aggregation']}"
                                                      + (f"{t['comma']}{w['method']}" if w["method"] else "")
                                                      + aside(w["notes"], report.lang)), ""]
        out += table([t["child"], t["weight"], t["in_score"]], [[label, weight, share] for _, label, weight, share in w["parts"]],
                     [None, 4, 4])
        out.append("")
    for analysis in report.analyses:
        out += [f"## {plain(analysis['title'])}", ""] + ([plain(analysis["note"]), ""] if analysis["note"] else [])
        for part in analysis["tables"]:
            out += ([f"### {plain(part['title'])}", ""] if part["title"] else []) + table(part["headers"], part["rows"], part["digits"]) + [""]
    out += [f"## {t['methods']}", ""] + [f"- {plain(line)}" for line in report.methods]
    out += ["", f"## {t['diagnostics']}", ""]
    if not report.diagnostics and not report.imputed:
        out.append(t["none"])
    for d in report.diagnostics:
        out.append(f"- **{d['level']}**{t['colon']}{cell(d['message'])}" + aside(units_text(d, t, report.lang), report.lang))
    if report.imputed:
        out += ["", f"### {t['imputed']}", ""]
        out += table([t["indicator"], t["how_filled"], t["affected"]],
                     [[i["indicator"], i["how"], units_text(i, t, report.lang)] for i in report.imputed])
    out += ["", f"## {t['provenance']}", ""] + table([t["key"], t["value"]], [list(p) for p in report.provenance])
    stream.write(("\n".join(out) + "\n").encode("utf-8"))


@hookimpl
def register_outputs(register):
    register("markdown", write_markdown, extension="md", params={
        "type": "object", "additionalProperties": False, "properties": {
            "limit": REPORT_LIMIT, **ANALYSIS_PARAMS}},
        description={"en": "A report in Markdown: summary, ranking, dimensions by group, weights, method notes and warnings.",
                     "zh": "Markdown 报告：概要、排名、分组的维度得分、权重、方法说明和警告。"})
