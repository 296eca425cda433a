"""Aligning text in a terminal, where a Chinese character takes two columns."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    fill = " " * (columns - width(text))
    return fill + text if right else text + fill
