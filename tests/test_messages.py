"""The interface in Chinese and English: every diagnostic code and every word in both, and the
choice of language (--lang, else the ruleset's language, else the locale)."""

import ast
import json
import re
from pathlib import Path

import pytest

from conftest import RULESETS, engine, small_ruleset
from govscore.engine.diagnostics import CODES, Diagnostic
from govscore.engine.messages import LANGUAGES, MESSAGES, TITLES, WORDS, hint_in, language, say, title

CHINESE = re.compile(r"[\u4e00-\u9fff]")
C_LOCALE = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "GOVSCORE_LANG": ""}


def test_every_code_means_something_in_both_languages():
    assert set(TITLES) == set(CODES)
    for code, (en, zh) in TITLES.items():
        assert en and not CHINESE.search(en), code
        assert CHINESE.search(zh), code
        for lang in LANGUAGES:
            assert title(code, lang) == (en, zh)[LANGUAGES.index(lang)]


def test_no_catalogue_key_is_written_twice():
    # a dict literal keeps the last of two equal keys without a word: the first message would be lost
    tree = ast.parse((Path(__file__).parent.parent / "engine" / "messages.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_every_word_in_both_languages_with_the_same_fields():
    for key, (en, zh) in WORDS.items():
        fields = set(re.findall(r"{(\w+)}", en))
        assert fields == set(re.findall(r"{(\w+)}", zh)), key
        if key not in ("at", "more_units", "list_sep", "clause_sep"):  # these are punctuation: 、；
            assert CHINESE.search(zh), key


@pytest.mark.parametrize("asked,ruleset,locale,expected", [
    ("en", "zh-CN", "zh_CN.UTF-8", "en"), ("zh-CN", None, "C", "zh"), (None, "zh-CN", "en_US.UTF-8", "zh"),
    (None, "en", "zh_CN.UTF-8", "en"), (None, None, "zh_CN.UTF-8", "zh"), (None, None, "", "en"), (None, None, "C.UTF-8", "en"),
])
def test_the_language_chosen(asked, ruleset, locale, expected):
    assert language(asked, ruleset, {"LANG": locale}) == expected


def test_a_diagnostic_in_chinese():
    d = Diagnostic("E_MISSING_VALUE", 'The indicator "a" has no value for 1 unit(s).', file="r.json", line=3, column=5,
                   path="/indicators/a", hint="fill the data in", units=("C101",))
    text = d.format_text("zh")
    assert text.splitlines() == ["r.json:3:5: 错误 E_MISSING_VALUE，位置 /indicators/a", f"  {TITLES['E_MISSING_VALUE'][1]}",
                                 '  The indicator "a" has no value for 1 unit(s).', "  涉及单位：C101", "  提示：fill the data in"]
    assert "error E_MISSING_VALUE at /indicators/a" in d.format_text("en")
    assert say("wrote", "zh", path="x.csv") == "已写入 x.csv"


def test_the_command_line_speaks_the_chosen_language(small, tmp_path):
    bad = small_ruleset()
    bad["nodes"]["total"]["children"] = ["a", "bb", "c"]
    path = small(bad)
    english = engine("validate", path, env=C_LOCALE)
    assert "error E_UNKNOWN_NAME" in english.stderr and "2 error(s), 0 warning(s)" in english.stdout
    chinese = engine("validate", path, "--lang", "zh-CN")
    assert "错误 E_UNKNOWN_NAME" in chinese.stderr and "节点“total”的组成部分“bb”不是指标或节点。" in chinese.stderr
    assert "提示：是否想写“b”？" in chinese.stderr
    assert "2 个错误，0 个警告" in chinese.stdout
    by_locale = engine("validate", path, env={**C_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert "错误 E_UNKNOWN_NAME" in by_locale.stderr
    bad["language"] = "zh-CN"
    by_ruleset = engine("validate", small(bad), env=C_LOCALE)
    assert "错误 E_UNKNOWN_NAME" in by_ruleset.stderr
    assert "error E_UNKNOWN_NAME" in engine("validate", small(bad), "--lang", "en").stderr
    by_env = engine("validate", path, env={**C_LOCALE, "GOVSCORE_LANG": "zh-CN"})
    assert "错误 E_UNKNOWN_NAME" in by_env.stderr


def test_report_headings_follow_the_chosen_language(tmp_path):
    out = tmp_path / "r.md"
    assert engine("run", RULESETS / "governance.json", "-o", out, "-q", "--lang", "en").returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "## Ranking" in text and "## 排名" not in text
    assert engine("run", RULESETS / "governance.json", "-o", tmp_path / "r.json", "-q", "--lang", "en").returncode == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["meta"]["language"] == "en"


def test_every_message_in_both_languages_with_the_same_fields():
    from govscore.engine.messages import MESSAGES
    import string
    for key, (en, zh) in MESSAGES.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (en, zh)]  # also checks the braces
        assert fields[0] == fields[1], key
        assert not fields[0] & {"code", "key", "severity", "path", "hint", "units"}, key  # said()'s own arguments
        assert CHINESE.search(zh) and not CHINESE.search(en), key


def test_data_problems_are_told_in_chinese(small, tmp_path):
    doc = small_ruleset(language="zh-CN")
    doc["indicators"]["a"]["column"] = "aa"
    out = engine("run", small(doc), env=C_LOCALE)
    assert "文件" in out.stderr and "中没有列“aa”。" in out.stderr
    doc["indicators"]["a"]["column"] = "a"
    out = engine("run", small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,1,5\nu2,二,甲,2,2,4\nu2,三,乙,3,3,3\n"), env=C_LOCALE)
    assert "中有重复出现的单位编号。" in out.stderr and "涉及单位：u2" in out.stderr
    out = engine("run", small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,x,5\nu2,二,甲,,2,4\n"), env=C_LOCALE)
    assert "的“b”列有 1 个单元格不是数字，在第 2 ('x') 行。" in out.stderr
    path = small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,1,5\nu2,二,甲,,2,4\n")
    assert "指标“a”（甲）有 1 个单位缺少数值。" in engine("run", path, env=C_LOCALE).stderr
    assert 'The indicator "a" (甲) has no value for 1 unit(s).' in engine("run", path, "--lang", "en").stderr


def test_ruleset_mistakes_are_told_in_chinese(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": 1,\n "b": [1, 2],\n}', encoding="utf-8")
    out = engine("validate", broken, "--lang", "zh-CN")
    assert "错误 E_JSON_SYNTAX" in out.stderr and "最后一项之后有逗号；JSON 不允许这样写。" in out.stderr
    assert "提示：请删去最后一项之后的逗号" in out.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({
        "format": "govscore/1", "id": "x", "title": "t", "units": {"id": "id"},
        "sources": {"d": {"format": "csv", "path": "d.csv", "paramz": {}}},
        "indicators": {"a": {"column": "a", "direction": "hihger"}, "b c": {"column": "b"}},
        "normalise": {"method": "minmax", "params": {"scale": [0]}},
        "nodes": {"H": {"method": "weighted_mean", "children": ["a"]}}, "score": "H"}), encoding="utf-8")
    out = engine("validate", wrong, "--lang", "zh-CN").stderr
    assert "“paramz”不是“d”的属性。" in out and "提示：是否想写“params”？" in out
    assert "“direction”为 \"hihger\"，应为以下之一" in out and "提示：是否想写“higher”？" in out
    assert "\"b c\" 不能用作名称。" in out and "中文请写在 label 中" in out
    assert "标准化方法 minmax 的参数“scale”有 1 项，至少需要 2 个。" in out
    english = engine("validate", wrong, "--lang", "en").stderr
    assert '"paramz" is not a property of "d".' in english and 'the parameter "scale" of the normaliser minmax: 1 item given, at least 2 needed.' in english


def test_every_report_heading_in_both_languages():
    from govscore.engine.messages import REPORT_HEADINGS
    for key, (en, zh) in REPORT_HEADINGS.items():
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), key
        assert en and zh, key


def test_formula_mistakes_are_told_in_chinese(small):
    doc = small_ruleset(language="zh-CN")
    doc["nodes"]["total"] = {"formula": "a + bb * sqr(c)"}
    out = engine("validate", small(doc)).stderr
    assert "公式引用了“bb”，但本规则集中没有声明它。" in out and "提示：是否想写“b”？" in out
    assert "没有名为“sqr”的公式函数。" in out and "是否想写“sqrt”？" in out
    assert "a + bb * sqr(c)" in out and "^^" in out  # the formula, underlined where the problem is
    doc["nodes"]["total"] = {"formula": "max(a)"}
    assert "max() 需要 至少 2 个参数，现在给了 1 个。" in engine("validate", small(doc)).stderr
    doc["nodes"]["total"] = {"formula": "a % b + c.d + 'x'"}
    out = engine("validate", small(doc)).stderr
    assert "公式中不允许使用运算符“%”。" in out and "公式中不能使用属性（a.b）。" in out and "公式只处理数字；不允许文字。" in out


def test_weighting_problems_are_told_in_chinese(small):
    doc = small_ruleset(language="zh-CN")
    doc["weights"] = {"w": {"method": "ahp", "params": {"matrix": [[1, 9, "1/9"], [None, 1, 9], [None, None, 1]]}}}
    doc["nodes"]["total"]["weights"] = "w"
    out = engine("run", small(doc)).stderr
    assert "错误 E_AHP_INCONSISTENT" in out and "节点“total”：一致性比率 CR =" in out and "与其他判断最不一致的是" in out
    assert "请与专家一起修正该判断" in out
    assert "the consistency ratio CR =" in engine("run", small(doc), "--lang", "en").stderr


def test_method_problems_about_units_are_told_in_chinese(small):
    doc = small_ruleset(language="zh-CN")
    doc["indicators"]["c"].update({"target": 2, "normalise": "distance_to_target"})
    path = small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,10,0\nu2,二,甲,2,20,4\n")
    out = engine("run", path).stderr
    assert "“c”为逆向指标，按 目标值/数值 计分，需要数值大于 0。" in out and "涉及单位：u1" in out
    assert '"c" is lower-is-better and scored as target / value' in engine("run", path, "--lang", "en").stderr


def _calls(tree, name):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]


def _words(node):
    """The literal text a hint expression starts with: a string, an f-string or a concatenation's first part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):  # each {...} stands for a word
        yield "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
    elif isinstance(node, ast.BinOp):
        yield from _words(node.left)
    elif isinstance(node, ast.IfExp):
        yield from _words(node.body)
        yield from _words(node.orelse)


def test_every_built_in_diagnostic_comes_from_the_catalogue():
    # A diagnostic built from plain text would print English whatever the language; built-ins go through
    # said() (or a helper that calls it) with a key the catalogue has. Plain Diagnostic(...) is left to
    # engine.diagnostics itself, and UnitsError keeps taking a third-party plugin's own words.
    root = Path(__file__).parent.parent
    for file in sorted((root / "engine").glob("*.py")) + sorted((root / "plugins").glob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        if file.name != "diagnostics.py":
            assert not _calls(tree, "Diagnostic"), f"{file.name} builds a Diagnostic from plain text"
        for helper, position in (("said", 1), ("tell", 1), ("add", 1), ("UnitsError", 1), ("both", 0), ("message", 0)):
            for call in _calls(tree, helper):
                key = call.args[position] if len(call.args) > position else None
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and "." in key.value:
                    assert key.value in MESSAGES, f"{file.name}:{call.lineno}: {key.value} is not in the catalogue"
                # a hint written as plain words is told in English only, unless it is one of the common
                # patterns translated by hint_in()
                hints = [k.value for k in call.keywords if k.arg == "hint"]
                if helper in ("tell", "add") and len(call.args) > 3:  # (code, key, path or node, hint)
                    hints.append(call.args[3])
                for hint in hints:
                    for text in filter(None, _words(hint)):
                        translated = hint_in(text, "zh") != text or hint_in(text + "x", "zh") != text + "x"
                        assert translated, f"{file.name}:{call.lineno}: hint {text!r} is English only"


def test_the_last_messages_are_told_in_chinese(small, tmp_path):
    # a weighting's own warning (a constant column), an accepted inconsistency, a ruleset that is not UTF-8
    doc = small_ruleset(language="zh-CN")
    doc["weights"] = {"w": {"method": "entropy"}}
    doc["nodes"]["total"]["weights"] = "w"
    doc["indicators"]["b"].update(goalposts={"lower": 0, "upper": 10}, normalise="goalposts")  # a constant column scaled
    out = engine("run", small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,3,5\nu2,二,甲,2,3,4\nu3,三,乙,4,3,1\n"))
    assert out.returncode == 0
    assert "警告 W_METHOD" in out.stderr and "节点“total”，赋权方法“entropy”：“b”在所有单位上取值相同，因此其熵权权重为 0。" in out.stderr
    english = engine("run", small(doc), "--lang", "en").stderr
    assert 'Node "total", weighting "entropy": "b" has the same value for every unit, so its entropy weight is 0.' in english
    doc["weights"] = {"w": {"method": "ahp", "params": {"matrix": [[1, 9, "1/9"], [None, 1, 9], [None, None, 1]],
                                                        "accept_inconsistency": True}}}
    out = engine("run", small(doc)).stderr
    assert "警告 W_METHOD" in out and "一致性比率 CR =" in out and "（规则集已声明接受）。" in out
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"title": "\xff\xfe"}')
    out = engine("validate", latin, "--lang", "zh-CN").stderr
    assert "规则集不是 UTF-8 文本" in out and "请把规则集另存为 UTF-8 编码" in out and "is not UTF-8" not in out


def test_command_line_names_and_bounds_are_told_in_chinese(small, tmp_path):
    path = small(small_ruleset(language="zh-CN"))
    out = engine("explain", path, "--unit", "u1", "--set", "total=3").stderr
    assert "--set 中的“total”不是从数据列读取的指标" in out
    out = engine("explain", path, "--unit", "u1", "--weight", "w.a=0.3").stderr
    assert "--weight 中的“w.a”不是某个固定权重集中的组成部分。" in out and "请写成 权重集.组成部分=数值" in out
    doc = small_ruleset(language="zh-CN", rounding=[{"node": "total", "digits": -1}])
    out = engine("validate", small(doc)).stderr
    assert "“digits”为 -1，应不小于 0。" in out
    broken = tmp_path / "broken_plugin.py"
    broken.write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    out = engine("plugins", "--plugin", broken, "--lang", "zh-CN").stderr
    assert "加载失败：RuntimeError: boom。" in out and "engine plugins 列出已加载的插件" in out


def test_every_built_in_method_has_a_title_and_a_description_in_both_languages(plugins):
    for kind in ("treatment", "normaliser", "weighting", "aggregator"):
        for name, reg in plugins.registrations[kind].items():
            if reg.origin.startswith("govscore"):
                en, zh = reg.title("en"), reg.title("zh")
                assert en != name or en.isupper(), (kind, name)  # TOPSIS, VIKOR, AHP may keep their own
                assert not CHINESE.search(en) and CHINESE.search(zh), (kind, name)
    for kind, methods in plugins.registrations.items():
        for name, reg in methods.items():
            if reg.origin.startswith("govscore"):
                assert reg.describe("en") and CHINESE.search(reg.describe("zh")), (kind, name)
                assert reg.describe("zh") != reg.describe("en"), (kind, name)
    listed = engine("plugins", "--lang", "zh-CN", env={**C_LOCALE, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}).stdout.splitlines()
    assert listed[0].split()[:3] == ["类别", "名称", "方法"]
    assert any(line.split()[:3] == ["标准化方法", "minmax", "极差标准化"] and line.endswith("最好的取上端。")
               for line in listed)
    methods = json.loads(engine("plugins", "--format", "json", env={"GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}).stdout)["methods"]
    assert {"kind": "weighting", "name": "ahp", "title": {"en": "AHP", "zh": "层次分析法"}}.items() <= next(
        m for m in methods if m["name"] == "ahp").items()


def test_reports_name_methods_in_the_readers_language(tmp_path):
    for lang, expected in (("zh-CN", ["- 标准化采用极差标准化（缩放至 0–100）：每千人注册志愿者（正向）、",
                                      "每万人信访件数（逆向）", "工作者平均年龄（适度）",
                                      "- 治理水平 H：社会化 S、法治化 L、智能化 I、专业化 P，以加权求和合成，权重依次为 0.3、0.3、0.2、0.2（固定权重）。",
                                      "| 居民议事参与率 | 用其他单位的中位数填补。 | C406 南桥镇民主社区 |"]),
                           ("en", ["- Normalised by Min-max (onto 0–100): 每千人注册志愿者 (higher is better), ",
                                   "- 治理水平 H is the weighted sum of 社会化 S, 法治化 L, 智能化 I, 专业化 P with weights 0.3, 0.3, "
                                   "0.2, 0.2 (Fixed weights).", "| 居民议事参与率 | The median of the other units. | C406 南桥镇民主社区 |"])):
        out = tmp_path / f"{lang}.md"
        assert engine("run", RULESETS / "governance.json", "-o", out, "-q", "--lang", lang).returncode == 0
        text = out.read_text(encoding="utf-8")
        for line in expected:
            assert line in text, (lang, line)
        assert "W_IMPUTED" not in text and "minmax" not in text and "weighted_sum" not in text  # words, not codes


def test_the_terminal_table_speaks_the_chosen_language(small):
    doc = small_ruleset(language="zh-CN")
    doc["indicators"]["a"]["missing"] = "drop_unit"
    path = small(doc, csv="id,name,town,a,b,c\nu1,一,甲,1,10,5\nu2,二,甲,,20,4\nu3,三,乙,3,30,3\nu4,四,乙,4,40,2\n")
    out = engine("run", path, "--format", "table", "-o", "-", "-q").stdout
    assert "1 个单位因缺失值被剔除：u2" in out
    table = json.loads(json.dumps(doc))
    table["outputs"] = [{"format": "table", "path": "-", "params": {"limit": 2}}]
    out = engine("run", small(table), "-q").stdout
    assert "……另有 1 个单位（用 -o 写入文件" in out
    assert "... 1 more units" in engine("run", small(table), "-q", "--lang", "en").stdout


def test_chinese_messages_hold_no_english_words_and_chinese_markers_mean_missing(small, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "社区台账"
    for row in (["id", "name", "town", "a", "b", "c"], ["u1", "一", "甲", "x", 1, 2], ["u2", "二", "甲", 2, 3, 1]):
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    doc = small_ruleset(language="zh-CN")
    doc["sources"]["main"] = {"format": "xlsx", "path": "t.xlsx"}
    proc = engine("run", small(doc))
    assert proc.returncode == 1 and "t.xlsx 的“a”列（工作表 社区台账 的 D 列）有 1 个单元格不是数字" in proc.stderr
    assert "sheet" not in proc.stderr and "column D" not in proc.stderr
    doc = small_ruleset(language="zh-CN", weights={"w": {"method": "ahp", "params": {"matrix": [[1, 12, 1], [None, 1, 1], [None, None, 1]]}}})
    doc["nodes"]["total"]["weights"] = "w"
    proc = engine("validate", small(doc))
    assert "赋权方法 ahp 的参数“matrix”为 12" in proc.stderr and "提示：1–9 标度的判断值" in proc.stderr and "weighting" not in proc.stderr
    # 暂无, 无, — and ／ are missing values without a ruleset listing them
    csv = "id,name,town,a,b,c\nu1,一,甲,暂无,10,5\nu2,二,甲,2,无,4\nu3,三,乙,3,30,—\nu4,四,乙,／,40,2\n"
    proc = engine("run", small(small_ruleset(language="zh-CN"), csv=csv))
    assert proc.returncode == 1 and "E_DATA_NOT_NUMBER" not in proc.stderr and proc.stderr.count("E_MISSING_VALUE") == 3
    assert "drop_unit、impute_mean" in proc.stderr


def test_every_code_is_documented():
    text = (Path(__file__).parent.parent / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| `{code}` |" not in text] == []
