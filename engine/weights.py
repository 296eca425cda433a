"""A node's weights: ask its weighting, then check what came back, or renormalise it.

The compiler calls this for weightings that need no data, so `engine validate` checks their
sums; execution calls it for weightings computed from the data. Either way the same checks hold.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .diagnostics import Diagnostic, EngineError, plugin_failed, said, within
from .gather import NotYet
from .messages import Both
from .model import Node

WEIGHT_TOLERANCE = 1e-6


def node_weights(node: Node, path: str, data: np.ndarray | None = None, passes=None
                 ) -> tuple[np.ndarray | None, dict, list[Diagnostic]]:
    """The weights of ``node``'s children (``data``: the units × children matrix, for weightings that use it),
    what the weighting reported about them, and the diagnostics (errors leave the weights None).
    Out of core, ``data`` is one block and ``passes`` gathers what a weighting needs over every block."""
    ws = node.weight_set
    reg = ws.weighting
    # what the weighting itself says concerns its parameters, in the named weight set when there is one
    params_path = ws.pointer + "/params" if ws.pointer.startswith("/weights/") else path
    parts, heard = {}, []
    for component in ws.components:  # a combination: its weight sets first, each checked as usual
        part, part_details, problems = node_weights(replace(node, weight_set=component), path, data, passes)
        if part is None:
            return None, {}, problems
        parts[component.name] = {"weights": part, **part_details}
        heard += problems
    if ws.components:
        data = np.vstack([p["weights"] for p in parts.values()])
    try:
        if passes is not None and reg.options.get("uses_data"):
            answer = reg.call_over(passes, ("weights", node.name, ws.name), list(node.children), ws.params, data)
        else:
            answer = reg.call(list(node.children), ws.params, data)
        w, details = answer if isinstance(answer, tuple) else (answer, {})
        w = np.array(w, dtype=float)
    except NotYet:
        raise
    except EngineError as exc:
        return None, {}, [replace(within(d, "weights.in_node", name=node.name), path=params_path) for d in exc.diagnostics]
    except Exception as exc:
        return None, {}, [plugin_failed(reg, node.name, exc, path=path)]
    details = dict(details)
    if parts:
        details["components"] = parts
    reported = heard + [said("W_METHOD", "weights.method_warning", severity="warning", path=params_path, name=node.name,
                             method=reg.name, problem=problem) for problem in details.pop("warnings", [])]
    if w.shape != (len(node.children),) or not np.all(np.isfinite(w)):
        return None, details, [said("E_PLUGIN_FAILED", "plugin.no_weights", path=path, name=reg.name, plugin=reg.plugin,
                                    node=node.name)]
    negative = [c for c, x in zip(node.children, w) if x < 0]
    if negative:
        return None, details, [said("E_WEIGHTS_NEGATIVE", "weights.negative", path=path, name=node.name,
                                    children=", ".join(negative))]
    problems = reported
    for group in node.weight_groups:
        idx = list(group)
        total = float(w[idx].sum())
        if ws.renormalise:
            if total <= 0:
                return None, details, [said("E_WEIGHTS_SUM", "weights.zero", path=path, name=node.name)]
            w[idx] = w[idx] / total
        elif ws.sum_to_one and abs(total - 1.0) > WEIGHT_TOLERANCE:
            names = ", ".join(f"{node.children[i]}={w[i]:g}" for i in idx)
            problems.append(said(
                "E_WEIGHTS_SUM", "weights.sum", path=path, name=node.name, total=f"{total:.6g}", weights=names,
                hint=Both('correct them, or set "renormalise": true on the weight set to divide them by their sum',
                          '请改正，或在权重集上设 "renormalise": true 让权重除以其和')))
    return (None if any(d.is_error for d in problems) else w), details, problems
