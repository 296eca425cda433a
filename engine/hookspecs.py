"""The plugin hooks of govscore: one hook for each kind of thing a plugin can add.

A plugin is a module (usually an installed package that names it under the ``govscore`` entry
point group) with functions marked ``@hookimpl`` and named like the hooks below. Each hook is
called once per plugin with a ``register`` callback; the plugin calls ``register`` once for each
method it adds. The engine records which plugin registered which name, refuses a name that two
plugins register, and checks a ruleset's parameters against the JSON Schema fragment given as
``params``. The built-in plugins in ``plugins/`` use exactly these hooks.

Arrays are numpy float64 arrays with one entry per unit; a missing value is NaN.

Methods that need statistics of whole columns (normalisers, treatments, weightings from data) may be
registered as ``govscore.engine.gather.gathered(step, ..., apply=f)``: each step gathers mergeable
statistics (``Extremes``, ``Sums``, ``Moments``, ``CoMoments``) from one block of units, knowing what
the earlier steps found over every block, and ``apply`` computes the result from them. In memory the
whole column is one block, so such a method is called like any other; out of core (``engine run
--blocks``) the engine runs each step over every block before applying. A method whose value for a unit
depends only on that unit's row is registered as ``row_wise(f)``. A plain function still works in
memory, and is refused out of core with a diagnostic naming it. See docs/plugins.md.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("govscore")
hookimpl = pluggy.HookimplMarker("govscore")


@hookspec
def register_sources(register) -> None:
    """Add data source formats.

    ``register(name, load, *, description, params=None)``

    ``load(path, params, columns) -> Table``: read the file at ``path`` (already resolved against
    the ruleset's folder or given with ``--data``) and return an ``govscore.engine.data.Table`` holding at
    least the named ``columns``. Raise ``govscore.engine.diagnostics.EngineError`` with ``E_DATA_*``
    diagnostics for a missing column, bad encoding or unreadable file. ``params`` is the source's
    ``params`` object from the ruleset, already checked against the ``params`` schema. A format that
    can be read in parts takes a keyword ``batch_rows``: given it, ``load`` returns an iterator of
    Tables of about that many rows each, in the file's order, read as they are asked for (each
    Table's ``row_numbers_offset`` the file line of its first row); only such formats are read out of core.
    A format that can be read in independent parts takes a keyword ``part``: given ``(k, n)``, ``load``
    returns the Table of the k-th of n parts of the file, in order; only such formats run on Dask.
    """


@hookspec
def register_treatments(register) -> None:
    """Add outlier treatments, applied to an indicator's raw values before normalisation.

    ``register(name, treat, *, description, params=None)``

    ``treat(x, params, indicator) -> (array, details)``: the treated values of one indicator (NaN
    stays NaN) and what was done: ``details`` may hold ``points``, an object array with a note per
    unit (``"winsorised high"``, ``"log"``, or None where the value is untouched), and anything else
    the method measured (skewness and kurtosis before and after), reported with the results.
    """


@hookspec
def register_normalisers(register) -> None:
    """Add normalisation methods.

    ``register(name, normalise, *, description, params=None, directions=("higher", "lower"), requires=(), check=None,
    scale=None)``

    ``normalise(x, direction, params, indicator) -> array``: rescale one indicator's raw values
    ``x``. ``direction`` is ``"higher"``, ``"lower"`` or ``"range"``; parameters are in the raw unit
    of the indicator and the normaliser applies the direction itself. ``indicator`` is an
    ``govscore.engine.model.Indicator`` (its ``target``, ``goalposts`` and ``optimum``).
    ``directions`` lists the directions the method can apply; ``requires`` lists the indicator
    fields it needs (``"target"``, ``"goalposts"``, ``"optimum"``); both are checked when the
    ruleset is compiled. Raise ``govscore.engine.diagnostics.EngineError`` for data it cannot rescale.
    ``check(direction, params, indicator)``, if given, raises EngineError for parameters that cannot be
    right whatever the data (bands out of order, a target of 0); it runs when the ruleset is compiled,
    so ``engine validate`` reports them before any data is read.
    ``scale(params) -> tuple`` says what the values are on, e.g. ``("range", 0, 100)`` or ``("z", 0, 1)``:
    a sensitivity analysis that would put some indicators on another scale than the rest is warned.
    Without it, each method and set of parameters counts as a scale of its own.
    """


@hookspec
def register_weightings(register) -> None:
    """Add ways of setting weights.

    ``register(name, weigh, *, description, params=None, uses_data=False, renormalise_default=False, combines=False)``

    ``weigh(children, params, data) -> array`` or ``(array, details)``: one non-negative weight per
    child, in the order of ``children``, and optionally a dict of what the method computed (an AHP's
    consistency ratio, entropies), reported with the results; its ``warnings``, a list of messages,
    become W_METHOD warnings. ``data`` is the units × children matrix of the children's values when
    ``uses_data`` is true, else None; a weighting that does not use data is computed when the
    ruleset is compiled, so its sums are checked by ``engine validate``. With
    ``renormalise_default`` the weights are divided by their sum unless the ruleset says otherwise
    (right for weightings that only give proportions, like equal weights). A weighting registered
    with ``combines=True`` combines other weight sets, named in its ``params["of"]``: the engine
    computes those first and passes their weights as ``data``, one row per weight set.
    """


@hookspec
def register_aggregators(register) -> None:
    """Add aggregation methods, which combine a node's children into the node's value.

    ``register(name, aggregate, *, description, params=None, domain="any", weight_groups=None, whole_columns=False,
    weighted=True, linear=False, log_linear=False, better="higher")``

    ``aggregate(x, w, params, children) -> array``: ``x`` is the units × children matrix, ``w`` the
    weights, either one row (1 × children) that holds for every unit or a full units × children
    matrix when some children are missing; numpy broadcasting handles both. ``children`` are the
    children's names in column order. It is called on blocks of units, so a unit's value may
    depend only on its own row, unless the method registers ``whole_columns=True`` (VIKOR, DEA:
    methods that compare units); then it is called once with every unit and also gets
    ``units=``, the unit ids. A method that compares units only through statistics of the columns is
    registered as ``gathered(...)`` instead (TOPSIS: its ideals; DEA: its frontier), and runs out of core
    too; its steps and apply get ``units=`` when the apply takes it. Such a method may return ``(values,
    details)``: what it computed, per unit (arrays, shown as columns of the results) or for the node
    (reported in the JSON output); ``details["warnings"]``, a list of messages (``both(...)`` from the
    catalogue, or text, told as W_METHOD), or diagnostics (``said(...)``, which may name units), become
    the run's warnings, placed at the node (out of core, the same diagnostic from several blocks is told
    once, its units joined and its ``count`` added up); a per-unit ``details["grade"]`` (text) is the grade the
    method gave each unit, which reports count; a per-unit boolean ``details["no_value"]`` marks units the
    method leaves without a value on purpose (NaN), having said why in its warnings (any other NaN for a
    unit that has every child is an error). A method whose function takes a ``child_details``
    argument is also given what its children that are nodes reported, ``{child: details}`` for the same
    units (a multi-level fuzzy evaluation composes its children's vectors so). A child that is missing for a unit has weight 0 there and value
    1.0, so the method needs no missing-value logic of its own. ``domain`` is ``"any"``,
    ``"positive"`` or ``"nonnegative"``; the engine checks it before calling and names the units
    outside it. ``weighted=False`` says the method chooses its own weights (DEA, the minimum): the
    node's weights then only mark missing children and are not reported. ``linear=True`` says the
    value is Σ w·x with the node's weights (summing to 1), so contributions to the score add up
    (engine explain relies on it); ``log_linear=True`` says the same of the value's logarithm
    (a geometric mean: ln value = Σ (w/Σw)·ln x). ``better="lower"`` says the method's best value is its
    lowest (VIKOR's Q): a score from it is ranked lowest-first unless the ruleset's ``rank.order`` says
    otherwise, which the engine then warns about. ``weight_groups(children, params) -> list of lists of child names`` says which
    weights must each sum to 1 (default: all of them together).
    """


@hookspec
def register_functions(register) -> None:
    """Add functions that formulas can call.

    ``register(name, func, *, description, min_args, max_args, domain="", constant_args=(), whole_columns=False)``

    ``func(*args) -> array``: arguments are arrays (one value per unit) or plain floats. The engine
    calls it once over whole columns; out of core, once per block of units, so a function whose value
    for a unit depends on other units (``col_mean``) registers ``whole_columns=True`` and is refused
    there. Where the result is not finite for finite arguments, the engine reports the units concerned with the ``domain`` text ("log needs a number above 0"), which
    may be given in both languages as ``{"en": ..., "zh": ...}``.
    ``max_args=None`` takes any number; ``constant_args`` lists argument positions that must be
    written as plain numbers.
    """


@hookspec
def register_outputs(register) -> None:
    """Add output formats.

    ``register(name, write, *, description, params=None, extension, streams=False)``

    ``write(result, stream, params)``: write an ``govscore.engine.result.Result`` to the binary ``stream``.
    The engine opens the stream: a temporary file it renames into place only after ``write``
    returns, or standard output for ``-``. An output registered with ``streams=True`` reads the units
    only through ``result.parts()``, Results of some units each, one after another (in memory, the
    whole result; out of core, each block with its ranks over every unit), and ``result.size``,
    ``ruleset``, ``meta`` and ``diagnostics``; only such outputs can be written by a run out of core.
    """
