"""Aligning text in a terminal, where a Chinese character takes two columns."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    fill = " " * (columns - width(text))
    return fill + text if right else text + fill


def table(header: list[str], rows: list[list[str]], right: list[bool], rule: bool = False) -> list[str]:
    """Lines of a text table with aligned columns; ``right`` marks the columns aligned right (numbers),
    ``rule`` adds a line of dashes under the header."""
    widths = [max(width(r[k]) for r in [header] + rows) for k in range(len(header))]

    def line(cells):
        return "  ".join(pad(c, w, r) for c, w, r in zip(cells, widths, right))

    return [line(header)] + (["  ".join("-" * w for w in widths)] if rule else []) + [line(r) for r in rows]
