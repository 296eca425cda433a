"""The HTML report as a reader gets it: self-contained, escaped, and in headless Chromium at a laptop's
and a phone's width, printed to A4, with every chart holding the numbers it should show."""

import json
import re
import subprocess

import numpy as np
import pytest

from conftest import ARTEFACTS, RULESETS, engine, needs_chromium, sample_data, write_ruleset


def governance(tmp_path, language="zh-CN", **changes):
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["language"] = language
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    doc.update(changes)
    return write_ruleset(tmp_path, doc)


def run(tmp_path, ruleset, *names):
    """engine run writing the named outputs (report.html, scores.json...) into tmp_path."""
    args = [a for name in names for a in ("-o", tmp_path / name)]
    proc = engine("run", ruleset, *args, "-q")
    assert proc.returncode == 0, proc.stderr
    return [tmp_path / name for name in names]


def test_page_is_self_contained_and_speaks_in_words(tmp_path):
    page_path, = run(tmp_path, governance(tmp_path), "report.html")
    page = page_path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and '<html lang="zh-CN">' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the report must not load anything from elsewhere"
    assert "@import" not in page and "<link" not in page
    assert "Licensed to the Apache Software Foundation" in page  # the vendored ECharts keeps its licence header
    for section in ("summary", "ranking", "dimensions", "correlations", "profiles", "weights", "methods", "diagnostics",
                    "provenance"):
        assert f'<section id="{section}"' in page
    body = page[:page.index('<section id="provenance"')]
    assert "sha256" not in body.lower() and "W_IMPUTED" not in body and '{"scale"' not in body
    assert "<td class=\"n\">67.60</td>" in page  # the score keeps the ruleset's two decimals
    assert "治理水平 H：社会化 S、法治化 L、智能化 I、专业化 P，以加权求和合成，权重依次为 0.3、0.3、0.2、0.2（固定权重）。" in page
    assert "C406 南桥镇民主社区" in page  # the unit whose value was filled in, by id and name


def test_labels_are_text_in_the_page(tmp_path):
    doc = json.loads(governance(tmp_path).read_text(encoding="utf-8"))
    doc["nodes"]["S"]["label"] = "<script>alert(1)</script>"
    doc["nodes"]["L"]["label"] = "</script><img src=x onerror=alert(2)>"
    page_path, = run(tmp_path, write_ruleset(tmp_path, doc, "hostile.json"), "report.html")
    page = page_path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = page[page.index('id="report-data">') + len('id="report-data">'):]
    data = data[:data.index("</script>")]
    assert json.loads(data)["figures"]["groups"]["dimensions"][:2] == ["<script>alert(1)</script>",
                                                                        "</script><img src=x onerror=alert(2)>"]


def page_lines(pdf, page: int) -> list[str]:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip() and not re.fullmatch(r"\d+ / \d+", line.strip())]


def no_heading_alone(pdf, headings: set[str]):
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1])
    for k in range(1, pages + 1):
        lines = page_lines(pdf, k)
        assert lines, f"page {k} is empty"
        assert not set(lines) <= headings, f"page {k} holds only headings: {lines}"
        assert lines[-1] not in headings, f"page {k} ends with the heading {lines[-1]!r}, its content on the next page"
    return pages


@needs_chromium
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_report_in_chromium(tmp_path, browser, language):
    page_path, scores = run(tmp_path, governance(tmp_path, language), "report.html", "scores.json")
    units = json.loads(scores.read_text(encoding="utf-8"))["units"]
    ranked = sorted(units, key=lambda u: u["rank"])
    lang = "zh" if language == "zh-CN" else "en"
    ARTEFACTS.mkdir(exist_ok=True)
    requests, problems = [], []
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the page scrolls sideways at {width} px"
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.scroll'))
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        assert wide == []
        page.screenshot(path=str(ARTEFACTS / f"report-{lang}-{width}.png"), full_page=True)
        if width == 390:
            # a unit's name and its township stay on one line: the table scrolls in its own box instead
            ranking_lines = page.evaluate("""() => [...document.querySelectorAll('table.ranking td')].map(td => {
                const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; })""")
            assert ranking_lines and max(ranking_lines) == 1
            # and a dimension's name in a unit's profile is not broken one character a line by the wider headers
            lines = page.evaluate("""() => [...document.querySelectorAll('article.profile tbody td:first-child')].map(td => {
                const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; })""")
            assert lines and max(lines) == 1
            page.close()
            continue
        options = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-chart]')].map((el, k) =>
            [el.dataset.chart + (el.dataset.chart === 'profile' ? el.dataset.profile : el.dataset.chart === 'ranking' ? el.dataset.from : ''),
             (({series, yAxis, xAxis}) => ({series, yAxis, xAxis}))(echarts.getInstanceByDom(el).getOption())]))""")
        # the ranking, best first, coloured by grade, in parts of 40 units
        bars = options["ranking0"]["series"][0]["data"] + options["ranking40"]["series"][0]["data"]
        assert [b["value"] for b in bars] == [u["H.rounded"] for u in ranked]
        colour = {}
        for b, u in zip(bars, ranked):
            colour.setdefault(u["grade"], set()).add(b["itemStyle"]["color"])
        assert all(len(c) == 1 for c in colour.values()) and len({c.pop() for c in colour.values()}) == len(colour)
        assert options["ranking0"]["yAxis"][0]["data"][0] == ranked[0]["label"]
        # each dimension's distribution: the five numbers of its values over all units
        for k, dim in enumerate(("S", "L", "I", "P")):
            values = [u[dim] for u in units]
            assert options["distributions"]["series"][0]["data"][k] == pytest.approx(
                list(np.percentile(values, [0, 25, 50, 75, 100])))
        # the heat map: all units and six townships, four dimensions; the first row is the mean of all
        cells = options["groups"]["series"][0]["data"]
        assert len(cells) == 7 * 4
        assert [c[2] for c in cells[:4]] == pytest.approx([np.mean([u[d] for u in units]) for d in "SLIP"])
        # the correlation matrix: symmetric with ones on the diagonal
        matrix = {(x, y): v for x, y, v in options["correlations"]["series"][0]["data"]}
        n = int(len(matrix) ** 0.5)
        assert n == 13 and all(matrix[k, k] == 1 for k in range(n)) and all(matrix[a, b] == matrix[b, a] for a in range(n) for b in range(n))
        # each unit's profile: its dimensions against its township's mean
        first = options["profile0"]["series"]
        assert first[0]["data"] == pytest.approx([ranked[0][d] for d in "SLIP"])
        town = [u for u in units if u["group"] == ranked[0]["group"]]
        assert [p[0] for p in first[1]["data"]] == pytest.approx([np.mean([u[d] for u in town]) for d in "SLIP"])
        assert page.locator("article.profile").count() == 72
        facts = page.locator("article.profile").first.inner_text()
        assert ("障碍度" if lang == "zh" else "Obstacle degrees") in facts and "%" in facts
        page.emulate_media(media="print")
        pdf = ARTEFACTS / f"report-{lang}.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        headings = set(page.evaluate("() => [...document.querySelectorAll('h1, h2, h3, figcaption')].map(h => h.innerText.trim())"))
        page.close()
    assert set(requests) == {page_path.as_uri()}, "the report asked for something besides itself"
    assert problems == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    assert no_heading_alone(pdf, headings) > 5
    # the ranking table's header is repeated on the page it continues on
    header = "名次" if lang == "zh" else "Rank"
    continued = [k for k in range(2, 8) if any(line.startswith(header) for line in page_lines(pdf, k))]
    assert len(continued) >= 2


@needs_chromium
def test_rank_intervals_drawn_by_median_rank(tmp_path, browser):
    doc = json.loads(governance(tmp_path).read_text(encoding="utf-8"))
    doc["uncertainty"]["samples"] = 30
    doc["outputs"] = [{"format": "html", "path": "r.html", "params": {"sensitivity": True, "limit": 20}}]
    assert engine("run", write_ruleset(tmp_path, doc), "-q").returncode == 0
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((tmp_path / "r.html").as_uri())
    series = page.evaluate("() => echarts.getInstanceByDom(document.querySelector('#chart-intervals')).getOption().series")
    low, width, median = series[0]["data"], series[1]["data"], [m[0] for m in series[2]["data"]]
    assert len(median) == 20 and median == sorted(median)
    assert all(lo <= m <= lo + w for lo, w, m in zip(low, width, median))
    page.locator("#sensitivity").screenshot(path=str(ARTEFACTS / "report-intervals.png"))
