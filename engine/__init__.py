"""govscore: a rule-configurable scoring engine for composite indicators."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("govscore")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
