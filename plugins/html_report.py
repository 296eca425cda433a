"""Built-in HTML report: one self-contained page that works offline, reads on a phone and prints on A4.

What it says is the :class:`~govscore.engine.report.Report`; the page is the Jinja2 template
``templates/report.html`` (every value auto-escaped), its style ``static/report.css``, its charts
drawn by Apache ECharts (vendored in ``vendor/echarts`` with its licences) from the report's data by
``static/report.js``. All of it is written into the page, which asks for nothing from anywhere else.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from markupsafe import Markup

from govscore.engine import __version__
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import aside, listed
from govscore.engine.report import ANALYSIS_PARAMS, REPORT_LIMIT, Report, build, fixed, units_text

HERE = files("govscore.plugins")
RANKING_PART = 40  # units per part of the ranking chart: a part fits on a printed page
CHARTS_NOTICE = ("Charts drawn with Apache ECharts 6.1.0 (Apache License 2.0, with ZRender and parts of d3.js under "
                 "BSD 3-Clause), written into this page.")


@cache
def _template() -> jinja2.Template:
    import jinja2  # here, not on every command's start-up

    environment = jinja2.Environment(loader=jinja2.PackageLoader("govscore.plugins", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("report.html")


@cache
def _asset(path: str) -> Markup:
    """A file of the package written into the page as it is: our style and script, the vendored ECharts."""
    return Markup(HERE.joinpath(path).read_text(encoding="utf-8"))


def chart_data(report: Report) -> dict:
    """What the page's script draws: the report's figures, each profile's bars, and the numbers' decimals."""
    values = [d["value"] for p in report.profiles for d in p["dimensions"] if d["value"] is not None]
    values += [d["peers"] for p in report.profiles for d in p["dimensions"] if d["peers"] is not None]
    return {"figures": report.figures, "score_digits": report.score_digits, "rank_label": report.text["rank"],
            "profile_max": max(values + [0]) * 1.05 or 1,
            "profiles": [{"colour": p["grade"]["colour"] if p["grade"] else None,
                          "dimensions": [{k: d[k] for k in ("label", "value", "peers", "shown")} for d in p["dimensions"]]}
                         for p in report.profiles]}


def render(report: Report, description: str = "") -> str:
    t = report.text
    return _template().render(
        r=report, t=t, html_lang="zh-CN" if report.lang == "zh" else "en", version=__version__, description=description,
        css=_asset("static/report.css"), script=_asset("static/report.js"), echarts=_asset("vendor/echarts/echarts.min.js"),
        data=chart_data(report), fixed=fixed, RANKING_PART=RANKING_PART, charts_notice=CHARTS_NOTICE,
        listed=lambda items: listed(items, report.lang), aside=lambda text: aside(text, report.lang),
        units_text=lambda item: units_text(item, t, report.lang),
        weight_rows=[[[label, weight, share] for _, label, weight, share in w["parts"]] for w in report.weights],
        imputed_rows=[[i["indicator"], i["how"], units_text(i, t, report.lang)] for i in report.imputed])


def write_html(result, stream, params):
    report = build(result, params.get("limit", 200), params)
    stream.write(render(report, result.ruleset.document.get("description", "")).encode("utf-8"))


@hookimpl
def register_outputs(register):
    register("html", write_html, extension="html", params={
        "type": "object", "additionalProperties": False, "properties": {
            "limit": REPORT_LIMIT, **ANALYSIS_PARAMS}},
        description={"en": "A self-contained HTML report (works offline, reads on a phone, prints on A4): summary, ranking "
                    "coloured by grade, dimensions by group, correlations, unit profiles with strengths, weak points and "
                    "obstacle degrees, weights, method notes, warnings and provenance, with charts.",
                    "zh": "独立的 HTML 报告（可离线查看，适合手机阅读和 A4 打印）：概况、按等级着色的排名、各组维度得分、"
                          "指标相关、含优势项、短板和障碍度的单位画像、权重、方法说明、警告和数据来源，附图表。"})
