"""Built-in formula functions. Each runs once over whole columns; arguments are arrays (one value
per unit) or plain numbers. Missing values (NaN) pass through unless a function says otherwise."""

from __future__ import annotations

import numpy as np

from govscore.engine.hookspecs import hookimpl
from govscore.engine.ranking import round_values


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
    # name, function, min args, max args, description, domain (what a non-finite result means),
    # the last two in both languages
    ("min", _elementwise(np.minimum), 2, None,
     {"en": "min(a, b, ...): the smallest, unit by unit", "zh": "min(a, b, ...)：逐个单位取最小值"}, ""),
    ("max", _elementwise(np.maximum), 2, None,
     {"en": "max(a, b, ...): the largest, unit by unit", "zh": "max(a, b, ...)：逐个单位取最大值"}, ""),
    ("abs", np.abs, 1, 1, {"en": "abs(x): the absolute value", "zh": "abs(x)：绝对值"}, ""),
    ("sqrt", np.sqrt, 1, 1, {"en": "sqrt(x): the square root", "zh": "sqrt(x)：平方根"},
     {"en": "sqrt needs a number of 0 or more", "zh": "sqrt 需要不小于 0 的数"}),
    ("log", np.log, 1, 1, {"en": "log(x): the natural logarithm", "zh": "log(x)：自然对数"},
     {"en": "log needs a number above 0", "zh": "log 需要大于 0 的数"}),
    ("log10", np.log10, 1, 1, {"en": "log10(x): the base-10 logarithm", "zh": "log10(x)：以 10 为底的对数"},
     {"en": "log10 needs a number above 0", "zh": "log10 需要大于 0 的数"}),
    ("exp", np.exp, 1, 1, {"en": "exp(x): e to the power x", "zh": "exp(x)：e 的 x 次方"},
     {"en": "exp overflows: x is too large", "zh": "exp 溢出：x 过大"}),
    ("clip", np.clip, 3, 3, {"en": "clip(x, lower, upper): x kept within lower and upper",
                             "zh": "clip(x, lower, upper)：把 x 限制在 lower 与 upper 之间"}, ""),
    ("coalesce", coalesce, 2, None, {"en": "coalesce(a, b, ...): the first value that is not missing",
                                     "zh": "coalesce(a, b, ...)：第一个不缺失的值"}, ""),
    ("is_missing", lambda x: np.isnan(np.asarray(x, dtype=float)).astype(float), 1, 1,
     {"en": "is_missing(x): 1 where x is missing, else 0", "zh": "is_missing(x)：x 缺失时为 1，否则为 0"}, ""),
    ("col_mean", _column(np.mean), 1, 1, {"en": "col_mean(x): the mean of x over all units (missing left out)",
                                          "zh": "col_mean(x)：x 在所有单位上的均值（不计缺失值）"}, ""),
    ("col_median", _column(np.median), 1, 1, {"en": "col_median(x): the median of x over all units",
                                              "zh": "col_median(x)：x 在所有单位上的中位数"}, ""),
    ("col_sum", _column(np.sum), 1, 1, {"en": "col_sum(x): the sum of x over all units",
                                        "zh": "col_sum(x)：x 在所有单位上的总和"}, ""),
    ("col_std", _column(lambda v: v.std(ddof=1) if len(v) > 1 else np.nan), 1, 1,
     {"en": "col_std(x): the sample standard deviation of x over all units", "zh": "col_std(x)：x 在所有单位上的样本标准差"}, ""),
    ("col_min", _column(np.min), 1, 1, {"en": "col_min(x): the smallest x of all units",
                                        "zh": "col_min(x)：x 在所有单位中的最小值"}, ""),
    ("col_max", _column(np.max), 1, 1, {"en": "col_max(x): the largest x of all units",
                                        "zh": "col_max(x)：x 在所有单位中的最大值"}, ""),
]


def round_half_up(x, digits):
    """Digits beyond what a float holds change nothing (more than 15) or leave 0 (fewer than −150, as
    values are within ±1e150); the formula's compiler has already refused an infinite ``digits``."""
    x = np.asarray(x, dtype=float)
    digits = int(digits)
    if digits > 15:
        return x
    if digits < -150:
        return np.where(np.isnan(x), np.nan, 0.0)
    return round_values(x, digits)


@hookimpl
def register_functions(register):
    for name, func, min_args, max_args, description, domain in FUNCTIONS:
        register(name, func, description=description, min_args=min_args, max_args=max_args, domain=domain,
                 **({"whole_columns": True} if name.startswith("col_") else {}))
    register("round", round_half_up, description={"en": "round(x, digits): rounded half up (0.5 goes up), digits a plain number",
                                                  "zh": "round(x, digits)：四舍五入（0.5 向上），digits 须为普通数字"},
             min_args=2, max_args=2, constant_args=(1,))
