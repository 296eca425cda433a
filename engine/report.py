"""What a report says, whatever its format: the summary, the ranking, the dimensions of the score,
group averages, weights, notes on the methods and the warnings of the run.

The Markdown, HTML and workbook outputs lay out the same :class:`Report`; its headings follow the
ruleset's language (Chinese for zh, else English).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import lazy
from .messages import HEADINGS, NOT_RUN_HINT, WORDS, aside, language, listed, say
from .result import Result
from .values import by_group, number_or_none

pa = lazy.module("pyarrow")
pc = lazy.module("pyarrow.compute")


def language_of(result: Result) -> str:
    """The language of the headings: the one the command line chose, else the ruleset's."""
    return result.meta.get("language") or language(ruleset=result.ruleset.language, environ={})


GRADE_COLOURS = (("#2E7D32", "#D3F1DC"), ("#1F6FB2", "#DCEBFB"), ("#B7791F", "#FFF0C7"), ("#C0392B", "#FBDCD8"),
                 ("#6B4FA0", "#E4DDF4"), ("#6B6B6B", "#E6E6E6"))  # (bar, cell fill) per grade, best band first


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
    digits: list[int | None]  # per column, the decimals a number is shown with (None: not a number)
    score_column: int  # where the score is in each row
    score_digits: int  # decimals of the score: its rounding in the ruleset, else 3
    dimension_columns: list[int]
    name_column: int  # the column naming a unit to a reader: its name, else its id
    group_column: int | None
    grade_column: int | None
    hidden: int  # units left out of the rows by the limit
    group_means: list[tuple[str, list[float | None]]]  # per group (or all units), the mean of each dimension
    grades: list[dict] = field(default_factory=list)  # per band, best first: label, count, colour (bars), fill (cells)
    weights: list[dict] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    imputed: list[dict] = field(default_factory=list)  # per indicator filled in: its label, how, and the units
    diagnostics: list[dict] = field(default_factory=list)
    analyses: list[dict] = field(default_factory=list)  # {"key", "title", "note", "tables": [{"title", "headers", "rows", "digits"}]}
    profiles: list[dict] = field(default_factory=list)  # per listed unit, see engine.profiles
    figures: dict = field(default_factory=dict)  # the charts' data, see engine.figures
    provenance: list[tuple[str, str]] = field(default_factory=list)

    def grade_of(self, label) -> dict | None:
        return next((g for g in self.grades if g["label"] == label), None)


def fixed(value, digits: int | None) -> str:
    """A number with exactly ``digits`` decimals (trailing zeros kept); text as it is; "-" for none."""
    if value is None:
        return "-"
    if digits is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.{digits}f}"
    return str(value)


def units_text(item: dict, t: dict, lang: str) -> str:
    """The units a warning or a filled-in indicator concerns, in words: "C406 东风社区、C511 …等，另有 3 个"."""
    if not item["units"]:
        return ""
    more = item.get("more_units", 0)
    return listed(item["units"], lang) + ((t["comma"] if lang == "en" else "") + t["and_more"].format(n=more) if more else "")


def percent(share: float | None) -> str:
    """A share as a percentage with one decimal; a share too small to show as "<0.1%"."""
    if share is None:
        return "-"
    return "<0.1%" if 0 < share < 0.0005 else f"{share * 100:.1f}%"


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


def digits_of(result: Result, name: str, default: int = 2) -> int:
    """The decimals a node or indicator is shown with: its rounding in the ruleset, else ``default``."""
    rounding = result.ruleset.rounding.get(name)
    return rounding.digits if rounding is not None else default


def build(result: Result, limit: int | None = 200, params: dict | None = None) -> Report:
    """The report of a run; ``limit`` caps the units listed (None or 0: all); ``params`` may ask for
    the analyses (statistics; sensitivity and leave-one-out when engine run has computed them)."""
    from .figures import figures
    from .profiles import profiles

    rs = result.ruleset
    lang = language_of(result)
    t = HEADINGS[lang]
    dims = [(c, rs.label(c)) for c in (rs.nodes[rs.score].children if rs.score in rs.nodes else ())]
    score = result.rounded.get(rs.score, result.score)
    score_digits = digits_of(result, rs.score, 3)
    order = result.best_first()
    shown = order[:limit] if limit else order
    headers, columns, digits = [t["rank"], t["unit"]], [result.rank, result.unit_ids], [0, None]
    for key, values in result.descriptors():
        headers.append(t[key])
        columns.append(values)
        digits.append(None)
    dimension_columns = list(range(len(headers), len(headers) + len(dims)))
    headers += [label for _, label in dims]
    columns += [result.rounded.get(name, result.value(name)) for name, _ in dims]
    digits += [digits_of(result, name) for name, _ in dims]
    score_column = len(headers)
    headers.append(rs.label(rs.score))
    columns.append(score)
    digits.append(score_digits)
    grade_column = None
    if result.grade is not None:
        grade_column = len(headers)
        headers.append(t["grade"])
        columns.append(result.grade)
        digits.append(None)
    picked = [_plain_list(values, shown) for values in columns]
    rows = [list(cells) for cells in zip(*picked)] if picked else []
    names = [key for key, _ in result.descriptors()]
    report = Report(
        lang=lang, text=t, title=rs.title,
        subtitle=" · ".join(x for x in (rs.document.get("date"), say("version_is", lang, version=rs.version) if rs.version else "")
                            if x),
        summary=_summary(result, score, score_digits, t, lang), score_label=rs.label(rs.score), dimensions=dims,
        headers=headers, rows=rows, digits=digits, score_column=score_column, score_digits=score_digits,
        dimension_columns=dimension_columns, name_column=2 + names.index("name") if "name" in names else 1,
        group_column=2 + names.index("group") if "group" in names else None, grade_column=grade_column,
        hidden=result.size - len(shown), group_means=group_means(result, dims, t), grades=report_grades(result),
        weights=weights_by_node(result, lang), methods=_methods(result, lang),
        imputed=_imputed(result, lang),
        diagnostics=[{"severity": d.severity, "level": say(d.severity, lang), "code": d.code, "message": d.text(lang),
                      "units": _named_units(result, d.units[:20]), "more_units": max(d.unit_total - 20, 0)}
                     for d in result.diagnostics if d.code != "W_IMPUTED"],
        analyses=analyses(result, params or {}, shown), provenance=_provenance(result, t))
    report.profiles = _profiled(result, report, profiles(result, shown))
    report.figures = figures(result, report, shown)
    return report


def _named_units(result: Result, ids) -> list[str]:
    """Units as a reader knows them: the id with the name beside it, where the units have names."""
    if result.unit_labels is None or not ids:
        return list(ids)
    name = dict(zip(result.unit_ids.to_pylist(), result.unit_labels.to_pylist()))
    return [f"{u} {name[u]}" if name.get(u) else str(u) for u in ids]


def report_grades(result: Result) -> list[dict]:
    if result.grade is None:
        return []
    labels, counts = np.unique(result.grade[result.grade != None].astype(str), return_counts=True)  # noqa: E711
    by_band = dict(zip(labels.tolist(), counts.tolist()))
    return [{"label": b.label, "count": by_band.get(b.label, 0), "colour": GRADE_COLOURS[min(k, len(GRADE_COLOURS) - 1)][0],
             "fill": GRADE_COLOURS[min(k, len(GRADE_COLOURS) - 1)][1]} for k, b in enumerate(result.ruleset.bands)]


def _profiled(result: Result, report: Report, found: list[dict]) -> list[dict]:
    """The profiles of the listed units with labels and the report's numbers: what a reader sees."""
    rs = result.ruleset
    out = []
    for row, p in zip(report.rows, found):
        grade = report.grade_of(row[report.grade_column]) if report.grade_column is not None else None
        i = p["row"]
        out.append({
            "unit": row[1], "name": row[report.name_column], "group": row[report.group_column] if report.group_column else None,
            "rank": row[0], "group_rank": _plain(result.group_rank[i]) if result.group_rank is not None else None,
            "score": fixed(row[report.score_column], report.score_digits), "grade": grade,
            "dimensions": [{"label": rs.label(d["name"]), "value": d["value"], "peers": d["peers"],
                            "shown": fixed(d["value"], digits_of(result, d["name"])),
                            "peers_shown": fixed(d["peers"], digits_of(result, d["name"])),
                            "obstacle": percent(d["obstacle"]) if d["obstacle"] is not None else "-"}
                           for d in p["dimensions"]],
            "strengths": [rs.label(n) for n in p["strengths"]], "weaknesses": [rs.label(n) for n in p["weaknesses"]],
            "obstacles": None if p["obstacles"] is None else [(rs.label(n), percent(v)) for n, v in p["obstacles"]]})
    return out


def _plain(value):
    return None if value is None or np.isnan(value) else int(value) if float(value).is_integer() else float(value)


def _plain_list(values, rows) -> list:
    if isinstance(values, pa.Array):
        return values.take(pa.array(rows)).to_pylist()
    part = values[rows]
    if part.dtype == object:
        return [None if v is None else str(v) for v in part]
    return [None if np.isnan(v) else (int(v) if float(v).is_integer() and abs(v) < 1e15 else float(v)) for v in part]


def _summary(result: Result, score: np.ndarray, digits: int, t, lang: str) -> list[tuple[str, str]]:
    present = score[~np.isnan(score)]
    out = [(t["units"], f"{result.size:,}"), (t["scored"], f"{len(present):,}")]
    if len(present):
        out += [(t["mean"], fixed(float(present.mean()), digits)), (t["lowest"], fixed(float(present.min()), digits)),
                (t["highest"], fixed(float(present.max()), digits))]
    if result.grade is not None:
        out.append((t["grades"], listed((f"{g['label']} {g['count']}" for g in report_grades(result)), lang)))
    if result.dropped:
        out.append((t["dropped"], f"{len(result.dropped)}"))
    return out


def _provenance(result: Result, t) -> list[tuple[str, str]]:
    """Where the numbers come from: the engine, the ruleset and each data file, with their fingerprints."""
    meta = result.meta
    ruleset = meta.get("ruleset", {})
    out = [(t["engine"], f"govscore {meta.get('engine_version', '')}"),
           (t["ruleset"], " ".join(x for x in (ruleset.get("file"), ruleset.get("id"), ruleset.get("version")) if x)),
           (t["ruleset"] + " SHA-256", ruleset.get("sha256", ""))]
    for source in meta.get("inputs", []):
        out.append((t["data_file"].format(source=source.get("source", "")),
                    f"{source.get('path', '')} · {source.get('rows', '')} {t['rows']} · SHA-256 {source.get('sha256', '')}"))
    return out


def group_means(result: Result, dims, t) -> list[tuple[str, list[float | None]]]:
    """The mean of each dimension over all units, then per group (best group first by the score)."""
    values = [result.value(name) for name, _ in dims]
    out = [(t["all_units"], [number_or_none(np.nanmean(v)) if (~np.isnan(v)).any() else None for v in values])]
    if result.unit_groups is None:
        return out
    names, codes = result.group_codes()
    means = [by_group(v, codes, len(names))["mean"] for v in values]  # one pass each, any number of groups
    at = {name: g for g, name in enumerate(names)}
    return out + [(str(group["group"]), [number_or_none(m[at[group["group"]]]) for m in means])
                  for group in result.group_summary()]


def _notes(details: dict, lang: str) -> list[str]:
    """What a method reported for its node, in words: the choices it names (a DEA's model and orientation),
    the figures that have a name for readers (an AHP's CR, a Delphi round's Kendall W and its p, an RSR
    regression's slope and R², a Malmquist index's mean changes), two levels of grouping deep."""
    flat = dict(details)
    for group in [g for g in details.values() if isinstance(g, dict)]:
        flat.update(group)
        flat.update({k: v for inner in group.values() if isinstance(inner, dict) for k, v in inner.items()})
    out = []
    for key, value in flat.items():
        if isinstance(value, str) and f"value_{key}_{value}" in WORDS:
            out.append(say(f"value_{key}_{value}", lang))
        elif "note_" + key in WORDS and np.isscalar(value) and not isinstance(value, (bool, np.bool_)):
            out.append(say("note_" + key, lang) + " " + (f"{value:.4g}" if isinstance(value, float) else str(value)))
    return out + _category_counts(details, lang)


def _category_counts(details: dict, lang: str) -> list[str]:
    """The units in each class of a per-unit classification with words of its own (DEA's returns to scale):
    "returns to scale: increasing 20, constant 5, decreasing 10", the largest class first."""
    out = []
    for key, values in details.items():
        if not (isinstance(values, np.ndarray) and values.dtype == object and "{counts}" in WORDS.get("note_" + key, ("",))[0]):
            continue
        classes, counts = np.unique([v for v in values if isinstance(v, str)], return_counts=True)
        if len(classes):
            order = np.argsort(-counts, kind="stable")
            words = (say(f"value_{key}_{classes[k]}", lang) if f"value_{key}_{classes[k]}" in WORDS else str(classes[k]) for k in order)
            out.append(say("note_" + key, lang, counts=listed((f"{w} {counts[k]}" for w, k in zip(words, order)), lang)))
    return out


def _grade_counts(grades, values: np.ndarray, lang: str) -> list[str]:
    """The units in each grade a method gave (coupling coordination, fuzzy evaluation, RSR), best grade
    first: grades ordered by their units' mean value of the node."""
    if not isinstance(grades, np.ndarray) or grades.dtype != object or not len(grades):
        return []
    given = np.array([g is not None and g == g for g in grades])  # None and NaN: no grade
    if not given.any():
        return []
    labels, where, counts = np.unique(grades[given].astype(str), return_inverse=True, return_counts=True)
    means = np.bincount(where, weights=np.nan_to_num(values[given])) / counts
    order = np.argsort(-means, kind="stable")
    return [say("note_grades", lang, grades=listed((f"{labels[k]} {counts[k]}" for k in order), lang))]


def _with_aside(title: str, text: str, lang: str) -> str:
    """``text`` in brackets after ``title``; inside the title's own closing bracket when it has one
    ("秩和比法（RSR；回归截距 …）", not two brackets in a row)."""
    if text and title.endswith(("）", ")")):
        return title[:-1] + say("clause_sep", lang) + text + title[-1]
    return title + aside(text, lang)


def _method_with_findings(result: Result, node: str, lang: str) -> str:
    """A node's aggregation method with what it found for the node in brackets (an RSR regression, a DEA's
    model and efficient units, a Malmquist index's mean changes)."""
    details = result.details.get(node, {}).get("details", {})
    found = HEADINGS[lang]["comma"].join(_notes(details, lang) + _grade_counts(details.get("grade"), result.nodes[node], lang))
    return _with_aside(result.ruleset.nodes[node].aggregator.title(lang), found, lang)


def weights_by_node(result: Result, lang: str) -> list[dict]:
    """Per aggregation node: its label, aggregator (with what it found for the node, in words) and
    weighting for people, what the weighting reported (CR, λmax...) in words, and each child's label,
    weight and weight in the score."""
    rs = result.ruleset
    share = result.effective_weights()
    out = []
    for node, weights in result.weights.items():
        details = result.details.get(node, {})
        comma = HEADINGS[lang]["comma"]
        notes = comma.join(_notes(details.get("weights", {}), lang))  # the weighting's (an AHP's CR)
        spec = rs.nodes[node]
        out.append({"node": node, "label": rs.label(node), "aggregation": _method_with_findings(result, node, lang),
                    "method": spec.weight_set.weighting.title(lang) if spec.weight_set is not None else "", "notes": notes,
                    "parts": [(child, rs.label(child), w, share.get(child)) for child, w in weights.items()]})
    return out


def _imputed(result: Result, lang: str) -> list[dict]:
    """Per indicator with filled-in values: its label, how they were filled in, and the units (with their periods)."""
    from .schema import MISSING_WORDS
    from .schema_zh import ZH

    rs = result.ruleset
    out = []
    for name, mask in result.imputed.items():
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        how = MISSING_WORDS[rs.indicators[name].missing]
        units = _named_units(result, result.unit_ids.take(pa.array(rows[:20])).to_pylist())
        if result.unit_periods is not None:
            units = [f"{u} ({p})" for u, p in zip(units, result.unit_periods.take(pa.array(rows[:20])).to_pylist())]
        out.append({"indicator": rs.label(name), "how": ZH.get(how, how) if lang == "zh" else how, "count": len(rows),
                    "units": units, "more_units": max(len(rows) - 20, 0)})
    return out


def _params_in_words(params: dict, lang: str) -> str:
    """A method's parameters for a reader: a scale as "0–100", the rest as name value."""
    words = []
    for key, value in params.items():
        if key == "scale" and isinstance(value, list) and len(value) == 2:
            words.append(say("scaled_to", lang, low=f"{value[0]:g}", high=f"{value[1]:g}"))
        elif not isinstance(value, (dict, list)):
            words.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    return listed(words, lang)


PROPER_NAMES = ("Borda", "Copeland", "Delphi", "Malmquist", "Mazziotta")


def _in_sentence(title: str) -> str:
    """A title inside a sentence: "Weighted mean" becomes "weighted mean"; "TOPSIS" and "Malmquist
    productivity index" (a person's name) stay."""
    if title.startswith(PROPER_NAMES) or len(title) < 2 or not title[1].islower():
        return title
    return title[0].lower() + title[1:]


def _weights_text(values, lang: str) -> str:
    return listed((f"{w:.4g}" for w in values), lang)


def _methods(result: Result, lang: str) -> list[str]:
    """Sentences on how the score is made, generated from the ruleset: how each group of indicators is
    normalised, how each node combines its parts and with which weights, rounding and grades."""
    rs = result.ruleset
    normalised: dict[str, list[str]] = {}  # the indicators of each normaliser with its parameters
    for ind in rs.indicators.values():
        if ind.normaliser is None:
            continue
        how = ind.normaliser.title(lang) + aside(_params_in_words(ind.normaliser_params, lang), lang)
        what = say("direction_" + ind.direction, lang)
        if ind.treatment is not None:
            what += HEADINGS[lang]["comma"] + say("treated_with", lang, method=ind.treatment.title(lang))
        normalised.setdefault("" if ind.normaliser.name == "none" else how, []).append(ind.label + aside(what, lang))
    out = [say("normalised_with", lang, method=how, indicators=listed(names, lang)) if how
           else say("not_normalised", lang, indicators=listed(names, lang)) for how, names in normalised.items()]
    for name, node in rs.nodes.items():
        if node.formula is not None:
            out.append(say("node_formula", lang, node=node.label, formula=node.formula.text))
            continue
        weights = result.weights.get(name)
        method = node.aggregator.title(lang) if weights else _method_with_findings(result, name, lang)  # else beside the weights
        sentence = say("node_combines", lang, node=node.label, method=_in_sentence(method),
                       parts=listed((rs.label(c) for c in node.children), lang))
        if weights:
            sentence += say("with_weights", lang, weights=_weights_text((weights[c] for c in node.children if c in weights), lang))
            if node.weight_set is not None:
                sentence += aside(node.weight_set.weighting.title(lang), lang)
        out.append(sentence + HEADINGS[lang]["full_stop"])
    if rs.score in rs.rounding:
        out.append(say("rounded_before_ranking", lang, digits=rs.rounding[rs.score].digits))
    if rs.bands:
        bands = listed((f"{b.label} ≥ {b.min:g}" if b.min is not None else f"{b.label} ≤ {b.max:g}" if b.max is not None
                        else b.label for b in rs.bands), lang)
        out.append(say("grades_are", lang, bands=bands))
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
    from .uncertainty import factor_text, levels_text

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
            factors = [[factor_text(f["factor"], rs, lang), f"{f['first_order']:.3f} ± {f['first_order_conf']:.3f}",
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
