"""The Word report: read back with python-docx as Word would see its parts, and opened in LibreOffice
Writer (as WPS and LibreOffice users will), printed to PDF and read back as text."""

import json
import subprocess

import pytest

from conftest import ARTEFACTS, RULESETS, compile_and_run, engine, needs_office, office_convert, sample_data, write_ruleset


def governance(tmp_path, language="zh-CN") -> object:
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["language"] = language
    doc["sources"]["communities"]["path"] = sample_data(tmp_path)
    return write_ruleset(tmp_path, doc)


def word(tmp_path, language="zh-CN"):
    import docx

    out = tmp_path / f"report-{language}.docx"
    proc = engine("run", governance(tmp_path, language), "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    return out, docx.Document(str(out))


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", ["概况", "排名", "各组维度得分", "指标间相关系数", "单位画像", "权重", "方法说明", "提示与警告", "数据来源与版本"]),
    ("en", ["Summary", "Ranking", "Dimensions by group", "Correlations between indicators", "Unit profiles", "Weights",
            "Method notes", "Warnings", "Provenance"])])
def test_word_report_parts_in_the_rulesets_language(tmp_path, language, expected):
    from docx.oxml.ns import qn

    path, document = word(tmp_path, language)
    assert headings(document, 1) == expected  # Word's own heading styles: a table of contents can be inserted
    assert headings(document, 2)[:2] == ["1. 城关街道光明社区", "2. 东湖镇光明社区"]  # the unit profiles, best first
    assert document.paragraphs[[p.style.name for p in document.paragraphs].index("Title")].text == "社区治理水平评价 H"
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert "PAGE" in section.footer._element.xml
    ranking = document.tables[1]
    header = [c.text for c in ranking.rows[0].cells]
    assert header[:2] == (["名次", "编号"] if language == "zh-CN" else ["Rank", "Unit"])
    assert ranking.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    first = [c.text for c in ranking.rows[1].cells]
    assert first[:3] == ["1", "C104", "城关街道光明社区"] and first[-2:] == ["67.60", "优秀"]  # decimals kept
    shading = ranking.rows[1].cells[-1]._tc.tcPr.find(qn("w:shd"))
    assert shading is not None and shading.get(qn("w:fill")) == "D3F1DC"  # the grade's colour
    assert len(ranking.rows) == 73
    # charts: the ranking in two parts, distributions, heat map, correlations, and ten unit profiles
    assert len(document.inline_shapes) == 2 + 3 + 10
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert len(captions) == 5 and captions[0].startswith("图 1" if language == "zh-CN" else "Figure 1")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "障碍度" in text or "Obstacle degrees" in text
    assert "sha256" not in text.lower().split(headings(document, 1)[-1])[0]  # fingerprints only in the appendix
    styles = document.styles.element.xml
    assert 'w:eastAsia="黑体"' in styles and ('w:val="zh-CN"' in styles) == (language == "zh-CN")


def test_word_report_without_a_chinese_font_says_why_it_has_no_charts(tmp_path, plugins, monkeypatch):
    import io

    import docx

    from govscore.plugins import chart_images, word_report

    monkeypatch.setattr(chart_images, "_families", lambda: ("DejaVu Sans",))
    result = compile_and_run(governance(tmp_path), plugins)
    out = io.BytesIO()
    word_report.write_docx(result, out, {})
    document = docx.Document(io.BytesIO(out.getvalue()))
    assert len(document.inline_shapes) == 0
    assert any("fonts-wqy-zenhei" in p.text for p in document.paragraphs)


@needs_office
def test_word_report_opens_in_libreoffice(tmp_path):
    path, _ = word(tmp_path)
    pdf = office_convert(path, "pdf", tmp_path / "office")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    pages = int(info.split("Pages:")[1].split()[0])
    assert 20 < pages < 80
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for words in ("社区治理水平评价 H", "概况", "城关街道光明社区", "67.60", "障碍度", "方法说明", "居民议事参与率"):
        assert words in text, words
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert len(images) >= 15  # every chart came through
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "report-zh.docx.pdf").write_bytes(pdf.read_bytes())
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "10", str(pdf), str(ARTEFACTS / "report-docx-page")],
                   check=True)


def test_a_chinese_font_installed_after_matplotlib_cached_its_fonts_is_found(monkeypatch):
    """matplotlib lists the machine's fonts once, in a cache of its own: a CJK font installed since then is looked
    for among the system's font files, so that Chinese reports still get their charts."""
    from matplotlib import font_manager
    from govscore.plugins import chart_images
    if len(chart_images._families()) < 2:
        pytest.skip("no CJK font on this machine (CI installs one)")
    cjk_files = {f.fname for f in font_manager.fontManager.ttflist if f.name in chart_images.CJK_FONTS}
    stale = [f for f in font_manager.fontManager.ttflist if f.fname not in cjk_files]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # as cached before the font came
    chart_images._families.cache_clear()
    try:
        assert len(chart_images._families()) > 1 and chart_images.can_draw(["社区"])
    finally:
        chart_images._families.cache_clear()
