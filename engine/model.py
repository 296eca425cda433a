"""The compiled ruleset: every name resolved, every plugin found, every check passed.

These objects are what execution works from. They are built by ``govscore.engine.compiler`` and hold
no data, only the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .diagnostics import Diagnostic, SourceMap
from .formula import Formula
from .plugins import Registration


@dataclass(frozen=True)
class Bounds:
    lower: float | None
    upper: float | None


@dataclass
class Source:
    name: str
    format: Registration
    path: str  # as written in the ruleset
    params: dict
    pointer: str
    long: tuple[str, str] | None = None  # (indicator column, value column) of a file in long format


@dataclass
class Indicator:
    name: str
    label: str
    unit: str
    pointer: str
    source: str | None = None
    column: str | None = None
    formula: Formula | None = None
    direction: str = "higher"
    target: float | None = None
    goalposts: Bounds | None = None
    optimum: Bounds | None = None
    clamp: Bounds | None = None
    missing: str = "error"
    on_invalid: str = "error"
    treatment: Registration | None = None  # outlier treatment before normalisation, if any
    treatment_params: dict = field(default_factory=dict)
    normaliser: Registration | None = None  # None: not used by any node, so never normalised
    normaliser_params: dict = field(default_factory=dict)


@dataclass
class WeightSet:
    name: str
    weighting: Registration
    params: dict
    sum_to_one: bool
    renormalise: bool
    pointer: str
    components: tuple["WeightSet", ...] = ()  # for a weighting that combines other weight sets

    @property
    def uses_data(self) -> bool:
        return bool(self.weighting.options.get("uses_data")) or any(c.uses_data for c in self.components)


@dataclass
class Node:
    name: str
    label: str
    pointer: str
    children: tuple[str, ...] = ()
    formula: Formula | None = None
    aggregator: Registration | None = None
    params: dict = field(default_factory=dict)
    weight_set: WeightSet | None = None  # None with an aggregator: equal weights
    weights: np.ndarray | None = None  # weights that need no data, resolved at compile time
    weight_details: dict = field(default_factory=dict)  # what their weighting reported (an AHP's CR, say)
    weight_groups: tuple[tuple[int, ...], ...] = ()
    missing: str = "propagate"
    min_share: float = 0.0
    on_invalid: str = "error"


@dataclass(frozen=True)
class Rounding:
    digits: int
    method: str = "half_up"


@dataclass(frozen=True)
class Band:
    """A grade: the values reaching ``min`` (higher is better) or at most ``max`` (lower is better);
    neither on the last band, which takes the rest."""
    label: str
    min: float | None
    max: float | None = None


@dataclass(frozen=True)
class Alternative:
    """One method a sensitivity analysis may use in place of the ruleset's own."""
    method: Registration
    params: dict

    @property
    def label(self) -> str:
        """As the ruleset writes it, for reports."""
        return self.method.written(self.params)


@dataclass
class Uncertainty:
    """The alternatives a Monte Carlo sensitivity analysis samples from (the ruleset's "uncertainty")."""
    normalisers: tuple[Alternative, ...] = ()
    normalised: tuple[str, ...] = ()  # the indicators whose normaliser varies
    imputations: tuple[str, ...] = ()
    imputed: tuple[str, ...] = ()  # the indicators whose missing-value policy varies
    weight_noise: dict[str, tuple[str, float]] = field(default_factory=dict)  # node -> ("noise" | "dirichlet", size)
    aggregators: dict[str, tuple[Alternative, ...]] = field(default_factory=dict)  # node -> alternatives
    samples: int = 1000
    seed: int = 1


@dataclass
class Ruleset:
    document: dict
    file: str | None
    base_dir: Path
    sha256: str
    id: str
    title: str
    version: str | None
    language: str | None
    units: dict
    sources: dict[str, Source]
    indicators: dict[str, Indicator]  # in the order raw values are computed
    nodes: dict[str, Node]  # in the order they are computed
    score: str
    rounding: dict[str, Rounding]
    rank_order: str = "descending"
    rank_ties: str = "min"
    rank_use_rounded: bool = True
    grade_node: str | None = None
    grade_use_rounded: bool = True
    bands: tuple[Band, ...] = ()
    outputs: list[dict] = field(default_factory=list)
    uncertainty: Uncertainty | None = None
    normalise_per_period: bool = False  # panel data: each period normalised on its own
    source_map: SourceMap | None = None
    warnings: list[Diagnostic] = field(default_factory=list)  # found when it was compiled; every result carries them

    def place(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Give diagnostics met while running the file, line and column of the part of the ruleset they
        concern; those about no part of it (a command-line option) get the file."""
        return [self.source_map.place(d) if d.path and self.source_map is not None
                else d if d.file else replace(d, file=self.file) for d in diagnostics]

    def label(self, name: str) -> str:
        item = self.indicators.get(name) or self.nodes.get(name)
        return item.label if item is not None and item.label else name
