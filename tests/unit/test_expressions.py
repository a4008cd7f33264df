"""The expression language: what it accepts (values and derivatives against hand computation, three
ways), what it refuses (each with a message saying where), and that nothing typed is ever run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from app.compute.expressions import MAX_LENGTH, ExpressionError, parse

XY = ("x", "y")
POINT = (0.7, -1.3)

# text, f(x, y), ∂f/∂x, ∂f/∂y: each written by hand here, independent of the module.
ACCEPTED = [
    ("x^2 + 3*y^2", lambda x, y: x**2 + 3 * y**2, lambda x, y: 2 * x, lambda x, y: 6 * y),
    ("x**2 - y**2", lambda x, y: x * x - y * y, lambda x, y: 2 * x, lambda x, y: -2 * y),
    (
        "(1 - x)^2 + 100*(y - x^2)^2",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: -2 * (1 - x) - 400 * x * (y - x * x),
        lambda x, y: 200 * (y - x * x),
    ),
    (
        "sin(x)*cos(y)",
        lambda x, y: math.sin(x) * math.cos(y),
        lambda x, y: math.cos(x) * math.cos(y),
        lambda x, y: -math.sin(x) * math.sin(y),
    ),
    (
        "exp(-x^2 - y^2)",
        lambda x, y: math.exp(-x * x - y * y),
        lambda x, y: -2 * x * math.exp(-x * x - y * y),
        lambda x, y: -2 * y * math.exp(-x * x - y * y),
    ),
    (
        "log(1 + x^2) + sqrt(4 + y^2)",
        lambda x, y: math.log(1 + x * x) + math.sqrt(4 + y * y),
        lambda x, y: 2 * x / (1 + x * x),
        lambda x, y: y / math.sqrt(4 + y * y),
    ),
    ("tanh(x) * y", lambda x, y: math.tanh(x) * y, lambda x, y: (1 - math.tanh(x) ** 2) * y, lambda x, y: math.tanh(x)),
    (
        "sigmoid(x + y)",
        lambda x, y: 1 / (1 + math.exp(-x - y)),
        lambda x, y: math.exp(-x - y) / (1 + math.exp(-x - y)) ** 2,
        lambda x, y: math.exp(-x - y) / (1 + math.exp(-x - y)) ** 2,
    ),
    (
        "relu(x) + abs(y)",
        lambda x, y: max(x, 0) + abs(y),
        lambda x, y: 1.0 if x > 0 else 0.0,
        lambda x, y: -1.0 if y < 0 else 1.0,
    ),
    (
        "softplus(x) - y",
        lambda x, y: math.log1p(math.exp(x)) - y,
        lambda x, y: 1 / (1 + math.exp(-x)),
        lambda x, y: -1.0,
    ),
    ("max(x, y) + min(x, 2)", lambda x, y: max(x, y) + min(x, 2), lambda x, y: 2.0, lambda x, y: 0.0),
    ("pi*x + e*y", lambda x, y: math.pi * x + math.e * y, lambda x, y: math.pi, lambda x, y: math.e),
    ("-x^2", lambda x, y: -(x**2), lambda x, y: -2 * x, lambda x, y: 0.0),
    ("2^x", lambda x, y: 2**x, lambda x, y: math.log(2) * 2**x, lambda x, y: 0.0),
    (
        "x / (1 + y^2)",
        lambda x, y: x / (1 + y * y),
        lambda x, y: 1 / (1 + y * y),
        lambda x, y: -2 * x * y / (1 + y * y) ** 2,
    ),
    ("tan(x) − 3×y", lambda x, y: math.tan(x) - 3 * y, lambda x, y: 1 / math.cos(x) ** 2, lambda x, y: -3.0),
]


@pytest.mark.parametrize(("text", "f", "fx", "fy"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_values_and_derivatives_three_ways(text, f, fx, fy):
    expression = parse(text, XY)
    x, y = POINT
    assert expression(x, y) == pytest.approx(f(x, y), rel=1e-12)
    assert expression(x, y, ops=math) == pytest.approx(f(x, y), rel=1e-12)
    # 1. the closed form sympy built from the tree
    closed = [float(expression.derivative(v)(x, y)) for v in XY]
    assert closed == pytest.approx([fx(x, y), fy(x, y)], rel=1e-9, abs=1e-12)
    # 2. torch autograd on the same tree
    assert expression.autograd(x, y) == pytest.approx(closed, rel=1e-9, abs=1e-12)
    # 3. a central difference
    h = 1e-6
    central = [
        (expression(x + h, y) - expression(x - h, y)) / (2 * h),
        (expression(x, y + h) - expression(x, y - h)) / (2 * h),
    ]
    assert central == pytest.approx(closed, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(("text", "f", "fx", "fy"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_text_label_and_code_are_written_from_the_tree(text, f, fx, fy):
    expression = parse(text, XY)
    assert parse(expression.text, XY) == expression, "the canonical text reads back as the same tree"
    namespace = {"np": np, "x": POINT[0], "y": POINT[1]}
    # The generated Python is the app's own (written from the tree), so running it here is fine.
    assert eval(expression.python("np"), namespace) == pytest.approx(f(*POINT), rel=1e-12)  # noqa: S307
    tx, ty = (torch.tensor(v, dtype=torch.float64) for v in POINT)
    torch_value = eval(expression.python("torch"), {"torch": torch, "x": tx, "y": ty})  # noqa: S307
    assert float(torch_value) == pytest.approx(f(*POINT), rel=1e-12)
    assert expression.label and "**" not in expression.label


def test_arrays_and_domain_errors_become_gaps_not_exceptions():
    expression = parse("log(x) + 1/y", XY)
    values = expression(np.array([1.0, -1.0, 0.0, 2.0]), np.array([1.0, 1.0, 1.0, 0.0]))
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == -math.inf and values[3] == math.inf
    assert math.isnan(expression(-1.0, 1.0, ops=math))
    assert parse("exp(x)", ("x",))(1000.0, ops=math) == math.inf


REFUSED = [
    ("__import__('os')", "Unknown function '__import__'", 1),
    ("x.real", "Attribute access", 1),
    ("sin(x).imag", "Attribute access", 1),
    ("lambda: 1", "lambda", 1),
    ("[x for x in y]", "Comprehensions", 1),
    ("'abc'", "Text in quotes", 1),
    ("x**10**10", "exponent is too large", 1),
    ("x^1000", "exponent is too large", 1),
    ("(" * 10_000 + "x" + ")" * 10_000, "at most 200", None),
    ("x" * 100_000, "at most 200", None),
    ("((((((((((((((((((((((((((x))))))))))))))))))))))))))", "Too deeply nested", 25),
    ("z + 1", "Unknown name 'z'", 1),
    ("x + y*z", "Unknown name 'z'", 7),
    ("х + 1", "'х' is not allowed", 1),  # a Cyrillic look-alike
    ("x ＋ 1", "'＋' is not allowed", 3),  # a full-width plus
    ("((x)", "Unbalanced parenthesis", None),
    ("x)", "Unbalanced parenthesis", 2),
    ("sin(x, y)", "takes 1 argument", 1),
    ("max(x)", "takes 2 arguments", 1),
    ("foo(x)", "Unknown function 'foo'", 1),
    ("sin", "is a function", 1),
    ("1e999", "too large", 1),
    ("1" * 150, "too large", 1),
    ("x if y else 1", "if/else", 1),
    ("x < y", "Comparisons", 1),
    ("x, y", "Commas", 1),
    ("x[0]", "Indexing", 1),
    ("x % 2", "Only + - * /", 1),
    ("x +", "not a formula I can read", None),
    ("", "Type a formula", None),
    ("   ", "Type a formula", None),
    ("2j", "not a number", 1),
    ("True", "is not a number", 1),
    ("None", "is not a number", 1),
    ("x\x00", "not allowed", 2),
]


@pytest.mark.parametrize(("text", "message", "column"), REFUSED, ids=[repr(row[0][:24]) for row in REFUSED])
def test_refused_texts_say_why_and_where(text, message, column):
    with pytest.raises(ExpressionError) as refused:
        parse(text, XY)
    assert message in str(refused.value)
    if column is not None:
        assert refused.value.column == column and f"column {column}" in str(refused.value)


@pytest.mark.parametrize("bad", [None, 3, ["x"], {"x": 1}, b"x"])
def test_only_text_is_read(bad):
    with pytest.raises(ExpressionError, match="Type a formula"):
        parse(bad, XY)


def test_one_variable_functions_know_only_x():
    assert parse("x^3", ("x",))(2.0) == 8.0
    with pytest.raises(ExpressionError, match="Unknown name 'y'"):
        parse("x + y", ("x",))


def test_length_limit_is_the_documented_one():
    parse("x" + "+x" * ((MAX_LENGTH - 1) // 2), ("x",))  # at the limit: accepted
    with pytest.raises(ExpressionError):
        parse("x" * (MAX_LENGTH + 1), ("x",))
