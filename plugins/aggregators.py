"""Built-in aggregators. Each gets the units × children matrix ``x`` and the weights ``w``: one
row for every unit, or a full matrix with 0 where a child is missing. See
``engine.hookspecs.register_aggregators``."""

from __future__ import annotations

import numpy as np

from engine.diagnostics import Diagnostic, EngineError
from engine.hookspecs import hookimpl

NO_PARAMS = {"type": "object", "additionalProperties": False, "properties": {}}
RATIO_PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["denominator"],
    "properties": {
        "denominator": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True,
                        "description": "The children divided by (the inputs); the other children are the numerator (the outputs)."},
    },
}


def weighted_mean(x, w, params, children):
    if w.shape[0] == 1:  # the same weights for every unit: one matrix-vector product
        return x @ (w[0] / w[0].sum())
    return (w * x).sum(axis=1) / w.sum(axis=1)


def weighted_sum(x, w, params, children):
    return x @ w[0] if w.shape[0] == 1 else (w * x).sum(axis=1)


def geometric_mean(x, w, params, children):
    return np.exp((w * np.log(x)).sum(axis=1) / w.sum(axis=1))


def ratio_groups(children, params):
    denominator = params.get("denominator", [])
    unknown = [d for d in denominator if d not in children]
    if unknown:
        raise EngineError([Diagnostic("E_PARAMS", "the denominator names " + ", ".join(unknown) + ", which are not children of the node.")])
    numerator = [c for c in children if c not in denominator]
    if not numerator:
        raise EngineError([Diagnostic("E_PARAMS", "every child is in the denominator, so the numerator is empty.")])
    return [numerator, list(denominator)]


def ratio_of_sums(x, w, params, children):
    """η = Σ w_i·O_i / Σ v_j·I_j: weighted outputs over weighted inputs."""
    below = np.isin(np.asarray(children), params["denominator"])
    return (w[:, ~below] * x[:, ~below]).sum(axis=1) / (w[:, below] * x[:, below]).sum(axis=1)


@hookimpl
def register_aggregators(register):
    register("weighted_mean", weighted_mean, params=NO_PARAMS,
             description="Weighted arithmetic mean: Σ w·x / Σ w.")
    register("weighted_sum", weighted_sum, params=NO_PARAMS,
             description="Weighted sum: Σ w·x (with weights summing to 1, the same as the mean).")
    register("geometric_mean", geometric_mean, params=NO_PARAMS, domain="positive",
             description="Weighted geometric mean: Π x^w, to the power 1 / Σ w. Needs every child above 0.")
    register("ratio", ratio_of_sums, params=RATIO_PARAMS, domain="nonnegative", weight_groups=ratio_groups,
             description="Ratio of weighted sums (efficiency η): Σ w·outputs / Σ v·inputs; "
                         "the weights of outputs and of inputs each sum to 1.")
