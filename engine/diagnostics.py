"""Diagnostics: what went wrong, where, and what to do about it.

Every problem the engine reports is a :class:`Diagnostic` with a stable code. The codes are the
keys of a message catalogue (see ``CODES``) so that messages can be translated, and they are
documented in ``docs/diagnostics.md``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Iterable
from .messages import KINDS, MESSAGES, TITLES, Both, hint_in, message, say, title

# Exit codes of the command line, documented in the README.
EXIT_OK = 0
EXIT_PROBLEM = 1  # the ruleset or the data has a problem the user can fix
EXIT_USAGE = 2  # the command line itself is wrong (click's own convention)
EXIT_FAILURE = 3  # a plugin failed, or the engine itself did

# code -> one-line meaning (engine.messages has it in English and Chinese).
CODES: dict[str, str] = {code: en for code, (en, _) in TITLES.items()}


def excerpt(text: str, limit: int = 40) -> str:
    """A short, cleaned piece of a file's content for a message: control characters dropped, cut at
    ``limit`` characters, so that a file that was never meant as data (a process environment, a
    password file) is not echoed whole."""
    clean = "".join(c if c.isprintable() else " " for c in str(text)).strip()
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    severity: str = "error"  # "error" or "warning"
    file: str | None = None
    path: str = ""  # JSON Pointer into the ruleset, "" for the whole document
    line: int | None = None
    column: int | None = None
    span: tuple[int, int] | None = None  # character offsets inside a formula
    source_text: str | None = None  # the formula the span points into
    hint: str | None = None
    units: tuple[str, ...] = ()  # unit ids concerned, when the problem is in the data
    key: str | None = None  # the message's key in engine.messages.MESSAGES, when it has one
    fields: tuple[tuple[str, object], ...] = ()  # the details that fill it in
    hint_zh: str | None = None  # the hint in Chinese, when it is not one of the common ones
    named_at: tuple[str, int | None, int | None, str] | None = None  # a data file's problem: where the ruleset names it
    units_count: int | None = None  # how many units it concerns, when ``units`` names only the first of them

    @property
    def unit_total(self) -> int:
        """How many units the problem concerns (``units`` may name only the first of them)."""
        return self.units_count if self.units_count is not None else len(self.units)

    def refilled(self, **fields) -> "Diagnostic":
        """The same diagnostic with some details given anew (a catalogue message is written again with them)."""
        merged = {**dict(self.fields), **fields}
        return replace(self, message=message(self.key, "en", **merged) if self.key is not None else self.message,
                       fields=tuple(merged.items()))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (in English where the catalogue has no translation of it)."""
        return message(self.key, lang, **dict(self.fields)) if self.key is not None else self.message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict:
        """For tools: the same whatever the language of the command line, with the Chinese beside the English
        where the catalogue has it."""
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.key is not None:
            out["message_zh"] = self.text("zh")
        for key in ("file", "line", "column", "hint"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.hint is not None and (self.hint_zh or hint_in(self.hint, "zh")) != self.hint:
            out["hint_zh"] = self.hint_zh or hint_in(self.hint, "zh")
        out["path"] = self.path
        if self.span is not None:
            out["span"] = list(self.span)
        if self.units:
            out["units"] = list(self.units)
        if self.units_count is not None:
            out["units_count"] = self.units_count
        if self.named_at is not None:
            out["named_at"] = dict(zip(("file", "line", "column", "path"), self.named_at))
        return out

    def format_text(self, lang: str = "en") -> str:
        """The diagnostic for people: where, what, the units concerned and a hint; in Chinese the code's
        meaning comes first, in Chinese, before the details."""
        where = self.file or "<ruleset>"
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        head = f"{where}: {say(self.severity, lang)} {self.code}"
        if self.path:
            head += say("at", lang, path=self.path)
        untranslated = lang != "en" and self.key is None  # the code's meaning in lang, then the English details
        lines = [head] + ([f"  {title(self.code, lang)}"] if untranslated else []) + [f"  {self.text(lang)}"]
        if self.span is not None and self.source_text is not None:
            lines.extend(_underline(self.source_text, *self.span))
        if self.units:
            shown = ", ".join(self.units[:10])
            more = say("more_units", lang, n=self.unit_total - 10) if self.unit_total > 10 else ""
            lines.append("  " + say("units", lang, units=shown + more))
        if self.named_at is not None:
            file, line, column, path = self.named_at
            lines.append("  " + say("named_at", lang, place=f"{file}:{line}:{column}" if line is not None else file, path=path))
        if self.hint:
            hint = self.hint_zh if lang == "zh" and self.hint_zh else hint_in(self.hint, lang)
            lines.append("  " + say("hint", lang, hint=hint))
        return "\n".join(lines)


def _underline(text: str, start: int, end: int, width: int = 100) -> list[str]:
    """The formula (a window of it, if long) with the span marked underneath."""
    first = max(0, min(start - width // 2, len(text) - width))
    shown = "".join(ch if ch.isprintable() else "?" for ch in text[first:first + width])
    lead = "..." if first > 0 else ""
    tail = "..." if first + width < len(text) else ""
    marks = " " * (len(lead) + start - first) + "^" * max(1, min(end, first + width) - start)
    return [f"    {lead}{shown}{tail}", f"    {marks}"]


def said(code: str, key: str, *, severity: str = "error", file: str | None = None, path: str = "",
         hint: str | Both | None = None, units: tuple[str, ...] = (), **fields) -> Diagnostic:
    """A diagnostic whose message (and hint, given as Both) comes in either language.
    ``{file}`` in the message is the diagnostic's file."""
    fields = {"file": file, **fields}
    return Diagnostic(code, message(key, "en", **fields), severity=severity, file=file, path=path,
                      hint=None if hint is None else str(hint), units=units, key=key, fields=tuple(fields.items()),
                      hint_zh=hint.zh if isinstance(hint, Both) else None)


def plugin_failed(method, on: str, exc: Exception, **where) -> Diagnostic:
    """A plugin's method (a Registration) raised something other than a diagnostic while working on ``on``."""
    return said("E_PLUGIN_FAILED", "plugin.failed", kind=KINDS[method.kind], name=method.name, plugin=method.plugin,
                on=on, error=f"{type(exc).__name__}: {exc}", **where)


def within(d: Diagnostic, key: str, **fields) -> Diagnostic:
    """``d`` told inside another message (``key``, whose ``{problem}`` is d's own message, in either
    language), keeping its code, place, units and hint."""
    fields = {"file": d.file, **fields, "problem": Both(d.text("en"), d.text("zh"))}
    return replace(d, message=message(key, "en", **fields), key=key, fields=tuple(fields.items()))


class EngineError(Exception):
    """Raised with one or more diagnostics when the engine cannot go on."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format_text() for d in self.diagnostics))

    @property
    def exit_code(self) -> int:
        return exit_code_for(self.diagnostics)


def exit_code_for(diagnostics: Iterable[Diagnostic]) -> int:
    errors = [d for d in diagnostics if d.is_error]
    if not errors:
        return EXIT_OK
    if any(d.code.startswith(("E_PLUGIN", "E_INTERNAL")) for d in errors):
        return EXIT_FAILURE
    return EXIT_PROBLEM


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    import difflib

    if not isinstance(name, str):
        return None
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else None


def pointer(*parts) -> str:
    """A JSON Pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass
class SourceMap:
    """Where each JSON value starts in the ruleset text, so a path can be shown as line:column."""

    file: str | None
    offsets: dict[str, int] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=lambda: [0])

    def position(self, path: str) -> tuple[int | None, int | None]:
        probe = path
        while probe not in self.offsets and probe:
            probe = probe.rsplit("/", 1)[0]
        offset = self.offsets.get(probe)
        if offset is None:
            return None, None
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        """Fill in file, line and column from the diagnostic's JSON path."""
        if diagnostic.line is not None:
            return diagnostic
        line, column = self.position(diagnostic.path)
        if line is not None and diagnostic.span is not None:
            column += 1 + diagnostic.span[0]  # past the opening quote, to the span
        return replace(diagnostic, file=diagnostic.file or self.file, line=line, column=column)


class UnitsError(Exception):
    """Raised by a plugin about some of the units: the engine names them in the diagnostic.

    ``mask`` is a boolean array over the units the plugin was given. ``message`` is a key of the message
    catalogue (filled in with ``fields``; ``hint`` may be a Both), so the diagnostic comes in either
    language, or a plugin's own words.
    """

    def __init__(self, code: str, message: str, mask, hint: str | Both | None = None, **fields):
        self.diagnostic = (said(code, message, hint=hint, **fields) if message in MESSAGES
                           else Diagnostic(code, message, hint=None if hint is None else str(hint)))
        self.mask = mask
        super().__init__(self.diagnostic.message)
