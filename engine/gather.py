"""Statistics of whole columns, gathered block by block: what lets a method run out of core.

A method that needs a statistic of a whole column (the lowest value, the mean, the correlations of
a node's children) is written as :class:`Gathered`: *steps* that each gather mergeable statistics
from one block of units, knowing what the earlier steps found over every block, then an *apply*
that uses them on a block. In memory the whole column is one block, and the method is an ordinary
function of its arguments. Out of core, the engine runs each step over every block and merges what
they gather (:class:`Passes`) before it applies the method block by block. A method with no steps
is row-wise: a unit's value depends only on its own row.

The statistics merge exactly (counts, extremes) or as a pairwise sum does (sums; means and
co-moments by the updating formulas of Chan, Golub & LeVeque 1983), so that results out of core
agree with those in memory to the last few digits. Over one block, each column is summed pairwise
(column_sums), which keeps the sum of a million values to about 1e-16 of it whatever the order.
"""

from __future__ import annotations

import threading
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


def column_sums(x: np.ndarray):
    """Each column's sum, added pairwise as numpy adds up one column: summed down the rows of a matrix at once,
    numpy adds row after row, which over a million rows loses digits (1e-14 of the sum, where pairwise keeps
    1e-16) and makes sums in memory and over blocks disagree."""
    if x.ndim < 2:
        return x.sum()
    return np.array([x[:, j].sum() for j in range(x.shape[1])], dtype=np.result_type(x.dtype, np.float64))


class Extremes:
    """The lowest and highest value of each column (NaN left out; NaN for a column with no value)."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @classmethod
    def of(cls, x: np.ndarray) -> Extremes:
        if not len(x):
            nothing = np.full(x.shape[1:], np.nan) if x.ndim > 1 else np.nan
            return cls(nothing, nothing)
        lo, hi = x.min(axis=0), x.max(axis=0)
        if np.isnan(lo).any():  # nan-aware only when needed
            with warnings.catch_warnings():  # a column with no value at all: NaN, said by whoever uses it
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        return cls(lo, hi)

    def merge(self, other: Extremes) -> Extremes:
        return Extremes(np.fmin(self.lo, other.lo), np.fmax(self.hi, other.hi))


class Sums:
    """How many rows, and the sum of each column over them."""

    def __init__(self, count: int, total):
        self.count, self.total = count, total

    @classmethod
    def of(cls, x: np.ndarray) -> Sums:
        return cls(len(x), column_sums(x))

    @classmethod
    def present(cls, x: np.ndarray) -> Sums:
        """The values that are not NaN: how many, and their sum as numpy's nansum and nanmean take it."""
        return cls(int(np.count_nonzero(~np.isnan(x))), np.nansum(x))

    def merge(self, other: Sums) -> Sums:
        return Sums(self.count + other.count, self.total + other.total)

    @property
    def mean(self):
        return self.total / self.count


def _pooled(a, b):
    """Two parts' count and mean together, the difference of their means, and the weight n_a·n_b/n with which
    it adds to the sums of squared deviations (Chan, Golub & LeVeque)."""
    n = a.count + b.count
    delta = b.mean - a.mean
    return n, a.mean + delta * (b.count / n), delta, a.count * b.count / n


class Moments:
    """How many rows, each column's mean, and its sum of squared deviations from the mean."""

    def __init__(self, count: int, mean, m2):
        self.count, self.mean, self.m2 = count, mean, m2

    @classmethod
    def of(cls, x: np.ndarray) -> Moments:
        if not len(x):
            return cls(0, np.zeros(x.shape[1:]) if x.ndim > 1 else 0.0, np.zeros(x.shape[1:]) if x.ndim > 1 else 0.0)
        mean = column_sums(x) / len(x)
        d = x - mean
        return cls(len(x), mean, column_sums(np.multiply(d, d)))

    def merge(self, other: Moments) -> Moments:
        if not (self.count and other.count):
            return self if self.count else other
        n, mean, delta, weight = _pooled(self, other)
        return Moments(n, mean, self.m2 + other.m2 + delta * delta * weight)

    def std(self, ddof: int = 1):
        return np.sqrt(self.m2 / (self.count - ddof))


class CoMoments:
    """How many rows, the mean of each column, and the matrix of co-moments Σ (x_j − m_j)(x_k − m_k)."""

    def __init__(self, count: int, mean: np.ndarray, c: np.ndarray):
        self.count, self.mean, self.c = count, mean, c

    @classmethod
    def of(cls, x: np.ndarray) -> CoMoments:
        k = x.shape[1]
        if not len(x):
            return cls(0, np.zeros(k), np.zeros((k, k)))
        mean = column_sums(x) / len(x)
        d = x - mean
        return cls(len(x), mean, d.T @ d)

    def merge(self, other: CoMoments) -> CoMoments:
        if not (self.count and other.count):
            return self if self.count else other
        n, mean, delta, weight = _pooled(self, other)
        return CoMoments(n, mean, self.c + other.c + np.outer(delta, delta) * weight)

    def std(self, ddof: int = 1) -> np.ndarray:
        return np.sqrt(np.diag(self.c) / (self.count - ddof))

    def correlation(self) -> np.ndarray:
        """Pearson's correlations, computed as numpy's corrcoef computes them (NaN for a constant column)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            r = self.c * np.true_divide(1, self.count - 1)
            sd = np.sqrt(np.diag(r))
            r /= sd[:, None]
            r /= sd[None, :]
        return np.clip(r, -1, 1)


class Histogram:
    """How many values fall in each of ``len(counts)`` equal bins from ``lo`` to ``hi`` (the top bin takes ``hi``)."""

    def __init__(self, counts: np.ndarray):
        self.counts = counts

    @staticmethod
    def bins(x: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
        """Each value's bin: the same formula in every block, so a value falls in the same bin wherever it is."""
        if not hi > lo:
            return np.zeros(len(x), dtype=np.int64)
        return np.clip(((x - lo) * (bins / (hi - lo))).astype(np.int64), 0, bins - 1)

    @classmethod
    def of(cls, x: np.ndarray, lo: float, hi: float, bins: int) -> Histogram:
        return cls(np.bincount(cls.bins(x, lo, hi, bins), minlength=bins))

    def merge(self, other: Histogram) -> Histogram:
        return Histogram(self.counts + other.counts)


class Distinct:
    """The distinct values met, sorted, and how many times each."""

    def __init__(self, values: np.ndarray, counts: np.ndarray):
        self.values, self.counts = values, counts

    @classmethod
    def of(cls, x: np.ndarray) -> Distinct:
        values, counts = np.unique(x, return_counts=True)
        return cls(values, counts)

    def merge(self, other: Distinct) -> Distinct:
        values, where = np.unique(np.concatenate([self.values, other.values]), return_inverse=True)
        return Distinct(values, np.bincount(where, weights=np.concatenate([self.counts, other.counts]).astype(float),
                                            minlength=len(values)).astype(np.int64))


class Shape:
    """How many values, their mean, and the sums of the 2nd, 3rd and 4th powers of their deviations from it:
    what skewness and kurtosis need (merged by the updates of Pébay 2008)."""

    def __init__(self, count: int, mean: float, m2: float, m3: float, m4: float):
        self.count, self.mean, self.m2, self.m3, self.m4 = count, mean, m2, m3, m4

    @classmethod
    def of(cls, x: np.ndarray) -> Shape:
        if not len(x):
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        mean = float(x.sum()) / len(x)
        d = x - mean
        d2 = d * d
        return cls(len(x), mean, float(d2.sum()), float((d2 * d).sum()), float((d2 * d2).sum()))

    def merge(self, other: Shape) -> Shape:
        a, b = self, other
        if not (a.count and b.count):
            return a if a.count else b
        n, mean, delta, weight = _pooled(a, b)
        m2 = a.m2 + b.m2 + delta ** 2 * weight
        m3 = (a.m3 + b.m3 + delta ** 3 * weight * (a.count - b.count) / n
              + 3 * delta * (a.count * b.m2 - b.count * a.m2) / n)
        m4 = (a.m4 + b.m4 + delta ** 4 * weight * (a.count ** 2 - a.count * b.count + b.count ** 2) / n ** 2
              + 6 * delta ** 2 * (a.count ** 2 * b.m2 + b.count ** 2 * a.m2) / n ** 2 + 4 * delta * (a.count * b.m3 - b.count * a.m3) / n)
        return Shape(n, mean, m2, m3, m4)


class Tails:
    """The ``k`` lowest and ``k`` highest distinct values, with how many times each occurs."""

    def __init__(self, low: Distinct, high: Distinct, k: int):
        self.low, self.high, self.k = low, high, k

    @classmethod
    def of(cls, x: np.ndarray, k: int) -> Tails:
        every = Distinct.of(x)
        return cls(Distinct(every.values[:k], every.counts[:k]), Distinct(every.values[-k:], every.counts[-k:]), k)

    def merge(self, other: Tails) -> Tails:
        low, high = self.low.merge(other.low), self.high.merge(other.high)
        return Tails(Distinct(low.values[:self.k], low.counts[:self.k]), Distinct(high.values[-self.k:], high.counts[-self.k:]),
                     self.k)

    def known(self) -> dict:
        """The values the tails hold, with their counts (a value in both once)."""
        return {**dict(zip(self.low.values.tolist(), self.low.counts.tolist())),
                **dict(zip(self.high.values.tolist(), self.high.counts.tolist()))}


class Least:
    """The ``k`` rows with the least value (all of them when ``k`` is None), in order of value and, among equal
    values, in the order met (as a stable sort of the whole column), with what else each row carries."""

    def __init__(self, values: np.ndarray, carried: dict, k: int | None):
        self.values, self.carried, self.k = values, carried, k

    @classmethod
    def of(cls, values: np.ndarray, k: int | None = None, **carried) -> Least:
        order = np.argsort(values, kind="stable")[:k]
        return cls(values[order], {name: np.asarray(c)[order] for name, c in carried.items()}, k)

    def merge(self, other: Least) -> Least:
        values = np.concatenate([self.values, other.values])
        order = np.argsort(values, kind="stable")[:self.k]
        return Least(values[order], {name: np.concatenate([c, other.carried[name]])[order] for name, c in self.carried.items()},
                     self.k)


class Sorted:
    """The values present, sorted: one run per block, which merging only lists (each run sorted and on disk
    once spilled out of core, so that no more than a block's values are held). How many values lie below a
    value is summed over the runs; over one run that is still in memory (a whole column, in memory) it is
    the column itself."""

    def __init__(self, runs: list, count: int):
        self.runs, self.count = runs, count  # each run a sorted array, or the Path of one spilled

    @classmethod
    def of(cls, x: np.ndarray) -> Sorted:
        present = x[~np.isnan(x)]  # sorted only when spilled or counted: in memory, ranks come from the column itself
        return cls([present], len(present))

    def merge(self, other: Sorted) -> Sorted:
        return Sorted(self.runs + other.runs, self.count + other.count)

    @property
    def whole(self) -> bool:
        """Whether the values are one run held in memory: a whole column's, gathered in memory."""
        return len(self.runs) == 1 and isinstance(self.runs[0], np.ndarray)

    def spill(self, folder: Path) -> Sorted:
        """The runs held in memory written to files in ``folder``."""
        runs = []
        for run in self.runs:
            if isinstance(run, np.ndarray):
                path = folder / f"sorted-{uuid.uuid4().hex}.f8"
                np.sort(run).astype("<f8", copy=False).tofile(path)
                run = path
            runs.append(run)
        return Sorted(runs, self.count)

    def counts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each value of x, how many values lie below it, and how many at most it."""
        below, upto = np.zeros(len(x), dtype=np.int64), np.zeros(len(x), dtype=np.int64)
        for run in self.runs:
            values = np.sort(run) if isinstance(run, np.ndarray) else np.fromfile(run, dtype="<f8")
            below += np.searchsorted(values, x, side="left")
            upto += np.searchsorted(values, x, side="right")
        return below, upto


def merge_found(a: dict, b: dict) -> dict:
    """Two blocks' statistics of the same step, merged name by name."""
    return {name: a[name].merge(b[name]) if name in a else b[name] for name in {**a, **b}}


@dataclass(frozen=True)
class Gathered:
    """A method in two parts: ``steps``, each ``step(*args, found, **keywords) -> {name: statistic}`` over
    one block (``found``: what the earlier steps gathered over every block), and ``apply(*args, found,
    **keywords)``. Called as a function, it runs every step on the arguments as one block, then applies.
    The keywords are those a kind offers to the methods that name them (an aggregator's ``units``): the
    apply's signature says which it takes, and every step takes them too."""

    apply: Callable
    steps: tuple[Callable, ...] = ()
    refuses: Callable | None = None  # params -> why these parameters cannot run out of core (None: they can)

    def __call__(self, *args, **keywords):
        found: dict = {}
        for step in self.steps:
            found.update(step(*args, found, **keywords))
        return self.apply(*args, found, **keywords)


# The median of the values present, exactly, in four steps that hold little whatever the number of values:
# their range; a histogram of it; a finer histogram of the bins that hold the middle values; and the
# distinct values of the finer bins that hold them. As numpy's median: the mean of the two middle values
# of an even number of them. Each histogram has as many bins as there are values, rounded up to a power of
# two (from 256 to MEDIAN_BINS), so that the median of a small group (impute_group_median) holds little too.
MEDIAN_BINS = 1 << 16


def _bins(found) -> int:
    return int(min(MEDIAN_BINS, max(256, 1 << int(max(found["count"].count, 1) - 1).bit_length())))


def _median_range(x, found):
    present = x[~np.isnan(x)]
    return {"range": Extremes.of(present), "count": Sums(len(present), 0.0)}


def _middle_ranks(found) -> tuple[int, int]:
    n = found["count"].count
    return (n - 1) // 2, n // 2


def _bins_holding(counts: np.ndarray, ranks: tuple[int, int], below: int = 0) -> tuple[int, int]:
    """The first and last bin holding the values of these ranks (from 0, counting ``below`` values before the bins)."""
    upto = np.cumsum(counts) + below
    return int(np.searchsorted(upto, ranks[0], side="right")), int(np.searchsorted(upto, ranks[1], side="right"))


def _coarse(x, found):
    lo, hi = found["range"].lo, found["range"].hi
    present = x[~np.isnan(x)]
    return present, Histogram.bins(present, lo, hi, _bins(found))


def _median_coarse(x, found):
    present, bins = _coarse(x, found)
    return {"coarse": Histogram(np.bincount(bins, minlength=_bins(found)))}


def _fine_range(found) -> tuple[int, int, float, float]:
    """The coarse bins holding the middle values, and the range of values they span."""
    lo, hi = found["range"].lo, found["range"].hi
    first, last = _bins_holding(found["coarse"].counts, _middle_ranks(found))
    width = (hi - lo) / _bins(found)
    return first, last, lo + first * width, lo + (last + 1) * width


def _in_coarse(x, found):
    present, bins = _coarse(x, found)
    first, last, flo, fhi = _fine_range(found)
    inside = present[(bins >= first) & (bins <= last)]
    return inside, Histogram.bins(inside, flo, fhi, _bins(found))


def _median_fine(x, found):
    inside, fine = _in_coarse(x, found)
    return {"fine": Histogram(np.bincount(fine, minlength=_bins(found)))}


def _fine_bins(found) -> tuple[int, int, int]:
    """The fine bins holding the middle values, and how many values lie below them."""
    first, _, _, _ = _fine_range(found)
    below = int(found["coarse"].counts[:first].sum())
    f1, f2 = _bins_holding(found["fine"].counts, _middle_ranks(found), below)
    return f1, f2, below + int(found["fine"].counts[:f1].sum())


def _median_values(x, found):
    inside, fine = _in_coarse(x, found)
    f1, f2, _ = _fine_bins(found)
    return {"middle": Distinct.of(inside[(fine >= f1) & (fine <= f2)])}


def _median(x, found):
    if not found["count"].count:
        return np.nan
    *_, below = _fine_bins(found)
    middle = found["middle"]
    upto = np.cumsum(middle.counts) + below
    a, b = (middle.values[np.searchsorted(upto, k, side="right")] for k in _middle_ranks(found))
    return a if a == b else (a + b) / 2


def gathered(*steps: Callable, apply: Callable, refuses: Callable | None = None) -> Gathered:
    """A method that gathers statistics over every block before it applies; with no steps, a row-wise one.
    ``refuses(params)``: why the method cannot run out of core with these parameters (a Both), or None."""
    return Gathered(apply, tuple(steps), refuses)


def row_wise(apply: Callable) -> Gathered:
    """A method whose value for a unit depends only on that unit's row (and its parameters)."""
    return Gathered(lambda *args, **keywords: apply(*args[:-1], **keywords))


class NotYet(Exception):
    """A block's values need statistics that this pass over the data is still gathering."""


@dataclass(frozen=True)
class Step:
    """What one pass gathered of a method's step ``index``, merged over the blocks seen."""

    index: int
    found: dict

    def merge(self, other: Step) -> Step:
        return Step(self.index, merge_found(self.found, other.found))


class Passes:
    """What passes over the data have found, out of core. Each method (by key) gathers its next step
    over every block of one pass; once every step is done, it is applied. A step that gathers nothing
    (its parameters ask for nothing: grey relational analysis against a declared reference) costs no pass."""

    def __init__(self, scratch: Path | None = None):
        self.known: dict = {}  # key -> (steps done, statistics)
        self.gathering: dict = {}  # key -> this pass's Step
        self.lock = threading.Lock()
        self.scratch = scratch  # where statistics that hold a block's values (Sorted) spill them

    def _spilled(self, part: dict) -> dict:
        if self.scratch is None:
            return part
        self.scratch.mkdir(exist_ok=True)
        return {name: statistic.spill(self.scratch) if hasattr(statistic, "spill") else statistic
                for name, statistic in part.items()}

    def run(self, key, method: Gathered, args: tuple, keywords: dict | None = None):
        """``method`` applied to a block, or NotYet after gathering the block's part of its next step."""
        keywords = keywords or {}
        done, found = self.known.get(key, (0, {}))
        while done < len(method.steps):
            part = method.steps[done](*args, found, **keywords)
            if part:
                step = Step(done, self._spilled(part))
                with self.lock:
                    self.gathering[key] = self.gathering[key].merge(step) if key in self.gathering else step
                raise NotYet(key)
            done += 1
        return method.apply(*args, found, **keywords)

    def finish_pass(self) -> bool:
        """Take in what this pass gathered; False when it gathered nothing (every method is applied)."""
        if not self.gathering:
            return False
        for key, step in self.gathering.items():
            self.known[key] = (step.index + 1, {**self.known.get(key, (0, {}))[1], **step.found})
        self.gathering = {}
        return True


MEDIAN = gathered(_median_range, _median_coarse, _median_fine, _median_values, apply=_median)
