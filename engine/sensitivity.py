"""How much the ranking depends on single indicators: leave each one out and score again.

The data are loaded once; for each indicator that a node aggregates, the ruleset is compiled again
without it (the node's other weights keep their proportions) and scored on the same data.
"""

from __future__ import annotations

import copy

import numpy as np

from .compiler import compile_document
from .data import positions
from .diagnostics import EngineError, within
from .execute import score
from .loading import Data
from .model import Ruleset
from .plugins import Plugins
from .result import Result
from .values import number_or_none


def _without(ruleset: Ruleset, name: str) -> dict:
    """The ruleset's document with the indicator taken out of every node that aggregates it."""
    document = copy.deepcopy(ruleset.document)
    for node_name, node in document.get("nodes", {}).items():
        children = node.get("children")
        if not isinstance(children, list) or name not in children:
            continue
        node["children"] = [c for c in children if c != name]
        weights = node.get("weights")
        if isinstance(weights, dict):  # written in the node: becomes a weight set that renormalises
            set_name = f"{node_name}_without_{name}"
            document.setdefault("weights", {})[set_name] = {
                "method": "fixed", "renormalise": True, "params": {"values": {k: v for k, v in weights.items() if k != name}}}
            node["weights"] = set_name
        elif isinstance(weights, str) and weights in document.get("weights", {}):
            weight_set = document["weights"][weights]
            weight_set["renormalise"] = True
            if weight_set.get("method") == "ahp":
                _drop_judgements(weight_set["params"], children, name)
        params = node.get("params", {})
        for key in ("denominator", "inputs"):
            if isinstance(params.get(key), list) and name in params[key]:
                params[key] = [c for c in params[key] if c != name]
    return document


def _drop_judgements(params: dict, children: list, name: str) -> None:
    """Take one element out of AHP judgement matrices (its row and column)."""
    order = list(params.get("order", children))
    k = order.index(name)
    params["order"] = order[:k] + order[k + 1:]
    for key in ("matrix", "experts"):
        if key in params:
            matrices = [params[key]] if key == "matrix" else params[key]
            cut = [[row[:k] + row[k + 1:] for i, row in enumerate(m) if i != k] for m in matrices]
            params[key] = cut[0] if key == "matrix" else cut


def leave_one_out(ruleset: Ruleset, plugins: Plugins, data: Data, base: Result) -> dict:
    """For each indicator a node aggregates: every unit's rank without it, and the rank shifts."""
    nominal = base.rank
    ids = base.unit_ids.to_pylist()
    aggregated = [n for n in ruleset.indicators if any(n in node.children for node in ruleset.nodes.values())]
    rows = []
    shifts = {}
    for name in aggregated:
        compiled, diagnostics = compile_document(_without(ruleset, name), ruleset.source_map, plugins, ruleset.base_dir)
        if compiled is None:
            errors = [d for d in diagnostics if d.is_error]
            raise EngineError([within(d, "sensitivity.without", name=name) for d in errors])
        other = score(compiled, plugins, data)
        where = positions(base.unit_ids, other.unit_ids)
        ranks = np.where(where >= 0, other.rank[np.maximum(where, 0)], np.nan)
        shift = ranks - nominal
        moved = np.abs(shift[~np.isnan(shift)])
        shifts[name] = shift
        rows.append({"indicator": name, "label": ruleset.label(name),
                     "mean_absolute_rank_shift": float(moved.mean()) if len(moved) else None,
                     "largest_rank_shift": float(moved.max()) if len(moved) else None})
    rows.sort(key=lambda r: -(r["mean_absolute_rank_shift"] or 0))
    return {"indicators": rows, "units": ids, "nominal_rank": nominal, "rank_shift": shifts}


def as_json(found: dict) -> dict:
    """The rank shifts as plain JSON: what engine sensitivity --leave-one-out --format json prints and
    the JSON output's "leave_one_out" section holds."""
    return {"indicators": found["indicators"], "units": [
        {"unit": u, "nominal_rank": number_or_none(found["nominal_rank"][i]),
         "rank_shift": {n: number_or_none(v[i]) for n, v in found["rank_shift"].items()}} for i, u in enumerate(found["units"])]}
