"""Built-in outlier treatment: the rule of the OECD/JRC Handbook as COINr applies it by default.

An indicator passes when |skewness| < 2 or kurtosis < 3.5 (sample formulas, as in
``engine.statistics``). One that fails is winsorised one step at a time, on the side the
skewness points to (every unit at the extreme value takes the next value in), until it passes or
``winmax`` steps were taken; if it still fails, the original values are log-transformed instead:
ln(x − min + 0.01·(max − min)).
"""

from __future__ import annotations

import numpy as np

from govscore.engine.hookspecs import hookimpl
from govscore.engine.statistics import kurtosis, skewness


def _passes(x, skew_limit, kurt_limit):
    skew, kurt = skewness(x), kurtosis(x)
    return bool(np.isnan(skew) or abs(skew) < skew_limit or kurt < kurt_limit), skew, kurt


def winsorise_log(x, params, indicator):
    winmax = params.get("winmax", 5)
    skew_limit, kurt_limit = params.get("skew", 2.0), params.get("kurtosis", 3.5)
    ok, skew0, kurt0 = _passes(x, skew_limit, kurt_limit)
    points = np.full(len(x), None, dtype=object)
    details = {"skew_before": skew0, "kurtosis_before": kurt0, "winsorised": 0, "log": False, "points": points}
    if ok:
        return x, {**details, "passed_before": True}
    y = x.copy()
    for step in range(winmax):
        present = y[~np.isnan(y)]
        high = skewness(y) > 0
        extreme = present.max() if high else present.min()
        inner = present[present != extreme]
        if len(inner) == 0:
            break
        hit = y == extreme
        y = np.where(hit, inner.max() if high else inner.min(), y)
        points[hit] = "winsorised high" if high else "winsorised low"
        details["winsorised"] = step + 1
        ok, skew, kurt = _passes(y, skew_limit, kurt_limit)
        if ok:
            return y, {**details, "passed_before": False, "skew_after": skew, "kurtosis_after": kurt}
    if not params.get("log", True):
        return y, {**details, "passed_before": False, "skew_after": skewness(y), "kurtosis_after": kurtosis(y)}
    low, high = np.nanmin(x), np.nanmax(x)
    logged = np.log(x - low + 0.01 * (high - low))
    points = np.where(np.isnan(x), None, "log").astype(object)
    return logged, {**details, "winsorised": 0, "log": True, "points": points, "passed_before": False,
                    "skew_after": skewness(logged), "kurtosis_after": kurtosis(logged)}


@hookimpl
def register_treatments(register):
    register("winsorise_log", winsorise_log, title={"en": "Winsorising, then log", "zh": "缩尾与对数变换"}, params={
        "type": "object", "additionalProperties": False, "properties": {
            "winmax": {"type": "integer", "minimum": 0, "default": 5,
                       "description": "The most winsorisation steps before falling back to the log transform."},
            "skew": {"type": "number", "exclusiveMinimum": 0, "default": 2,
                     "description": "Passing needs |skewness| below this (or kurtosis below its limit)."},
            "kurtosis": {"type": "number", "default": 3.5, "description": "Passing needs kurtosis below this (or |skewness| below its limit)."},
            "log": {"type": "boolean", "default": True,
                    "description": "Log-transform the original values when winsorising does not make the indicator pass."}}},
        description={"en": "Outlier treatment (JRC rule, as COINr): winsorise up to winmax points while |skew| ≥ 2 and "
                    "kurtosis ≥ 3.5, else log-transform.",
                    "zh": "异常值处理（JRC 规则，与 COINr 相同）：当 |偏度| ≥ 2 且峰度 ≥ 3.5 时，最多缩尾 winmax 个点，否则取对数。"})
