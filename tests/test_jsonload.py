"""Strict JSON reading with positions."""

import pytest

from govscore.engine.diagnostics import EngineError
from govscore.engine.jsonload import MAX_DEPTH, load_file, loads


def fails(text):
    with pytest.raises(EngineError) as exc:
        loads(text, "r.json")
    [d] = exc.value.diagnostics
    return d


def test_values_and_their_positions():
    value, where = loads('{\n  "a": [1, 2.5, {"b": null}],\n  "c": "中文"\n}')
    assert value == {"a": [1, 2.5, {"b": None}], "c": "中文"}
    assert where.position("/a") == (2, 8)
    assert where.position("/a/2/b") == (2, 23)
    assert where.position("/c") == (3, 8)
    assert where.position("/c/missing/deeper") == (3, 8)  # falls back to the nearest known parent


def test_a_utf8_bom_is_accepted():
    assert loads('\ufeff{"a": 1}')[0] == {"a": 1}


@pytest.mark.parametrize("text,code,line,column", [
    ('{"a": 1, "a": 2}', "E_JSON_DUPLICATE_KEY", 1, 13),
    ('{"a": NaN}', "E_JSON_NOT_FINITE", 1, 7),
    ('{"a": -Infinity}', "E_JSON_NOT_FINITE", 1, 7),
    ('{"a": 1e400}', "E_JSON_NOT_FINITE", 1, 7),  # reads as infinity
    ('{"a": [1, -2e200]}', "E_JSON_NOT_FINITE", 1, 11),  # beyond what the engine computes with
    ('{"a": ' + "9" * 400 + "}", "E_JSON_NOT_FINITE", 1, 7),  # an integer no float holds
    ('{"a": 1}\n{"b": 2}', "E_JSON_SYNTAX", 2, 1),
    ('{"a": 1,}', "E_JSON_SYNTAX", 1, 8),  # the comma itself
    ("{'a': 1}", "E_JSON_SYNTAX", 1, 2),
    ('{"a": [1, 2,]}', "E_JSON_SYNTAX", 1, 12),
    ('{"a": "line\nbreak"}', "E_JSON_SYNTAX", 1, 12),
    ('{"a": 01}', "E_JSON_SYNTAX", 1, 8),
    ("", "E_JSON_SYNTAX", 1, 1),
    ('{"a": tru}', "E_JSON_SYNTAX", 1, 7),
])
def test_strictness(text, code, line, column):
    d = fails(text)
    assert (d.code, d.line, d.column) == (code, line, column)
    assert d.file == "r.json"


def test_nesting_is_capped_without_recursion_errors():
    d = fails("[" * 10_000 + "]" * 10_000)
    assert d.code == "E_JSON_TOO_DEEP" and str(MAX_DEPTH) in d.message


def test_files_that_are_missing_not_utf8_or_hold_nul(tmp_path):
    with pytest.raises(EngineError) as exc:
        load_file(str(tmp_path / "nope.json"))
    assert exc.value.diagnostics[0].code == "E_FILE_NOT_FOUND"
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"title": "社区"}'.encode("gbk"))
    with pytest.raises(EngineError) as exc:
        load_file(str(gbk))
    assert exc.value.diagnostics[0].code == "E_JSON_SYNTAX" and "UTF-8" in exc.value.diagnostics[0].message
    nul = tmp_path / "nul.json"
    nul.write_bytes(b'{"a": 1}\x00')
    with pytest.raises(EngineError) as exc:
        load_file(str(nul))
    assert "NUL" in exc.value.diagnostics[0].message


@pytest.mark.parametrize("text,key,column,words", [
    ('{"a": 1，"b": 2}', "json.full_width", 8, ('"，"', '"，" stands where JSON needs ","')),
    ('{"a"： 1}', "json.full_width", 5, ('"："', 'needs ":"')),
    ('{“a”: 1}', "json.full_width", 2, ('"“"', 'needs """')),
    ('{"a": 1,}', "json.trailing_comma", 8, ("comma follows the last item",)),
    ('{"a": [1, 2, ], "b": 1}', "json.trailing_comma", 12, ("comma follows the last item",)),
    ('{"a": 1, // the weight\n "b": 2}', "json.comment", 10, ("JSON has no comments",)),
    ('{"a": 1 /* note */}', "json.comment", 9, ("JSON has no comments",)),
])
def test_hand_editing_mistakes_are_named(text, key, column, words):
    # a full-width comma used to be told as a missing comma, a trailing comma as a missing key
    d = fails(text)
    assert d.key == key and d.column == column, d.format_text()
    for w in words:
        assert w in d.message
    assert d.hint and d.text("zh") != d.message


def test_a_ruleset_saved_as_gbk_is_told_as_such(tmp_path):
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"title": "社区治理水平评价"}'.encode("gbk"))
    with pytest.raises(EngineError) as exc:
        load_file(str(gbk))
    [d] = exc.value.diagnostics
    assert d.key == "json.gbk" and "GBK" in d.message and "UTF-8" in d.hint
    latin = tmp_path / "latin.json"  # neither: the byte's offset is all there is to say
    latin.write_bytes(b'{"title": "\xff\xfe\xff"}')
    with pytest.raises(EngineError) as exc:
        load_file(str(latin))
    assert exc.value.diagnostics[0].key == "json.not_utf8"
