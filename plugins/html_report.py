"""Built-in HTML report: one self-contained page that works offline and prints well.

Summary, ranking table and bar chart, a heatmap of the dimensions by group, each listed unit's
profile against its group's average, weights, method notes and warnings. The charts are inline
SVG drawn here, so the page needs no script, font or stylesheet from anywhere else.
"""

from __future__ import annotations

from html import escape

from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import aside
from govscore.engine.report import ANALYSIS_PARAMS, REPORT_LIMIT, Report, build

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","WenQuanYi Zen Hei",sans-serif;margin:2rem auto;max-width:70rem;
 color:#1d2733;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}.sub{color:#5b6775;margin-top:0}h2{border-bottom:2px solid #d6dde5;padding-bottom:.2rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #d6dde5;padding:.25rem .55rem}
th{background:#eef2f6;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2rem 1.2rem}dl.summary dt{color:#5b6775}dl.summary dd{margin:0}
.profiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.8rem}
figure{margin:0}figure.profile{border:1px solid #d6dde5;padding:.4rem;break-inside:avoid}
figcaption{font-size:.85rem;font-weight:600}svg text{font-size:11px;fill:#1d2733}
.legend{font-size:.8rem;color:#5b6775}.bar{fill:#2f6fb0}.avg{stroke:#d9480f;stroke-width:2}
.warning{color:#8a5300}.error{color:#b00020}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,figure{break-inside:avoid}}
"""


def _number(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else escape(str(value))


def _table(headers, rows, numeric: set[int], digits: dict[int, int], style=None) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            css = ' class="n"' if k in numeric else ""
            extra = f' style="{style(k, v)}"' if style and style(k, v) else ""
            cells.append(f"<td{css}{extra}>{_number(v, digits.get(k, 2)) if k in numeric else escape('-' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bar_chart(report: Report, label_column: int, digits: int) -> str:
    """Horizontal bars of the score, best first."""
    rows = [r for r in report.rows if r[report.score_column] is not None]
    if not rows:
        return ""
    top = max(max(r[report.score_column] for r in rows), 0) or 1.0
    bar_h, left, width = 16, 190, 520
    parts = []
    for i, row in enumerate(rows):
        value = row[report.score_column]
        y = i * bar_h
        length = max(value, 0) / top * width
        name = escape(str(row[label_column]))[:24]
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{name}</text>'
                     f'<rect class="bar" x="{left}" y="{y + 2}" width="{length:.1f}" height="{bar_h - 4}">'
                     f"<title>{name}: {value:.{digits}f}</title></rect>"
                     f'<text x="{left + length + 4:.1f}" y="{y + 12}">{value:.{digits}f}</text>')
    height = len(rows) * bar_h + 4
    return (f'<figure id="ranking-chart"><svg role="img" aria-label="{escape(report.text["ranking_chart"])}" '
            f'width="{left + width + 60}" height="{height}" viewBox="0 0 {left + width + 60} {height}">{"".join(parts)}</svg></figure>')


def _heat(low: float, high: float):
    def style(k, v):
        if k == 0 or v is None or high <= low:
            return ""
        share = (v - low) / (high - low)
        return f"background:hsl(210,60%,{92 - 40 * share:.0f}%);color:{'#fff' if share > 0.6 else '#1d2733'}"
    return style


def _profiles(report: Report, label_column: int, group_column: int | None) -> str:
    """Each listed unit's dimensions as bars, with its group's average (or all units') as a tick."""
    means = dict(report.group_means)
    overall = report.group_means[0][1]
    values = [v for r in report.rows for k in report.dimension_columns for v in [r[k]] if v is not None]
    values += [v for _, m in report.group_means for v in m if v is not None]
    top = max(values + [0]) or 1.0
    left, width, bar_h = 90, 150, 16
    out = []
    for row in report.rows:
        average = means.get(str(row[group_column]), overall) if group_column is not None else overall
        parts = []
        for i, (k, (_, label)) in enumerate(zip(report.dimension_columns, report.dimensions)):
            y = i * bar_h
            v = row[k]
            parts.append(f'<text x="{left - 4}" y="{y + 12}" text-anchor="end">{escape(label)[:12]}</text>')
            if v is not None:
                parts.append(f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(v, 0) / top * width:.1f}" height="{bar_h - 6}"/>')
            if average[i] is not None:
                x = left + max(average[i], 0) / top * width
                parts.append(f'<line class="avg" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1}" y2="{y + bar_h - 1}"/>')
        height = len(report.dimensions) * bar_h + 2
        out.append(f'<figure class="profile"><figcaption>{escape(str(row[label_column]))}</figcaption>'
                   f'<svg width="{left + width + 10}" height="{height}" viewBox="0 0 {left + width + 10} {height}">'
                   f'{"".join(parts)}</svg></figure>')
    return "".join(out)


def write_html(result, stream, params):
    report = build(result, params.get("limit", 200), params)
    t = report.text
    score_digits = report.score_digits
    names = report.headers
    label_column = names.index(t["name"]) if t["name"] in names else 1
    group_column = names.index(t["group"]) if t["group"] in names else None
    numeric = set(report.dimension_columns) | {report.score_column}
    digits = {k: 2 for k in report.dimension_columns} | {report.score_column: score_digits}
    html = [f'<!doctype html><html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>",
            f"<header><h1>{escape(report.title)}</h1><p class=\"sub\">{escape(report.subtitle)}</p></header>",
            f'<section id="summary"><h2>{t["summary"]}</h2><dl class="summary">'
            + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.summary) + "</dl></section>",
            f'<section id="ranking"><h2>{t["ranking"]}</h2>{_bar_chart(report, label_column, score_digits)}'
            + _table(names, report.rows, numeric | {0}, digits | {0: 0})
            + (f"<p>{escape(t['more'].format(n=f'{report.hidden:,}'))}</p>" if report.hidden else "") + "</section>"]
    if report.dimensions:
        values = [v for _, m in report.group_means for v in m if v is not None]
        heat = _heat(min(values, default=0), max(values, default=0))
        html.append(f'<section id="dimensions"><h2>{t["dimensions"]}</h2>'
                    + _table([t["group"]] + [label for _, label in report.dimensions],
                             [[name] + m for name, m in report.group_means],
                             set(range(1, len(report.dimensions) + 1)), {}, heat).replace("<table>", '<table class="heatmap">', 1)
                    + "</section>")
        html.append(f'<section id="profiles"><h2>{t["profiles"]}</h2><p class="legend">'
                    f'<svg width="28" height="10"><rect class="bar" width="28" height="10"/></svg> {escape(report.score_label)} · '
                    f'<svg width="10" height="12"><line class="avg" x1="5" x2="5" y1="0" y2="12"/></svg> {t["group_average"]}</p>'
                    f'<div class="profiles">{_profiles(report, label_column, group_column)}</div></section>')
    html.append(f'<section id="weights"><h2>{t["weights"]}</h2>')
    for w in report.weights:
        html.append(f"<h3>{escape(w['label'])}</h3><p>{t['method']}{t['colon']}{escape(w['aggregation'])}"
                    + (f"{t['comma']}{escape(w['method'])}" if w["method"] else "") + escape(aside(w["notes"], report.lang)) + "</p>"
                    + _table([t["child"], t["weight"], t["in_score"]], [[label, weight, share] for _, label, weight, share in w["parts"]],
                             {1, 2}, {1: 4, 2: 4}))
    html.append("</section>")
    for analysis in report.analyses:
        html.append(f'<section id="{analysis["key"]}"><h2>{escape(analysis["title"])}</h2>'
                    + (f"<p>{escape(analysis['note'])}</p>" if analysis["note"] else ""))
        for part in analysis["tables"]:
            numbers = {k for k, d in enumerate(part["digits"]) if d is not None}
            html.append((f"<h3>{escape(part['title'])}</h3>" if part["title"] else "")
                        + _table(part["headers"], part["rows"], numbers, {k: d for k, d in enumerate(part["digits"]) if d is not None}))
        html.append("</section>")
    html.append(f'<section id="methods"><h2>{t["methods"]}</h2><ul>'
                + "".join(f"<li>{escape(line)}</li>" for line in report.methods) + "</ul></section>")
    items = "".join(f'<li class="{escape(d["severity"])}"><code>{escape(d["code"])}</code>{t["colon"]}{escape(d["message"])}'
                    + (f" ({escape(', '.join(d['units']))})" if d["units"] else "") + "</li>" for d in report.diagnostics)
    html.append(f'<section id="diagnostics"><h2>{t["diagnostics"]}</h2>'
                + (f"<ul>{items}</ul>" if items else f"<p>{t['none']}</p>") + "</section></body></html>")
    stream.write("\n".join(html).encode("utf-8"))


@hookimpl
def register_outputs(register):
    register("html", write_html, extension="html", params={
        "type": "object", "additionalProperties": False, "properties": {
            "limit": REPORT_LIMIT, **ANALYSIS_PARAMS}},
        description={"en": "A self-contained HTML report (works offline, prints well): summary, ranking and chart, dimension "
                    "heatmap, unit profiles, weights, method notes, warnings.",
                    "zh": "独立的 HTML 报告（可离线查看、便于打印）：概要、排名与图表、维度热力图、单位概况、权重、方法说明和警告。"})
