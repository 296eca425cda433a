"""The result of a run: every value of every unit, and how it was reached.

Explanation, sensitivity analysis and every output format read from this object, so it keeps
the raw and normalised indicators, every node, the weights used, what was imputed or dropped,
and the hashes that tie the numbers to the ruleset and the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import lazy
from .data import as_numpy, ids_where
from .diagnostics import Diagnostic
from .messages import HEADINGS, aside
from .model import Ruleset
from .values import by_group, number_or_none

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")


@dataclass
class Result:
    ruleset: Ruleset
    unit_ids: pa.StringArray  # Arrow text columns: compact for millions of units, and passed to outputs as they are
    unit_labels: pa.StringArray | None
    unit_groups: pa.StringArray | None
    unit_periods: pa.StringArray | None
    raw: dict[str, np.ndarray]  # indicator -> raw value (after clamping and imputation)
    normalised: dict[str, np.ndarray]  # indicator -> normalised value (only indicators used by nodes)
    nodes: dict[str, np.ndarray]  # node -> value
    weights: dict[str, dict[str, float]]  # node -> child -> weight used (before per-unit renormalisation)
    details: dict[str, dict]  # node -> weighting and method, and what each reported (an AHP's CR, TOPSIS distances...)
    rounded: dict[str, np.ndarray] = field(default_factory=dict)  # name -> rounded value, for each rounding step
    rank: np.ndarray = field(default_factory=lambda: np.array([]))  # rank of the score (NaN: no score)
    group_rank: np.ndarray | None = None
    grade: np.ndarray | None = None  # object array of band labels (None: no score)
    treated: dict[str, np.ndarray] = field(default_factory=dict)  # indicator -> value after outlier treatment
    treatment: dict[str, dict] = field(default_factory=dict)  # indicator -> what the treatment did
    imputed: dict[str, np.ndarray] = field(default_factory=dict)  # indicator -> mask of imputed units
    dropped: list[str] = field(default_factory=list)  # unit ids dropped for missing values
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings met on the way
    meta: dict = field(default_factory=dict)  # engine version, ruleset hash, input files and their hashes
    sections: dict[str, dict] = field(default_factory=dict)  # analyses run beside the scoring (sensitivity), for outputs
    whole_ranks: bool | None = None  # ranks written as whole numbers (None: where every one is)

    def parts(self):
        """The result in parts of units, for outputs that write as they go (``streams=True``): in memory,
        the whole of it; out of core (engine/blocks.py), one block after another."""
        yield self

    @property
    def size(self) -> int:
        return len(self.unit_ids)

    @property
    def score(self) -> np.ndarray:
        return self.value(self.ruleset.score)

    def value(self, name: str) -> np.ndarray:
        """The value of a node, or the normalised (else raw) value of an indicator."""
        if name in self.nodes:
            return self.nodes[name]
        if name in self.normalised:
            return self.normalised[name]
        return self.raw[name]

    def group_summary(self) -> list[dict]:
        """Per group (township, say): units, units scored, and the mean, lowest and highest score."""
        if self.unit_groups is None:
            return []
        names, codes = self.group_codes()
        found = by_group(self.score, codes, len(names))
        order = sorted(range(len(names)), key=lambda g: -found["mean"][g] if found["scored"][g] else math.inf)  # stable
        return [{"group": names[g], "units": int(found["units"][g]), "scored": int(found["scored"][g]),
                 **{k: number_or_none(found[k][g]) for k in ("mean", "min", "max")}} for g in order]

    def group_codes(self) -> tuple[list, np.ndarray]:
        """The groups in the order they first come (None for units without one) and each unit's group
        as a number."""
        encoded = pc.dictionary_encode(self.unit_groups, null_encoding="encode")
        return encoded.dictionary.to_pylist(), as_numpy(encoded.indices)

    def effective_weights(self, start: str | None = None, share: float = 1.0) -> dict[str, float]:
        """Each node's and indicator's weight in the score: the products of weights along every path of
        aggregation nodes down from the score, added up (the global weights of a hierarchical AHP).
        ``start``, ``share``: only along the paths down from that node, whose own weight is ``share``."""
        out: dict[str, float] = {start or self.ruleset.score: share}
        for name in reversed(list(self.ruleset.nodes)):  # parents before children
            share = out.get(name)
            if share is None or name not in self.weights:
                continue
            for child, w in self.weights[name].items():
                out[child] = out.get(child, 0.0) + share * w
        return out

    def hierarchy_consistency(self) -> dict | None:
        """The consistency ratio of a hierarchy of judgement matrices (AHP at several levels, Saaty):
        CR = Σ a_j·CI_j / Σ a_j·RI_j over the nodes j whose weights report CI and RI, a_j being the
        node's weight in the score. None when fewer than two nodes report them."""
        share = self.effective_weights()
        judged = {name: d["weights"]["consistency"] for name, d in self.details.items()
                  if {"CI", "RI"} <= set(d.get("weights", {}).get("consistency", {})) and name in share}
        if len(judged) < 2:
            return None
        ci = sum(share[n] * w["CI"] for n, w in judged.items())
        ri = sum(share[n] * w["RI"] for n, w in judged.items())
        return {"CR": ci / ri if ri > 0 else 0.0, "nodes": sorted(judged)}

    def descriptors(self) -> list[tuple[str, pa.StringArray]]:
        """The units' text columns besides the id, those the ruleset declares: name, group, period."""
        return [(key, values) for key, values in (("name", self.unit_labels), ("group", self.unit_groups),
                                                  ("period", self.unit_periods)) if values is not None]

    def best_first(self) -> np.ndarray:
        """The units' positions in rank order, unranked units last, ties in data order."""
        return np.lexsort((np.arange(self.size), np.where(np.isnan(self.rank), np.inf, self.rank)))

    def ids_where(self, mask: np.ndarray) -> list[str]:
        """The ids of the units where ``mask`` holds."""
        return list(ids_where(self.unit_ids, mask))

    def columns(self, include: str = "scores", lang: str = "en") -> list[tuple[str, str, np.ndarray | pa.Array]]:
        """The result table as (key, label, values) columns, the labels in ``lang``.

        ``include``: ``scores`` (units, nodes, rounded score, rank, grade) or ``all`` (also the
        raw and normalised indicators).
        """
        rs = self.ruleset
        word = HEADINGS[lang]

        def of(name: str, what: str) -> str:
            return rs.label(name) + aside(word.get(what, what), lang)
        cols: list[tuple[str, str, np.ndarray | pa.Array]] = [("unit", word["unit"], self.unit_ids)]
        cols += [("label" if key == "name" else key, word[key], values) for key, values in self.descriptors()]
        if include == "all":
            cols += [(f"{n}.raw", of(n, "raw"), v) for n, v in self.raw.items()]
            cols += [(f"{n}.treated", of(n, "treated"), v) for n, v in self.treated.items()]
            cols += [(f"{n}.normalised", of(n, "normalised"), v) for n, v in self.normalised.items()]
        cols += [(n, rs.label(n), v) for n, v in self.nodes.items()]
        if include == "all":  # what methods report per unit (TOPSIS distances, VIKOR S and R...)
            cols += [(f"{n}.{k}", of(n, k), v) for n, d in self.details.items()
                     for k, v in d["details"].items() if isinstance(v, np.ndarray) and v.shape == (self.size,)]
        cols += [(f"{n}.rounded", of(n, "rounded"), v) for n, v in self.rounded.items()]
        cols.append(("rank", word["rank"], self.rank))
        if self.group_rank is not None:
            cols.append(("group_rank", word["group_rank"], self.group_rank))
        if self.grade is not None:
            cols.append(("grade", word["grade"], self.grade))
        return cols
