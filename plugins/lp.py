"""What the linear programmes of the DEA family share: a silent HiGHS, columns scaled to a like size,
results put back among all units, and what to say of units whose programme has no solution."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

from govscore.engine.messages import Both, both

ORIENTED = {"input": Both("input-oriented", "投入导向"), "output": Both("output-oriented", "产出导向"),
            "none": Both("non-oriented", "非导向")}

INF = highspy.kHighsInf

# Parameters the models share, as their schemas write them.
INPUTS = {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True,
          "description": "The children that are inputs; the others are outputs."}
UNDESIRABLE = {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
               "description": "The outputs that are undesirable (emissions, complaints: less is better)."}
RETURNS = {"enum": ["constant", "variable"], "default": "constant",
           "description": "Returns to scale: constant (CRS) or variable (VRS, Σλ = 1)."}


def highs() -> highspy.Highs:
    """A silent HiGHS instance (its constructor prints a banner on standard output, which may carry results),
    on the calling thread only: these small LPs gain nothing from HiGHS's worker threads, and a worker still
    alive when the process exits can abort it ("terminate called without an active exception")."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    return solver


def column_scales(*matrices: np.ndarray) -> list[np.ndarray]:
    """Each column's mean absolute value (1 where it is 0): DEA scores do not change when a column is divided
    by a positive number, and the solver's tolerances hold best on columns of like size, so data in billions
    and in fractions give the same answer."""
    out = []
    for matrix in matrices:
        size = np.abs(matrix).mean(axis=0) if len(matrix) else np.ones(matrix.shape[1])
        out.append(np.where(size > 0, size, 1.0))
    return out


def spread_text(values, present: np.ndarray) -> np.ndarray:
    """Text computed for the ``present`` units, put back among all units (None elsewhere)."""
    out = np.full(len(present), None, dtype=object)
    out[present] = values
    return out


def without_solution(value: np.ndarray, present: np.ndarray, units, model, orientation: str) -> tuple[np.ndarray, dict]:
    """Each unit's status (optimal, or infeasible where ``value`` is NaN) among all units, and — when some
    programme had no solution — the units to leave without a value and the warning that names them."""
    status = spread_text(np.where(np.isnan(value), "infeasible", "optimal"), present)
    if not np.isnan(value).any():
        return status, {}
    ids = np.asarray(units, dtype=object)[present] if units is not None else np.arange(len(value)).astype(str)
    missing = ids[np.isnan(value)]
    no_value = np.zeros(len(present), dtype=bool)
    no_value[np.flatnonzero(present)[np.isnan(value)]] = True
    return status, {"no_value": no_value,
                    "warnings": [both("dea.super_infeasible", count=len(missing), which=", ".join(map(str, missing[:10])),
                                      model=model, orientation=ORIENTED[orientation])]}
