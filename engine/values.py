"""Numbers as the engine holds them, without Arrow: the largest magnitude taken as data, the rows an
aggregator can score and its results put back among all units, plain floats for JSON and reports.

Kept apart from the tables (data.py) so that checking a ruleset, which reads no data, does not load Arrow."""

from __future__ import annotations

import numpy as np


# Beyond this, squares (variances, correlations, distances) overflow a float: numbers read from any
# source, formula results and a ruleset's own numbers are held to it.
LARGEST = 1e150


def too_large(x: np.ndarray) -> np.ndarray:
    """Where a value is infinite ("inf" in a file, or 1e400, beyond what a float holds) or beyond ±LARGEST:
    a mistake in the data, which would turn every statistic and score it reached into nonsense."""
    with np.errstate(invalid="ignore"):
        return np.abs(x) > LARGEST


def complete_rows(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """For an aggregator: the units that have every child (a missing child has weight 0)."""
    return (np.broadcast_to(w, x.shape) > 0).all(axis=1)


def unit_ids(units, size: int) -> np.ndarray:
    """For an aggregator: the units' ids as it was given them (their rows, as text, when it was not)."""
    return np.asarray(units, dtype=object) if units is not None else np.arange(size).astype(str).astype(object)


def spread(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Values computed for the ``present`` units only, put back in place among all units (NaN elsewhere).

    For methods that score only the units with every child present (DEA, Copeland)."""
    out = np.full(len(present), np.nan)
    out[present] = values
    return out


def number_or_none(x) -> float | None:
    """A plain float for JSON and reports; None for a missing value (NaN), and for an infinite one, which
    JSON cannot hold (a statistic of values whose squares overflow, say)."""
    x = float(x)
    return x if np.isfinite(x) else None


def by_group(values: np.ndarray, codes: np.ndarray, groups: int) -> dict[str, np.ndarray]:
    """Per group (``codes`` numbers each unit's group from 0): the units, those with a value, and the
    mean, lowest and highest value (NaN for a group with none). Sums by bincount, in one pass each."""
    present = ~np.isnan(values)
    where, found = codes[present], values[present]
    scored = np.bincount(where, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(where, weights=found, minlength=groups) / scored
    lowest, highest = np.full(groups, np.inf), np.full(groups, -np.inf)
    np.minimum.at(lowest, where, found)
    np.maximum.at(highest, where, found)
    none = scored == 0
    lowest[none] = highest[none] = mean[none] = np.nan
    return {"units": np.bincount(codes, minlength=groups), "scored": scored, "mean": mean, "min": lowest, "max": highest}
