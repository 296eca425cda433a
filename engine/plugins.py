"""Finding plugins, loading them one by one, and keeping what each registered.

There is no global plugin state: :func:`load_plugins` returns a :class:`Plugins` object, and the
command line makes one per invocation, so tests cannot leak plugins into each other.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import inspect
import json
import os
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pluggy

from . import hookspecs
from .diagnostics import Diagnostic, said
from .formula import WHERE, FunctionSpec
from .gather import Gathered
from .messages import KINDS as MESSAGE_KINDS
from .messages import Both, in_words, pick

ENTRY_POINT_GROUP = "govscore"
BUILTIN_DISTRIBUTION = "govscore"
# Set to 1 to load only the built-ins (and --plugin modules): runs then do not depend on what else is installed.
DISABLE_AUTOLOAD_ENV = "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD"

KINDS = {
    "register_sources": "source",
    "register_treatments": "treatment",
    "register_normalisers": "normaliser",
    "register_weightings": "weighting",
    "register_aggregators": "aggregator",
    "register_functions": "function",
    "register_outputs": "output",
}


class PluginEscaped(Exception):
    """A plugin raised SystemExit or another BaseException: reported as its failure like any other error,
    never a silent exit. Only the user's Ctrl-C (KeyboardInterrupt) passes through."""


def run_plugin_code(fn: Callable, *args, **kwargs):
    """Run a plugin's code: what it prints goes to standard error (standard output may carry the
    results), and whatever it raises but Ctrl-C is an ordinary exception."""
    if getattr(_worker, "pool", False):  # the pool has sent standard output to standard error for all its threads
        return _escaping(fn, *args, **kwargs)
    with contextlib.redirect_stdout(sys.stderr):
        return _escaping(fn, *args, **kwargs)


def _escaping(fn: Callable, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (KeyboardInterrupt, Exception):
        raise
    except BaseException as exc:
        raise PluginEscaped(f"{type(exc).__name__}: {exc}") from None


_worker = threading.local()  # .pool is true in the threads of parallel_map
WORKERS = min(4, os.cpu_count() or 1)
PARALLEL_UNITS = 50_000  # from this many units, work per column pays for its threads (fewer: threads cost more)


def workers_for(units: int) -> int:
    """How many threads work on columns of this many units."""
    return WORKERS if units >= PARALLEL_UNITS else 1


def parallel_map(fn: Callable, items, workers: int) -> list:
    """``fn`` of each item, on ``workers`` threads (numpy lets go of the GIL on whole columns), in the
    items' order; the first exception raised is raised here. Plugin methods called from ``fn`` run as
    Registration.call runs them, except that standard output and the warnings filter — process-wide,
    and not safe to switch from several threads — are set once here, around the whole map."""
    items = list(items)
    if workers < 2 or len(items) < 2:
        return [fn(item) for item in items]

    from concurrent.futures import ThreadPoolExecutor

    def mark():
        _worker.pool = True
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings(), \
            ThreadPoolExecutor(max_workers=workers, initializer=mark) as pool:
        warnings.simplefilter("ignore", RuntimeWarning)
        return list(pool.map(fn, items))


@dataclass(frozen=True)
class Registration:
    kind: str
    name: str
    impl: Callable
    description: str | dict | Both  # as registered: one text, or {"en": ..., "zh": ...}
    params: dict | None
    plugin: str  # the plugin that registered it
    origin: str  # the distribution (with version) or module file it came from
    options: dict = field(default_factory=dict)  # the kind's own keyword arguments

    def call(self, *args, **kwargs):
        """The method run on its arguments without numpy's floating-point warnings (overflow, 0/0, the
        mean of nothing) reaching the user's terminal: the engine checks what the method returns instead."""
        return self._quietly(self.impl, *args, **kwargs)

    def call_over(self, passes, key, *args, **kwargs):
        """The method run on one block of units out of core, as ``call`` runs it: applied once the passes
        over the data have gathered what it needs (``key`` names what it gathers), else NotYet."""
        return self._quietly(passes.run, key, self.impl, args, kwargs)

    @staticmethod
    def _quietly(fn, *args, **kwargs):
        with np.errstate(all="ignore"):  # per thread
            if getattr(_worker, "pool", False):  # parallel_map silences the warnings for all its threads
                return run_plugin_code(fn, *args, **kwargs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return run_plugin_code(fn, *args, **kwargs)

    def accepts(self, argument: str) -> bool:
        """Whether the method's function takes ``argument`` (what a kind offers only to those that ask, by name;
        a gathered method's apply says it)."""
        try:
            return argument in inspect.signature(self.impl.apply if isinstance(self.impl, Gathered) else self.impl).parameters
        except (TypeError, ValueError):
            return False

    def written(self, params: dict | None = None) -> str:
        """The method as a ruleset writes it: its name, with its parameters when it has any."""
        return self.name + (f" {json.dumps(params, ensure_ascii=False)}" if params else "")

    def weight_groups_of(self, children, params: dict) -> tuple[tuple[int, ...], ...]:
        """An aggregator's weight groups (a ratio's numerator and denominator) as positions among
        ``children``; one group of them all when the method has none. Bad parameters raise EngineError."""
        children = list(children)
        position = {child: k for k, child in enumerate(children)}
        groups = self.options.get("weight_groups")
        named = groups(children, params) if groups else [children]
        return tuple(tuple(position[c] for c in g) for g in named)

    def output_scale(self, params: dict) -> tuple:
        """What a normaliser's values are on (register(..., scale=f), f(params) -> a tuple such as
        ("range", 0, 100)); values on different scales must not be mixed in one score. A method that
        declares none is on a scale of its own with these parameters."""
        declared = self.options.get("scale")
        return declared(params) if declared else ("method", self.name, json.dumps(params, sort_keys=True))

    def describe(self, lang: str = "en") -> str:
        """What the method does, in ``lang`` when the plugin gave that language, else in English."""
        return pick(in_words(self.description), lang)

    def title(self, lang: str = "en") -> str:
        """The method's name for people (register(..., title={"en": ..., "zh": ...})), else its name."""
        return pick(in_words(self.options.get("title")), lang) or self.name


@dataclass
class Plugins:
    manager: pluggy.PluginManager
    registrations: dict[str, dict[str, Registration]]  # kind -> name -> registration
    problems: list[Diagnostic]
    origins: dict[str, str]  # plugin name -> origin

    def of(self, kind: str) -> dict[str, Registration]:
        return self.registrations[kind]

    def get(self, kind: str, name: str) -> Registration | None:
        return self.registrations[kind].get(name)

    def functions(self) -> dict[str, FunctionSpec]:
        return {name: FunctionSpec(name=name, func=functools.partial(run_plugin_code, r.impl),
                                   description=in_words(r.description), plugin=r.plugin,
                                   **{k: v for k, v in r.options.items() if k != "title"})
                for name, r in self.registrations["function"].items()}


def autoload_enabled() -> bool:
    return os.environ.get(DISABLE_AUTOLOAD_ENV, "").strip().lower() not in {"1", "true", "yes", "on"}


def load_plugins(extra: list[str] | tuple[str, ...] = (), autoload: bool | None = None) -> Plugins:
    """Load the built-ins, installed plugins (unless autoload is off) and ``extra`` modules or files."""
    if autoload is None:
        autoload = autoload_enabled()
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    problems: list[Diagnostic] = []
    origins: dict[str, str] = {}
    for dist, version, ep in _entry_points():
        if not autoload and dist != BUILTIN_DISTRIBUTION:
            continue
        plugin_name = ep.name if dist == BUILTIN_DISTRIBUTION else f"{dist}:{ep.name}"
        origin = f"{dist} {version}" if version else ep.value
        _register(manager, plugin_name, origin, lambda ep=ep: ep.load(), problems, origins)
    for spec in extra:
        _register(manager, spec, "local", lambda spec=spec: _import_local(spec), problems, origins)
    registrations, more = _collect(manager, origins)
    return Plugins(manager, registrations, problems + more, origins)


def _entry_points() -> list[tuple[str, str | None, Any]]:
    """(distribution, version, entry point) of every plugin installed, in order. Each distribution's
    metadata is read once: every reading parses the whole file, once per entry point otherwise."""
    about: dict[Any, tuple[str, str]] = {}
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is None:
            found.append(("?", None, ep))
            continue
        if ep.dist not in about:
            metadata = ep.dist.metadata
            about[ep.dist] = (metadata["Name"], metadata["Version"])
        found.append((*about[ep.dist], ep))
    return sorted(found, key=lambda f: (f[0], f[2].name))


def _import_local(spec: str):
    """Import a module by dotted name, or a .py file by path."""
    if spec.endswith(".py") or os.sep in spec:
        path = Path(spec)
        if not path.is_file():
            raise FileNotFoundError(f"there is no file {spec}")
        module_name = f"govscore_local_{path.stem}"
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[module_name] = module
        loader_spec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def _register(manager, plugin_name, origin, load, problems, origins):
    try:
        module = run_plugin_code(load)
        if manager.is_registered(module):
            return
        manager.register(module, name=plugin_name)
        origins[plugin_name] = origin
    except Exception as exc:  # a broken plugin must not stop the others
        problems.append(said(
            "E_PLUGIN_LOAD", "plugin.load_failed", name=plugin_name, origin=origin, error=f"{type(exc).__name__}: {exc}",
            hint=Both("engine plugins lists what loaded; reinstall or remove the plugin, or set "
                      f"{DISABLE_AUTOLOAD_ENV}=1 to run with the built-ins only",
                      f"engine plugins 列出已加载的插件；请重新安装或移除该插件，或设 {DISABLE_AUTOLOAD_ENV}=1 只用内置方法运行")))


def _collect(manager, origins) -> tuple[dict[str, dict[str, Registration]], list[Diagnostic]]:
    registrations: dict[str, dict[str, Registration]] = {kind: {} for kind in KINDS.values()}
    # where() belongs to the formula language itself; listing it here makes a plugin that
    # registers "where" a visible duplicate instead of a silently ignored one.
    registrations["function"]["where"] = Registration(
        "function", "where", None, WHERE.description, None, "engine", "govscore",
        {"min_args": 3, "max_args": 3})
    problems: list[Diagnostic] = []
    for hook_name, kind in KINDS.items():
        for impl in getattr(manager.hook, hook_name).get_hookimpls():
            plugin_name = impl.plugin_name
            origin = origins.get(plugin_name, "local")

            def register(name: str, impl_fn: Callable, *, description: str | dict = "", params: dict | None = None,
                         _kind=kind, _plugin=plugin_name, _origin=origin, **options: Any):
                existing = registrations[_kind].get(name)
                if existing is not None:
                    problems.append(said(
                        "E_PLUGIN_DUPLICATE", "plugin.duplicate", kind=MESSAGE_KINDS[_kind], name=name,
                        first=existing.plugin, first_origin=existing.origin, second=_plugin, second_origin=_origin,
                        hint=Both("uninstall one of the two plugins, or ask its author to rename the method",
                                  "请卸载两个插件之一，或请插件作者为该方法改名")))
                    return
                registrations[_kind][name] = Registration(_kind, name, impl_fn, description, params, _plugin,
                                                          _origin, options)

            try:
                run_plugin_code(impl.function, register=register)
            except Exception as exc:
                last = traceback.format_exception_only(type(exc), exc)[-1].strip()
                problems.append(said("E_PLUGIN_FAILED", "plugin.register_failed", name=plugin_name,
                                     kind=MESSAGE_KINDS[kind], error=last))
    return registrations, problems
