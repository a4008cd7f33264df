"""The one safe expression language: a learner's own f(x) or f(x, y), parsed once and compiled from its tree.

Text is read by Python's ``ast`` parser in "eval" mode and then walked against an allowlist: numbers,
the variables, ``+ - * / ^ **``, unary minus, parentheses, a few functions and the constants ``pi`` and
``e``. Nothing a learner typed is ever evaluated as Python (no ``eval``, ``sympify``, ``parse_expr``
or ``numexpr``): the allowed tree is turned into a small immutable tree of our own (``Node``), and
everything else is built from that tree:

- a numpy, torch or math evaluation (``Expression.formula``: the same ``formula(..., ops)`` shape the
  catalogs use, so a typed function drops into every page that takes one);
- a sympy expression built node by node from the constructors, never parsed from text, whose
  derivatives come back as trees of the same language (the closed form of the three-way check);
- Python source for the code panel, written from the tree, never copied from the typed text;
- a readable label (x² + 3·y²).

Limits keep a hostile text cheap: its length, nesting depth, node count and the size of any constant
exponent are bounded before anything is computed. Every refusal says where it went wrong.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import sympy
import torch

MAX_LENGTH = 200
MAX_DEPTH = 24
MAX_NODES = 256  # a safety net: MAX_LENGTH already keeps a tree smaller than this
MAX_EXPONENT = 64  # x^64 is plenty for teaching; 10^10 would only overflow
MAX_NUMBER = 1e12

# Typed symbols read as their ASCII meaning; any other non-ASCII character is refused (a Cyrillic х is
# not an x, and a look-alike should say so rather than become an "unknown name").
FRIENDLY_SYMBOLS = {"−": "-", "×": "*", "·": "*", "÷": "/"}

UNARY_FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus")
BINARY_FUNCTIONS = ("min", "max")
CONSTANTS = {"pi": math.pi, "e": math.e}
# Derivatives of relu, abs, min and max need these two; a learner cannot type them.
INTERNAL_FUNCTIONS = ("step", "sign")


class ExpressionError(ValueError):
    """A refused text, with a message that says where (1-based column) and what to do instead."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message if column is None else f"{message} at column {column}")
        self.column = column


# ---- the tree -------------------------------------------------------------------------------------
# ("num", value) | ("var", name) | ("neg", a) | (op, a, b) for op in add sub mul div pow | ("call", name, *args)
Node = tuple


def _count(node: Node) -> int:
    return 1 + sum(_count(child) for child in node[1:] if isinstance(child, tuple))


# ---- parsing --------------------------------------------------------------------------------------


def _prepare(text: str) -> tuple[str, list[int]]:
    """ASCII text for ast, with '^' written '**', and each prepared character's 1-based original column."""
    if not isinstance(text, str):
        raise ExpressionError("Type a formula, for example x^2 + 3*y^2.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"That is {len(text)} characters; a formula here is at most {MAX_LENGTH}.")
    prepared, columns = [], []
    for column, char in enumerate(text, start=1):
        char = FRIENDLY_SYMBOLS.get(char, char)
        if not char.isascii() or (not char.isprintable() and char not in " \t"):
            raise ExpressionError(
                f"'{text[column - 1]}' is not allowed: use plain letters, digits and + - * / ^", column
            )
        if char == "^":
            prepared += ["*", "*"]
            columns += [column, column]
        else:
            prepared.append(char)
            columns.append(column)
    if not "".join(prepared).strip():
        raise ExpressionError("Type a formula, for example x^2 + 3*y^2.")
    depth = 0
    for index, char in enumerate(prepared):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise ExpressionError("Unbalanced parenthesis: this ')' closes nothing", columns[index])
        if depth > MAX_DEPTH:
            raise ExpressionError(f"Too deeply nested (more than {MAX_DEPTH} levels)", columns[index])
    if depth > 0:
        raise ExpressionError("Unbalanced parenthesis: a '(' is never closed")
    return "".join(prepared), columns


class _Reader:
    """Walks Python's ast of the prepared text, allowing only the language's nodes."""

    BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}

    def __init__(self, variables: tuple[str, ...], columns: list[int]):
        self.variables, self.columns = variables, columns

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.columns[min(offset, len(self.columns) - 1)]

    def read(self, node: ast.AST, depth: int = 0) -> Node:
        # Parentheses were counted in _prepare; a long chain like x+x+…+x nests the tree too, and
        # MAX_LENGTH bounds it well inside Python's recursion limit.
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.read(node.operand, depth + 1)
            return ("neg", inner) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in self.BINARY:
            left, right = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
            operation = self.BINARY[type(node.op)]
            if operation == "pow":
                self.check_exponent(right, node)
            return (operation, left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise ExpressionError(self.refusal(node), self.column(node))

    def number(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "Text in quotes" if isinstance(value, str) else f"'{value!r}'"
            raise ExpressionError(f"{kind} is not a number this language knows", self.column(node))
        # Compared before float(): a 199-digit integer would overflow it.
        if not abs(value) <= MAX_NUMBER:  # also catches inf and nan from 1e999
            raise ExpressionError(f"That number is too large (at most {MAX_NUMBER:g})", self.column(node))
        return ("num", float(value))

    def name(self, node: ast.Name) -> Node:
        if node.id in self.variables:
            return ("var", node.id)
        if node.id in CONSTANTS:
            return ("num", CONSTANTS[node.id])
        if node.id in UNARY_FUNCTIONS + BINARY_FUNCTIONS:
            raise ExpressionError(f"'{node.id}' is a function: write {node.id}(…)", self.column(node))
        allowed = ", ".join(self.variables)
        raise ExpressionError(f"Unknown name '{node.id}' (use {allowed}, pi or e)", self.column(node))

    def call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            raise ExpressionError("Only the listed functions can be called", self.column(node))
        name = node.func.id
        if name not in UNARY_FUNCTIONS + BINARY_FUNCTIONS:
            known = ", ".join(UNARY_FUNCTIONS + BINARY_FUNCTIONS)
            raise ExpressionError(f"Unknown function '{name}' (known: {known})", self.column(node))
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"'{name}' takes plain arguments only", self.column(node))
        wanted = 1 if name in UNARY_FUNCTIONS else 2
        if len(node.args) != wanted:
            plural = "argument" if wanted == 1 else "arguments"
            raise ExpressionError(f"'{name}' takes {wanted} {plural}, not {len(node.args)}", self.column(node))
        return ("call", name, *(self.read(argument, depth + 1) for argument in node.args))

    def check_exponent(self, exponent: Node, node: ast.AST) -> None:
        """A constant exponent is folded (with floats, bounded) and must be at most MAX_EXPONENT in size."""
        value = _constant_value(exponent)
        if value is not None and not (math.isfinite(value) and abs(value) <= MAX_EXPONENT):
            raise ExpressionError(f"That exponent is too large (at most {MAX_EXPONENT})", self.column(node))

    @staticmethod
    def refusal(node: ast.AST) -> str:
        kinds = {
            ast.Attribute: "Attribute access (a dot after a name) is not allowed",
            ast.Lambda: "lambda is not allowed",
            ast.Subscript: "Indexing with [ ] is not allowed",
            ast.Compare: "Comparisons are not allowed",
            ast.BoolOp: "and/or are not allowed",
            ast.IfExp: "if/else is not allowed",
            ast.Tuple: "Commas are only allowed between min/max arguments",
        }
        for kind, text in kinds.items():
            if isinstance(node, kind):
                return text
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return "Comprehensions are not allowed"
        if isinstance(node, ast.BinOp):
            return "Only + - * / and ^ (or **) are allowed between terms"
        return "Only numbers, variables, + - * / ^, parentheses and the listed functions are allowed"


def _constant_value(node: Node) -> float | None:
    """The value of a subtree without variables, in floats (an overflow is inf, never a huge int)."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var" or kind == "call":
        return None
    if kind == "neg":
        inner = _constant_value(node[1])
        return None if inner is None else -inner
    left, right = _constant_value(node[1]), _constant_value(node[2])
    if left is None or right is None:
        return None
    try:
        return {
            "add": lambda: left + right,
            "sub": lambda: left - right,
            "mul": lambda: left * right,
            "div": lambda: left / right,
            "pow": lambda: math.pow(left, right),
        }[kind]()
    except (OverflowError, ZeroDivisionError, ValueError):
        return math.inf


# ---- evaluation -----------------------------------------------------------------------------------


def _numpy_functions() -> dict[str, Callable]:
    return {
        "sin": np.sin,
        "cos": np.cos,
        "tan": np.tan,
        "exp": np.exp,
        "log": np.log,
        "sqrt": np.sqrt,
        "abs": np.abs,
        "tanh": np.tanh,
        "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
        "relu": lambda a: np.maximum(a, 0.0),
        "softplus": lambda a: np.logaddexp(0.0, a),
        "min": np.minimum,
        "max": np.maximum,
        "step": lambda a: np.heaviside(a, 0.5),
        "sign": np.sign,
    }


def _torch_functions() -> dict[str, Callable]:
    def tensor(a):
        return a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=torch.float64)

    return {
        "sin": torch.sin,
        "cos": torch.cos,
        "tan": torch.tan,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "abs": torch.abs,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "softplus": torch.nn.functional.softplus,
        "min": lambda a, b: torch.minimum(tensor(a), tensor(b)),
        "max": lambda a, b: torch.maximum(tensor(a), tensor(b)),
        "step": lambda a: torch.heaviside(tensor(a), torch.tensor(0.5, dtype=torch.float64)),
        "sign": torch.sign,
    }


def _math_log(a: float) -> float:
    return math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)


def _math_functions() -> dict[str, Callable]:
    def guarded(function):
        def safe(a):
            try:
                return function(a)
            except (ValueError, OverflowError):
                return math.nan

        return safe

    return {
        "sin": guarded(math.sin),
        "cos": guarded(math.cos),
        "tan": guarded(math.tan),
        "exp": lambda a: math.exp(a) if a < 709 else math.inf,
        "log": _math_log,
        "sqrt": lambda a: math.sqrt(a) if a >= 0 else math.nan,
        "abs": abs,
        "tanh": math.tanh,
        "sigmoid": lambda a: 1 / (1 + math.exp(-a)) if a > -709 else 0.0,
        "relu": lambda a: max(a, 0.0),
        "softplus": lambda a: a + math.log1p(math.exp(-a)) if a > 0 else math.log1p(math.exp(a)),
        "min": min,
        "max": max,
        "step": lambda a: 1.0 if a > 0 else (0.0 if a < 0 else 0.5),
        "sign": lambda a: math.copysign(1.0, a) if a else 0.0,
    }


def _math_power(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan


def _math_divide(a: float, b: float) -> float:
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


BACKENDS: dict[str, dict[str, Callable]] = {"numpy": _numpy_functions(), "torch": _torch_functions()}
BACKENDS["math"] = _math_functions()
ARITHMETIC = {
    "numpy": {"div": np.divide, "pow": np.power},
    "torch": {"div": lambda a, b: a / b, "pow": lambda a, b: a**b},
    "math": {"div": _math_divide, "pow": _math_power},
}


def _backend(ops: ModuleType) -> str:
    if ops is torch:
        return "torch"
    return "math" if ops is math else "numpy"


def _evaluate(node: Node, values: dict, backend: str):
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return values[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], values, backend)
    if kind == "call":
        arguments = [_evaluate(argument, values, backend) for argument in node[2:]]
        return BACKENDS[backend][node[1]](*arguments)
    left, right = _evaluate(node[1], values, backend), _evaluate(node[2], values, backend)
    if kind == "add":
        return left + right
    if kind == "sub":
        return left - right
    if kind == "mul":
        return left * right
    return ARITHMETIC[backend][kind](left, right)


# ---- sympy, both ways -----------------------------------------------------------------------------

_SYMPY_FUNCTIONS = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "relu": lambda a: sympy.Max(a, 0),
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)),
    "min": sympy.Min,
    "max": sympy.Max,
    "step": sympy.Heaviside,
    "sign": sympy.sign,
}


def to_sympy(node: Node, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    """The tree as a sympy expression, built with sympy's constructors (nothing is parsed)."""
    kind = node[0]
    if kind == "num":
        value = node[1]
        return sympy.Integer(int(value)) if value == int(value) and abs(value) < 1e15 else sympy.Float(value)
    if kind == "var":
        return symbols[node[1]]
    if kind == "neg":
        return -to_sympy(node[1], symbols)
    if kind == "call":
        return _SYMPY_FUNCTIONS[node[1]](*(to_sympy(argument, symbols) for argument in node[2:]))
    left, right = to_sympy(node[1], symbols), to_sympy(node[2], symbols)
    return {"add": sympy.Add, "sub": lambda a, b: a - b, "mul": sympy.Mul, "div": lambda a, b: a / b}.get(
        kind, sympy.Pow
    )(left, right)


# The sympy classes our functions become, read back as our names: the inverse of _SYMPY_FUNCTIONS
# where that maps to a class (sqrt, sigmoid, relu and softplus become other expressions).
_FROM_SYMPY = {kind: name for name, kind in _SYMPY_FUNCTIONS.items() if isinstance(kind, type)}


class _NotExpressible(Exception):
    """A sympy result outside the language (a Piecewise, an unevaluated Derivative)."""


def from_sympy(expression: sympy.Basic) -> Node:
    """A sympy expression (a derivative) back as a tree of this language, so it evaluates like the rest."""
    if expression.is_Symbol:
        return ("var", expression.name)
    if expression.is_Number or expression in (sympy.pi, sympy.E):
        value = float(expression)
        return ("num", value) if value >= 0 else ("neg", ("num", -value))
    if isinstance(expression, sympy.Add):
        # Positive terms first, so that a − b reads as a subtraction rather than a + (−b).
        terms = sorted((from_sympy(term) for term in expression.args), key=lambda term: term[0] == "neg")
        return functools.reduce(lambda a, b: ("sub", a, b[1]) if b[0] == "neg" else ("add", a, b), terms)
    if isinstance(expression, sympy.Mul):
        coefficient, rest = expression.as_coeff_Mul()
        if coefficient.is_negative:
            return ("neg", from_sympy(-coefficient * rest))
        numerator, denominator = sympy.fraction(expression)
        if denominator != 1:
            return ("div", from_sympy(numerator), from_sympy(denominator))
        factors = [from_sympy(factor) for factor in expression.args]
        return functools.reduce(lambda a, b: ("mul", a, b), factors)
    if isinstance(expression, sympy.Pow):
        base, exponent = expression.base, expression.exp
        if exponent.is_negative:
            return (
                "div",
                ("num", 1.0),
                from_sympy(sympy.Pow(base, -exponent, evaluate=False) if exponent != -1 else base),
            )
        if exponent == sympy.Rational(1, 2):
            return ("call", "sqrt", from_sympy(base))
        return ("pow", from_sympy(base), from_sympy(exponent))
    if isinstance(expression, sympy.exp):  # sympy writes e^a as exp(a), a class of its own
        return ("call", "exp", from_sympy(expression.args[0]))
    for kind, name in _FROM_SYMPY.items():
        if isinstance(expression, kind):
            arguments = [from_sympy(argument) for argument in expression.args[:2] if argument is not None]
            if name in ("min", "max"):
                return functools.reduce(lambda a, b: ("call", name, a, b), arguments)
            return ("call", name, arguments[0])
    if isinstance(expression, sympy.sec):
        return ("div", ("num", 1.0), ("call", "cos", from_sympy(expression.args[0])))
    raise _NotExpressible(type(expression).__name__)


# ---- python source and a readable label ------------------------------------------------------------

_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4, "num": 5, "var": 5, "call": 5}

# How each function is written: in this language itself, with numpy, and with torch.
_CALLS = {
    "text": {name: name + "({a})" for name in UNARY_FUNCTIONS + BINARY_FUNCTIONS + INTERNAL_FUNCTIONS},
    "np": {
        **{name: "np." + name + "({a})" for name in ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh")},
        "sigmoid": "1 / (1 + np.exp(-({a})))",
        "relu": "np.maximum({a}, 0.0)",
        "softplus": "np.logaddexp(0.0, {a})",
        "min": "np.minimum({a})",
        "max": "np.maximum({a})",
        "step": "np.heaviside({a}, 0.5)",
        "sign": "np.sign({a})",
    },
    "torch": {
        **{
            name: "torch." + name + "({a})"
            for name in ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sign")
        },
        "softplus": "torch.nn.functional.softplus({a})",
        "min": "torch.minimum(*map(torch.as_tensor, ({a})))",
        "max": "torch.maximum(*map(torch.as_tensor, ({a})))",
        "step": "torch.heaviside({a}, torch.tensor(0.5))",
    },
}


def _child_precedence(kind: str, own: int, side: str) -> int:
    """The precedence a child must beat not to need parentheses: a − (b − c) and a / (b / c) keep
    theirs, and a power groups to the right, (a^b)^c."""
    if kind == "pow":
        return own + 1 if side == "left" else own
    return own + 1 if side == "right" and kind in ("sub", "div") else own


def _python(node: Node, calls: dict, parent: int = 0) -> str:
    """Source for the tree, writing functions as ``calls`` says (this language, numpy or torch)."""
    kind = node[0]
    if kind == "num":
        value = node[1]
        return repr(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)
    if kind == "var":
        return node[1]
    own = _PRECEDENCE[kind]
    if kind == "neg":
        text = f"-{_python(node[1], calls, own)}"
    elif kind == "call":
        text = calls[node[1]].format(a=", ".join(_python(argument, calls) for argument in node[2:]))
    else:
        symbol = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "pow": "**"}[kind]
        left = _python(node[1], calls, _child_precedence(kind, own, "left"))
        right = _python(node[2], calls, _child_precedence(kind, own, "right"))
        text = f"{left}{symbol}{right}"
    return f"({text})" if own < parent else text


_SUPERSCRIPTS = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻˙")


def _label(node: Node, parent: int = 0) -> str:
    """A readable rendering for titles and buttons: x² + 3y², sin(x)·exp(−x), 1/(2·sqrt(x))."""
    kind = node[0]
    if kind == "num":
        return {math.pi: "π", math.e: "e"}.get(node[1], f"{node[1]:g}")
    if kind == "var":
        return node[1]
    own = _PRECEDENCE[kind]
    if kind == "neg":
        text = f"−{_label(node[1], own)}"
    elif kind == "call":
        text = f"{node[1]}({', '.join(_label(argument) for argument in node[2:])})"
    elif kind == "pow" and node[2][0] == "num" and node[2][1] == int(node[2][1]) and 0 <= node[2][1] < 100:
        text = f"{_label(node[1], own + 1)}{str(int(node[2][1])).translate(_SUPERSCRIPTS)}"
    else:
        symbol = {"add": " + ", "sub": " − ", "mul": "·", "div": "/", "pow": "^"}[kind]
        right_node = node[2]
        plain_variable = right_node[0] == "var" or (right_node[0] == "pow" and right_node[1][0] == "var")
        if kind == "mul" and node[1][0] == "num" and plain_variable:
            symbol = ""  # 3x, 3y²
        left = _label(node[1], _child_precedence(kind, own, "left"))
        right = _label(right_node, _child_precedence(kind, own, "right"))
        text = f"{left}{symbol}{right}"
    return f"({text})" if own < parent else text


# ---- the public face --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed, allowed formula in ``variables``; hashable, so its compiled forms can be memoised."""

    tree: Node
    variables: tuple[str, ...]

    def __call__(self, *values, ops: ModuleType = np):
        """Evaluate with numpy (default), torch or math; numpy warnings about domains are silenced and
        show as NaN or inf (gaps in a plot), never as an exception."""
        named = dict(zip(self.variables, values, strict=True))
        if ops is np:
            with np.errstate(all="ignore"):
                return _evaluate(self.tree, named, "numpy")
        return _evaluate(self.tree, named, _backend(ops))

    def formula(self) -> Callable:
        """``formula(x, ops)`` or ``formula(x, y, ops)``, the catalogs' shape."""
        return lambda *arguments: self(*arguments[:-1], ops=arguments[-1])

    def autograd(self, *values: float) -> list[float]:
        """The gradient at one point from torch autograd, running this same tree (0 for a variable the
        formula does not use, where torch leaves .grad empty)."""
        inputs = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in values]
        output = self(*inputs, ops=torch)
        if not isinstance(output, torch.Tensor) or not output.requires_grad:
            return [0.0] * len(inputs)  # a constant
        output.backward()
        return [0.0 if t.grad is None else float(t.grad) for t in inputs]

    def sympy(self) -> sympy.Expr:
        return to_sympy(self.tree, {name: sympy.Symbol(name, real=True) for name in self.variables})

    def derivative(self, variable: str) -> Expression:
        """∂f/∂variable in closed form: sympy differentiates the tree, and the result is a tree again."""
        return _derivative(self, variable)

    def python(self, module: str = "np") -> str:
        """Python source for the formula with ``np`` or ``torch``, written from the tree."""
        return _python(self.tree, _CALLS[module])

    @property
    def label(self) -> str:
        return _label(self.tree)

    @property
    def text(self) -> str:
        """Canonical text in this language (what a link or the box shows)."""
        return _python(self.tree, _CALLS["text"]).replace("**", "^")


@functools.lru_cache(maxsize=512)
def _derivative(expression: Expression, variable: str) -> Expression:
    symbols = {name: sympy.Symbol(name, real=True) for name in expression.variables}
    result = sympy.diff(expression.sympy(), symbols[variable])
    try:
        tree = from_sympy(result)
    except _NotExpressible:
        tree = from_sympy(sympy.simplify(result))
    return Expression(tree, expression.variables)


def parse(text, variables: tuple[str, ...] = ("x",)) -> Expression:
    """The formula in ``text`` as an Expression of ``variables``, or ExpressionError saying where and why."""
    if not isinstance(text, str):
        raise ExpressionError("Type a formula, for example x^2 + 3*y^2.")
    return _parse(text, variables)


@functools.lru_cache(maxsize=512)
def _parse(text: str, variables: tuple[str, ...]) -> Expression:
    prepared, columns = _prepare(text)
    try:
        syntax = ast.parse(prepared, mode="eval")
    except SyntaxError as error:
        offset = error.offset or 1
        column = columns[min(max(offset - 1, 0), len(columns) - 1)]
        raise ExpressionError("This is not a formula I can read: check the operators", column) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("This is not a formula I can read") from None
    tree = _Reader(variables, columns).read(syntax.body)
    if _count(tree) > MAX_NODES:
        raise ExpressionError(f"That formula is too long (more than {MAX_NODES} parts)")
    return Expression(tree, variables)
