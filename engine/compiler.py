"""Compile a ruleset: check everything that can be checked without data, and build the plan.

All problems are collected and returned together, each placed at its JSON path and line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path


from .confine import inside
from .diagnostics import Diagnostic, EngineError, SourceMap, did_you_mean, excerpt, pointer, said
from .formula import compile_formula
from .jsonload import load_file
from .messages import KINDS, Both
from .model import Alternative, Band, Bounds, Indicator, Node, Rounding, Ruleset, Source, Uncertainty, WeightSet
from .plugins import Plugins, Registration
from .schema import DIRECTIONS, check_structure, params_problems
from .weights import node_weights

DEFAULT_NORMALISER = "minmax"


def load_ruleset(path: str, plugins: Plugins) -> tuple[Ruleset | None, list[Diagnostic]]:
    """Read and compile a ruleset file. Returns the ruleset (None if there are errors) and all diagnostics."""
    try:
        document, source_map = load_file(path)
    except EngineError as exc:
        return None, exc.diagnostics
    return compile_document(document, source_map, plugins, base_dir=Path(path).resolve().parent)


def compile_document(document, source_map: SourceMap | None, plugins: Plugins,
                     base_dir: Path | None = None) -> tuple[Ruleset | None, list[Diagnostic]]:
    source_map = source_map or SourceMap(file=None)
    diagnostics = check_structure(document)
    ruleset = None
    if isinstance(document, dict):
        compiler = _Compiler(document, plugins, bad_paths={d.path for d in diagnostics})
        ruleset = compiler.build(base_dir or Path.cwd(), source_map.file)
        diagnostics += compiler.diagnostics
        if ruleset is not None:
            ruleset.source_map = source_map
    diagnostics = [source_map.place(d) for d in diagnostics]
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    ruleset.warnings = list(diagnostics)
    return ruleset, diagnostics


def document_hash(document) -> str:
    """SHA-256 of the ruleset as canonical JSON, so re-indenting a file does not change it."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _text(value) -> str | None:
    """A value the schema says is text, or None when it is not (the schema check reports that)."""
    return value if isinstance(value, str) else None


class _Compiler:
    def __init__(self, document: dict, plugins: Plugins, bad_paths: set[str]):
        self.doc = document
        self.plugins = plugins
        self.bad_paths = bad_paths
        self.diagnostics: list[Diagnostic] = []
        self.functions = plugins.functions()
        self.methods: dict[str, tuple[Registration | None, dict]] = {}  # method specs by path, checked once
        self.checked: list[Diagnostic] = []  # normalisers' own checks, kept apart so one does not hide the next

    # -- helpers
    def tell(self, code, key, path, hint=None, severity="error", **fields):
        """A diagnostic from the message catalogue, in either language."""
        self.diagnostics.append(said(code, key, severity=severity, path=path, hint=hint, **fields))

    def section(self, key) -> dict:
        value = self.doc.get(key)
        return value if isinstance(value, dict) else {}

    def items(self, *keys, kind=dict):
        """(name, spec, path) for each well-formed entry of a keyed section (or of a part of one)."""
        section = self.doc
        for key in keys:
            section = section.get(key) if isinstance(section, dict) else None
        for name, spec in (section.items() if isinstance(section, dict) else ()):
            if isinstance(spec, kind):
                yield name, spec, pointer(*keys, name)

    def plugin(self, kind: str, name, path: str) -> Registration | None:
        if not isinstance(name, str):
            return None
        reg = self.plugins.get(kind, name)
        if reg is None or reg.impl is None:
            available = sorted(n for n, r in self.plugins.of(kind).items() if r.impl is not None)
            hint = did_you_mean(name, available)
            self.tell("E_UNKNOWN_METHOD", "compile.no_method", path,
                      (hint + " " if hint else "") + "available: " + ", ".join(available), kind=KINDS.get(kind, kind), name=name)
            return None
        return reg

    def broken(self, path: str) -> bool:
        """Whether an error was already reported at or below ``path``."""
        below = path + "/"
        return any(p == path or p.startswith(below) for p in self.bad_paths) or any(
            d.is_error and (d.path == path or d.path.startswith(below)) for d in self.diagnostics)

    def check_params(self, reg: Registration | None, params, path: str):
        if reg is not None:
            kind = KINDS[reg.kind]
            self.diagnostics += params_problems(params, reg.params, path, Both(f"the {kind.en} {reg.name}", f"{kind.zh} {reg.name}"))

    # -- the whole document
    def build(self, base_dir: Path, file: str | None) -> Ruleset | None:
        names_i = set(self.section("indicators"))
        names_n = set(self.section("nodes"))
        for name in sorted(names_i & names_n):
            self.tell("E_DUPLICATE_NAME", "compile.indicator_and_node", pointer("nodes", name),
                      Both("give one of them another name", "请给其中一个改名"), name=name)
        sources = self.compile_sources()
        units = self.compile_units(sources)
        weight_sets = self.compile_weight_sets()
        nodes = self.compile_nodes(names_i, names_n, weight_sets)
        score = self.doc.get("score")
        used_by_nodes = {score} if isinstance(score, str) else set()
        for node in nodes.values():
            used_by_nodes.update(node.children)
            used_by_nodes.update(node.formula.names if node.formula else ())
        indicators = self.compile_indicators(sources, used_by_nodes & names_i)
        if isinstance(score, str) and score not in names_i | names_n:
            hint = did_you_mean(score, names_i | names_n)
            self.tell("E_NO_SCORE", "compile.no_score", "/score", hint, name=score)
        rounding = self.compile_rounding(names_i | names_n)
        bands, grade_node, grade_rounded = self.compile_grades(names_i | names_n)
        self.compile_outputs(base_dir)
        uncertainty = self.compile_uncertainty(indicators, nodes)
        per_period = self.section("panel").get("normalise") == "per_period"
        if per_period and not isinstance(units.get("period"), str):
            self.tell("E_SCHEMA_REQUIRED", "compile.per_period_without_period", "/panel/normalise",
                      Both('name it in "units": {"period": "..."}, or remove "panel"',
                           '请在 "units" 中写明 {"period": "..."}，或去掉 "panel"'))
        self.report_unused(weight_sets, nodes, sources, indicators, units)
        rank_order = self.compile_rank_order(nodes.get(score) if isinstance(score, str) else None, bands, grade_node)
        self.diagnostics += self.checked
        if self.bad_paths or any(d.is_error for d in self.diagnostics):
            return None
        rank = self.doc.get("rank", {})
        return Ruleset(
            document=self.doc, file=file, base_dir=base_dir, sha256=document_hash(self.doc),
            id=self.doc["id"], title=self.doc["title"], version=self.doc.get("version"),
            language=self.doc.get("language"), units=units, sources=sources,
            indicators=indicators, nodes=nodes, score=score, rounding=rounding,
            rank_order=rank_order, rank_ties=rank.get("ties", "min"),
            rank_use_rounded=rank.get("use_rounded", True), grade_node=grade_node,
            grade_use_rounded=grade_rounded, bands=bands, outputs=list(self.doc.get("outputs", [])),
            uncertainty=uncertainty, normalise_per_period=per_period,
        )

    def compile_sources(self) -> dict[str, Source]:
        out = {}
        for name, spec, path in self.items("sources"):
            reg = self.plugin("source", spec.get("format"), path + "/format")
            params = spec.get("params", {})
            self.check_params(reg, params, path + "/params")
            long = spec.get("long")
            if reg is not None and isinstance(spec.get("path"), str) and self.plain_path(spec["path"], path + "/path"):
                out[name] = Source(name, reg, spec["path"], params, path,
                                   (long["indicator"], long["value"]) if isinstance(long, dict) and len(long) == 2 else None)
        return out

    def plain_path(self, path: str, pointer: str) -> bool:
        """A file's path holds no control character (a NUL would even stop the system from reading it)."""
        bad = next((c for c in path if ord(c) < 32 or ord(c) == 127), None)
        if bad is not None:
            self.tell("E_SCHEMA_VALUE", "compile.path_control", pointer,
                      Both("write the file's name as it is, without control characters", "请照原样书写文件名，不要含控制字符"),
                      location=excerpt(path), code_point=f"U+{ord(bad):04X}")
        return bad is None

    def compile_units(self, sources) -> dict:
        units = self.doc.get("units")
        if not isinstance(units, dict):
            return {}
        units = dict(units)
        declared = list(self.section("sources"))
        if "source" in units:
            if isinstance(units["source"], str) and units["source"] not in declared:
                self.tell("E_UNKNOWN_NAME", "compile.units_source", "/units/source", did_you_mean(units["source"], declared),
                          name=units["source"])
        elif declared:
            units["source"] = declared[0]
        return units

    # -- indicators
    def compile_indicators(self, sources, used_by_nodes) -> dict[str, Indicator]:
        names = set(self.section("indicators"))
        declared_sources = list(self.section("sources"))
        # an indicator's column is in the source the units come from, if the ruleset names one, else in
        # the only source (a units source that does not exist is told once, at /units/source)
        units = self.doc.get("units")
        written = _text(units.get("source")) if isinstance(units, dict) else None
        default_source = (written if written in declared_sources else
                          declared_sources[0] if declared_sources and (written or len(declared_sources) == 1) else None)
        default_norm = self.doc.get("normalise", DEFAULT_NORMALISER)
        out: dict[str, Indicator] = {}
        deps: dict[str, tuple[str, ...]] = {}
        for name, spec, path in self.items("indicators"):
            # an indicator's own setting, else the ruleset's default for every indicator (as for normalise and treat)
            setting = {key: spec.get(key, self.doc.get(key, default)) for key, default in INDICATOR_DEFAULTS.items()}
            ind = Indicator(name=name, label=spec.get("label", name), unit=spec.get("unit", ""), pointer=path,
                            direction=DIRECTIONS.get(_text(setting["direction"]), "higher"),
                            target=spec.get("target"), missing=setting["missing"], on_invalid=setting["on_invalid"])
            missing_path = path + "/missing" if "missing" in spec else "/missing"
            has_column, has_formula = "column" in spec, "formula" in spec
            if has_column == has_formula:
                self.tell("E_SCHEMA_REQUIRED", "compile.column_or_formula", path, name=name,
                          has=Both("both", "两者都有") if has_column else Both("neither", "两者都没有"))
            if has_column and isinstance(spec["column"], str):
                ind.column = spec["column"]
                ind.source = _text(spec.get("source")) or default_source
                if ind.source is None:
                    self.tell("E_SOURCE", "compile.which_source", path,
                              Both('add "source": one of ' + ", ".join(declared_sources) + ', or name the units\' '
                                   'source in "units"', '请加上 "source"，可选：' + ", ".join(declared_sources)
                                   + '；或在 "units" 中写明单位所在的数据源'), name=name)
                elif ind.source not in declared_sources:
                    self.tell("E_UNKNOWN_NAME", "compile.indicator_source", path + "/source",
                              did_you_mean(ind.source, declared_sources), name=name, source=ind.source)
            elif has_formula and isinstance(spec["formula"], str):
                if "source" in spec:
                    self.tell("W_UNUSED", "compile.formula_source_unused", path + "/source", severity="warning", name=name)
                formula, problems = compile_formula(spec["formula"], names - {name}, self.functions,
                                                    path=path + "/formula")
                self.diagnostics += problems
                if formula is not None:
                    ind.formula = formula
                    deps[name] = tuple(sorted(formula.names))
            ind.goalposts = self.bounds(spec, "goalposts", path, strict=True)
            ind.optimum = self.bounds(spec, "optimum", path, strict=False)
            ind.clamp = self.bounds(spec, "clamp", path, strict=False)
            if str(ind.missing).startswith("impute_group") and not isinstance(self.section("units").get("group"), str):
                self.tell("E_SCHEMA_REQUIRED", "compile.no_group_column", missing_path,
                          _in_units("group"), name=name)
            if ind.missing in ("carry_forward", "interpolate") and not isinstance(self.section("units").get("period"), str):
                self.tell("E_SCHEMA_REQUIRED", "compile.no_period_column", missing_path,
                          _in_units("period"), name=name)
            if ind.direction == "range" and ind.optimum is None and path + "/direction" not in self.bad_paths \
                    and "/direction" not in self.bad_paths:
                self.tell("E_DIRECTION", "compile.range_without_optimum", path,
                          Both('add "optimum": {"lower": ..., "upper": ...} in the raw unit',
                               '请加上 "optimum": {"lower": ..., "upper": ...}，用原始单位'), name=name)
            # an explicit normaliser is checked even on an indicator no node uses, so typos show
            if "normalise" in spec or name in used_by_nodes:
                own = "normalise" in spec
                reg, params = self.resolve_method("normaliser", spec["normalise"] if own else default_norm,
                                                  path + "/normalise" if own else "/normalise")
                if reg is not None and name in used_by_nodes:
                    self.compile_normaliser(ind, reg, params, path + "/normalise" if own else "/normalise")
            treat = spec.get("treat", self.doc.get("treat"))
            if treat is not None and (name in used_by_nodes or "treat" in spec):
                reg, params = self.resolve_method("treatment", treat, path + "/treat" if "treat" in spec else "/treat")
                if reg is not None and name in used_by_nodes:
                    ind.treatment, ind.treatment_params = reg, params
            out[name] = ind
        order = self.topological(deps, "indicators", "an indicator formula")
        return {name: out[name] for name in order if name in out}

    def bounds(self, spec, key, path, strict) -> Bounds | None:
        value = spec.get(key)
        if not isinstance(value, dict):
            return None
        lower, upper = value.get("lower"), value.get("upper")
        numbers = all(_number_or_none(v) for v in (lower, upper))
        if not numbers:
            return None
        if lower is not None and upper is not None and (lower >= upper if strict else lower > upper):
            self.tell("E_GOALPOSTS", "compile.bounds", f"{path}/{key}",
                      Both("lower is the smaller raw value, whatever the direction; the engine applies the direction",
                           "无论指标方向如何，lower 都是较小的原始值；方向由引擎处理"),
                      bounds=key, name=spec.get("label", path), lower=lower, relation=">=" if strict else ">", upper=upper)
        return Bounds(lower, upper)

    def resolve_method(self, kind: str, spec, path: str) -> tuple[Registration | None, dict]:
        """The method a spec ("name" or {"method", "params"}) names, with its parameters checked; each spec once."""
        if path in self.methods:
            return self.methods[path]
        if isinstance(spec, str):
            method, params, method_path = spec, {}, path
        elif isinstance(spec, dict):
            method, params, method_path = spec.get("method"), spec.get("params", {}), path + "/method"
        else:
            method, params, method_path = None, {}, path
        reg = self.plugin(kind, method, method_path)
        self.check_params(reg, params, path + "/params")
        self.methods[path] = (reg, params)
        return reg, params

    def compile_normaliser(self, ind: Indicator, reg: Registration, params: dict, where: str):
        self.check_normaliser(ind, reg, ind.pointer, params, where)
        ind.normaliser, ind.normaliser_params = reg, params

    def check_normaliser(self, ind: Indicator, reg: Registration, path: str, params: dict, where: str):
        """Whether the normaliser can score the indicator: its direction, what it needs declared, and
        its own check of its parameters (``where`` is the method's place in the ruleset)."""
        directions = reg.options.get("directions", ("higher", "lower"))
        able = ind.direction in directions
        if not able:
            names = sorted(n for n, r in self.plugins.of("normaliser").items()
                           if ind.direction in r.options.get("directions", ("higher", "lower")))
            self.tell("E_DIRECTION", "compile.normaliser_direction", path if path != ind.pointer else ind.pointer + "/direction",
                      Both("normalisers that can: " + ", ".join(names), "可用的标准化方法：" + ", ".join(names)),
                      normaliser=reg.name, name=ind.name, direction=ind.direction)
        for need in reg.options.get("requires", ()):
            if getattr(ind, need) is None:
                able = False
                self.tell("E_DIRECTION", "compile.normaliser_needs", path,
                          Both(f'add "{need}" to the indicator, in its raw unit', f'请在指标中加上 "{need}"，用原始单位'),
                          normaliser=reg.name, name=ind.name, need=need)
        check = reg.options.get("check")
        if check is not None and able and not self.broken(where + "/params"):
            try:
                check(ind.direction, params, ind)
            except EngineError as exc:
                self.checked += [d if d.path else replace(d, path=f"{where}/params") for d in exc.diagnostics]

    # -- weights and nodes
    def compile_weight_sets(self) -> dict[str, WeightSet]:
        out = {}
        combining = []
        for name, spec, path in self.items("weights"):
            reg = self.plugin("weighting", spec.get("method"), path + "/method")
            params = spec.get("params", {})
            self.check_params(reg, params, path + "/params")
            if reg is not None and not self.broken(path):  # weights are computed only from valid parameters
                renormalise = spec.get("renormalise", reg.options.get("renormalise_default", False))
                out[name] = WeightSet(name, reg, params, spec.get("sum_to_one", True), renormalise, path)
                if reg.options.get("combines"):
                    combining.append(name)
        for name in combining:  # a combination names other weight sets, which may not combine in turn
            ws = out[name]
            parts = []
            for i, part in enumerate(ws.params.get("of", [])):
                where = f"{ws.pointer}/params/of/{i}"
                if part not in out:
                    self.tell("E_UNKNOWN_NAME", "compile.combines_unknown", where, did_you_mean(part, out), name=name, part=part)
                elif part in combining:
                    self.tell("E_PARAMS", "compile.combines_combination", where,
                              Both("combine the underlying weight sets directly", "请直接组合底层的权重集"), name=name, part=part)
                else:
                    parts.append(out[part])
            ws.components = tuple(parts)
        return out

    def compile_nodes(self, names_i, names_n, weight_sets) -> dict[str, Node]:
        out: dict[str, Node] = {}
        deps: dict[str, tuple[str, ...]] = {}
        known = names_i | names_n
        for name, spec, path in self.items("nodes"):
            node = Node(name=name, label=spec.get("label", name), pointer=path, missing=spec.get("missing", "propagate"),
                        min_share=spec.get("min_share", 0.0), on_invalid=spec.get("on_invalid", "error"))
            has_method, has_formula = "method" in spec, "formula" in spec
            if has_method == has_formula:
                self.tell("E_SCHEMA_REQUIRED", "compile.method_or_formula", path, name=name,
                          has=Both("both", "两者都有") if has_method else Both("neither", "两者都没有"))
            elif has_formula and isinstance(spec["formula"], str):
                for key in ("children", "weights", "params", "missing", "min_share"):
                    if key in spec:
                        self.tell("W_UNUSED", "compile.formula_part_unused", f"{path}/{key}", severity="warning",
                                  name=name, part=key)
                formula, problems = compile_formula(spec["formula"], known - {name}, self.functions, path=path + "/formula")
                self.diagnostics += problems
                if formula is not None:
                    node.formula = formula
                    deps[name] = tuple(sorted(formula.names & names_n))
            elif has_method:
                self.compile_aggregation(node, spec, path, known, weight_sets)
                deps[name] = tuple(c for c in node.children if c in names_n)
            out[name] = node
        order = self.topological(deps, "nodes", "a node")
        return {name: out[name] for name in order if name in out}

    def compile_aggregation(self, node: Node, spec: dict, path: str, known: set, weight_sets):
        reg = self.plugin("aggregator", spec.get("method"), path + "/method")
        children = spec.get("children")
        if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
            if "children" not in spec:
                self.tell("E_SCHEMA_REQUIRED", "compile.no_children", path, name=node.name)
            return
        for i, child in enumerate(children):
            if child == node.name:
                self.tell("E_CYCLE", "compile.own_child", f"{path}/children/{i}", name=node.name)
            elif child not in known:
                self.tell("E_UNKNOWN_NAME", "compile.unknown_child", f"{path}/children/{i}", did_you_mean(child, known),
                          child=child, name=node.name)
        node.children = tuple(children)
        params = spec.get("params", {})
        self.check_params(reg, params, path + "/params")
        if reg is None:
            return
        node.aggregator, node.params = reg, params
        try:
            node.weight_groups = reg.weight_groups_of(children, params)
        except EngineError as exc:
            self.diagnostics += [replace(d, path=path + "/params") for d in exc.diagnostics]
            return
        if "weights" in spec and not reg.options.get("weighted", True):
            self.tell("W_UNUSED", "compile.weights_unused", path + "/weights", severity="warning", method=reg.name,
                      name=node.name)
        self.compile_node_weights(node, spec.get("weights"), path + "/weights", weight_sets)

    def compile_node_weights(self, node: Node, weights, path: str, weight_sets):
        if weights is None:
            equal = self.plugins.get("weighting", "equal")
            if equal is not None and equal.impl is not None:
                node.weight_set = WeightSet("equal", equal, {}, True, True, path)
        elif isinstance(weights, str):
            if weights not in weight_sets:
                if weights not in self.section("weights"):
                    hint = (Both('equal weights are the default: leave "weights" out', '等权重是默认值：去掉 "weights" 即可')
                            if weights in ("equal", "等权") else did_you_mean(weights, self.section("weights")))
                    self.tell("E_UNKNOWN_NAME", "compile.unknown_weight_set", path, hint, name=node.name, weights=weights)
                return
            node.weight_set = weight_sets[weights]
        elif isinstance(weights, dict):
            fixed = self.plugins.get("weighting", "fixed")
            if fixed is None or fixed.impl is None:
                self.tell("E_UNKNOWN_METHOD", "compile.needs_fixed", path)
                return
            node.weight_set = WeightSet(f"{node.name}.weights", fixed, {"values": weights}, True, False, path)
        else:
            return
        ws = node.weight_set
        if ws is None or ws.uses_data or self.broken(path):
            return
        node.weights, node.weight_details, problems = node_weights(node, path)
        self.diagnostics += problems

    def topological(self, deps: dict[str, tuple[str, ...]], section: str, what: str) -> list[str]:
        """Order names so that each comes after what it depends on; report cycles with their path."""
        names = list(self.section(section))
        state: dict[str, int] = {}  # 1: on the stack, 2: done
        order: list[str] = []
        for root in names:
            if state.get(root):
                continue
            stack = [(root, iter(deps.get(root, ())))]
            state[root] = 1
            while stack:
                name, it = stack[-1]
                nxt = next((d for d in it if d in deps or d in names), None)
                if nxt is None:
                    stack.pop()
                    state[name] = 2
                    order.append(name)
                elif state.get(nxt) == 1:
                    cycle = [n for n, _ in stack][[n for n, _ in stack].index(nxt):] + [nxt]
                    self.tell("E_CYCLE", "compile.cycle", pointer(section, nxt),
                              Both(f"{what} cannot use itself, directly or through others", "不能直接或间接地引用自身"),
                              names=" → ".join(cycle))
                    state[nxt] = 2
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, iter(deps.get(nxt, ()))))
        return order

    # -- results
    def compile_rounding(self, known) -> dict[str, Rounding]:
        out = {}
        for i, step in enumerate(self.doc.get("rounding", []) if isinstance(self.doc.get("rounding"), list) else []):
            if not isinstance(step, dict) or not isinstance(step.get("node"), str):
                continue
            if step["node"] not in known:
                self.tell("E_UNKNOWN_NAME", "compile.rounding_unknown", f"/rounding/{i}/node", did_you_mean(step["node"], known),
                          name=step["node"])
            elif isinstance(step.get("digits"), int):
                out[step["node"]] = Rounding(step["digits"], step.get("method", "half_up"))
        return out

    def compile_rank_order(self, score_node, bands, grade_node) -> str:
        """The ruleset's rank order, else the score's method's natural one (VIKOR's Q: the lowest is
        best); a ruleset that ranks or grades against its method's natural order is warned."""
        method = score_node.aggregator if score_node is not None and score_node.formula is None else None
        lower_is_better = method is not None and method.options.get("better") == "lower"
        natural = "ascending" if lower_is_better else "descending"
        rank = self.section("rank")
        order = rank.get("order", natural)
        if method is not None and "order" in rank and order != natural:
            self.tell("W_RANK_ORDER", "compile.rank_against_method", "/rank/order", severity="warning",
                      method=method.name, order=order,
                      best=Both("lowest", "最低值") if lower_is_better else Both("highest", "最高值"))
        if lower_is_better and grade_node == score_node.name and any(b.min is not None for b in bands):
            self.tell("W_RANK_ORDER", "compile.grades_against_method", "/grades/bands", severity="warning", method=method.name)
        return order if order in ("ascending", "descending") else natural

    def compile_grades(self, known):
        grades = self.doc.get("grades")
        if not isinstance(grades, dict) or not isinstance(grades.get("bands"), list):
            return (), None, True
        node = grades.get("node", self.doc.get("score"))
        if isinstance(node, str) and node not in known and "node" in grades:
            self.tell("E_UNKNOWN_NAME", "compile.grades_unknown", "/grades/node", did_you_mean(node, known), name=node)
        items = [b for b in grades["bands"] if isinstance(b, dict) and isinstance(b.get("label"), str)]
        if not all(_number_or_none(b.get("min")) and _number_or_none(b.get("max")) for b in items):
            return (), node, True  # the schema check reports it
        kinds = {k for b in items for k in ("min", "max") if k in b}
        if len(kinds) > 1:  # one mistake, told once: every band gives min (higher is better) or every band max
            both = next((i for i, b in enumerate(items) if "min" in b and "max" in b), None)
            self.tell("E_GRADES", "compile.grade_both" if both is not None else "compile.grade_mixed",
                      "/grades/bands" + (f"/{both}" if both is not None else ""), label=items[both or 0]["label"])
            return (), node, True
        kind = kinds.pop() if kinds else "min"
        bands, labels, last = [], set(), None
        for i, band in enumerate(items):
            bound, path = band.get(kind), f"/grades/bands/{i}"
            if band["label"] in labels:
                self.tell("E_GRADES", "compile.grade_twice", path, label=band["label"])
            labels.add(band["label"])
            if bound is None and i != len(items) - 1:
                self.tell("E_GRADES", "compile.grade_without_bound", path, label=band["label"], bound=kind)
            if bound is not None and last is not None and (bound >= last if kind == "min" else bound <= last):
                self.tell("E_GRADES", "compile.grade_order" if kind == "min" else "compile.grade_order_max", f"{path}/{kind}",
                          label=band["label"], low=bound, before=last)
            last = bound if bound is not None else last
            bands.append(Band(band["label"], band.get("min"), band.get("max")))
        return tuple(bands), node, grades.get("use_rounded", True)

    def compile_outputs(self, base_dir: Path):
        """Output formats and their parameters; a ruleset may write only inside its own folder,
        so running a ruleset from someone else cannot overwrite files elsewhere."""
        outputs = self.doc.get("outputs")
        for i, out in enumerate(outputs if isinstance(outputs, list) else []):
            if not isinstance(out, dict):
                continue
            reg = self.plugin("output", out.get("format"), f"/outputs/{i}/format")
            self.check_params(reg, out.get("params", {}), f"/outputs/{i}/params")
            path = out.get("path")
            if isinstance(path, str) and not self.plain_path(path, f"/outputs/{i}/path"):
                continue
            if isinstance(path, str) and path != "-" and not inside(base_dir, path):
                self.tell("E_OUTPUT", "compile.output_outside", f"/outputs/{i}/path",
                          Both("write a relative path such as results/scores.csv, or give another place with engine run -o",
                               "请写相对路径，如 results/scores.csv，或用 engine run -o 指定其他位置"), location=path)

    def compile_uncertainty(self, indicators: dict[str, Indicator], nodes: dict[str, Node]) -> Uncertainty | None:
        """The alternatives of a sensitivity analysis, each checked as the ruleset's own methods are."""
        spec = self.doc.get("uncertainty")
        if not isinstance(spec, dict):
            return None
        out = Uncertainty(samples=spec.get("samples", 1000), seed=spec.get("seed", 1))
        scored = [n for n, ind in indicators.items() if ind.normaliser is not None]
        if isinstance(spec.get("normalise"), dict):
            part, path = spec["normalise"], "/uncertainty/normalise"
            own = self.section("indicators")
            out.normalised = self.uncertain_indicators(part, path, indicators, scored,
                                                       [n for n in scored if "normalise" not in own[n]])
            out.normalisers = self.alternatives("normaliser", part.get("alternatives", []), path + "/alternatives")
            for k, alt in enumerate(out.normalisers):
                for name in out.normalised:
                    self.check_normaliser(indicators[name], alt.method, f"{path}/alternatives/{k}", alt.params,
                                          f"{path}/alternatives/{k}")
                self.check_alternative_scale(alt, f"{path}/alternatives/{k}", indicators, scored, out.normalised)
        if isinstance(spec.get("missing"), dict):
            part, path = spec["missing"], "/uncertainty/missing"
            filling = [n for n in indicators if indicators[n].missing not in ("error", "drop_unit", "leave")]
            out.imputed = self.uncertain_indicators(part, path, indicators, list(indicators), filling or list(indicators))
            out.imputations = tuple(part.get("alternatives", []))
            needs = {"impute_group_mean": "group", "impute_group_median": "group", "carry_forward": "period",
                     "interpolate": "period"}
            for k, policy in enumerate(out.imputations):
                role = needs.get(policy)
                if role and not isinstance(self.section("units").get(role), str):
                    self.tell("E_SCHEMA_REQUIRED", "compile.imputation_needs", f"{path}/alternatives/{k}",
                              _in_units(role),
                              policy=policy, role=role)
        for name, noise, path in self.items("uncertainty", "weights"):
            node = self.uncertain_node(name, nodes, path)
            if node is None:
                continue
            if not node.aggregator.options.get("weighted", True):
                self.tell("E_PARAMS", "compile.weights_not_varied", path, method=node.aggregator.name, name=name)
            kind = next(iter(noise), None)
            if kind is not None:
                out.weight_noise[name] = (kind, float(noise[kind]))
        for name, choices, path in self.items("uncertainty", "aggregation", kind=list):
            node = self.uncertain_node(name, nodes, path)
            alternatives = self.alternatives("aggregator", choices, path)
            if node is None:
                continue
            for k, choice in enumerate(choices):
                reg, params = self.resolve_method("aggregator", choice, f"{path}/{k}")  # checked above, once
                try:
                    if reg is not None:
                        reg.weight_groups_of(node.children, params)
                except EngineError as exc:
                    self.diagnostics += [replace(d, path=f"{path}/{k}/params") for d in exc.diagnostics]
            out.aggregators[name] = alternatives
        if not (out.normalisers or out.imputations or out.weight_noise or out.aggregators) and not self.broken("/uncertainty"):
            self.tell("E_SCHEMA_REQUIRED", "compile.no_alternatives", "/uncertainty",
                      Both('add "normalise", "missing", "weights" or "aggregation"', '请加上 "normalise"、"missing"、"weights" 或 "aggregation"'))
        return out

    def check_alternative_scale(self, alt: Alternative, path: str, indicators, scored, switched):
        """A normaliser alternative applied to some indicators only must keep them on a scale the others
        are on: a z-score among 0–100 values would move ranks for no reason but the mix."""
        kept = [n for n in scored if n not in switched]
        scales = {indicators[n].normaliser.output_scale(indicators[n].normaliser_params) for n in scored}
        if kept and alt.method.output_scale(alt.params) not in scales:
            self.tell("W_SCALE", "compile.alternative_scale", path, severity="warning",
                      hint=Both('leave out "indicators" to apply it to every indicator, or choose an alternative on the scale '
                                "of the others (minmax with the same scale, say)",
                                "去掉 indicators 使其用于所有指标，或选用与其他指标同一尺度的备选方法（例如相同 scale 的 minmax）"),
                      method=alt.method.written(alt.params), switched=", ".join(switched), kept=", ".join(kept[:5])
                      + (" …" if len(kept) > 5 else ""))

    def alternatives(self, kind: str, specs, path: str) -> tuple[Alternative, ...]:
        out = []
        for k, spec in enumerate(specs if isinstance(specs, list) else []):
            reg, params = self.resolve_method(kind, spec, f"{path}/{k}")
            if reg is not None:
                out.append(Alternative(reg, params))
        return tuple(out)

    def uncertain_indicators(self, part: dict, path: str, indicators, usable: list[str],
                             default: list[str]) -> tuple[str, ...]:
        """The indicators an alternative applies to: those named (each must be usable), else the default."""
        named = part.get("indicators")
        if not isinstance(named, list):
            return tuple(default)
        for k, name in enumerate(named):
            if name not in indicators:
                self.tell("E_UNKNOWN_NAME", "compile.not_an_indicator", f"{path}/indicators/{k}", did_you_mean(name, indicators),
                          name=name)
            elif name not in usable:
                self.tell("E_PARAMS", "compile.varying_changes_nothing", f"{path}/indicators/{k}", name=name)
        return tuple(n for n in named if n in indicators)

    def uncertain_node(self, name: str, nodes: dict[str, Node], path: str) -> Node | None:
        node = nodes.get(name)
        if node is None:
            self.tell("E_UNKNOWN_NAME", "compile.not_a_node", path, did_you_mean(name, nodes), name=name)
        elif node.aggregator is None:
            self.tell("E_PARAMS", "compile.formula_cannot_vary", path, name=name)
        else:
            return node
        return None

    def report_unused(self, weight_sets, nodes, sources, indicators, units):
        used_sets = {n.weight_set.name for n in nodes.values() if n.weight_set is not None}
        used_sets |= {c.name for ws in weight_sets.values() for c in ws.components}
        for name, ws in weight_sets.items():
            if name not in used_sets:
                self.tell("W_UNUSED", "compile.unused_weight_set", ws.pointer, severity="warning", name=name)
        used_sources = {i.source for i in indicators.values()} | {_text(units.get("source"))}
        for name, src in sources.items():
            if name not in used_sources:
                self.tell("W_UNUSED", "compile.unused_source", src.pointer, severity="warning", name=name)
        if any(d.is_error for d in self.diagnostics):  # a child misspelt in a node would make its weight and
            return                                     # its indicator look unused: told once it compiles
        for name, ind in indicators.items():
            if ind.normaliser is None and "direction" in self.section("indicators").get(name, {}):
                self.tell("W_UNUSED", "compile.direction_unused", ind.pointer + "/direction", severity="warning", name=name)
        self.report_weights_for_no_child(nodes)

    def report_weights_for_no_child(self, nodes):
        """A fixed weight for a child that no node weighted with it has (a "D" in a node of A, B, C) is a
        mistake the weights' sum does not catch when the others still sum to 1."""
        children: dict[str, tuple[WeightSet, set]] = {}
        for node in nodes.values():
            for ws in (node.weight_set, *(node.weight_set.components if node.weight_set else ())):
                if ws is not None:
                    children.setdefault(ws.pointer, (ws, set()))[1].update(node.children)
        for where, (ws, known) in children.items():
            values = ws.params.get("values")
            for child in values if isinstance(values, dict) else ():
                if child not in known:
                    place = (where + "/params/values" if where.startswith("/weights/") else where) + pointer(child)
                    self.tell("W_UNUSED", "compile.weight_for_no_child", place, did_you_mean(child, known),
                              severity="warning", child=child, children=", ".join(sorted(known)))


# the indicator settings a ruleset may also give once at its top level, for every indicator that does not say
INDICATOR_DEFAULTS = {"direction": "higher", "missing": "error", "on_invalid": "error"}


def _in_units(role: str) -> Both:
    """The hint for a column of the units that a choice needs and the ruleset does not name."""
    return Both(f'name it in "units": {{"{role}": "..."}}', f'请在 "units" 中写明 {{"{role}": "..."}}')


def _number_or_none(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
