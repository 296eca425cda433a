"""What a report says, whatever its format: the summary, the ranking, the dimensions of the score,
group averages, weights, notes on the methods and the warnings of the run.

The Markdown, HTML and workbook outputs lay out the same :class:`Report`; its headings follow the
ruleset's language (Chinese for zh, else English).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .messages import HEADINGS, NOT_RUN_HINT, WORDS, aside, language, listed, say
from .result import Result


def language_of(result: Result) -> str:
    """The language of the headings: the one the command line chose, else the ruleset's."""
    return result.meta.get("language") or language(ruleset=result.ruleset.language, environ={})


@dataclass
class Report:
    lang: str
    text: dict[str, str]
    title: str
    subtitle: str
    summary: list[tuple[str, str]]
    score_label: str
    dimensions: list[tuple[str, str]]  # (name, label) of the score's parts
    headers: list[str]
    rows: list[list]  # the ranking, best first: cells as plain Python values
    score_column: int  # where the score is in each row
    score_digits: int  # decimals of the score: its rounding in the ruleset, else 3
    dimension_columns: list[int]
    hidden: int  # units left out of the rows by the limit
    group_means: list[tuple[str, list[float | None]]]  # per group (or all units), the mean of each dimension
    weights: list[dict] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    diagnostics: list[dict] = field(default_factory=list)
    analyses: list[dict] = field(default_factory=list)  # {"key", "title", "note", "tables": [{"title", "headers", "rows", "digits"}]}


ANALYSES = ("statistics", "sensitivity", "leave_one_out")  # what a report may add, each asked for by its own parameter
REPORT_LIMIT = {"type": "integer", "minimum": 0, "default": 200,
                "description": "Units listed in the ranking (and the HTML report's chart and profiles); 0 for all."}
ANALYSIS_PARAMS = {
    "statistics": {"type": "boolean", "default": False,
                   "description": "Add the indicator statistics of engine stats (distributions, consistency of dimensions)."},
    "sensitivity": {"type": "boolean", "default": False,
                    "description": "Add the Monte Carlo sensitivity analysis of engine sensitivity over the ruleset's "
                                   "uncertainty section (rank intervals, Sobol' indices; in JSON every configuration)."},
    "leave_one_out": {"type": "boolean", "default": False,
                      "description": "Add the rank shifts without each indicator (engine sensitivity --leave-one-out)."},
}


def build(result: Result, limit: int | None = 200, params: dict | None = None) -> Report:
    """The report of a run; ``limit`` caps the units listed (None or 0: all); ``params`` may ask for
    the analyses (statistics; sensitivity and leave-one-out when engine run has computed them)."""
    rs = result.ruleset
    lang = language_of(result)
    t = HEADINGS[lang]
    dims = [(c, rs.label(c)) for c in (rs.nodes[rs.score].children if rs.score in rs.nodes else ())]
    score = result.rounded.get(rs.score, result.score)
    order = result.best_first()
    shown = order[:limit] if limit else order
    headers, columns = [t["rank"], t["unit"]], [result.rank, result.unit_ids]
    for key, values in result.descriptors():
        headers.append(t[key])
        columns.append(values)
    dimension_columns = list(range(len(headers), len(headers) + len(dims)))
    headers += [label for _, label in dims]
    columns += [result.value(name) for name, _ in dims]
    score_column = len(headers)
    headers.append(rs.label(rs.score))
    columns.append(score)
    if result.grade is not None:
        headers.append(t["grade"])
        columns.append(result.grade)
    picked = [_plain_list(values, shown) for values in columns]
    rows = [list(cells) for cells in zip(*picked)] if picked else []
    return Report(
        lang=lang, text=t, title=rs.title,
        subtitle=" · ".join(x for x in (rs.id, rs.version, rs.document.get("date")) if x),
        summary=_summary(result, score, t, lang), score_label=rs.label(rs.score), dimensions=dims, headers=headers,
        rows=rows, score_column=score_column, score_digits=rs.rounding[rs.score].digits if rs.score in rs.rounding else 3,
        dimension_columns=dimension_columns, hidden=result.size - len(shown),
        group_means=_group_means(result, dims, t), weights=weights_by_node(result, lang), methods=_methods(result, lang),
        diagnostics=[{"severity": d.severity, "level": say(d.severity, lang), "code": d.code, "message": d.text(lang),
                      "units": list(d.units[:20])}
                     for d in result.diagnostics],
        analyses=analyses(result, params or {}, shown))


def _plain_list(values, rows) -> list:
    if isinstance(values, pa.Array):
        return values.take(pa.array(rows)).to_pylist()
    part = values[rows]
    if part.dtype == object:
        return [None if v is None else str(v) for v in part]
    return [None if np.isnan(v) else (int(v) if float(v).is_integer() and abs(v) < 1e15 else float(v)) for v in part]


def _summary(result: Result, score: np.ndarray, t, lang: str) -> list[tuple[str, str]]:
    present = score[~np.isnan(score)]
    out = [(t["units"], f"{result.size:,}"), (t["scored"], f"{len(present):,}")]
    if len(present):
        out += [(t["mean"], f"{present.mean():.4g}"), (t["lowest"], f"{present.min():.4g}"),
                (t["highest"], f"{present.max():.4g}")]
    if result.grade is not None:
        labels, counts = np.unique(result.grade[result.grade != None].astype(str), return_counts=True)  # noqa: E711
        by_band = dict(zip(labels.tolist(), counts.tolist()))
        out.append((t["grades"], listed((f"{b.label} {by_band.get(b.label, 0)}" for b in result.ruleset.bands), lang)))
    if result.dropped:
        out.append((t["dropped"], f"{len(result.dropped)}"))
    out.append((t["ruleset"], f"{result.meta.get('ruleset', {}).get('sha256', '')[:12]}"))
    out.append((t["engine"], f"govscore {result.meta.get('engine_version', '')}"))
    return out


def _group_means(result: Result, dims, t) -> list[tuple[str, list[float | None]]]:
    """The mean of each dimension over all units, then per group (best group first by the score)."""
    values = {f"d{k}": pa.array(result.value(name), from_pandas=True) for k, (name, _) in enumerate(dims)}  # NaN: null
    out = [(t["all_units"], [pc.mean(v).as_py() for v in values.values()])]
    if result.unit_groups is None:
        return out
    by_group = pa.table({"group": result.unit_groups, **values}).group_by("group").aggregate([(k, "mean") for k in values])
    means = {row["group"]: [row[f"{k}_mean"] for k in values] for row in by_group.to_pylist()}  # one pass, any number of groups
    return out + [(str(group["group"]), means[group["group"]]) for group in result.group_summary()]


def named(method, lang: str, params: dict | None = None) -> str:
    """A method for people: its title in ``lang`` with the name (and parameters) the ruleset uses,
    极差标准化（minmax {"scale": [0, 100]}）."""
    title = method.title(lang)
    written = method.written(params)
    return written if title == method.name else title + aside(written, lang)


def _reported(details: dict) -> dict:
    """What a weighting reported, its consistency check (an AHP's λmax, CI, RI, CR) among the rest."""
    return {**details, **details.get("consistency", {})}


def weights_by_node(result: Result, lang: str) -> list[dict]:
    """Per aggregation node: its label, aggregator and weighting for people, what the weighting
    reported (CR, λmax...) in words, and each child's label, weight and weight in the score."""
    rs = result.ruleset
    share = result.effective_weights()
    out = []
    for node, weights in result.weights.items():
        details = result.details.get(node, {})
        notes = HEADINGS[lang]["comma"].join(say("note_" + k, lang) + " " + (f"{v:.4g}" if isinstance(v, float) else str(v))
                                             for k, v in _reported(details.get("weights", {})).items()
                                             if "note_" + k in WORDS and np.isscalar(v))
        spec = rs.nodes[node]
        out.append({"node": node, "label": rs.label(node), "aggregation": named(spec.aggregator, lang),
                    "method": named(spec.weight_set.weighting, lang) if spec.weight_set is not None else "", "notes": notes,
                    "parts": [(child, rs.label(child), w, share.get(child)) for child, w in weights.items()]})
    return out


def _methods(result: Result, lang: str) -> list[str]:
    """Sentences on how the score is made, generated from the ruleset."""
    rs = result.ruleset
    zh = lang == "zh"
    out = []
    for ind in rs.indicators.values():
        if ind.normaliser is None:
            continue
        direction = {"higher": ("正向", "higher is better"), "lower": ("逆向", "lower is better"),
                     "range": ("适度", "best within a range")}[ind.direction][0 if zh else 1]
        unit = f"（{ind.unit}）" if zh and ind.unit else (f" ({ind.unit})" if ind.unit else "")
        treat = "" if ind.treatment is None else (f"，先经{named(ind.treatment, lang)}处理" if zh
                                                  else f", treated with {named(ind.treatment, lang)}")
        how = named(ind.normaliser, lang, ind.normaliser_params)
        out.append(f"{ind.label}{unit}：{direction}，{how}{treat}。" if zh else
                   f"{ind.label}{unit}: {direction}, normalised with {how}{treat}.")
    for node in rs.nodes.values():
        if node.formula is not None:
            out.append(f"{node.label} = {node.formula.text}" + ("。" if zh else "."))
            continue
        parts = ("、" if zh else ", ").join(rs.label(c) for c in node.children)
        weighting = named(node.weight_set.weighting, lang) if node.weight_set is not None else ""
        how = named(node.aggregator, lang)
        out.append(f"{node.label}：以{how}合成 {parts}" + (f"，权重方法：{weighting}" if weighting else "") + "。"
                   if zh else f"{node.label}: {how} of {parts}" + (f", weights by {weighting}" if weighting else "") + ".")
    if rs.score in rs.rounding:
        digits = rs.rounding[rs.score].digits
        out.append(f"总分保留 {digits} 位小数后排名。" if zh else f"The score is rounded to {digits} decimals before ranking.")
    if rs.bands:
        bands = listed((f"{b.label} ≥ {b.min:g}" if b.min is not None else f"{b.label} ≤ {b.max:g}" if b.max is not None
                        else b.label for b in rs.bands), lang)
        out.append(f"等级：{bands}。" if zh else f"Grades: {bands}.")
    return out


def computed(result: Result, key: str) -> dict:
    """An analysis engine run computed beside the scoring (result.sections), for an output that asks for it."""
    from .diagnostics import EngineError, said

    if key not in result.sections:
        raise EngineError([said("E_OUTPUT", "output.analysis_not_run", analysis=key, hint=NOT_RUN_HINT)])
    return result.sections[key]


def analyses(result: Result, params: dict, shown: np.ndarray | None = None) -> list[dict]:
    """The analyses ``params`` ask for, as titled tables; ``shown`` are the units listed (default all,
    in rank order)."""
    from .statistics import statistics
    from .uncertainty import levels_text

    rs = result.ruleset
    lang = language_of(result)
    t = HEADINGS[lang]
    if shown is None:
        shown = result.best_first()
    out = []
    for key in ANALYSES:
        if not params.get(key):
            continue
        if key == "statistics":
            found = statistics(result)
            rows = [[rs.label(d["indicator"]), d["count"], d["missing_share"], d["min"], d["max"], d["mean"], d["median"],
                     d["sd"], d["skew"], d["kurtosis"],
                     listed((t[f] for f, on in (("skewed", d["needs_treatment"]), ("sparse", d["low_availability"])) if on), lang)]
                    for d in found["indicators"]]
            nodes = [[rs.label(n["node"]), n["cronbach_alpha"], n["first_component_share"],
                      "; ".join(f"{rs.label(a)} / {rs.label(b)}" for a, b in n["collinear"]),
                      "; ".join(f"{rs.label(a)} / {rs.label(b)}" for a, b in n["negative"])] for n in found["nodes"]]
            tables = [{"title": "", "headers": [t["indicator"], t["count"], t["missing"], t["lowest"], t["highest"], t["mean"],
                                                t["median"], t["sd"], t["skew"], t["kurtosis"], t["flag"]],
                       "rows": rows, "digits": [None, 0, 2, 2, 2, 2, 2, 2, 2, 2, None]},
                      {"title": t["reliability"], "headers": [t["node"], t["alpha"], t["pc1"], t["collinear"], t["negative"]],
                       "rows": nodes, "digits": [None, 3, 3, None, None]}]
            out.append({"key": key, "title": t["statistics"], "note": "", "tables": tables})
        elif key == "sensitivity":
            found = computed(result, key)
            factors = [[f["factor"], f"{f['first_order']:.3f} ± {f['first_order_conf']:.3f}",
                        f"{f['total']:.3f} ± {f['total_conf']:.3f}",
                        levels_text(f, lang)] for f in found["factors"]]
            by_unit = {(u["unit"], u.get("period")): u for u in found["units"]}  # with panel data, once per period
            ids = result.unit_ids.take(pa.array(shown)).to_pylist()
            periods = [None] * len(ids) if result.unit_periods is None else result.unit_periods.take(pa.array(shown)).to_pylist()
            panel = [] if result.unit_periods is None else [t["period"]]
            units = [[u, *([p] if panel else []), *(by_unit[u, p][k] for k in ("nominal_rank", "median_rank", "rank_5", "rank_95"))]
                     for u, p in zip(ids, periods) if (u, p) in by_unit]
            tables = [{"title": "", "headers": [t["choice"], t["first_order"], t["total"], t["alternatives"]],
                       "rows": factors, "digits": [None] * 4}]
            if units:
                tables.append({"title": t["sensitivity_units"], "headers": [t["unit"], *panel, t["nominal"], t["median"], t["p5"], t["p95"]],
                               "rows": units, "digits": [None, *([None] if panel else []), 0, 1, 1, 1]})
            out.append({"key": key, "title": t["sensitivity"], "tables": tables,
                        "note": t["samples"].format(n=found["samples"], seed=found["seed"])})
        else:
            found = computed(result, key)
            rows = [[r["label"], r["mean_absolute_rank_shift"], r["largest_rank_shift"]] for r in found["indicators"]]
            out.append({"key": key, "title": t["leave_one_out"], "note": "", "tables": [
                {"title": "", "headers": [t["indicator"], t["mean_shift"], t["largest_shift"]], "rows": rows,
                 "digits": [None, 2, 0]}]})
    return out
