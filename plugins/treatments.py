"""Built-in outlier treatment: the rule of the OECD/JRC Handbook as COINr applies it by default.

An indicator passes when |skewness| < 2 or kurtosis < 3.5 (sample formulas, as in
``engine.statistics``). One that fails is winsorised one step at a time, on the side the
skewness points to (every unit at the extreme value takes the next value in), until it passes or
``winmax`` steps were taken; if it still fails, the original values are log-transformed instead:
ln(x − min + 0.01·(max − min)).
"""

from __future__ import annotations

import numpy as np

from govscore.engine.gather import Extremes, Shape, Tails, gathered
from govscore.engine.hookspecs import hookimpl
from govscore.engine.statistics import kurtosis, kurtosis_of, skewness, skewness_of


def _passes(skew, kurt, skew_limit, kurt_limit) -> bool:
    return bool(np.isnan(skew) or abs(skew) < skew_limit or kurt < kurt_limit)


def _winsorise_log(x, params, indicator):
    """The rule on a whole column at hand, as COINr applies it."""
    winmax = params.get("winmax", 5)
    skew_limit, kurt_limit = params.get("skew", 2.0), params.get("kurtosis", 3.5)
    skew0, kurt0 = skewness(x), kurtosis(x)
    points = np.full(len(x), None, dtype=object)
    details = {"skew_before": skew0, "kurtosis_before": kurt0, "winsorised": 0, "log": False, "points": points}
    if _passes(skew0, kurt0, skew_limit, kurt_limit):
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
        skew, kurt = skewness(y), kurtosis(y)
        if _passes(skew, kurt, skew_limit, kurt_limit):
            return y, {**details, "passed_before": False, "skew_after": skew, "kurtosis_after": kurt}
    if not params.get("log", True):
        return y, {**details, "passed_before": False, "skew_after": skewness(y), "kurtosis_after": kurtosis(y)}
    logged = _logged(x, np.nanmin(x), np.nanmax(x))
    points = np.where(np.isnan(x), None, "log").astype(object)
    return logged, {**details, "winsorised": 0, "log": True, "points": points, "passed_before": False,
                    "skew_after": skewness(logged), "kurtosis_after": kurtosis(logged)}


def _logged(x, low, high):
    return np.log(x - low + 0.01 * (high - low))


# Out of core the same rule is planned from what is gathered over every block: the extremes and the winmax + 1
# lowest and highest distinct values (with their counts), then the shape of the column (its moments about
# the mean, the values rescaled to [-1, 1] so that fourth powers cannot overflow) between the ends. Each
# winsorising step moves the units at one end to the next value in, and the column's moments are the
# middle's merged with the ends' values; the steps are then applied to each block as they are to the whole
# column in memory.

class Ends:
    """A column's extremes and its k lowest and highest distinct values, with their counts. A block's own
    keeps the block's values instead, so that over one block (a whole column, in memory) the rule runs on
    them as it always has; they are summed up when two blocks merge."""

    def __init__(self, values, range_: Extremes | None, tails: Tails | None, k: int):
        self.values, self._range, self._tails, self.k = values, range_, tails, k

    @classmethod
    def of(cls, x: np.ndarray, k: int) -> Ends:
        return cls(x[~np.isnan(x)], None, None, k)

    @property
    def whole(self) -> bool:
        return self.values is not None

    @property
    def range(self) -> Extremes:
        return self._range if self.values is None else Extremes.of(self.values)

    @property
    def tails(self) -> Tails:
        return self._tails if self.values is None else Tails.of(self.values, self.k)

    def merge(self, other: Ends) -> Ends:
        return Ends(None, self.range.merge(other.range), self.tails.merge(other.tails), self.k)


def _ends_of(x, params, indicator, found):
    return {"ends": Ends.of(x, params.get("winmax", 5) + 1)}


def _centre(found) -> tuple[float, float]:
    extremes = found["ends"].range
    return (extremes.lo + extremes.hi) / 2, ((extremes.hi - extremes.lo) / 2) or 1.0


def _middle_of(x, params, indicator, found):
    """The shape of the values between the ends (those the tails do not hold), which winsorising never moves."""
    if found["ends"].whole:
        return {}
    centre, half = _centre(found)
    present = x[~np.isnan(x)]
    return {"middle": Shape.of((present[~np.isin(present, list(found["ends"].tails.known()))] - centre) / half)}


class _Plan:
    """The rule followed on the gathered statistics: the values at the ends as the units move, and the shape of
    the column as the middle's merged with them (no large part is taken away, so no digit is lost)."""

    def __init__(self, params, found):
        self.centre, self.half = _centre(found)
        self.middle = found["middle"]
        self.values = found["ends"].tails.known()  # the values at the ends, as they now are, with their counts

    def skew_kurt(self) -> tuple[float, float]:
        shape = self.middle
        for value, count in self.values.items():
            shape = shape.merge(Shape(count, (value - self.centre) / self.half, 0.0, 0.0, 0.0))
        n = shape.count
        return skewness_of(n, shape.m2 / n, shape.m3 / n), kurtosis_of(n, shape.m2 / n, shape.m4 / n)

    def move(self, high: bool):
        """The units at the high (or low) end moved to the next value in; None when every unit is at that value."""
        extreme = max(self.values) if high else min(self.values)
        inner = [v for v in self.values if (v < extreme if high else v > extreme)]
        if not inner:
            return None
        to = max(inner) if high else min(inner)
        self.values[to] += self.values.pop(extreme)
        return extreme, to


def _logged_shape_of(x, params, indicator, found):
    if found["ends"].whole or not _planned(params, found)["log"]:
        return {}
    extremes = found["ends"].range
    return {"logged": Shape.of(_logged(x[~np.isnan(x)], extremes.lo, extremes.hi))}


def _planned(params, found) -> dict:
    winmax = params.get("winmax", 5)
    skew_limit, kurt_limit = params.get("skew", 2.0), params.get("kurtosis", 3.5)
    plan = _Plan(params, found)
    skew0, kurt0 = plan.skew_kurt()
    out = {"skew_before": skew0, "kurtosis_before": kurt0, "steps": [], "log": False, "passed_before": True}
    if _passes(skew0, kurt0, skew_limit, kurt_limit):
        return out
    out["passed_before"] = False
    skew = skew0
    for _ in range(winmax):
        high = skew > 0
        moved = plan.move(high)
        if moved is None:
            break
        out["steps"].append((*moved, "winsorised high" if high else "winsorised low"))
        skew, kurt = plan.skew_kurt()
        if _passes(skew, kurt, skew_limit, kurt_limit):
            return {**out, "skew_after": skew, "kurtosis_after": kurt}
    if not params.get("log", True):
        skew, kurt = plan.skew_kurt()
        return {**out, "skew_after": skew, "kurtosis_after": kurt}
    return {**out, "log": True}


def _apply(x, params, indicator, found):
    if found["ends"].whole:
        return _winsorise_log(x, params, indicator)
    plan = _planned(params, found)
    details = {"skew_before": plan["skew_before"], "kurtosis_before": plan["kurtosis_before"], "winsorised": 0, "log": False,
               "passed_before": plan["passed_before"]}
    if plan["passed_before"]:
        return x, {**details, "points": np.full(len(x), None, dtype=object)}
    if plan["log"]:
        logged, extremes = found["logged"], found["ends"].range
        return _logged(x, extremes.lo, extremes.hi), {
            **details, "log": True, "points": np.where(np.isnan(x), None, "log").astype(object),
            "skew_after": skewness_of(logged.count, logged.m2 / logged.count, logged.m3 / logged.count),
            "kurtosis_after": kurtosis_of(logged.count, logged.m2 / logged.count, logged.m4 / logged.count)}
    y, points = x.copy(), np.full(len(x), None, dtype=object)
    for extreme, to, label in plan["steps"]:
        hit = y == extreme
        y[hit] = to
        points[hit] = label
    return y, {**details, "winsorised": len(plan["steps"]), "points": points, "skew_after": plan["skew_after"],
               "kurtosis_after": plan["kurtosis_after"]}


winsorise_log = gathered(_ends_of, _middle_of, _logged_shape_of, apply=_apply)


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
