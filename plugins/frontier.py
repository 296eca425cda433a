"""The efficient frontier of the DEA family: each unit's radial efficiency against a set of reference
units, and the units that span the frontier gathered block by block, so that DEA runs out of core.

Dropping a unit whose radial efficiency is below 1 leaves the production possibility set as it is
(it lies inside the set the others span), under any returns to scale (Ali 1993; Dulá & Thrall 2001,
who call the units left the frontier's generators). So every unit's efficiency, slacks and targets
measured against the units on the frontier are those measured against all units; a run out of core
finds them first (each block's units, with those found so far, sorted out; :class:`Frontier`), then
measures every block against them.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from govscore.plugins.lp import Envelopment


class Radial(NamedTuple):
    score: np.ndarray  # input oriented θ, output oriented 1/φ
    weights: np.ndarray  # each unit's output multipliers u
    lambda_sum: np.ndarray  # Σ λ of each unit's optimal solution
    peers: list  # the units with λ > 0 in it


def efficiency(X, Y, model, orientation, bounds=None, reference=None, own=None) -> Radial:
    """Efficiency of each unit (rows of X, Y) by column generation over a shared reference set (``model``
    CCR or BCC), against the frontier of ``reference`` (X, Y of other units; by default the units themselves).
    ``own``: each unit's label among the peers (its row when the units are their own reference).

    ``bounds`` (benefit of the doubt): for each output, the lowest and highest share of the unit's
    score it may carry, u_r·y_ro ≥ share·Σ u·y_o (or ≤), as columns of that unit's programme."""
    n, m = len(X), X.shape[1]
    XR, YR = (X, Y) if reference is None else reference
    frontier = Envelopment(XR, YR, "variable" if model == "BCC" else "constant", orientation,
                           reference=_first_reference(XR, YR, model))
    out = Radial(np.zeros(n), np.zeros(Y.shape), np.zeros(n), [])
    for o in range(n):
        label = o if own is None else own[o]
        optimum = frontier.generate(X[o], Y[o], label, _share_columns(Y[o], bounds) if bounds is not None else ())
        out.score[o], out.lambda_sum[o] = optimum.efficiency, optimum.lambda_sum
        out.weights[o] = optimum.multipliers[m:m + Y.shape[1]]
        out.peers.append(optimum.peers)
    return out


def _first_reference(X, Y, model) -> list[int]:
    """Units sure to be on the frontier, to start the reference set: the best ratio of each output to each
    input, the smallest total input and, with a Σ λ row, the smallest of each input and largest of each output."""
    n = len(X)
    first = {int(k) for k in np.argmax((Y[:, :, None] / X[:, None, :]).reshape(n, -1), axis=0)}
    first.add(int(np.argmin(X.sum(axis=1))))
    if model != "CCR":
        first |= {int(k) for k in np.argmin(X, axis=0)} | {int(k) for k in np.argmax(Y, axis=0)}
    return sorted(first)


def _share_columns(y, bounds):
    """The share bounds as columns of the envelopment programme (over the output rows): the dual of the rows
    u_r·y_r − share·Σ u·y ≥ 0 (lowest share) or ≤ 0 (highest)."""
    columns = []
    for r, (low, high) in enumerate(bounds):
        for share, sign in ((low, -1.0), (high, 1.0)):
            if share is None:
                continue
            coefficients = -share * y
            coefficients[r] += y[r]
            columns.append(sign * coefficients)
    return columns


ON_FRONTIER = 1 - 1e-6  # kept as a generator: radial efficiency at least this (a tolerance that keeps every doubtful unit)


class Frontier:
    """A statistic of engine/gather.py: the units that span the frontier of those gathered so far, with
    their ids and data (one row per unit, the children in order), and each column's count and sum of
    absolute values, from which the columns are scaled. ``lower`` marks the columns where less is better
    (inputs, undesirable outputs); ``orientation`` is the radial measure that sorts them out, under
    variable returns (whose frontier's generators span the set under every returns to scale).

    With ``layers=2`` it also keeps the generators of the units off the frontier: those with the frontier's
    span every unit's set but one unit's (a unit on the frontier of all but one is on the frontier of all
    but the frontier's units), as super-efficiency needs.

    A block's own statistic keeps all its units: they are sorted out only when two merge, so over one
    block (in memory) a method runs exactly as it would over its units."""

    def __init__(self, ids, data, lower, orientation, layers, count, total, second=None, merged=False):
        self.ids, self.data, self.lower, self.orientation, self.layers = ids, data, lower, orientation, layers
        self.count, self.total, self.merged = count, total, merged
        self.second = second if second is not None else (ids[:0], data[:0])
        self._known: dict = {}

    @classmethod
    def of(cls, ids, data, lower, orientation: str, layers: int = 1) -> Frontier:
        return cls(np.asarray(ids, dtype=object), data, np.asarray(lower, dtype=bool), orientation, layers,
                   len(data), np.abs(data).sum(axis=0))

    @property
    def scales(self) -> np.ndarray:
        """Each column's mean absolute value over every unit gathered, as plugins/lp.py's column_scales."""
        return _scales(self.count, self.total)

    def merge(self, other: Frontier) -> Frontier:
        ids, data = np.concatenate([self.ids, other.ids]), np.vstack([self.data, other.data])
        count, total = self.count + other.count, self.total + other.total
        scales = _scales(count, total)
        kept = self._generators(data, scales)
        second = None
        if self.layers == 2:
            pool_ids = np.concatenate([ids[~kept], self.second[0], other.second[0]])
            pool = np.vstack([data[~kept], self.second[1], other.second[1]])
            on = self._generators(pool, scales)
            second = (pool_ids[on], pool[on])
        return Frontier(ids[kept], data[kept], self.lower, self.orientation, self.layers, count, total, second, merged=True)

    def _generators(self, data, scales) -> np.ndarray:
        """Which of these units are on the frontier they span: each unit's radial efficiency among them, but for
        the units another clearly dominates, which need no programme."""
        kept = np.zeros(len(data), dtype=bool)
        if len(data) < 2:
            kept[:] = True
            return kept
        scaled = data / scales
        inputs = scaled[:, self.lower] if self.lower.any() else np.ones((len(data), 1))  # benefit of the doubt: one unit input
        outputs = scaled[:, ~self.lower]
        output_oriented = self.orientation == "output"
        left = np.flatnonzero(~_clearly_inside(inputs, outputs, output_oriented))
        radial = efficiency(inputs[left], outputs[left], "BCC", "output" if output_oriented else "input")
        kept[left] = radial.score >= ON_FRONTIER
        return kept

    def rows(self, layers: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The ids and the scaled data of the frontier's units (with the second layer's, for ``layers=2``)."""
        ids, data = self.ids, self.data
        if layers == 2:
            ids, data = np.concatenate([ids, self.second[0]]), np.vstack([data, self.second[1]])
        return ids, data / self.scales

    def positions(self, ids, layers: int = 1) -> np.ndarray:
        """Where each of these units is among ``rows(layers)`` (−1 where it is not)."""
        if not self.merged:  # the block's own units, in order
            return np.arange(len(ids))
        where = {unit: k for k, unit in enumerate(self.rows(layers)[0])}
        return np.array([where.get(unit, -1) for unit in ids], dtype=int)

    def once(self, key, compute: Callable):
        """What ``compute()`` finds of the frontier's units, computed once for every block that asks (by ``key``)."""
        if key not in self._known:
            self._known[key] = compute()
        return self._known[key]


DOMINATORS = 512  # the units each unit is compared with before any programme is solved
CHUNK = 1 << 22  # how many unit-by-dominator comparisons are held at once


def _clearly_inside(X, Y, output_oriented: bool) -> np.ndarray:
    """The units another unit dominates by more than the frontier's tolerance: input oriented, each input below
    ON_FRONTIER times the unit's and no output less; output oriented, no input more and each output above the
    unit's over ON_FRONTIER. Their efficiency is below ON_FRONTIER whatever the others are, so they are not on
    the frontier; the dominators tried are the units with the most output per input (a few hundred)."""
    proxy = Y.sum(axis=1) / X.sum(axis=1)
    dominators = np.argsort(-proxy, kind="stable")[:DOMINATORS]
    XD, YD = X[dominators], Y[dominators]
    if output_oriented:
        XD, YD = XD, YD * ON_FRONTIER
    else:
        XD = XD / ON_FRONTIER
    inside = np.zeros(len(X), dtype=bool)
    step = max(1, CHUNK // len(dominators))
    for start in range(0, len(X), step):
        x, y = X[start:start + step, None, :], Y[start:start + step, None, :]
        if output_oriented:
            below = (XD[None] <= x).all(axis=2) & (YD[None] > y).all(axis=2)
        else:
            below = (XD[None] < x).all(axis=2) & (YD[None] >= y).all(axis=2)
        inside[start:start + step] = below.any(axis=1)
    return inside


def _scales(count: int, total: np.ndarray) -> np.ndarray:
    size = total / count if count else np.ones(len(total))
    return np.where(size > 0, size, 1.0)
