"""Strict JSON reading that remembers where every value is.

The standard library accepts NaN and Infinity, keeps the last of two duplicate keys and tells
nobody, and cannot say on which line a value stands. Rulesets are written by hand, so this
reader refuses all three and records the offset of every value for diagnostics.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from json.decoder import scanstring

from .diagnostics import EngineError, SourceMap, pointer, said
from .messages import Both
from .values import LARGEST

MAX_DEPTH = 64
MAX_BYTES = 5_000_000

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE = re.compile(r"-?(?:NaN|Infinity)")
_LITERALS = {"true": True, "false": False, "null": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Fail(Exception):
    def __init__(self, code: str, key: str, offset: int, path: str = "", hint: Both | None = None, **fields):
        self.code, self.key, self.offset, self.path, self.hint, self.fields = code, key, offset, path, hint, fields


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.offsets: dict[str, int] = {}

    def ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()

    def value(self, i: int, path: str, depth: int):
        text = self.text
        i = self.ws(i)
        self.offsets[path] = i
        if i >= len(text):
            raise _Fail("E_JSON_SYNTAX", "json.ends_early", i, path)
        ch = text[i]
        if ch == "{" or ch == "[":
            if depth >= MAX_DEPTH:
                raise _Fail("E_JSON_TOO_DEEP", "json.too_deep", i, path, limit=MAX_DEPTH)
            return self.obj(i, path, depth) if ch == "{" else self.arr(i, path, depth)
        if ch == '"':
            return self.string(i + 1)
        m = _NUMBER.match(text, i)
        if m:
            number = m.group()
            decimal = any(c in number for c in ".eE")
            if not decimal and len(number) > 160:  # beyond ±1e150 in any case; int() refuses 4,300 digits
                raise _Fail("E_JSON_NOT_FINITE", "json.number_too_large", i, path, Both("write a smaller number", "请写小一些的数"),
                            word=number[:40] + "…", largest=f"{LARGEST:g}")
            value = float(number) if decimal else int(number)
            if abs(value) > LARGEST:  # 1e400 reads as infinity; either would break every sum it entered
                raise _Fail("E_JSON_NOT_FINITE", "json.number_too_large", i, path,
                            Both("write a smaller number", "请写小一些的数"), word=number[:40] + ("…" if len(number) > 40 else ""),
                            largest=f"{LARGEST:g}")
            return value, m.end()
        for word, literal in _LITERALS.items():
            if text.startswith(word, i):
                return literal, i + len(word)
        m = _NOT_FINITE.match(text, i)
        if m:
            raise _Fail("E_JSON_NOT_FINITE", "json.not_finite", i, path,
                        Both("write a finite number, or null for 'no value'", "请写有限的数字，无数值请写 null"), word=m.group())
        raise _Fail("E_JSON_SYNTAX", "json.unexpected", i, path, character=repr(text[i]))

    def string(self, i: int):
        try:
            value, end = scanstring(self.text, i, True)
        except json.JSONDecodeError as exc:
            raise _Fail("E_JSON_SYNTAX", "json.bad_string", exc.pos, detail=exc.msg,
                        hint=Both("strings end with a double quote; write a line break as \\n",
                                  "字符串以双引号结尾；换行请写作 \\n")) from None
        lone = _SURROGATE.search(value)
        if lone:  # half of a \ud83d\ude00 pair: no character at all, and no text can hold it
            raise _Fail("E_JSON_SYNTAX", "json.lone_surrogate", i, code_point=f"U+{ord(lone.group()):04X}",
                        hint=Both("write the character itself, or both halves of its \\u pair",
                                  "请直接写出该字符，或写出其 \\u 编码的两半"))
        return value, end

    def obj(self, i: int, path: str, depth: int):
        text, out = self.text, {}
        i = self.ws(i + 1)
        if text.startswith("}", i):
            return out, i + 1
        while True:
            i = self.ws(i)
            if not text.startswith('"', i):
                raise _Fail("E_JSON_SYNTAX", "json.key_expected", i, path,
                            Both("JSON keys need double quotes, and no comma may follow the last member",
                                 "JSON 的键须用双引号，最后一项之后不能有逗号"))
            key, i = self.string(i + 1)
            if key in out:
                raise _Fail("E_JSON_DUPLICATE_KEY", "json.duplicate_key", i, path,
                            Both("keep one of the two; the engine will not guess which you meant",
                                 "保留其中一个；引擎不会猜测您指的是哪一个"), name=key)
            i = self.ws(i)
            if not text.startswith(":", i):
                raise _Fail("E_JSON_SYNTAX", "json.colon_expected", i, path, name=key)
            out[key], i = self.value(i + 1, path + pointer(key), depth + 1)
            i = self.ws(i)
            if text.startswith(",", i):
                i += 1
                continue
            if text.startswith("}", i):
                return out, i + 1
            raise _Fail("E_JSON_SYNTAX", "json.comma_or_brace", i, path)

    def arr(self, i: int, path: str, depth: int):
        text, out = self.text, []
        i = self.ws(i + 1)
        if text.startswith("]", i):
            return out, i + 1
        while True:
            item, i = self.value(i, path + pointer(len(out)), depth + 1)
            out.append(item)
            i = self.ws(i)
            if text.startswith(",", i):
                i += 1
                continue
            if text.startswith("]", i):
                return out, i + 1
            raise _Fail("E_JSON_SYNTAX", "json.comma_or_bracket", i, path,
                        Both("no comma may follow the last item of an array", "数组最后一项之后不能有逗号"))


# full-width punctuation typed with a Chinese input method, where JSON needs its ASCII twin
FULL_WIDTH = {"，": ",", "：": ":", "“": '"', "”": '"', "‘": "'", "’": "'", "｛": "{", "｝": "}", "［": "[", "］": "]",
              "【": "[", "】": "]", "、": ",", "；": ","}


def _what_it_really_is(text: str, fail: _Fail) -> _Fail:
    """The usual hand-editing mistakes behind a syntax error, named as such: full-width punctuation, a comma
    after the last item, a comment (JSON has none)."""
    if fail.code != "E_JSON_SYNTAX":
        return fail
    i = _WS.match(text, fail.offset).end() if fail.offset < len(text) else fail.offset
    ch = text[i] if i < len(text) else ""
    if ch in FULL_WIDTH:
        return _Fail("E_JSON_SYNTAX", "json.full_width", i, fail.path, Both(
            "switch the input method to English for JSON's punctuation; Chinese punctuation belongs inside the quotes of a text",
            "请把输入法切换为英文来输入 JSON 的标点；中文标点只能写在文字的引号之内"), character=ch, ascii=FULL_WIDTH[ch])
    if text.startswith(("//", "/*", "#"), i):
        return _Fail("E_JSON_SYNTAX", "json.comment", i, fail.path, Both(
            'remove the comment, or write it as a "description" of the part it explains',
            '请删去注释，或把它写成所说明部分的 "description"'))
    before = text[:i].rstrip()
    if ch in "}]" and before.endswith(","):
        return _Fail("E_JSON_SYNTAX", "json.trailing_comma", len(before) - 1, fail.path,
                     Both("remove the comma after the last item", "请删去最后一项之后的逗号"))
    return fail


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def loads(text: str, file: str | None = None) -> tuple[object, SourceMap]:
    """Parse JSON text strictly; return the value and a map of where each value is."""
    if text.startswith("\ufeff"):
        text = text[1:]
    source_map = SourceMap(file=file, line_starts=_line_starts(text))
    parser = _Parser(text)
    try:
        value, end = parser.value(0, "", 0)
        end = parser.ws(end)
        if end != len(text):
            raise _Fail("E_JSON_SYNTAX", "json.trailing", end,
                        hint=Both("a ruleset is one JSON object; remove what follows its closing }",
                                  "规则集是一个 JSON 对象；请删去其结尾 } 之后的内容"))
    except _Fail as fail:
        fail = _what_it_really_is(text, fail)
        source_map.offsets = {"": fail.offset}
        diag = source_map.place(said(fail.code, fail.key, file=file, hint=fail.hint, **fail.fields))
        raise EngineError([replace(diag, path=fail.path)]) from None
    source_map.offsets = parser.offsets
    return value, source_map


def load_file(path: str) -> tuple[object, SourceMap]:
    """Read and parse a ruleset file; missing files and bad encodings become diagnostics."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise EngineError([said("E_FILE_NOT_FOUND", "file.missing", file=path)]) from None
    except OSError as exc:
        raise EngineError([said("E_FILE_UNREADABLE", "file.unreadable", file=path, reason=exc.strerror)]) from None
    if len(raw) > MAX_BYTES:
        raise EngineError([said("E_JSON_TOO_LARGE", "json.too_large", file=path, limit=f"{MAX_BYTES:,}")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:  # saved by a Chinese editor in GBK: say so, not an offset
            raise EngineError([said("E_JSON_SYNTAX", "json.gbk", file=path, hint=Both(
                "open it in a text editor and save it again with the encoding UTF-8",
                "请用文本编辑器打开，并以 UTF-8 编码重新保存"))]) from None
        raise EngineError([said(
            "E_JSON_SYNTAX", "json.not_utf8", offset=exc.start, file=path,
            hint=Both("save the ruleset as UTF-8; most editors offer this under 'Save with encoding'",
                      "请把规则集另存为 UTF-8 编码；多数编辑器在“另存为”的编码选项中提供"))]) from None
    if "\x00" in text:
        raise EngineError([said("E_JSON_SYNTAX", "json.nul", file=path)])
    return loads(text, file=path)
