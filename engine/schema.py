"""The ruleset format (version 1) as JSON Schema 2020-12, and its structural check.

``base_schema()`` is the format itself. ``published_schema(plugins)`` adds what the installed
plugins declare (method names and their parameters), so that an editor honouring ``$schema``
completes them; ``schemas/ruleset.schema.json`` is that schema for the built-ins, and a test
keeps it in step with this module.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from .diagnostics import Diagnostic, pointer, said
from .messages import Both
from .schema_zh import NAMES, ZH

FORMAT_VERSION = "govscore/1"
NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]{0,63}$"
DIRECTIONS = {"higher": "higher", "lower": "lower", "range": "range", "正向": "higher", "逆向": "lower", "适度": "range"}
MISSING_POLICIES = ["error", "drop_unit", "impute_mean", "impute_median", "impute_group_mean", "impute_group_median",
                    "carry_forward", "interpolate", "leave"]
IMPUTATIONS = [p for p in MISSING_POLICIES if p not in ("error", "drop_unit", "leave")]


def _p(kind: dict, description: str, example) -> dict:
    """A property: its schema, a description for hover help, and an example."""
    return {**kind, "description": description, "examples": [example]}


def _obj(properties: dict, required=(), description: str = "", example=None, **extra) -> dict:
    out = {"type": "object", "properties": properties, "additionalProperties": False, **extra}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    if example is not None:
        out["examples"] = [example]
    return out


def _choices(described: dict[str, str]) -> dict:
    """A closed list whose every choice has its own description (editors show them as the list is opened)."""
    return {"enum": list(described), "enumDescriptions": list(described.values())}


DIRECTION_WORDS = {"higher": "More is better (正向).", "lower": "Less is better (逆向).", "range": "Best within the optimum (适度)."}
MISSING_WORDS = {
    "error": "The run stops and names the units (default).",
    "drop_unit": "The unit is not scored; means and ranges are computed without it.",
    "impute_mean": "The mean of the other units.", "impute_median": "The median of the other units.",
    "impute_group_mean": "The mean of the other units of its group.", "impute_group_median": "The median of the other units of its group.",
    "carry_forward": "The unit's last earlier value.", "interpolate": "A straight line between the unit's nearest periods with values.",
    "leave": "The value stays missing; the node above decides.",
}
INVALID_WORDS = {"error": "The run stops and names the units.", "missing": "The value is left missing."}
STRING = {"type": "string"}
NUMBER = {"type": "number"}
NAME = {"type": "string", "pattern": NAME_PATTERN}
NAME_LIST = {"type": "array", "items": NAME, "minItems": 1, "uniqueItems": True}
PARAMS = {"type": "object"}
BOUNDS = {"lower": _p(NUMBER, "The lower end, in the raw unit of the indicator.", 0),
          "upper": _p(NUMBER, "The upper end, in the raw unit of the indicator.", 100)}


def _method_spec(kind: str, example: str) -> dict:
    """A method by name, with optional parameters: "minmax" or {"method": "minmax", "params": {...}}."""
    return {
        "description": f"A {kind}: its name, or an object with the name and its parameters.",
        "examples": [example, {"method": example, "params": {}}],
        "oneOf": [
            _p(STRING, f"The name of the {kind}.", example),
            _obj({
                "method": _p(STRING, f"The name of the {kind} (engine plugins lists them).", example),
                "params": _p(PARAMS, f"Parameters of the {kind}" + (", in the raw unit of the indicator."
                                                                     if kind in ("normaliser", "treatment") else "."), {}),
            }, required=["method"]),
        ],
    }


def base_schema() -> dict:
    indicator = _obj({
        "label": _p(STRING, "What the indicator is called in results and reports; Chinese is fine.", "每万人调解纠纷数"),
        "description": _p(STRING, "What the indicator measures and where the figure comes from.", "年度人民调解案件数，按常住人口折算"),
        "unit": _p(STRING, "The unit the raw value is measured in.", "件/万人"),
        "source": _p(NAME, "The source the column is read from; default: the source named in units, else the only source.", "communities"),
        "column": _p(STRING, "The column of the source that holds the raw value.", "mediation_cases"),
        "formula": _p(STRING, "Computes the raw value from other indicators instead of reading a column.", "cases / population * 10000"),
        "direction": _p(_choices({name: DIRECTION_WORDS[DIRECTIONS[name]] for name in DIRECTIONS}),
                        "higher: more is better (正向); lower: less is better (逆向); range: best within the optimum (适度).",
                        "higher"),
        "target": _p(NUMBER, "The target value, in the raw unit; used by distance-to-target normalisation.", 95),
        "goalposts": _obj(BOUNDS, ["lower", "upper"], "Fixed lower and upper goalposts, in the raw unit.",
                          {"lower": 20, "upper": 85}),
        "optimum": _obj(BOUNDS, ["lower", "upper"], "For direction range: the interval of best values, in the raw unit.",
                        {"lower": 0.3, "upper": 0.5}),
        "clamp": _obj(BOUNDS, [], "Raw values beyond these bounds are set to the bound before anything else.",
                      {"lower": 0, "upper": 100}),
        "missing": _p(_choices({policy: MISSING_WORDS[policy] for policy in MISSING_POLICIES}),
                      "What to do with a unit that has no value: error (default), drop_unit, impute_mean, impute_median, "
                      "impute_group_mean or impute_group_median (within the unit's group), carry_forward or interpolate "
                      "(over the unit's periods), or leave (the parent node's missing policy decides).", "impute_median"),
        "on_invalid": _p(_choices(INVALID_WORDS),
                         "For a formula: whether division by zero and the like stop the run (error, default) or leave the value missing.",
                         "error"),
        "treat": _method_spec("treatment", "winsorise_log"),
        "normalise": _method_spec("normaliser", "minmax"),
    }, description="An indicator: where its raw value comes from and how it is scored.",
       example={"label": "专职社工人数", "source": "communities", "column": "social_workers", "direction": "higher"})

    node = _obj({
        "label": _p(STRING, "What the node is called in results and reports.", "社会化水平 S"),
        "description": _p(STRING, "What the node stands for.", "社会力量参与治理的程度"),
        "method": _p(STRING, "The aggregation method (engine plugins lists them).", "weighted_mean"),
        "children": _p(NAME_LIST, "The indicators and nodes this node combines.", ["volunteers", "social_orgs"]),
        "weights": {
            "description": "The name of a weight set, or the weights written out here (child name: weight).",
            "examples": ["beta", {"volunteers": 0.6, "social_orgs": 0.4}],
            "oneOf": [NAME, {"type": "object", "propertyNames": {"pattern": NAME_PATTERN},
                             "additionalProperties": {"type": "number"}}],
        },
        "params": _p(PARAMS, "Parameters of the aggregation method.", {}),
        "missing": _p(_choices({"propagate": "The node is missing when a child is (default).",
                                "renormalise": "The weights of the present children are scaled up."}),
                      "A child missing for a unit: propagate (the node is missing, default) or renormalise (weights of the present children are scaled up).",
                      "renormalise"),
        "min_share": _p({"type": "number", "minimum": 0, "maximum": 1},
                        "With renormalise: the smallest share of weight that must be present, else the node is missing.", 0.5),
        "formula": _p(STRING, "A free formula over indicators (their normalised values) and other nodes.", "0.5 * S + 0.5 * L"),
        "on_invalid": _p(_choices(INVALID_WORDS),
                         "For a formula: whether division by zero and the like stop the run (error, default) or leave the value missing.",
                         "error"),
    }, description="A node of the scoring graph: an aggregation of children, or a formula.",
       example={"label": "治理水平 H", "method": "weighted_mean", "children": ["S", "L", "I", "P"], "weights": "beta"})

    weight_set = _obj({
        "label": _p(STRING, "A short name for the weight set.", "准则层权重 β"),
        "description": _p(STRING, "Where the weights come from (an expert panel, a policy document).", "专家打分，2026年3月"),
        "method": _p(STRING, "How the weights are set: fixed (written in params.values) or equal.", "fixed"),
        "params": _p(PARAMS, "Parameters of the weighting method.", {"values": {"S": 0.3, "L": 0.3, "I": 0.2, "P": 0.2}}),
        "sum_to_one": _p({"type": "boolean"}, "Check that the weights of each node's children sum to 1 (default true).", True),
        "renormalise": _p({"type": "boolean"}, "Divide the weights by their sum before use (default false).", False),
    }, required=["method"], description="A named set of weights.",
       example={"method": "fixed", "params": {"values": {"S": 0.3, "L": 0.3, "I": 0.2, "P": 0.2}}})

    source = _obj({
        "format": _p(STRING, "The file format (engine plugins lists the source formats).", "csv"),
        "path": _p(STRING, "The file, relative to the ruleset's folder; engine run --data NAME=PATH replaces it.", "data/communities.csv"),
        "params": _p(PARAMS, "Options of the format: encoding, NA markers, thousands separator...", {"encoding": "auto"}),
        "description": _p(STRING, "What the file holds and where it comes from.", "2025年社区治理统计台账"),
        "long": _obj({
            "indicator": _p(STRING, "The column that names the indicator of each row; indicators of this source give "
                                    "that name as their column.", "indicator_code"),
            "value": _p(STRING, "The column that holds the value.", "value"),
        }, ["indicator", "value"], "The file is in long format: a row per unit, indicator (and period), which the "
           "engine turns into a column per indicator.", {"indicator": "indicator_code", "value": "value"}),
    }, required=["format", "path"], description="A data file.", example={"format": "csv", "path": "data/communities.csv"})

    output = _obj({
        "format": _p(STRING, "The output format (engine plugins lists them).", "csv"),
        "path": _p(STRING, "Where to write, relative to the ruleset's folder; - for standard output.", "results/scores.csv"),
        "params": _p(PARAMS, "Options of the output format.", {}),
    }, required=["format", "path"], description="A file to write the results to.", example={"format": "csv", "path": "results.csv"})

    band = _obj({
        "label": _p(STRING, "The grade's name.", "优秀"),
        "min": _p(NUMBER, "Higher is better: the lowest value that earns this grade; leave out on the last band to catch "
                          "everything below.", 85),
        "max": _p(NUMBER, "Lower is better: the highest value that earns this grade (every band then gives max); leave out "
                          "on the last band to catch everything above.", 0.1),
    }, required=["label"], description="One grade band.", example={"label": "优秀", "min": 85})

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://govscore.invalid/schemas/ruleset.schema.json",
        "title": "govscore ruleset",
        "description": "A declarative description of a composite-indicator evaluation, read by govscore.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "id", "title", "units", "sources", "indicators", "score"],
        "properties": {
            "$schema": _p(STRING, "The JSON Schema for editors; ignored by the engine.", "../schemas/ruleset.schema.json"),
            "format": _p({"const": FORMAT_VERSION}, "The version of the ruleset format.", FORMAT_VERSION),
            "id": _p({"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"}, "A short identifier of the ruleset.", "grassroots-h"),
            "title": _p(STRING, "The evaluation's title.", "社区治理水平评价"),
            "version": _p(STRING, "The ruleset's own version.", "1.0.0"),
            "date": _p({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, "When this version was adopted.", "2026-11-25"),
            "description": _p(STRING, "What the evaluation is for.", "按社会化、法治化、智能化、专业化四个维度评价社区治理水平"),
            "language": _p(STRING, "The language of labels, messages and report headings (BCP 47): zh-CN gives Chinese, "
                                       "anything else English; engine --lang overrides it.", "zh-CN"),
            "units": _obj({
                "source": _p(NAME, "The source that lists the units; default: the first source.", "communities"),
                "id": _p(STRING, "The column holding each unit's unique id.", "community_id"),
                "label": _p(STRING, "The column holding each unit's name.", "community_name"),
                "group": _p(STRING, "The column holding each unit's group, for group ranks and summaries.", "township"),
                "period": _p(STRING, "The column holding the period (year) for panel data.", "year"),
            }, ["id"], "The units scored and the columns that describe them.",
               {"source": "communities", "id": "community_id", "label": "community_name", "group": "township"}),
            "sources": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": NAME_PATTERN},
                        "additionalProperties": source, "description": "The data files, by name.",
                        "examples": [{"communities": {"format": "csv", "path": "data/communities.csv"}}]},
            "indicators": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": NAME_PATTERN},
                           "additionalProperties": indicator,
                           "description": "The indicators, by name; the names are used in formulas and nodes.",
                           "examples": [{"volunteers": {"label": "注册志愿者占比", "column": "volunteer_rate"}}]},
            "treat": _method_spec("treatment", "winsorise_log"),
            "normalise": _method_spec("normaliser", "minmax"),
            "direction": {**indicator["properties"]["direction"],
                          "description": "The direction of every indicator that gives none (default higher)."},
            "missing": {**indicator["properties"]["missing"],
                        "description": "The missing-value policy of every indicator that gives none (default error)."},
            "on_invalid": {**indicator["properties"]["on_invalid"],
                           "description": "For every formula indicator that gives none: error (default) or missing."},
            "weights": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN}, "additionalProperties": weight_set,
                        "description": "Named weight sets that nodes refer to.",
                        "examples": [{"beta": {"method": "fixed", "params": {"values": {"S": 0.5, "L": 0.5}}}}]},
            "nodes": {"type": "object", "propertyNames": {"pattern": NAME_PATTERN}, "additionalProperties": node,
                      "description": "The scoring graph: each node aggregates children or computes a formula.",
                      "examples": [{"H": {"method": "weighted_mean", "children": ["S", "L"], "weights": "beta"}}]},
            "score": _p(NAME, "The headline node (or indicator): what is ranked and graded.", "H"),
            "coverage": _obj({
                "unit": _p({"type": "number", "minimum": 0, "maximum": 1},
                           "The least share of indicators a unit must have data for (default 0.65).", 0.65),
                "indicator": _p({"type": "number", "minimum": 0, "maximum": 1},
                                "The least share of units an indicator must have data for (default 0.65).", 0.65),
                "drop_units": _p({"type": "boolean"}, "Drop the units below the unit threshold instead of only warning.", False),
            }, [], "Data coverage checked before missing values are filled in.", {"unit": 0.65, "indicator": 0.65}),
            "uncertainty": _obj({
                "normalise": _obj({
                    "alternatives": {"type": "array", "items": _method_spec("normaliser", "zscore"), "minItems": 2,
                                     "description": "The normalisers to choose from, each equally likely.",
                                     "examples": [["minmax", "zscore"]]},
                    "indicators": _p(NAME_LIST, "The indicators whose normaliser varies; default: every indicator a node uses.",
                                     ["mediation", "services"]),
                }, ["alternatives"], "Vary the normaliser.", {"alternatives": ["minmax", "zscore"]}),
                "missing": _obj({
                    "alternatives": _p({"type": "array", "items": {"enum": IMPUTATIONS}, "minItems": 2, "uniqueItems": True},
                                       "The imputations to choose from, each equally likely.", ["impute_mean", "impute_median"]),
                    "indicators": _p(NAME_LIST, "The indicators whose imputation varies; default: every indicator that "
                                     "fills in missing values.", ["mediation"]),
                }, ["alternatives"], "Vary how missing values are filled in.", {"alternatives": ["impute_mean", "impute_median"]}),
                "weights": {"type": "object", "propertyNames": NAME, "minProperties": 1, "additionalProperties": _obj({
                    "noise": _p({"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                                "Each weight varies uniformly within ± this share of its nominal value; the node's "
                                "weights are then scaled back to their nominal total.", 0.2),
                    "dirichlet": _p({"type": "number", "exclusiveMinimum": 0},
                                    "Draw the weights from a Dirichlet distribution centred on the nominal weights, "
                                    "with this concentration (larger: closer to nominal).", 50),
                }, [], "How the weights of this node vary: noise or dirichlet.", {"noise": 0.2},
                    minProperties=1, maxProperties=1),
                    "description": "Vary the weights of these nodes around their nominal values.",
                    "examples": [{"H": {"noise": 0.2}}]},
                "aggregation": {"type": "object", "propertyNames": NAME, "minProperties": 1, "additionalProperties": {
                    "type": "array", "items": _method_spec("aggregator", "geometric_mean"), "minItems": 2,
                    "description": "The aggregators this node chooses from, each equally likely.",
                    "examples": [["weighted_mean", "geometric_mean"]]},
                    "description": "Vary the aggregation method of these nodes.",
                    "examples": [{"H": ["weighted_mean", "geometric_mean"]}]},
                "samples": _p({"type": "integer", "minimum": 10, "maximum": 1000000},
                              "How many configurations to score (engine sensitivity --samples overrides it; default 1000).", 1000),
                "seed": _p({"type": "integer", "minimum": 0, "maximum": 4294967295},
                           "The random seed: the same seed gives the same samples (--seed overrides it; default 1).", 1),
            }, [], "Alternatives that engine sensitivity samples from (Monte Carlo uncertainty and sensitivity analysis).",
                {"normalise": {"alternatives": ["minmax", "zscore"]}, "weights": {"H": {"noise": 0.2}}}),
            "rounding": {"type": "array", "items": _obj({
                "node": _p(NAME, "The node or indicator to round.", "H"),
                "digits": _p({"type": "integer", "minimum": 0, "maximum": 12}, "Decimal places.", 3),
                "method": _p(_choices({"half_up": "0.5 goes up, as a spreadsheet's ROUND (default).",
                                       "half_even": "0.5 goes to the even digit."}),
                             "half_up (default; 0.5 goes up) or half_even.", "half_up"),
            }, ["node", "digits"], "A rounding step.", {"node": "H", "digits": 2}),
                "description": "Rounding steps, as published indices round before ranking and grading.",
                "examples": [[{"node": "H", "digits": 2}]]},
            "panel": _obj({
                "normalise": _p(_choices({"pooled": "Every period normalised together, so periods stay comparable (default).",
                                          "per_period": "Each period normalised on its own."}),
                                "pooled: normalise over every period together, so periods stay comparable (default); "
                                "per_period: normalise each period on its own (min-max of each year, say).", "pooled"),
            }, [], "How data with several periods (units.period) are treated.", {"normalise": "pooled"}),
            "rank": _obj({
                "order": _p(_choices({"descending": "The highest score ranks 1 (default).", "ascending": "The lowest score ranks 1."}),
                            "descending: the highest score ranks 1 (default).", "descending"),
                "ties": _p(_choices({"min": "Ties share the best rank: 1, 2, 2, 4 (default).",
                                     "dense": "Ties share the rank, no gaps: 1, 2, 2, 3.",
                                     "average": "Ties share the mean rank: 1, 2.5, 2.5, 4.",
                                     "ordinal": "Ties ranked in data order: 1, 2, 3, 4."}),
                           "min: 1,2,2,4 (default); dense: 1,2,2,3; average: 1,2.5,2.5,4; ordinal: 1,2,3,4 in data order.", "min"),
                "use_rounded": _p({"type": "boolean"}, "Rank on the rounded score when the score is rounded (default true).", True),
            }, [], "How units are ranked on the score.", {"order": "descending", "ties": "min"}),
            "grades": _obj({
                "node": _p(NAME, "The node graded; default: the score.", "H"),
                "use_rounded": _p({"type": "boolean"}, "Grade the rounded value when the node is rounded (default true).", True),
                "bands": {"type": "array", "items": band, "minItems": 1,
                          "description": "The bands from the best down, each with the lowest value it takes (min) or, "
                                         "for a score where lower is better, the highest (max).",
                          "examples": [[{"label": "优秀", "min": 85}, {"label": "良好", "min": 70},
                                        {"label": "合格", "min": 60}, {"label": "不合格"}]]},
            }, ["bands"], "Grade bands (优秀/良好/合格/不合格).", {"bands": [{"label": "合格", "min": 60}, {"label": "不合格"}]}),
            "outputs": {"type": "array", "items": output,
                        "description": "Where engine run writes results when no -o is given.",
                        "examples": [[{"format": "csv", "path": "results/scores.csv"}]]},
        },
    }
    return schema


def published_schema(plugins, lang: str = "en") -> dict:
    """The base schema with each plugin's method names (each with its description) and parameter schemas
    merged in; with ``lang`` "zh", its descriptions in Chinese for editors' hover help."""
    schema = copy.deepcopy(base_schema())
    props = schema["properties"]

    def methods(regs, names) -> dict:
        return {"enum": names, "enumDescriptions": [regs[n].describe(lang) for n in names]}

    def constrain(spec: dict, kind: str, method_key: str = "method", params_key: str = "params"):
        regs = plugins.of(kind)
        names = sorted(n for n, r in regs.items() if r.impl is not None)
        spec["properties"][method_key] = {**spec["properties"][method_key], **methods(regs, names)}
        spec["allOf"] = [
            {"if": {"properties": {method_key: {"const": n}}, "required": [method_key]},
             "then": {"properties": {params_key: {**regs[n].params, "description": regs[n].describe(lang)}}}}
            for n in names if regs[n].params
        ]

    def constrain_method_spec(spec: dict, kind: str):
        regs = plugins.of(kind)
        names = sorted(n for n, r in regs.items() if r.impl is not None)
        spec["oneOf"][0] = {**spec["oneOf"][0], **methods(regs, names)}
        constrain(spec["oneOf"][1], kind)

    constrain(props["sources"]["additionalProperties"], "source", "format")
    constrain(props["outputs"]["items"], "output", "format")
    constrain(props["weights"]["additionalProperties"], "weighting")
    constrain(props["nodes"]["additionalProperties"], "aggregator")
    constrain_method_spec(props["normalise"], "normaliser")
    constrain_method_spec(props["treat"], "treatment")
    uncertainty = props["uncertainty"]["properties"]
    constrain_method_spec(uncertainty["normalise"]["properties"]["alternatives"]["items"], "normaliser")
    constrain_method_spec(uncertainty["aggregation"]["additionalProperties"]["items"], "aggregator")
    constrain_method_spec(props["indicators"]["additionalProperties"]["properties"]["treat"], "treatment")
    constrain_method_spec(props["indicators"]["additionalProperties"]["properties"]["normalise"], "normaliser")
    return _in_chinese(schema) if lang == "zh" else schema


def _in_chinese(node):
    """The schema with every description the catalogue translates (or a plugin gives as description_zh) in Chinese."""
    if isinstance(node, list):
        return [_in_chinese(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _in_chinese(v) for k, v in node.items() if k != "description_zh"}
    if isinstance(node.get("description"), str):
        out["description"] = node.get("description_zh") or ZH.get(node["description"], node["description"])
    if isinstance(node.get("enumDescriptions"), list):
        out["enumDescriptions"] = [ZH.get(d, d) for d in node["enumDescriptions"]]
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: {**v, "title": NAMES[k]} if isinstance(v, dict) and k in NAMES and "title" not in v else v
                             for k, v in out["properties"].items()}
    return out


_VALIDATOR = None


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema_rs.Draft202012Validator(base_schema())
    return _VALIDATOR


@dataclass(frozen=True)
class Broken:
    """A rule of the schema that a place in the document breaks: the JSON Schema keyword (required,
    type, enum…), its value in the schema, the schema that holds it, and the value found and where."""

    keyword: str
    value: Any
    schema: dict
    instance: Any
    path: tuple
    message: str
    detail: dict  # what the validator says of it: the property required, the keys not allowed…


def _broken(error, schema: dict) -> Broken:
    """The rule a validation error reports, read off the schema along the error's path in it."""
    *holder, keyword = error.schema_path
    for step in holder:  # a path through the schema from its root, references already followed
        try:
            schema = schema[step]
        except (KeyError, IndexError, TypeError):  # a schema this path does not fit: tell the rule without it
            schema = {}
            break
    schema = schema if isinstance(schema, dict) else {}
    detail = error.kind.as_dict()
    instance = error.instance
    if "error" in detail and keyword == "pattern" and holder and holder[-1] == "propertyNames":
        instance = detail["error"].instance  # the name at fault, not the object that has it
    return Broken(keyword, schema.get(keyword), schema, instance, tuple(error.instance_path), error.message, detail)


def check_structure(document) -> list[Diagnostic]:
    """Every place where the document does not fit the format, as diagnostics."""
    out = []
    schema = base_schema()
    for e in sorted((_broken(e, schema) for e in _validator().iter_errors(document)), key=lambda e: list(map(str, e.path))):
        if list(e.path) == ["format"] and e.keyword == "const":
            out.append(said("E_FORMAT_VERSION", "schema.format", path="/format", found=_describe(e.instance),
                            version=FORMAT_VERSION, hint=Both(f'write "format": "{FORMAT_VERSION}"', f'请写 "format": "{FORMAT_VERSION}"')))
        else:
            out.append(_diagnostic(e))
    return out


def params_problems(params, schema: dict | None, path: str, what: Both) -> list[Diagnostic]:
    """Check a plugin's parameters against the schema fragment it declared; ``what`` names the method
    ("the aggregator sbm"), and each problem names the parameter it is in."""
    if not schema:
        return []
    validator = jsonschema_rs.Draft202012Validator(schema)
    return [_diagnostic(_broken(e, schema), base=path, code="E_PARAMS", what=what) for e in validator.iter_errors(params)]


NAME_HINT = Both("names start with a letter or _, then letters, digits or _ (ASCII, at most 64); put Chinese text in label",
                 "名称以字母或 _ 开头，其后为字母、数字或 _（ASCII，最多 64 个）；中文请写在 label 中")


# keys written in a place where they do not belong, and where they do
MISPLACED = {
    ("goalposts", "log"): Both('"log" is a parameter of the goalposts normaliser: write "normalise": {"method": "goalposts", '
                               '"params": {"log": true}}',
                               '"log" 是 goalposts 标准化方法的参数：请写 "normalise": {"method": "goalposts", "params": {"log": true}}'),
    ("grades", "max"): Both('each band gives its own "max": {"label": "优秀", "max": 0.1}', '每一档各自写 "max"：{"label": "优秀", "max": 0.1}'),
    ("grades", "min"): Both('each band gives its own "min": {"label": "优秀", "min": 85}', '每一档各自写 "min"：{"label": "优秀", "min": 85}'),
}


def _described(schema: dict) -> Both | None:
    """A schema's description as a hint, in Chinese too where it gives ``description_zh``."""
    text = schema.get("description")
    return Both(text, schema.get("description_zh") or text) if text else None


def _diagnostic(e: Broken, base: str = "", code: str | None = None, what: Both | None = None) -> Diagnostic:
    path = base + pointer(*e.path)
    parts = list(e.path)
    if what is not None and parts:  # a method's parameter: name it (the path points at the exact item)
        where = Both(f'the parameter "{parts[0]}" of {what.en}', f"{what.zh} 的参数“{parts[0]}”")
    elif what is not None:
        where = Both(f"the parameters of {what.en}", f"{what.zh} 的参数")
    elif parts and isinstance(parts[-1], int):  # an item of a list: say which, of which list
        of = parts[-2] if len(parts) > 1 else ""
        where = Both(f'item {parts[-1] + 1} of "{of}"', f"“{of}”的第 {parts[-1] + 1} 项")
    elif parts:
        where = Both(f'"{parts[-1]}"', f"“{parts[-1]}”")
    else:
        where = Both("the ruleset", "规则集")
    found = _describe(e.instance)
    if e.keyword == "required":
        return said(code or "E_SCHEMA_REQUIRED", "schema.required", path=path, where=where, name=e.detail["property"])
    if e.keyword == "additionalProperties":
        allowed = list(e.schema.get("properties", {}))
        extras = [k for k in e.instance if k not in allowed] if isinstance(e.instance, dict) else []
        extra = extras[0] if extras else "?"
        close = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
        hint = MISPLACED.get((parts[-1] if parts else None, extra)) or (
            f'did you mean "{close[0]}"?' if close else ("allowed: " + ", ".join(allowed) if allowed else None))
        return said(code or "E_SCHEMA_UNKNOWN_KEY", "schema.unknown_key", path=path + pointer(extra), hint=hint,
                    where=where, name=extra)
    if e.keyword == "type":
        kinds = [e.value] if isinstance(e.value, str) else list(e.value)
        expected = Both(" or ".join(_article(k).en for k in kinds), "或".join(_article(k).zh for k in kinds))
        return said(code or "E_SCHEMA_TYPE", "schema.type", path=path, where=where, expected=expected, found=found)
    if e.keyword in ("enum", "const"):
        options = e.value if e.keyword == "enum" else [e.value]
        close = difflib.get_close_matches(str(e.instance), [str(o) for o in options], n=1, cutoff=0.5)
        return said(code or "E_SCHEMA_VALUE", "schema.enum", path=path, hint=f'did you mean "{close[0]}"?' if close else None,
                    where=where, found=found, options=", ".join(map(str, options)))
    if (e.keyword == "pattern" and e.value == NAME_PATTERN) or e.keyword == "propertyNames":
        return said(code or "E_SCHEMA_VALUE", "schema.name", path=path, hint=NAME_HINT, found=found)
    if e.keyword in ("minItems", "maxItems", "minProperties", "maxProperties"):
        least = e.keyword.startswith("min")
        n = len(e.instance)
        things = (Both("item" if n == 1 else "items", "项") if e.keyword.endswith("Items")
                  else Both("entry" if n == 1 else "entries", "项"))
        hint = "choose one of: " + ", ".join(e.instance) if not least and isinstance(e.instance, dict) else _described(e.schema)
        return said(code or "E_SCHEMA_VALUE", "schema.count", path=path, hint=hint, where=where, n=n, things=things,
                    bound=_bound(least), limit=e.value)
    if e.keyword == "oneOf":
        return said(code or "E_SCHEMA_TYPE", "schema.one_of", path=path, hint=_described(e.schema),
                    where=where, found=found)
    if e.keyword in LIMITS:
        return said(code or "E_SCHEMA_VALUE", "schema.bound", path=path, hint=_described(e.schema), where=where,
                    found=found, relation=LIMITS[e.keyword], limit=e.value)
    if e.keyword in ("minLength", "maxLength"):
        return said(code or "E_SCHEMA_VALUE", "schema.length", path=path, where=where, n=len(e.instance),
                    bound=_bound(e.keyword == "minLength"), limit=e.value)
    if e.keyword == "uniqueItems":
        return said(code or "E_SCHEMA_VALUE", "schema.unique", path=path, where=where)
    if e.keyword == "pattern":
        return said(code or "E_SCHEMA_VALUE", "schema.pattern", path=path, hint=_described(e.schema), where=where,
                    found=found, pattern=e.value)
    # a rule no ruleset of ours uses (a plugin's own parameter schema may): the validator's words, in English
    return said(code or "E_SCHEMA_VALUE", "schema.other", path=path, where=where, detail=e.message)


def _bound(least: bool) -> Both:
    return Both("at least", "至少需要") if least else Both("at most", "至多允许")


LIMITS = {"minimum": Both("at least", "不小于"), "maximum": Both("at most", "不大于"),
          "exclusiveMinimum": Both("more than", "大于"), "exclusiveMaximum": Both("less than", "小于")}


def _article(kind: str) -> Both:
    names = {"object": Both("an object {...}", "对象 {...}"), "array": Both("an array [...]", "数组 [...]"),
             "string": Both('text in "quotes"', "带引号的文字"), "number": Both("a number", "数字"),
             "integer": Both("a whole number", "整数"), "boolean": Both("true or false", "true 或 false")}
    return names.get(kind, Both(kind, kind))


def _describe(value) -> str | Both:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 60 else f'"{value[:57]}..."'
    if isinstance(value, (int, float)):
        return repr(value)
    return Both("an object", "一个对象") if isinstance(value, dict) else Both("an array", "一个数组")
