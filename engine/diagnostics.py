"""Diagnostics: what went wrong, where, and what to do about it.

Every problem the engine reports is a :class:`Diagnostic` with a stable code. The codes are the
keys of a message catalogue (see ``CODES``) so that messages can be translated, and they are
documented in ``docs/diagnostics.md``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Iterable

# Exit codes of the command line, documented in the README.
EXIT_OK = 0
EXIT_PROBLEM = 1  # the ruleset or the data has a problem the user can fix
EXIT_USAGE = 2  # the command line itself is wrong (click's own convention)
EXIT_FAILURE = 3  # a plugin failed, or the engine itself did

# code -> one-line meaning. Codes starting E_PLUGIN or E_INTERNAL exit with EXIT_FAILURE.
CODES: dict[str, str] = {
    # reading the ruleset
    "E_FILE_NOT_FOUND": "a file named on the command line or in the ruleset does not exist",
    "E_FILE_UNREADABLE": "a file exists but cannot be read",
    "E_JSON_SYNTAX": "the ruleset is not valid JSON",
    "E_JSON_DUPLICATE_KEY": "the same key appears twice in one JSON object",
    "E_JSON_NOT_FINITE": "NaN or Infinity appear in the ruleset, which JSON does not allow",
    "E_JSON_TOO_DEEP": "the ruleset nests objects or arrays too deeply",
    "E_JSON_TOO_LARGE": "the ruleset file is larger than the engine accepts",
    # structure (JSON Schema)
    "E_SCHEMA_REQUIRED": "a required property is missing",
    "E_SCHEMA_UNKNOWN_KEY": "a property that the ruleset format does not have",
    "E_SCHEMA_TYPE": "a value of the wrong type",
    "E_SCHEMA_VALUE": "a value outside what the format allows",
    "E_FORMAT_VERSION": "the ruleset declares a format version this engine does not read",
    # meaning
    "E_UNKNOWN_NAME": "a name that is not declared in the ruleset",
    "E_DUPLICATE_NAME": "one name declared twice (as an indicator and a node, say)",
    "E_CYCLE": "quantities that depend on each other in a circle",
    "E_UNKNOWN_METHOD": "a method (normaliser, weighting, aggregator, source, output) no plugin provides",
    "E_PARAMS": "parameters that do not fit the chosen method",
    "E_DIRECTION": "a direction the chosen normaliser cannot apply, or a direction without its bounds",
    "E_GOALPOSTS": "goalposts or bounds whose lower end is not below the upper end",
    "E_WEIGHTS_SUM": "weights that must sum to 1 and do not",
    "E_WEIGHTS_MISSING": "a child of a node that has no weight in the node's weight set",
    "E_WEIGHTS_NEGATIVE": "a negative weight",
    "E_WEIGHTS_DATA": "data from which a weighting cannot derive weights (too few units, constant or negative columns)",
    "E_AHP_MATRIX": "a pairwise judgement matrix that is incomplete, not reciprocal or of the wrong size",
    "E_AHP_INCONSISTENT": "a pairwise judgement matrix whose consistency ratio is too high",
    "E_GRADES": "grade bands that are not in descending order or repeat a label",
    "E_NO_SCORE": "the headline score is not a node or indicator of the ruleset",
    "E_SOURCE": "a source that cannot serve the units or an indicator",
    # formulas
    "E_FORMULA_SYNTAX": "a formula that is not a valid expression",
    "E_FORMULA_FORBIDDEN": "a formula uses something formulas may not use",
    "E_FORMULA_CHARACTER": "a formula contains a character formulas may not contain",
    "E_FORMULA_TOO_COMPLEX": "a formula that is too long, too large or too deeply nested",
    "E_FORMULA_POWER": "an exponent that is too large",
    "E_UNKNOWN_FUNCTION": "a formula calls a function that no plugin provides",
    "E_FUNCTION_ARGS": "a function called with the wrong number of arguments",
    # data and execution
    "E_DATA_COLUMN": "a column the ruleset names is not in the data",
    "E_DATA_ENCODING": "a data file in an encoding the engine cannot read",
    "E_DATA_FORMAT": "a data file that cannot be parsed",
    "E_DATA_SHEET": "a worksheet the source names is not in the workbook",
    "E_DATA_QUERY": "a database query that fails, or that does more than read",
    "E_DATA_NOT_NUMBER": "cells that should hold numbers and do not",
    "E_DATA_DUPLICATE_UNIT": "the same unit id appears twice in one source",
    "E_DATA_NO_UNITS": "no units to score",
    "E_MISSING_VALUE": "units with a missing value where the ruleset says that is an error",
    "E_DOMAIN": "a calculation outside its domain (division by zero, log of a non-positive number…)",
    "E_ZERO_RANGE": "an indicator with the same value for every unit, so it cannot be rescaled",
    "E_OUTPUT": "an output that cannot be written",
    # plugins and the engine itself
    "E_PLUGIN_LOAD": "a plugin that failed to load",
    "E_PLUGIN_DUPLICATE": "two plugins register the same name",
    "E_PLUGIN_FAILED": "a plugin raised an error while working",
    "E_INTERNAL": "an error inside the engine",
    # warnings
    "W_UNUSED": "something declared and never used",
    "W_DROPPED_UNITS": "units dropped because of missing values",
    "W_IMPUTED": "missing values filled in",
    "W_COVERAGE": "units or indicators with data for less than the coverage threshold",
    "W_EXTRA_UNITS": "a source has unit ids that the unit source does not",
    "W_METHOD": "a method's own warning (a constant column given weight 0, an inconsistency accepted...)",
}


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

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict:
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        for key in ("file", "line", "column", "hint"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["path"] = self.path
        if self.span is not None:
            out["span"] = list(self.span)
        if self.units:
            out["units"] = list(self.units)
        return out

    def format_text(self) -> str:
        where = self.file or "<ruleset>"
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        head = f"{where}: {self.severity} {self.code}"
        if self.path:
            head += f" at {self.path}"
        lines = [head, f"  {self.message}"]
        if self.span is not None and self.source_text is not None:
            lines.extend(_underline(self.source_text, *self.span))
        if self.units:
            shown = ", ".join(self.units[:10])
            more = f" and {len(self.units) - 10} more" if len(self.units) > 10 else ""
            lines.append(f"  units: {shown}{more}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def _underline(text: str, start: int, end: int, width: int = 100) -> list[str]:
    """The formula (a window of it, if long) with the span marked underneath."""
    first = max(0, min(start - width // 2, len(text) - width))
    shown = "".join(ch if ch.isprintable() else "?" for ch in text[first:first + width])
    lead = "..." if first > 0 else ""
    tail = "..." if first + width < len(text) else ""
    marks = " " * (len(lead) + start - first) + "^" * max(1, min(end, first + width) - start)
    return [f"    {lead}{shown}{tail}", f"    {marks}"]


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

    ``mask`` is a boolean array over the units the plugin was given.
    """

    def __init__(self, code: str, message: str, mask, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.mask, self.hint = code, message, mask, hint
