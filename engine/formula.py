"""Safe formulas: compile once against an allow-list, then evaluate over whole columns.

A formula comes from a ruleset, and a ruleset may come from a stranger. So a formula is parsed
with ``ast`` and every node is checked against a short allow-list before anything runs:
numbers, declared names, ``+ - * / **``, comparisons, ``and or not``, and calls to registered
functions. Evaluation goes through simpleeval, with its handlers replaced by element-wise ones
that work on numpy columns, so a formula runs once per column and never once per unit.

Values during evaluation are :class:`Column` objects: the numbers, plus the *problems* found so
far (division by zero, log of a negative number...), each with the units it concerns. ``where``
keeps only the problems of the branch it takes, so ``where(pop > 0, budget / pop, 0)`` is clean.
"""

from __future__ import annotations

import ast
import unicodedata
import warnings
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

import numpy as np
from simpleeval import SimpleEval

from .diagnostics import Diagnostic, EngineError, did_you_mean, said
from .messages import KINDS, Both, both, in_words
from .values import LARGEST, too_large

MAX_LENGTH = 2000
MAX_NODES = 400
MAX_DEPTH = 32
MAX_EXPONENT = 64

_FULLWIDTH_HINTS = {"（": "(", "）": ")", "，": ",", "＋": "+", "－": "-", "＊": "*", "／": "/",
                    "＜": "<", "＞": ">", "＝": "=", "×": "*", "÷": "/", "　": " "}


@dataclass(frozen=True)
class FunctionSpec:
    """A formula function as a plugin registers it."""

    name: str
    func: Callable
    min_args: int
    max_args: int | None  # None: any number
    description: str | Both  # shown as the hint of a wrong call
    domain: str | dict = ""  # said when the result is not finite for finite arguments; {"en": ..., "zh": ...} in both
    constant_args: tuple[int, ...] = ()  # argument positions that must be plain numbers
    whole_columns: bool = False  # its value for a unit depends on other units (col_mean): not out of core
    plugin: str = ""


@dataclass(frozen=True)
class Problem:
    code: str
    message: Both  # in either language
    span: tuple[int, int]
    mask: np.ndarray


@dataclass
class Column:
    values: np.ndarray | float
    problems: tuple[Problem, ...] = ()


@dataclass
class Formula:
    text: str
    tree: ast.AST
    names: frozenset[str]


@dataclass
class _Walk:
    text: str
    line_starts: list[int]
    problems: list[Diagnostic] = field(default_factory=list)  # placed at the formula's path by compile_formula

    def span(self, node: ast.AST) -> tuple[int, int]:
        # the text was wrapped in "(...)" before parsing: shift back by one
        start = self.line_starts[node.lineno - 1] + node.col_offset - 1
        end = self.line_starts[node.end_lineno - 1] + node.end_col_offset - 1
        return max(0, start), max(0, min(end, len(self.text)))

    def add(self, code: str, key: str, node: ast.AST | None, hint: str | Both | None = None,
            span: tuple[int, int] | None = None, **fields):
        """A problem at ``node`` (or ``span``): ``key`` is its message in the catalogue, filled in with ``fields``."""
        if span is None:
            span = self.span(node) if node is not None else (0, len(self.text))
        self.problems.append(replace(said(code, key, hint=hint, **fields), span=span, source_text=self.text))


_BINOPS = {ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow}
_UNARY = {ast.USub, ast.UAdd, ast.Not}
_COMPARE = {ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq}
SPLIT = Both("split it into several nodes", "请拆成几个节点")
_FORBIDDEN = {
    ast.Attribute: (Both("attributes (a.b)", "属性（a.b）"),
                    Both("refer to indicators and nodes by their plain names", "请直接用指标和节点的名称")),
    ast.Subscript: (Both("indexing (a[...])", "下标（a[...]）"), None),
    ast.Lambda: (Both("lambda functions", "lambda 函数"), None),
    ast.IfExp: (Both("'a if c else b'", "'a if c else b'"),
                Both("use where(c, a, b), which works unit by unit", "请用 where(c, a, b)，它逐个单位计算")),
    ast.ListComp: (Both("comprehensions", "推导式"), None),
    ast.SetComp: (Both("comprehensions", "推导式"), None),
    ast.DictComp: (Both("comprehensions", "推导式"), None),
    ast.GeneratorExp: (Both("comprehensions", "推导式"), None),
    ast.JoinedStr: (Both("f-strings", "f 字符串"), None),
    ast.NamedExpr: (Both("assignment (:=)", "赋值（:=）"),
                    Both("a formula computes one value; it cannot assign", "公式只计算一个值，不能赋值")),
    ast.List: (Both("lists", "列表"), None),
    ast.Tuple: (Both("tuples", "元组"), Both("a comma separates function arguments only", "逗号只用于分隔函数参数")),
    ast.Dict: (Both("dictionaries", "字典"), None),
    ast.Set: (Both("sets", "集合"), None),
    ast.Starred: (Both("* unpacking", "* 解包"), None),
    ast.Await: (Both("await", "await"), None),
    ast.Yield: (Both("yield", "yield"), None),
    ast.YieldFrom: (Both("yield", "yield"), None),
}


def _check_characters(text: str, walk: _Walk) -> bool:
    for i, ch in enumerate(text):
        if " " <= ch <= "~":
            continue
        if ch.isascii():  # a line break too: "x\n+1" would silently read as x + 1
            walk.add("E_FORMULA_CHARACTER", "formula.control_character", None, span=(i, i + 1), code_point=f"U+{ord(ch):04X}",
                     hint=Both("write the formula on one line, its parts separated by spaces",
                               "请把公式写在一行内，各部分之间用空格分隔"))
        else:
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            ascii_twin = _FULLWIDTH_HINTS.get(ch) or unicodedata.normalize("NFKC", ch)
            hint = (Both(f'type "{ascii_twin}" instead', f"请改为输入“{ascii_twin}”") if ascii_twin.isascii() and ascii_twin != ch
                    else Both("names in formulas use ASCII letters, digits and _ only; put Chinese text in labels",
                              "公式中的名称只能用 ASCII 字母、数字和 _；中文请写在 label 中"))
            walk.add("E_FORMULA_CHARACTER", "formula.character", None, hint=hint, span=(i, i + 1), character=ch, name=name)
        return False
    return True


# where() is part of the formula language, not a plugin: only the evaluator can keep the problems
# of the branch not taken (division by zero in a unit that takes the other branch) out of the result.
WHERE = FunctionSpec("where", None, 3, 3,
                     Both("where(condition, if_true, if_false): chooses, unit by unit, between two values",
                          "where(条件, 为真时的值, 为假时的值)：逐个单位在两个值之间选择"),
                     plugin="engine")


def compile_formula(text: str, names: Mapping[str, object], functions: Mapping[str, FunctionSpec],
                    *, path: str = "") -> tuple[Formula | None, list[Diagnostic]]:
    """Check a formula against the allow-list; return it compiled, or the diagnostics."""
    functions = {**functions, "where": WHERE}
    walk = _Walk(text, [0])
    if not isinstance(text, str) or not text.strip():
        walk.add("E_FORMULA_SYNTAX", "formula.empty", None, span=(0, 0))
    elif len(text) > MAX_LENGTH:
        walk.add("E_FORMULA_TOO_COMPLEX", "formula.too_long", None, SPLIT, span=(0, 0), length=f"{len(text):,}",
                 limit=f"{MAX_LENGTH:,}")
    elif _check_characters(text, walk):
        tree = _parse(text, walk)
        if tree is not None:
            used_names = _check_tree(tree, walk, names, functions)
            if not walk.problems:
                return Formula(text, tree.body, frozenset(used_names)), []
    return None, [replace(d, path=path) for d in walk.problems]


def _parse(text: str, walk: _Walk) -> ast.Expression | None:
    wrapped = "(" + text + ")"
    walk.line_starts = [0] + [i + 1 for i, ch in enumerate(wrapped) if ch == "\n"]
    try:
        with warnings.catch_warnings():  # "1and b" parses with a SyntaxWarning on the terminal: a mistake, told as one
            warnings.simplefilter("error", SyntaxWarning)
            return ast.parse(wrapped, mode="eval")
    except SyntaxError as exc:
        offset = (walk.line_starts[(exc.lineno or 1) - 1] + (exc.offset or 1) - 2) if exc.lineno else 0
        offset = max(0, min(offset, len(text)))
        hint = Both("a formula is one expression: compare with ==, and leave out = and ;",
                    "公式是一个表达式：比较请用 ==，不要写 = 和 ;")
        walk.add("E_FORMULA_SYNTAX", "formula.syntax", None, hint, span=(offset, min(offset + 1, len(text))),
                 detail=exc.msg)
    except (RecursionError, MemoryError):
        walk.add("E_FORMULA_TOO_COMPLEX", "formula.too_deep_to_read", None, span=(0, len(text)))
    return None


def _check_tree(tree: ast.Expression, walk: _Walk, names, functions) -> set[str]:
    """Walk the tree against the allow-list; returns the declared names it uses."""
    used_names: set[str] = set()
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            walk.add("E_FORMULA_TOO_COMPLEX", "formula.too_many_parts", None, SPLIT, span=(0, len(walk.text)), limit=MAX_NODES)
            break
        if depth > MAX_DEPTH:
            walk.add("E_FORMULA_TOO_COMPLEX", "formula.too_deep", node, SPLIT, limit=MAX_DEPTH)
            break
        children: list[ast.AST] = []
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                symbol = {ast.Mod: "%", ast.FloorDiv: "//", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
                          ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@"}.get(type(node.op), "?")
                hint = (Both("use and / or to combine conditions", "组合条件请用 and / or") if symbol in "&|"
                        else Both("use + - * / ** only", "只能用 + - * / **"))
                walk.add("E_FORMULA_FORBIDDEN", "formula.operator", node, hint, symbol=symbol)
            elif isinstance(node.op, ast.Pow):
                _check_exponent(node.right, walk)
            children = [node.left, node.right]
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                walk.add("E_FORMULA_FORBIDDEN", "formula.operator", node, symbol="~")
            children = [node.operand]
        elif isinstance(node, ast.BoolOp):
            children = list(node.values)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE:
                    walk.add("E_FORMULA_FORBIDDEN", "formula.compare", node)
            children = [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            children = _check_call(node, walk, names, functions)
        elif isinstance(node, ast.Name):
            _check_name(node, walk, names, functions, used_names)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                what = Both("text", "文字") if isinstance(node.value, (str, bytes)) else repr(node.value)
                if not isinstance(node.value, bool):
                    walk.add("E_FORMULA_FORBIDDEN", "formula.not_a_number", node,
                             Both("quote nothing in a formula; names of indicators are written bare",
                                  "公式中不要加引号；指标名称直接书写"), what=what)
            elif isinstance(node.value, int) and abs(node.value) > 10**15:
                walk.add("E_FORMULA_TOO_COMPLEX", "formula.long_number", node)
            elif not abs(node.value) <= LARGEST:  # 1e999 reads as infinity: it would score every unit inf
                walk.add("E_FORMULA_TOO_COMPLEX", "formula.huge_number", node, largest=f"{LARGEST:g}")
        else:
            what, hint = _FORBIDDEN.get(type(node), (type(node).__name__, None))
            if isinstance(node, ast.Attribute) and node.attr == "rounded" and isinstance(node.value, ast.Name):
                # the results' column H.rounded is not a name in formulas
                hint = Both(f"write round({node.value.id}, 2) for its rounded value (with the digits you round it to)",
                            f"其舍入后的值请写 round({node.value.id}, 2)（小数位数按需要填写）")
            walk.add("E_FORMULA_FORBIDDEN", "formula.forbidden", node, hint, what=what)
        stack.extend((child, depth + 1) for child in reversed(children))
    return used_names


def _constant_number(node: ast.AST) -> float | None:
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return sign * node.value
    return None


def _check_exponent(node: ast.AST, walk: _Walk):
    exponent = _constant_number(node)
    if exponent is not None and abs(exponent) > MAX_EXPONENT:
        walk.add("E_FORMULA_POWER", "formula.exponent", node, exponent=f"{exponent:g}", limit=MAX_EXPONENT)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        walk.add("E_FORMULA_POWER", "formula.power_of_power", node,
                 Both("compute the exponent in a node of its own", "请在单独的节点中计算指数"))


def _check_name(node: ast.Name, walk: _Walk, names, functions, used: set):
    if node.id in names:
        used.add(node.id)
    elif node.id in functions:
        walk.add("E_FORMULA_SYNTAX", "formula.function_as_name", node, name=node.id)
    else:
        hint = did_you_mean(node.id, names)
        walk.add("E_UNKNOWN_NAME", "formula.unknown_name", node,
                 hint or Both("formulas may use the names of indicators and nodes", "公式中可以使用指标和节点的名称"),
                 name=node.id)


def _check_call(node: ast.Call, walk: _Walk, names, functions) -> list[ast.AST]:
    if not isinstance(node.func, ast.Name):
        walk.add("E_FORMULA_FORBIDDEN", "formula.call_by_name", node)
        return []
    name = node.func.id
    if node.keywords:
        walk.add("E_FORMULA_FORBIDDEN", "formula.keywords", node, name=name)
    spec = functions.get(name)
    if spec is None:
        available = ", ".join(sorted(functions))
        hint = did_you_mean(name, functions)
        walk.add("E_UNKNOWN_FUNCTION", "formula.unknown_function", node.func,
                 (hint + " " if hint else "") + f"available: {available}", name=name)
        return list(node.args)
    count = len(node.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        if spec.max_args is None:
            expected = Both(f"at least {spec.min_args}", f"至少 {spec.min_args} 个")
        elif spec.min_args == spec.max_args:
            expected = Both(str(spec.min_args), f"{spec.min_args} 个")
        else:
            expected = Both(f"{spec.min_args} to {spec.max_args}", f"{spec.min_args} 到 {spec.max_args} 个")
        walk.add("E_FUNCTION_ARGS", "formula.arguments", node, spec.description, name=name, expected=expected, count=count)
    for position in spec.constant_args:
        if position < count and _constant_number(node.args[position]) is None:
            walk.add("E_FUNCTION_ARGS", "formula.constant_argument", node.args[position], spec.description,
                     name=name, position=position + 1)
    return list(node.args)


# ---------------------------------------------------------------- evaluation over columns

def _values(x):
    return x.values if isinstance(x, Column) else x


def _problems(*xs) -> tuple[Problem, ...]:
    out: tuple[Problem, ...] = ()
    for x in xs:
        if isinstance(x, Column):
            out += x.problems
    return out


def _all_finite(*xs):
    finite = True
    for x in xs:
        finite = finite & np.isfinite(_values(x))
    return finite


def _as_bool_column(x):
    """Truth values are 1.0 / 0.0, and NaN where the input is missing."""
    v = np.asarray(_values(x), dtype=float)
    return np.where(np.isnan(v), np.nan, (v != 0).astype(float))


def restrict(problems: tuple[Problem, ...], keep) -> tuple[Problem, ...]:
    """Keep only the part of each problem that concerns units where ``keep`` is true."""
    out = []
    for p in problems:
        mask = p.mask & keep
        if np.any(mask):
            out.append(Problem(p.code, p.message, p.span, mask))
    return tuple(out)


class ColumnEvaluator(SimpleEval):
    """simpleeval with element-wise handlers for the node types the compiler allows."""

    def __init__(self, names: Mapping[str, np.ndarray], functions: Mapping[str, FunctionSpec], size: int,
                 text: str):
        super().__init__(operators={}, functions={k: f.func for k, f in functions.items()}, names=dict(names))
        self.specs = functions
        self.size = size
        self.text = text
        self.line_starts = [0] + [i + 1 for i, ch in enumerate("(" + text + ")") if ch == "\n"]
        # Only what the compiler allows has a handler; anything else fails closed.
        self.nodes = {
            ast.Name: self._eval_name,
            ast.Constant: self._eval_constant,
            ast.UnaryOp: self._unary,
            ast.BinOp: self._binop,
            ast.Compare: self._compare,
            ast.BoolOp: self._boolop,
            ast.Call: self._call,
        }

    def _span(self, node):
        return _Walk(self.text, self.line_starts).span(node)

    def _checked(self, node, out, args, message):
        """The result with its arguments' problems, and a new one where it is not finite though they are."""
        problems = _problems(*args)
        with np.errstate(all="ignore"):
            if np.isfinite(np.add.reduce(out, axis=None)):  # one pass: a finite sum has no inf or NaN in it
                return Column(out, problems)
            if np.ndim(out) == 0 and any(np.ndim(_values(a)) for a in args):
                # a column reduced to one number (col_mean...) is every unit's: so is its problem, unless
                # the column was all missing
                bad = np.full(self.size, not all(np.isnan(_values(a)).all() for a in args if np.ndim(_values(a))))
            else:
                bad = ~np.isfinite(out) & _all_finite(*args)
        if np.any(bad):
            problems += (Problem("E_DOMAIN", message, self._span(node), np.broadcast_to(bad, (self.size,)).copy()),)
        return Column(out, problems)

    def _eval_constant(self, node):
        return float(node.value)

    def _unary(self, node):
        operand = self._eval(node.operand)
        v = _values(operand)
        if isinstance(node.op, ast.Not):
            b = _as_bool_column(operand)
            return Column(np.where(np.isnan(b), np.nan, 1.0 - b), _problems(operand))
        return Column(-v if isinstance(node.op, ast.USub) else +v, _problems(operand))

    def _binop(self, node):
        left, right = self._eval(node.left), self._eval(node.right)
        a, b = _values(left), _values(right)
        with np.errstate(all="ignore"):
            if isinstance(node.op, ast.Add):
                out, key = np.add(a, b), "formula.sum_large"
            elif isinstance(node.op, ast.Sub):
                out, key = np.subtract(a, b), "formula.difference_large"
            elif isinstance(node.op, ast.Mult):
                out, key = np.multiply(a, b), "formula.product_large"
            elif isinstance(node.op, ast.Div):
                out, key = np.divide(a, b), "formula.division_by_zero"
            else:
                out, key = np.power(a, b), "formula.power"
        return self._checked(node, out, (left, right), both(key))

    def _compare(self, node):
        left = self._eval(node.left)
        truth = None
        operands = [left]
        for op, comparator in zip(node.ops, node.comparators):
            right = self._eval(comparator)
            operands.append(right)
            a, b = _values(left), _values(right)
            with np.errstate(invalid="ignore"):
                result = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
                          ast.Eq: np.equal, ast.NotEq: np.not_equal}[type(op)](a, b).astype(float)
            result = np.where(np.isnan(a) | np.isnan(b), np.nan, result)
            truth = result if truth is None else np.minimum(truth, result)  # a < b < c: both hold
            left = right
        return Column(truth, _problems(*operands))

    def _boolop(self, node):
        values = [self._eval(v) for v in node.values]
        truths = [_as_bool_column(v) for v in values]
        out = truths[0]
        for t in truths[1:]:
            # missing in, missing out; otherwise the usual and/or
            out = (np.minimum(out, t) if isinstance(node.op, ast.And) else np.maximum(out, t))
        return Column(out, _problems(*values))

    def _call(self, node):
        if node.func.id == "where":
            return self._where(node)
        spec = self.specs[node.func.id]
        args = [self._eval(a) for a in node.args]
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(spec.func(*[_values(a) for a in args]), dtype=float)
        except Exception as exc:  # a function plugin's own failure, told as the plugin's (exit 3), not the engine's
            raise EngineError([said("E_PLUGIN_FAILED", "plugin.failed", kind=KINDS["function"], name=spec.name,
                                    plugin=spec.plugin, on=self.text, error=f"{type(exc).__name__}: {exc}")]) from None
        domain = in_words(spec.domain) or both("formula.not_finite")
        return self._checked(node, out, args, both("formula.function_domain", name=spec.name, domain=domain))

    def _where(self, node):
        cond, yes, no = (self._eval(a) for a in node.args)
        c = np.broadcast_to(_as_bool_column(cond), (self.size,))
        chosen = np.where(c == 1.0, _values(yes), _values(no))
        out = np.where(np.isnan(c), np.nan, chosen)
        problems = _problems(cond) + restrict(_problems(yes), c == 1.0) + restrict(_problems(no), c == 0.0)
        return Column(out, problems)


def evaluate(formula: Formula, names: Mapping[str, np.ndarray], functions: Mapping[str, FunctionSpec],
             size: int) -> Column:
    """Evaluate a compiled formula once over whole columns of ``size`` units."""
    evaluator = ColumnEvaluator(names, functions, size, formula.text)
    result = evaluator._eval(formula.tree)
    values = np.broadcast_to(np.asarray(_values(result), dtype=float), (size,)).copy()
    problems = _problems(result)
    with np.errstate(invalid="ignore"):
        beyond = np.isfinite(values) & too_large(values)  # the same bound as numbers read from data
    if beyond.any():
        problems += (Problem("E_DOMAIN", both("formula.beyond", largest=f"{LARGEST:g}"), evaluator._span(formula.tree),
                             beyond),)
    return Column(values, problems)
