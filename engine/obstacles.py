"""Obstacle degree (障碍度): what holds each unit back, as Chinese evaluation studies report it.

For unit i and indicator j: O_ij = F_j·I_ij / Σ_j F_j·I_ij, where F_j is the indicator's weight in the
score (factor contribution, the product of weights down the framework) and I_ij = 1 − x′_ij its
deviation from the best, x′ being the normalised value on [0, 1] (0 the worst end of the normaliser's
range, 1 the best). A node's obstacle degree is the sum over the indicators below it, each with its
share through that node. A unit's obstacle degrees add up to 1; a unit that is best on every indicator
has none (NaN), as has one missing a value.
"""

from __future__ import annotations

import numpy as np

from .messages import HEADINGS, aside
from .result import Result


def on_unit_interval(result: Result, name: str) -> np.ndarray | None:
    """The indicator's normalised values as x′ on [0, 1]; None when its normaliser has no fixed range
    (z-scores, ranks, ratios), for which "deviation from the best" has no meaning."""
    indicator = result.ruleset.indicators[name]
    scale = indicator.normaliser.output_scale(indicator.normaliser_params)
    if scale[0] != "range" or scale[1] == scale[2]:
        return None
    low, high = scale[1], scale[2]
    return (result.normalised[name] - low) / (high - low)


def obstacle_degrees(result: Result) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None:
    """Per indicator and per node below the score, each unit's obstacle degree; None when an indicator of
    the score is normalised without a fixed range."""
    shares = result.effective_weights()
    leaves = [n for n in result.normalised if shares.get(n)]
    deviation = {}
    for name in leaves:
        x = on_unit_interval(result, name)
        if x is None:
            return None
        deviation[name] = 1.0 - x
    total = sum(shares[n] * deviation[n] for n in leaves) if leaves else np.full(result.size, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(total > 1e-12, total, np.nan)
        indicators = {n: shares[n] * deviation[n] / total for n in leaves}
        nodes = {}
        for node in result.ruleset.nodes:
            if node == result.ruleset.score or not shares.get(node):
                continue
            through = result.effective_weights(node, shares[node])
            nodes[node] = sum(through[n] * deviation[n] for n in leaves if through.get(n)) / total
    return indicators, nodes


def obstacle_columns(result: Result, lang: str) -> list[tuple[str, str, np.ndarray]]:
    """The obstacle degrees as result columns (``<name>.obstacle``, indicators then nodes); none when they
    cannot be computed."""
    found = obstacle_degrees(result)
    if found is None:
        return []
    indicators, nodes = found
    word = HEADINGS[lang]["obstacle"]
    return [(f"{name}.obstacle", result.ruleset.label(name) + aside(word, lang), values)
            for name, values in {**indicators, **nodes}.items()]
