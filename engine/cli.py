"""The command line: engine run, validate, explain, stats, compare, sensitivity, plugins, schema.

Exit codes: 0 ok; 1 a problem in the ruleset or the data; 2 a wrong command line; 3 a plugin
or the engine itself failed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
import threading

# Arrow's own allocator keeps the pages it freed (the CSV parser's) for later use; a command does one job
# and is better served by the system's, which hands them back: about 3% less peak memory on a large run
# (benchmarks/run.py). Set before Arrow allocates anything; an ARROW_DEFAULT_MEMORY_POOL given still decides.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
import traceback
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .compiler import load_ruleset
from .diagnostics import EXIT_FAILURE, Diagnostic, EngineError, exit_code_for, said
from .jsonload import load_file
from .messages import KINDS, LANGUAGES, Both, language, listed, message, pick, say
from .plugins import Plugins, load_plugins
from .schema import published_schema
from .values import LARGEST
from .writing import atomic_open, refuse_inputs, write_output


class Size(click.ParamType):
    """A number of bytes, written as 4GiB, 500MB, 2G or a plain number."""

    name = "size"
    UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 1 << 10, "m": 10**6, "mb": 10**6, "mib": 1 << 20,
             "g": 10**9, "gb": 10**9, "gib": 1 << 30, "t": 10**12, "tb": 10**12, "tib": 1 << 40}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(value))
        if not found or found.group(2).lower() not in self.UNITS or float(found.group(1)) <= 0:
            self.fail(say("cli.size", current_language(), value=value), param, ctx)
        return int(float(found.group(1)) * self.UNITS[found.group(2).lower()])


SIZE = Size()


def data_options(f):
    """--data and --allow-dir: the files a person names, which a ruleset's own paths cannot reach."""
    f = allow_dir_option(f)
    return click.option("--data", "data", multiple=True, metavar="SOURCE=PATH",
                        help="Read this source from another file. Repeatable.")(f)


def allow_dir_option(f):
    return click.option("--allow-dir", "allow_dirs", multiple=True, metavar="DIR", type=click.Path(file_okay=False),
                        help="Let the ruleset's sources read files in DIR too (by default only inside the ruleset's "
                             "own folder). Repeatable.")(f)


def quiet_option(f):
    return click.option("-q", "--quiet", is_flag=True, help="Do not print warnings.")(f)


def plugin_option(f):
    f = click.option("--plugin", "plugin_modules", multiple=True, metavar="MODULE",
                     help="Also load this plugin: a module name or a .py file. Repeatable.")(f)
    return lang_option(f)


def lang_option(f):
    return click.option("--lang", type=click.Choice(["zh-CN", "zh", "en"], case_sensitive=False), envvar="GOVSCORE_LANG",
                        expose_value=False, is_eager=True, callback=_remember("govscore.lang"),
                        help="Language of messages and report headings: zh-CN or en. Default: the ruleset's "
                             "\"language\", else the locale (LANG).")(f)


def _remember(key):
    def callback(ctx, param, value):
        ctx.meta[key] = value
        return value
    return callback


def current_language() -> str:
    """--lang, else the language of the ruleset in hand, else the locale."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    return language(meta.get("govscore.lang"), meta.get("govscore.ruleset_lang"))


def _speak_as(path: str, compiled) -> None:
    """Speak the language of the ruleset in hand: the compiled one's, or for one that does not compile,
    what its file declares (read again only then)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta["govscore.ruleset_lang"] = compiled.language if compiled is not None else _declared_language(path)


def _declared_language(path: str) -> str | None:
    """Read through the one bounded reader: a file too large, too deep or not JSON declares nothing."""
    try:
        document, _ = load_file(path)
    except EngineError:
        return None
    value = document.get("language") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


class Stopped(KeyboardInterrupt):
    """A termination signal (SIGTERM, SIGHUP) raised as an exception, so that what a command was writing
    is cleaned up on the way out, as after Ctrl-C; a KeyboardInterrupt, so that whatever lets Ctrl-C
    through (a plugin's code is otherwise fenced in) lets it through too."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop(signum, frame):
    raise Stopped(signum)


def guarded(f):
    """Turn engine errors into diagnostics on stderr and anything unexpected into exit code 3; a command
    stopped by Ctrl-C or a signal exits with 128 + the signal's number once its files are cleaned up."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():  # signals reach only the main thread
            for signum in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, _stop)
        try:
            return f(*args, **kwargs)
        except Stopped as stop:
            sys.exit(128 + stop.signum)
        except KeyboardInterrupt:
            sys.exit(128 + signal.SIGINT)
        except EngineError as exc:
            report(exc.diagnostics)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader stopped early (engine run ... | head): not a failure
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            report([said("E_INTERNAL", "engine.failed", error=f"{type(exc).__name__}: {exc}",
                         hint=Both("please report this, with the ruleset and the traceback below",
                                   "请报告此问题，并附上规则集和下面的回溯信息"))])
            click.echo(traceback.format_exc(), err=True)
            sys.exit(EXIT_FAILURE)
    return wrapper


def report(diagnostics: list[Diagnostic]):
    lang = current_language()
    for d in diagnostics:
        click.echo(d.format_text(lang), err=True)


def plugins_for_run(modules) -> Plugins:
    """Load plugins; failures of plugins are warnings here (the run may not need them), duplicates are errors."""
    plugins = load_plugins(list(modules))
    duplicates = [d for d in plugins.problems if d.code == "E_PLUGIN_DUPLICATE"]
    if duplicates:
        raise EngineError(duplicates)
    for d in plugins.problems:
        click.echo(replace(d, severity="warning").format_text(current_language()), err=True)
    return plugins


def compile_or_exit(path: str, plugins: Plugins, warn: bool = True):
    """The compiled ruleset and its diagnostics; with errors, they go to stderr and the command exits.
    ``warn``: print the ruleset's warnings now (engine run prints them with the run's own)."""
    compiled, diagnostics = load_ruleset(path, plugins)
    _speak_as(path, compiled)
    if compiled is None or warn:
        report(diagnostics)
    if compiled is None:
        sys.exit(exit_code_for(diagnostics))
    return compiled, diagnostics


def format_for(output: str | None, plugins: Plugins) -> str:
    """The output format an -o path implies: by its extension, as each output plugin declares it."""
    if output in (None, "-"):
        return "table"
    suffix = Path(output).suffix.lower().lstrip(".")
    by_extension = {r.options.get("extension"): name for name, r in plugins.of("output").items()}
    if suffix not in by_extension:
        raise click.BadParameter(say("cli.which_format", current_language(), path=output,
                                     formats=", ".join(sorted(plugins.of("output")))), param_hint="-o")
    return by_extension[suffix]


def parse_data(values) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(say("cli.not_pair", current_language(), value=repr(value), form="SOURCE=PATH"),
                                     param_hint="--data")
        out[name] = path
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="govscore engine")
def main():
    """govscore: score units (communities, townships...) with a JSON ruleset.

    \b
    Examples:
      engine validate rulesets/governance.json
      engine run rulesets/governance.json
      engine run rulesets/governance.json -o results.csv
      engine run rulesets/efficiency.json --data communities=2026.csv -o - --format json
      engine explain rulesets/governance.json --unit C311
      engine stats rulesets/governance.json
      engine compare rulesets/governance.json rulesets/governance_entropy.json
      engine sensitivity rulesets/governance.json --samples 2000 --seed 7
      engine template framework.xlsx
      engine import framework.xlsx -o ruleset.json
      engine export rulesets/governance.json -o framework.xlsx
      engine edit rulesets/governance.json
      engine plugins
      engine schema > ruleset.schema.json

    Exit codes: 0 ok, 1 a problem in the ruleset or data, 2 a wrong command line,
    3 a plugin or the engine failed.
    """


@main.command()
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "outputs", metavar="PATH", multiple=True, help="Write the results here; - for standard "
              "output. Give it again for more files (-o report.html -o scores.csv). Without it, the ruleset's outputs "
              "are written, or a table is printed.")
@click.option("--format", "fmt", metavar="NAME", help="Output format: table, csv, json, or one a plugin adds. "
              "Default: from each file's extension, else table.")
@click.option("--include", type=click.Choice(["scores", "all"]), help="For csv, json and parquet: the scores only, or "
              "also every raw and normalised indicator and what each method computed per unit (DEA slacks, TOPSIS "
              "distances). Default: the output's own params, else scores.")
@click.option("--headers", type=click.Choice(["codes", "labels"]), help="For csv: column headers as codes, for tools "
              "(the default), or as labels in the reader's language (治理水平 H, 名次).")
@click.option("--blocks", is_flag=True, help="Score out of core: read the data in blocks of units, in passes, so that data "
              "larger than memory can be scored (one CSV or Parquet source; csv and parquet outputs). See docs/out-of-core.md.")
@click.option("--memory", type=SIZE, metavar="SIZE", help="The memory the run may use, e.g. 4GiB or 500MB. With --blocks, "
              "the blocks are made to fit it; without, the run goes out of core when the data would not fit.")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Score on a Dask cluster: the scheduler's address "
              "(tcp://host:8786), or local for two workers on this machine. The source is read in parts (Parquet); each "
              "output is a folder of part files. Needs pip install \"govscore[dask]\". See docs/out-of-core.md.")
@data_options
@quiet_option
@plugin_option
@guarded
def run(ruleset, outputs, fmt, include, headers, blocks, memory, dask_address, data, allow_dirs, quiet, plugin_modules):
    """Score every unit of RULESET and write the results.

    \b
    Examples:
      engine run rulesets/governance.json
      engine run rulesets/governance.json -o out/h.csv
      engine run rulesets/effectiveness.json --data communities=new.csv --format json -o -
      engine run households.json --blocks --memory 4GiB -o scores.parquet
    """
    data_paths = parse_data(data)
    plugins = plugins_for_run(plugin_modules)
    compiled, diagnostics = compile_or_exit(ruleset, plugins, warn=False)
    if outputs or fmt or not compiled.outputs:
        targets = [(fmt or format_for(output, plugins), output, {}) for output in (outputs or ["-"])]
        twice = sorted({o for o in outputs if outputs.count(o) > 1})
        if twice:
            raise click.BadParameter(say("cli.output_twice", current_language(), paths=", ".join(twice)), param_hint="-o")
    else:
        targets = [(o["format"], o["path"] if o["path"] == "-" else str(compiled.base_dir / o["path"]), o.get("params", {}))
                   for o in compiled.outputs]
    writers = [plugins.get("output", name) for name, _, _ in targets]
    if None in writers:  # checked before scoring, so a typo costs no time
        raise click.BadParameter(say("cli.no_format", current_language(), name=fmt,
                                     formats=", ".join(sorted(plugins.of("output")))), param_hint="--format")
    if include:
        targets = _given(targets, writers, plugins, "include", include, "--include")
    if headers:
        targets = _given(targets, writers, plugins, "labels", headers == "labels", "--headers")
    if dask_address:
        return _run_on_cluster(compiled, plugins, targets, writers, data_paths, allow_dirs, memory, quiet, ruleset,
                               dask_address, plugin_modules)
    if blocks or memory is not None:
        from .block_plan import DEFAULT_MEMORY, fits_in_memory
        budget = memory or DEFAULT_MEMORY
        if blocks or not fits_in_memory(compiled, data_paths, allow_dirs, budget):
            return _run_blocks(compiled, plugins, targets, writers, data_paths, allow_dirs, budget, quiet, ruleset)
    from .execute import score  # Arrow and the scoring, only for commands that read data
    from .loading import load_data

    loaded = load_data(compiled, plugins, data_paths, allow_dirs)
    inputs = [ruleset, *loaded.files]
    try:
        for _, path, _ in targets:  # before scoring, so a mistake costs no time
            refuse_inputs(path, inputs)
    except EngineError as exc:
        raise EngineError(compiled.place(exc.diagnostics)) from None
    result = score(compiled, plugins, loaded)
    result.meta["language"] = current_language()  # of the reports' headings
    _run_analyses(compiled, plugins, loaded, result, {k for _, _, params in targets for k, v in params.items() if v is True})
    if not quiet:
        report(result.diagnostics)  # the ruleset's own warnings among them
    for registration, (_, path, params) in zip(writers, targets):
        try:
            write_output(result, registration, path, params, inputs)
        except EngineError as exc:
            raise EngineError(compiled.place(exc.diagnostics)) from None
        if path != "-" and not quiet:
            click.echo(say("wrote", current_language(), path=path), err=True)


def _run_blocks(compiled, plugins, targets, writers, data_paths, allow_dirs, memory, quiet, ruleset_path):
    """engine run out of core: every unit scored block by block, then each output written as the blocks are scored again."""
    from .block_plan import unsupported
    from .blocks import run_blocks
    problems = unsupported(compiled, plugins, writers)
    if problems:
        raise EngineError(compiled.place(problems))
    scored = run_blocks(compiled, plugins, data_paths, allow_dirs, memory=memory,
                        outputs=[path for _, path, _ in targets], inputs=[ruleset_path])
    try:
        scored.meta["language"] = current_language()
        if not quiet:
            report(scored.diagnostics)
        for registration, (_, path, params) in zip(writers, targets):
            try:
                write_output(scored, registration, path, params, [ruleset_path, *scored.files])
            except EngineError as exc:
                raise EngineError(compiled.place(exc.diagnostics)) from None
            if path != "-" and not quiet:
                click.echo(say("wrote", current_language(), path=path), err=True)
    finally:
        scored.close()


def _run_on_cluster(compiled, plugins, targets, writers, data_paths, allow_dirs, memory, quiet, ruleset_path, address,
                    plugin_modules):
    """engine run on Dask: each output a folder of part files, written by the workers."""
    from .cluster import connected, run_on_cluster
    if any(path == "-" for _, path, _ in targets):
        raise click.BadParameter(say("cli.dask_stdout", current_language()), param_hint="-o")
    with connected(address) as client:
        done = run_on_cluster(compiled, plugins, client, [(w, path, params) for w, (_, path, params) in zip(writers, targets)],
                              data_paths, allow_dirs, [ruleset_path], plugin_modules, memory or (2 << 30))
    if not quiet:
        report(done["diagnostics"])
        for _, path, _ in targets:
            click.echo(say("wrote", current_language(), path=path), err=True)


def _given(targets, writers, plugins, key: str, value, option: str):
    """The targets with a parameter the command line sets, for the outputs that take it; none taking it is a mistake."""
    def takes(registration) -> bool:
        return bool(registration.params and key in registration.params.get("properties", {}))
    if not any(takes(w) for w in writers):
        raise click.BadParameter(say("cli.option_not_taken", current_language(), option=option, formats=", ".join(sorted(
            n for n, r in plugins.of("output").items() if takes(r)))), param_hint=option)
    return [(name, path, {**params, key: value} if takes(w) else params) for (name, path, params), w in zip(targets, writers)]


def _run_analyses(compiled, plugins, loaded, result, asked: set[str]) -> None:
    """The analyses an output of the ruleset asks to carry, computed once for all outputs."""
    if "sensitivity" in asked:
        from .uncertainty import analyse, as_json
        result.sections["sensitivity"] = as_json(analyse(compiled, plugins, loaded))
    if "leave_one_out" in asked:
        from .sensitivity import as_json, leave_one_out
        result.sections["leave_one_out"] = as_json(leave_one_out(compiled, plugins, loaded, result))


@main.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools and editors.")
@plugin_option
@guarded
def validate(rulesets, fmt, plugin_modules):
    """Check RULESETS without reading any data: structure, names, formulas, weights, plugins.

    \b
    Examples:
      engine validate rulesets/*.json
      engine validate my.json --format json
    """
    plugins = plugins_for_run(plugin_modules)
    results = []
    for path in rulesets:
        compiled, diagnostics = load_ruleset(path, plugins)
        results.append((path, compiled, diagnostics))
    everything = [d for _, _, ds in results for d in ds]
    if fmt == "json":
        click.echo(json.dumps({"files": [{"file": p, "ok": not any(d.is_error for d in ds),
                                          "diagnostics": [d.to_dict() for d in ds]} for p, _, ds in results]},
                              ensure_ascii=False, indent=2))
    else:
        for path, compiled, diagnostics in results:
            _speak_as(path, compiled)
            report(diagnostics)
            errors = sum(d.is_error for d in diagnostics)
            warnings = len(diagnostics) - errors
            lang = current_language()
            click.echo(say("ruleset_ok", lang, file=path) if not diagnostics else
                       say("problems_found", lang, file=path, errors=errors, warnings=warnings))
    sys.exit(exit_code_for(everything))


@main.command(name="explain")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--unit", required=True, metavar="ID", help="The unit to explain, by its id.")
@click.option("--period", metavar="PERIOD", help="With panel data: the period to explain (default: the unit's latest).")
@data_options
@click.option("--set", "settings", multiple=True, metavar="INDICATOR=VALUE",
              help="What if the unit's raw value of INDICATOR were VALUE? Repeatable.")
@click.option("--weight", "weight_changes", multiple=True, metavar="SET.CHILD=VALUE",
              help="What if CHILD weighed VALUE in the fixed weight set SET? The other children of its node "
                   "are scaled so the weights still sum to 1. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@quiet_option
@plugin_option
@guarded
def explain_command(ruleset, unit, period, data, allow_dirs, settings, weight_changes, fmt, quiet, plugin_modules):
    """Explain one unit's score: raw and normalised values, weights, contributions, and its
    strongest and weakest indicators (短板) against its group; with --set or --weight, what would change.

    \b
    Examples:
      engine explain rulesets/governance.json --unit C104
      engine explain rulesets/governance.json --unit C311 --set online_rate=80
      engine explain rulesets/governance.json --unit C311 --weight beta.I=0.4 --format json
    """
    from .execute import score
    from .loading import load_data
    from .explain import explain, format_explanation
    from .whatif import format_what_if, what_if

    values, weights = parse_pairs(settings, "--set"), parse_pairs(weight_changes, "--weight")  # before any data is read
    plugins = plugins_for_run(plugin_modules)
    compiled, diagnostics = compile_or_exit(ruleset, plugins, warn=not quiet)
    loaded = load_data(compiled, plugins, parse_data(data), allow_dirs)
    base = score(compiled, plugins, loaded)
    try:
        explanation = explain(base, unit, period)
        change = what_if(compiled, plugins, loaded, base, unit, values, weights, period) if values or weights else None
    except EngineError as exc:  # an unknown unit or name on the command line: told with the ruleset's file
        raise EngineError(compiled.place(exc.diagnostics)) from None
    if fmt == "json":
        click.echo(json.dumps({"explanation": explanation, "what_if": change}, ensure_ascii=False, indent=2))
    else:
        lang = current_language()
        click.echo(format_explanation(explanation, lang), nl=False)
        if change:
            click.echo("\n" + format_what_if(change, lang))


def parse_pairs(values, option: str) -> dict[str, float]:
    out = {}
    for value in values:
        name, sep, number = value.partition("=")
        try:
            if not sep or not name:
                raise ValueError
            out[name] = float(number)
        except ValueError:
            raise click.BadParameter(say("cli.not_pair", current_language(), value=repr(value), form="NAME=NUMBER"),
                                     param_hint=option) from None
        if not abs(out[name]) <= LARGEST:  # NaN, infinite, or too large to compute with: as in data files
            raise click.BadParameter(say("cli.out_of_range", current_language(), value=repr(value), largest=f"{LARGEST:g}"),
                                     param_hint=option)
    return out


@main.command(name="stats")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--on", "on", type=click.Choice(["normalised", "raw"]), default="normalised", show_default=True,
              help="Describe the normalised values (with the nodes) or the raw ones.")
@click.option("--method", type=click.Choice(["pearson", "spearman"]), default="pearson", show_default=True)
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@quiet_option
@plugin_option
@guarded
def stats_command(ruleset, on, method, data, allow_dirs, fmt, quiet, plugin_modules):
    """Statistics of the indicators: distribution, skewness and kurtosis (flagging those that need
    treatment), and for every node the correlations of its children (collinear and negative pairs),
    Cronbach's alpha and the variance its first principal component explains. The missing share is that
    of the data as read: values the ruleset imputes count as missing there.

    \b
    Examples:
      engine stats rulesets/governance.json
      engine stats rulesets/governance.json --on raw --method spearman --format json
    """
    from .execute import run as run_ruleset
    from .statistics import statistics
    from .textwidth import table

    plugins = plugins_for_run(plugin_modules)
    compiled, diagnostics = compile_or_exit(ruleset, plugins, warn=not quiet)
    found = statistics(run_ruleset(compiled, plugins, parse_data(data), allow_dirs), on, method)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return

    def number(x):
        return "-" if x is None else f"{x:.3g}"

    lang = current_language()
    header = say("stats_headers", lang).split("|")
    rows = [[compiled.label(d["indicator"]), str(d["count"]), f"{d['missing_share']:.0%}"]
            + [number(d[k]) for k in ("min", "max", "mean", "median", "sd", "skew", "kurtosis")]
            + [listed((say(f, lang) for f, on_ in (("skewed", d["needs_treatment"]), ("sparse", d["low_availability"])) if on_), lang)]
            for d in found["indicators"]]
    for line in table(header, rows, [False] + [True] * (len(header) - 2) + [False]):
        click.echo(line)
    for node in found["nodes"]:
        click.echo("\n" + say("stats_node", lang, node=compiled.label(node["node"]), alpha=number(node["cronbach_alpha"]),
                              share=number(node["first_component_share"])))
        for key in ("collinear", "negative"):
            for a, b in node[key]:
                click.echo(say(f"{key}_pair", lang, a=compiled.label(a), b=compiled.label(b)))


@main.command(name="compare")
@click.argument("first", type=click.Path(dir_okay=False))
@click.argument("second", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", default=20, show_default=True, help="Units shown with the largest rank changes (text format).")
@allow_dir_option
@quiet_option
@plugin_option
@guarded
def compare_command(first, second, fmt, limit, allow_dirs, quiet, plugin_modules):
    """Compare two rulesets on their data: rank changes, the correlation of the scores, and the
    parameters that differ.

    \b
    Examples:
      engine compare rulesets/governance.json rulesets/governance_entropy.json
      engine compare old.json new.json --format json
    """
    from .compare import compare
    from .execute import run as run_ruleset

    plugins = plugins_for_run(plugin_modules)
    results = []
    for path in (first, second):
        compiled, diagnostics = compile_or_exit(path, plugins, warn=not quiet)
        results.append(run_ruleset(compiled, plugins, allow_dirs=allow_dirs))
    found = compare(*results)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    lang = current_language()

    def shown(key, spec):  # None where a correlation or a change cannot be computed (constant scores, no ranks)
        return "-" if found[key] is None else format(found[key], spec)

    click.echo(say("compare_summary", lang, n=found["units_compared"], pearson=shown("pearson", ".3f"),
                   spearman=shown("spearman", ".3f"), mean=shown("mean_absolute_rank_change", ".2f"),
                   largest=shown("largest_rank_change", "g")))
    for side, units in (("first", found["only_in_a"]), ("second", found["only_in_b"])):
        if units:
            click.echo(say(f"only_in_{side}", lang, units=", ".join(units[:20]) + (" ..." if len(units) > 20 else "")))
    moved = sorted((u for u in found["units"] if u["rank_change"]), key=lambda u: -abs(u["rank_change"]))[:limit]
    for u in moved:
        change = abs(u["rank_change"])
        click.echo(say("rank_moved", lang, unit=u["unit"] + (f" {u['label']}" if u["label"] else ""), a=f"{u['rank_a']:g}",
                       b=f"{u['rank_b']:g}", change=say("moved_up" if u["rank_change"] < 0 else "moved_down", lang,
                                                        n=f"{change:g}")))
    click.echo(say("differences", lang, n=len(found["differences"])))
    for d in found["differences"][:50]:
        click.echo(f"  {d['path']}: {json.dumps(d['a'], ensure_ascii=False)} → {json.dumps(d['b'], ensure_ascii=False)}")


@main.command(name="sensitivity")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("--samples", type=click.IntRange(10, 1_000_000), metavar="N",
              help="Configurations to score (default: the ruleset's uncertainty.samples, else 1000).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), metavar="S",
              help="Random seed; the same seed gives the same results (default: the ruleset's, else 1).")
@click.option("--leave-one-out", "leave_one_out_", is_flag=True,
              help="Instead: score again without each indicator in turn and report how far ranks move.")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", metavar="PATH", help="Write the report here (atomically) instead of standard output.")
@quiet_option
@plugin_option
@guarded
def sensitivity_command(ruleset, samples, seed, leave_one_out_, data, allow_dirs, fmt, output, quiet, plugin_modules):
    """How much the ranking depends on the choices behind it.

    By default, a Monte Carlo analysis over the alternatives the ruleset declares in its
    "uncertainty" section (normalisers, imputations, weights, aggregators): per unit the nominal
    rank, the median rank and the 5–95% rank interval; per choice its first-order and total
    Sobol' sensitivity indices for the mean absolute rank shift; in JSON, every configuration
    scored. --leave-one-out scores again without each indicator in turn instead.

    \b
    Examples:
      engine sensitivity rulesets/governance.json --samples 2000 --seed 7
      engine sensitivity rulesets/governance.json --format json -o out/sensitivity.json
      engine sensitivity rulesets/governance.json --leave-one-out
    """
    from .loading import load_data

    plugins = plugins_for_run(plugin_modules)
    compiled, diagnostics = compile_or_exit(ruleset, plugins, warn=not quiet)
    loaded = load_data(compiled, plugins, parse_data(data), allow_dirs)
    try:  # before minutes of analysis, not after
        refuse_inputs(output or "-", [ruleset, *loaded.files])
    except EngineError as exc:
        raise EngineError(compiled.place(exc.diagnostics)) from None
    if leave_one_out_:
        if samples is not None or seed is not None:
            raise click.UsageError(say("cli.samples_with_loo", current_language()))
        body, lines = _leave_one_out_report(compiled, plugins, loaded)
    else:
        body, lines = _monte_carlo_report(compiled, plugins, loaded, samples, seed)
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n" if fmt == "json" else "".join(line + "\n" for line in lines)
    with atomic_open(output or "-", [ruleset, *loaded.files]) as stream:
        stream.write(text.encode("utf-8"))


def _leave_one_out_report(compiled, plugins, loaded) -> tuple[dict, list[str]]:
    from .execute import score
    from .sensitivity import as_json, leave_one_out

    found = leave_one_out(compiled, plugins, loaded, score(compiled, plugins, loaded))
    body = as_json(found)
    lang = current_language()
    lines = [say("loo_title", lang)]
    lines += [say("loo_line", lang, label=row["label"], mean=f"{row['mean_absolute_rank_shift']:.2f}",
                  largest=f"{row['largest_rank_shift']:g}") for row in found["indicators"]]
    return body, lines


def _monte_carlo_report(compiled, plugins, loaded, samples, seed) -> tuple[dict, list[str]]:
    import numpy as np

    from .textwidth import table
    from .uncertainty import analyse, as_json, factor_text, levels_text

    found = analyse(compiled, plugins, loaded, samples, seed)
    columns = ("nominal_rank", "median_rank", "rank_5", "rank_95")
    body = as_json(found)
    lang = current_language()
    lines = [say("mc_title", lang, n=found["samples"], seed=found["seed"])]
    rows = [[factor_text(f["factor"], compiled, lang), f"{f['first_order']:.3f} ± {f['first_order_conf']:.3f}",
             f"{f['total']:.3f} ± {f['total_conf']:.3f}", levels_text(f, lang)] for f in found["factors"]]
    lines += [line.rstrip() for line in table(say("mc_headers", lang).split("|"), rows, [False, True, True, False])]
    lines += ["", say("mc_units", lang), say("mc_ranks_note", lang)]
    periods = found["periods"]  # with panel data, a unit once per period, ranked within it
    labels = loaded.units.get("label")
    names = dict(zip(loaded.units["id"].to_pylist(), labels.to_pylist())) if labels is not None else None
    order = np.lexsort((found["nominal_rank"], *([np.array(periods)] if periods else [])))
    unit_rows = [[found["units"][i], *([names.get(found["units"][i]) or ""] if names else []), *([periods[i]] if periods else [])]
                 + ["-" if np.isnan(found[k][i]) else f"{found[k][i]:g}" for k in columns] for i in order]
    headers = say("mc_unit_headers", lang).split("|")
    if not names:
        headers.pop(1)
    if periods:
        headers.insert(2 if names else 1, say("mc_period", lang))
    lines += table(headers, unit_rows, [False] * (len(headers) - 4) + [True] * 4)
    return body, lines


@main.command(name="plugins")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@plugin_option
@guarded
def plugins_command(fmt, plugin_modules):
    """List every method the installed plugins provide: kind, name, plugin, origin.

    Plugins that failed to load are reported too, and make the exit code 3.
    Set GOVSCORE_DISABLE_PLUGIN_AUTOLOAD=1 to load only the built-ins.
    """
    plugins = load_plugins(list(plugin_modules))
    rows = [{"kind": r.kind, "name": r.name, "title": {lang: r.title(lang) for lang in LANGUAGES}, "plugin": r.plugin,
             "origin": r.origin, "description": {lang: r.describe(lang) for lang in LANGUAGES}}
            for kind in plugins.registrations.values() for r in kind.values()]
    if fmt == "json":
        click.echo(json.dumps({"methods": rows, "problems": [d.to_dict() for d in plugins.problems]},
                              ensure_ascii=False, indent=2))
    else:
        from .textwidth import table
        lang = current_language()
        # the kind as a ruleset names it, in English; in Chinese, what it means
        cells = [[r["kind"] if lang == "en" else pick(KINDS[r["kind"]], lang), r["name"], r["title"][lang], r["plugin"],
                  r["origin"], r["description"][lang]] for r in rows]
        for line in table(say("plugins_headers", lang).split("|"), cells, [False] * 6):
            click.echo(line.rstrip())
        report(plugins.problems)
    sys.exit(EXIT_FAILURE if plugins.problems else 0)


@main.command()
@click.option("-o", "--output", metavar="PATH", default="-", help="Where to write the schema; default standard output.")
@plugin_option
@guarded
def schema(output, plugin_modules):
    """Print the ruleset JSON Schema, with the methods and parameters of the installed plugins; in
    English unless --lang asks for Chinese (hover help in an editor).

    \b
    Examples:
      engine schema -o schemas/ruleset.schema.json
      engine schema --lang zh-CN -o schemas/ruleset.schema.zh-CN.json
    """
    plugins = plugins_for_run(plugin_modules)
    explicit = click.get_current_context().meta.get("govscore.lang")  # the published file stays English whatever the locale
    text = json.dumps(published_schema(plugins, language(explicit) if explicit else "en"), ensure_ascii=False, indent=2) + "\n"
    with atomic_open(output) as stream:
        stream.write(text.encode("utf-8"))


@main.command(name="export")
@click.argument("ruleset", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="PATH", required=True, help="The workbook to write (.xlsx).")
@plugin_option
@guarded
def export_command(ruleset, output, plugin_modules):
    """Write RULESET as a framework workbook (settings, indicators, structure and weights, nodes, grades)
    that can be edited in Excel or WPS and read back with engine import.

    \b
    Example:
      engine export rulesets/governance.json -o framework.xlsx
    """
    from .framework import to_framework

    document, _ = load_file(ruleset)  # the ruleset as written: the workbook holds it, compiled or not
    _write_framework(to_framework(document), output, [ruleset], plugins_for_run(plugin_modules))


@main.command(name="template")
@click.argument("output", type=click.Path(dir_okay=False))
@plugin_option
@guarded
def template_command(output, plugin_modules):
    """Write an empty framework workbook with an example row on each sheet, to fill in and read with
    engine import.

    \b
    Example:
      engine template framework.xlsx
    """
    from .framework import EXAMPLE, to_framework

    _write_framework(to_framework(EXAMPLE), output, [], plugins_for_run(plugin_modules))


def _write_framework(framework, output: str, inputs: list[str], plugins: Plugins) -> None:
    from .framework import write_workbook

    lang = current_language()
    for what in framework.notes:
        click.echo(say("warning", lang) + ": " + message("framework.not_held", lang, what=what), err=True)
    with atomic_open(output, inputs) as stream:
        write_workbook(framework, stream, framework_choices(plugins))
    click.echo(say("wrote", lang, path=output), err=True)


def framework_choices(plugins: Plugins) -> dict[str, list[str]]:
    from .schema import DIRECTIONS, MISSING_POLICIES

    return {"indicators.direction": list(DIRECTIONS), "indicators.missing": MISSING_POLICIES,
            "indicators.normalise": sorted(plugins.of("normaliser")),
            "nodes.method": sorted(plugins.of("aggregator")), "nodes.missing": ["propagate", "renormalise"]}


@main.command(name="import")
@click.argument("workbook", type=click.Path(dir_okay=False))
@click.option("-o", "--output", metavar="PATH", required=True, help="The ruleset to write (.json).")
@click.option("--data", "coinr_data", metavar="PATH", type=click.Path(dir_okay=False),
              help="With COINr's iMeta table: its iData table (default: the iMeta file's name with iData).")
@plugin_option
@guarded
def import_command(workbook, output, coinr_data, plugin_modules):
    """Read a filled-in framework workbook (engine template or engine export), or COINr's iMeta table
    (CSV or xlsx) with its iData, and write the ruleset, after checking it as engine validate does;
    every problem of a workbook is told by sheet, column and row.

    \b
    Examples:
      engine import framework.xlsx -o ruleset.json
      engine import ASEM_iMeta.csv --data ASEM_iData.csv -o asem.json
    """
    from .compiler import compile_document
    from .framework import from_coinr, from_framework, is_coinr, placed, read_table, read_workbook
    from .jsonwrite import ruleset_text

    plugins = plugins_for_run(plugin_modules)
    meta = read_table(workbook, "iMeta")
    if is_coinr(meta):
        data = coinr_data or workbook.replace("iMeta", "iData")
        relative = os.path.relpath(Path(data).resolve(), Path(output).resolve().parent)
        document = from_coinr(meta, relative, list(read_table(data, "iData")[:1][0]) if os.path.isfile(data) else [],
                              Path(workbook).stem.replace("_iMeta", "").replace("iMeta", "") or "coinr")
        read, problems = None, []
    else:
        read = from_framework(read_workbook(workbook))
        problems = [said("E_FRAMEWORK", key, file=placed(workbook, sheet, row, column), **fields)
                    for sheet, row, column, key, fields in read.problems]
        document = read.document
    _, diagnostics = compile_document(document, None, plugins, base_dir=Path(output).resolve().parent)
    diagnostics = problems + [read.place(workbook, d) if read else replace(d, file=workbook) for d in diagnostics]
    report(diagnostics)
    if any(d.is_error for d in diagnostics):
        sys.exit(exit_code_for(diagnostics))
    text = ruleset_text(document)
    with atomic_open(output, [workbook]) as stream:
        stream.write(text.encode("utf-8"))
    click.echo(say("wrote", current_language(), path=output), err=True)


@main.command(name="edit")
@click.argument("ruleset", required=False, type=click.Path(dir_okay=False))
@click.option("--no-browser", is_flag=True, help="Print the address instead of opening the browser.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port on 127.0.0.1 (0: a free one).")
@plugin_option
@guarded
def edit_command(ruleset, no_browser, port, plugin_modules):
    """Write or change a ruleset in the browser: the framework as a tree, a form for each part, the JSON,
    every problem on its field as you type, and a preview of the ranking. Without RULESET, start from a
    shipped ruleset or an empty one; a RULESET that does not exist yet is created on the first save.

    \b
    Examples:
      engine edit rulesets/governance.json
      engine edit new.json
      engine edit --no-browser
    """
    from govscore.editor.server import PortTaken, serve

    plugins = plugins_for_run(plugin_modules)
    if ruleset:
        _speak_as(ruleset, None)
    lang = current_language()
    try:
        serve(ruleset, plugins, lang, not no_browser, port,
              lambda url: click.echo(say("editor.open", lang, url=url), err=True))
    except PortTaken as exc:
        raise click.BadParameter(say("editor.port_taken", lang, port=port, reason=exc), param_hint="--port") from None
    except Stopped:
        raise
    except KeyboardInterrupt:  # Ctrl-C is how the editor is meant to stop
        pass
    click.echo(say("editor.stopped", lang), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
