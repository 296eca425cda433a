"""Modules imported on first use, for the large libraries (Arrow) that checking a ruleset never needs.

``pa = module("pyarrow")`` at the top of a file reads like an import; the import happens when code
first takes an attribute of ``pa``. Python's own importlib.util.LazyLoader cannot do this for a
submodule such as pyarrow.compute: finding it imports its package at once.
"""

from __future__ import annotations

import importlib


class module:  # noqa: N801 - used like the import statement it stands for
    """A module, imported the first time one of its attributes is asked for."""

    def __init__(self, name: str):
        self._name = name
        self._module = None

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name}, imported on first use>"
