"""Built-in formula functions. Each runs once over whole columns; arguments are arrays (one value
per unit) or plain numbers. Missing values (NaN) pass through unless a function says otherwise."""

from __future__ import annotations

import numpy as np

from engine.hookspecs import hookimpl
from engine.ranking import round_values


def _elementwise(reduce):
    def f(*args):
        return reduce.reduce(np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args]))
    return f


def coalesce(*args):
    out = np.asarray(args[0], dtype=float)
    for a in args[1:]:
        out = np.where(np.isnan(out), a, out)
    return out


def _column(stat):
    def f(x):
        x = np.asarray(x, dtype=float)
        present = x[~np.isnan(x)] if x.ndim else np.array([x])
        return stat(present) if len(present) else np.nan
    return f


FUNCTIONS = [
    # name, function, min args, max args, description, domain (what a non-finite result means, in both languages)
    ("min", _elementwise(np.minimum), 2, None, "min(a, b, ...): the smallest, unit by unit", ""),
    ("max", _elementwise(np.maximum), 2, None, "max(a, b, ...): the largest, unit by unit", ""),
    ("abs", np.abs, 1, 1, "abs(x): the absolute value", ""),
    ("sqrt", np.sqrt, 1, 1, "sqrt(x): the square root", {"en": "sqrt needs a number of 0 or more", "zh": "sqrt 需要不小于 0 的数"}),
    ("log", np.log, 1, 1, "log(x): the natural logarithm", {"en": "log needs a number above 0", "zh": "log 需要大于 0 的数"}),
    ("log10", np.log10, 1, 1, "log10(x): the base-10 logarithm", {"en": "log10 needs a number above 0", "zh": "log10 需要大于 0 的数"}),
    ("exp", np.exp, 1, 1, "exp(x): e to the power x", {"en": "exp overflows: x is too large", "zh": "exp 溢出：x 过大"}),
    ("clip", np.clip, 3, 3, "clip(x, lower, upper): x kept within lower and upper", ""),
    ("coalesce", coalesce, 2, None, "coalesce(a, b, ...): the first value that is not missing", ""),
    ("is_missing", lambda x: np.isnan(np.asarray(x, dtype=float)).astype(float), 1, 1,
     "is_missing(x): 1 where x is missing, else 0", ""),
    ("col_mean", _column(np.mean), 1, 1, "col_mean(x): the mean of x over all units (missing left out)", ""),
    ("col_median", _column(np.median), 1, 1, "col_median(x): the median of x over all units", ""),
    ("col_sum", _column(np.sum), 1, 1, "col_sum(x): the sum of x over all units", ""),
    ("col_std", _column(lambda v: v.std(ddof=1) if len(v) > 1 else np.nan), 1, 1,
     "col_std(x): the sample standard deviation of x over all units", ""),
    ("col_min", _column(np.min), 1, 1, "col_min(x): the smallest x of all units", ""),
    ("col_max", _column(np.max), 1, 1, "col_max(x): the largest x of all units", ""),
]


def round_half_up(x, digits):
    return round_values(np.asarray(x, dtype=float), int(digits))


@hookimpl
def register_functions(register):
    for name, func, min_args, max_args, description, domain in FUNCTIONS:
        register(name, func, description=description, min_args=min_args, max_args=max_args, domain=domain)
    register("round", round_half_up, description="round(x, digits): rounded half up (0.5 goes up), digits a plain number",
             min_args=2, max_args=2, constant_args=(1,))
