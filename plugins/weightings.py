"""Built-in weightings: weights fixed by experts, and equal weights."""

from __future__ import annotations

import numpy as np

from engine.diagnostics import Diagnostic, EngineError
from engine.hookspecs import hookimpl

FIXED_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["values"],
    "properties": {
        "values": {"type": "object", "additionalProperties": {"type": "number"},
                   "description": "The weight of each child, by name."},
    },
}


def fixed(children, params, data):
    values = params["values"]
    missing = [c for c in children if c not in values]
    if missing:
        raise EngineError([Diagnostic("E_WEIGHTS_MISSING", "no weight is given for " + ", ".join(missing) + ".",
                                      hint="add them to the weight set's params.values")])
    return np.array([values[c] for c in children], dtype=float)


def equal(children, params, data):
    return np.ones(len(children))


@hookimpl
def register_weightings(register):
    register("fixed", fixed, params=FIXED_PARAMS,
             description="Weights written in the ruleset (by experts, or by a policy document).")
    register("equal", equal, params={"type": "object", "additionalProperties": False, "properties": {}},
             renormalise_default=True, description="Every child weighs the same.")
