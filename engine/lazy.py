"""Modules imported on first use, for the large library (Arrow) that checking a ruleset never needs.

``pa = module("pyarrow")`` at the top of a file reads like an import; the import happens when code
first takes an attribute of ``pa``. Python's own importlib.util.LazyLoader cannot do this for a
submodule such as pyarrow.compute: finding it imports its package at once.
"""

from __future__ import annotations

import importlib
import sys
import threading


class module:  # noqa: N801 - used like the import statement it stands for
    """A module, imported the first time one of its attributes is asked for. Its names are then
    copied in, so that later uses (pa.array in a loop over blocks) cost what they cost on the module."""

    def __init__(self, name: str):
        self.__name = name
        self.__module = None

    def __getattr__(self, attribute: str):
        if self.__module is None:
            _prepare(self.__name.partition(".")[0])
            self.__module = importlib.import_module(self.__name)
            self.__dict__.update(vars(self.__module))
        return getattr(self.__module, attribute)  # a name the module gained since (a submodule imported later)

    def __repr__(self) -> str:
        return f"<module {self.__name}, imported on first use>"


class _NoPandas:
    """An import finder that says pandas is not there, for the one question below."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not wanted for this question")
        return None


def _arrow_without_pandas() -> None:
    """pyarrow imports pandas (about 0.3 s, more than scoring a few thousand units) the first time it
    makes an Arrow array of a numpy one, only to ask whether it was a pandas object. If nothing has
    imported pandas yet, that question is answered "no pandas" here, once. pyarrow asks again, and
    imports pandas then, the moment anything converts to or from pandas (to_pandas, from_pandas)."""
    import pyarrow

    shim = getattr(getattr(pyarrow, "lib", None), "_pandas_api", None)
    if shim is None or "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        shim.have_pandas
    except Exception:  # a pyarrow that asks otherwise: it imports pandas as it always did
        pass
    finally:
        sys.meta_path.remove(finder)


_PREPARE = {"pyarrow": _arrow_without_pandas}  # package -> what to do before its first import through module()
_PREPARING = threading.Lock()


def _prepare(package: str) -> None:
    with _PREPARING:
        step = _PREPARE.pop(package, None)
        if step is not None:
            step()
