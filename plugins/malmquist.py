"""The Malmquist productivity index on panel data, with its decomposition, as DEAP reports it.

For a unit from period t to t + 1, with E^s(t) its DEA efficiency (input: θ; output: 1/φ) in period
t against the frontier of s, constant returns unless said:

- ``adjacent`` frontiers (Färe, Grosskopf, Norris & Zhang 1994), each period's own:
  tfpch = √(E^t(t+1)/E^t(t) · E^{t+1}(t+1)/E^{t+1}(t)), effch = E^{t+1}(t+1)/E^t(t),
  techch = √(E^t(t+1)/E^{t+1}(t+1) · E^t(t)/E^{t+1}(t));
- ``sequential`` frontiers (Shestalova 2003): the same, each period's frontier made of it and all
  periods before, so technology never regresses;
- a ``global`` frontier (Pastor & Lovell 2005) of every period together: tfpch = E^G(t+1)/E^G(t),
  which chains over periods; effch as above and techch = tfpch/effch (best-practice change).

effch = pech · sech: pech the change of efficiency under variable returns (own periods), sech the
rest, scale. tfpch = effch · techch; above 1 is progress. Means over units and over periods are
geometric, as DEAP gives them. The panel must be balanced: every unit in every period, with every
input and output.
"""

from __future__ import annotations

import numpy as np

from govscore.engine import lazy
from govscore.engine.diagnostics import EngineError, said
from govscore.engine.execute import period_numbers
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import both
from govscore.plugins.frontier import efficiency
from govscore.plugins.lp import INPUTS, Envelopment, column_scales, inputs_and_outputs

pa = lazy.module("pyarrow")

INDICES = ("effch", "techch", "pech", "sech", "tfpch")


def _panel(units, periods, usable):
    """Rows as a units × periods table of row numbers, periods in time order; the problem when unbalanced."""
    if periods is None:
        raise EngineError([said("E_PARAMS", "malmquist.no_periods")])
    names, unit_at = np.unique(np.asarray(units, dtype=object).astype(str), return_inverse=True)
    seen, when = np.unique(np.asarray(periods, dtype=object).astype(str), return_inverse=True)
    order = np.argsort(period_numbers(pa.array(seen)), kind="stable")  # time order
    labels, period_at = seen[order], np.argsort(order)[when]
    table = np.full((len(names), len(labels)), -1)
    rows = np.flatnonzero(usable)
    table[unit_at[rows], period_at[rows]] = rows
    lacking = np.flatnonzero((table < 0).any(axis=1))
    if len(lacking):
        which = "; ".join(f"{names[u]} ({', '.join(labels[table[u] < 0])})" for u in lacking[:10])
        raise EngineError([said("E_PANEL_UNBALANCED", "malmquist.unbalanced", count=len(lacking), which=which,
                                periods=len(labels))])
    if len(labels) < 2:
        raise EngineError([said("E_PARAMS", "malmquist.one_period")])
    return table, names, labels


def malmquist(x, w, params, children, units=None, periods=None):
    X, Y, usable = inputs_and_outputs(x, w, params, children)  # a row missing a child breaks the panel
    table, names, labels = _panel(units, periods, usable)
    if (X[usable] <= 0).any() or (Y[usable] < 0).any():
        raise EngineError([said("E_DOMAIN", "dea.domain", model="Malmquist")])
    x_scale, y_scale = column_scales(X[usable], Y[usable])
    X, Y = X / x_scale, Y / y_scale
    orientation, frontier = params.get("orientation", "input"), params.get("frontier", "adjacent")
    T = len(labels)

    def reference(t):
        if frontier == "global":
            return table.ravel()
        return table[:, :t + 1].ravel() if frontier == "sequential" else table[:, t]

    frontiers: dict = {}

    def efficiencies(ref_rows, points, returns):
        """E of the points against the frontier of ref_rows: the reference units' own efficiencies by column
        generation, the other points against the efficient reference units only, where every optimal λ lies."""
        key = (ref_rows.tobytes(), returns)
        if key not in frontiers:
            radial = efficiency(X[ref_rows], Y[ref_rows], "CCR" if returns == "constant" else "BCC", orientation).score
            efficient = ref_rows[radial >= 1 - 1e-6]
            frontiers[key] = dict(zip(ref_rows.tolist(), radial)), Envelopment(X[efficient], Y[efficient], returns, orientation)
        scores, envelope = frontiers[key]
        return np.array([scores[j] if j in scores else envelope.efficiency(X[j], Y[j]) for j in points.tolist()])

    crs = [efficiencies(reference(t), table[:, t], "constant") for t in range(T)]  # E^t(t); global: E^G(t)
    own = crs if frontier != "global" else [efficiencies(table[:, t], table[:, t], "constant") for t in range(T)]
    contemporaneous = (lambda t: table[:, t]) if frontier == "global" else reference
    vrs = [efficiencies(contemporaneous(t), table[:, t], "variable") for t in range(T)]
    index = {k: np.full(len(x), np.nan) for k in INDICES}
    for t in range(T - 1):
        now, nxt = table[:, t], table[:, t + 1]
        eff = own[t + 1] / own[t]
        if frontier == "global":
            tfp = crs[t + 1] / crs[t]
            tech = tfp / eff
        else:
            ahead = efficiencies(reference(t), nxt, "constant")  # E^t(t+1)
            back = efficiencies(reference(t + 1), now, "constant")  # E^{t+1}(t)
            tech = np.sqrt(ahead / crs[t + 1] * crs[t] / back)
            tfp = eff * tech
        pure = vrs[t + 1] / vrs[t]
        for key, value in zip(INDICES, (eff, tech, pure, eff / pure, tfp)):
            index[key][nxt] = value
    first = np.zeros(len(x), dtype=bool)
    first[table[:, 0]] = True
    details = {**index, "orientation": orientation, "frontier": frontier, "means": _means(index, table, names, labels),
               "no_value": first,
               "warnings": [both("malmquist.first_period", period=str(labels[0]))]}
    return index["tfpch"], details


def _geometric(values: np.ndarray, axis=None):
    return np.exp(np.mean(np.log(values), axis=axis))


def _means(index, table, names, labels) -> dict:
    """Geometric means as DEAP's summaries: of each period over the units, of each unit over the periods,
    and over all (the mean of the periods' means)."""
    later = table[:, 1:]
    by_period = {str(p): {k: float(_geometric(index[k][later[:, t]])) for k in INDICES} for t, p in enumerate(labels[1:])}
    by_unit = {str(u): {k: float(_geometric(index[k][later[row]])) for k in INDICES} for row, u in enumerate(names)}
    overall = {k: float(_geometric(np.array([by_period[str(p)][k] for p in labels[1:]]))) for k in INDICES}
    return {"periods": by_period, "units": by_unit, "overall": overall}


PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["inputs"], "properties": {
        "inputs": INPUTS,
        "orientation": {"enum": ["input", "output"], "default": "input",
                        "description": "input: distances by how far inputs could shrink; output: how far outputs could grow."},
        "frontier": {"enum": ["adjacent", "sequential", "global"], "default": "adjacent",
                     "description": "adjacent: each period's own frontier (Färe et al. 1994, DEAP); sequential: the period "
                                    "and all before (Shestalova 2003); global: every period together (Pastor & Lovell 2005)."}}}


@hookimpl
def register_aggregators(register):
    register("malmquist", malmquist, title={"en": "Malmquist productivity index", "zh": "Malmquist 生产率指数"},
             weighted=False, whole_columns=True, domain="nonnegative", params=PARAMS,
             description={"en": "Malmquist productivity index (TFP change) of each unit from the previous period, with its "
                                "decomposition into efficiency change (pure and scale) and technical change; adjacent, "
                                "sequential or global frontiers; geometric means by period and by unit.",
                          "zh": "Malmquist 生产率指数：各单位相对上一期的全要素生产率变化，分解为技术效率变化（纯技术效率与规模效率）"
                                "和技术进步；可用相邻、序列或全局前沿；按期与按单位的几何平均。"})
