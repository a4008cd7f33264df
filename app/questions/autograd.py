"""Questions for /autograd: x.grad after one backward(), and after two without zeroing it in between.

The expressions are short polynomials in one tensor x, written as the torch code the page shows
(``x**2``, ``3*x**2 + 2*x``), so the power rule and its forgotten factor can be named. The truth comes
from torch itself: the page's graph tracer for one backward(), and two forward and backward passes on
one leaf for the accumulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from app.compute.autograd import trace_graph
from app.questions.base import EASY, NUMBER, Kind, Mistake, Question, Tolerance, rng_for, well_apart

PAGE = "/autograd"
GRAD_TOLERANCE = Tolerance(relative=0.01, absolute=0.01, text="within 1% (or 0.01)")
SMALLEST_GRADIENT = 0.5  # no question where dy/dx is (nearly) 0
DRAWS = 200


@dataclass(frozen=True)
class Expression:
    key: str
    code: str  # as the page writes it in torch
    label: str  # as the page writes it in maths
    derivative_label: str
    formula: Callable  # (x) -> y, for numbers and tensors alike
    slip: Callable  # (x) -> the derivative with each power lowered but its factor left out
    slip_label: str


EXPRESSIONS = {
    e.key: e
    for e in (
        Expression("square", "x**2", "x²", "2x", lambda x: x**2, lambda x: x, "x"),
        Expression("cube", "x**3", "x³", "3x²", lambda x: x**3, lambda x: x**2, "x²"),
        Expression(
            "quadratic", "3*x**2 + 2*x", "3x² + 2x", "6x + 2", lambda x: 3 * x**2 + 2 * x, lambda x: 3 * x + 2, "3x + 2"
        ),
        Expression("fourth", "x**4", "x⁴", "4x³", lambda x: x**4, lambda x: x**3, "x³"),
        Expression("cubic", "x**3 - 4*x", "x³ − 4x", "3x² − 4", lambda x: x**3 - 4 * x, lambda x: x**2 - 4, "x² − 4"),
        Expression(
            "mixed",
            "2*x**3 + x**2",
            "2x³ + x²",
            "6x² + 2x",
            lambda x: 2 * x**3 + x**2,
            lambda x: 2 * x**2 + x,
            "2x² + x",
        ),
    )
}
EASY_EXPRESSIONS = ("square", "cube", "quadratic")
HARDER_EXPRESSIONS = tuple(EXPRESSIONS)
EASY_XS = (-3.0, -2.0, -1.0, 1.0, 2.0, 3.0)


def one_backward(key: str, x0: float) -> float:
    """x.grad after y = expression(x) and y.backward(), as the page's graph tracer reports it."""
    return trace_graph(EXPRESSIONS[key].formula, x=x0).gradients["x"]


def backward_passes(key: str, x0: float, passes: int) -> float:
    """x.grad after ``passes`` forward and backward passes on one leaf, never zeroing .grad."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    for _ in range(passes):
        EXPRESSIONS[key].formula(x).backward()
    return float(x.grad)


def _code(key: str, x0: float, passes: int) -> str:
    """The torch code the question shows, on one line."""
    forward = f"y = {EXPRESSIONS[key].code}; y.backward()"
    body = forward if passes == 1 else f"for _ in range({passes}): {forward}"
    return f"x = torch.tensor({x0:.1f}, requires_grad=True); {body}"


def _draw(kind: str, seed: int, level: str, passes: int, truth_of) -> tuple[str, float]:
    """An expression and an x where dy/dx is clearly not 0 and every mistake gives another answer."""
    rng = rng_for(kind, seed, level)
    keys = EASY_EXPRESSIONS if level == EASY else HARDER_EXPRESSIONS
    for _ in range(DRAWS):
        key = keys[int(rng.integers(len(keys)))]
        if level == EASY:
            x0 = EASY_XS[int(rng.integers(len(EASY_XS)))]
        else:
            x0 = round(float(np.round(rng.uniform(-3.0, 3.0), 1)), 1)
        truth, mistakes = truth_of(key, x0)
        if abs(truth) < SMALLEST_GRADIENT * passes:  # dy/dx (nearly) 0: nothing to see
            continue
        question = Question(kind, seed, level, PAGE, "", NUMBER)
        if well_apart(question, GRAD_TOLERANCE, truth, mistakes):
            return key, x0
    return "square", 2.0  # never reached in practice: the tests check 200 seeds of each level


def _question(kind: str, seed: int, level: str, key: str, x0: float, passes: int, ask: str) -> Question:
    return Question(
        kind=kind,
        seed=seed,
        level=level,
        page=PAGE,
        prompt=f"{_code(key, x0, passes)}. {ask}",
        answer=NUMBER,
        setup={"expression": key, "code": EXPRESSIONS[key].code, "x": x0},
    )


# ---- x.grad after one backward() -----------------------------------------------------------------------

ONE = "grad-one-backward"


def _one_answers(key: str, x0: float) -> tuple[float, list[Mistake]]:
    expression = EXPRESSIONS[key]
    return one_backward(key, x0), [
        Mistake(
            "value",
            float(expression.formula(x0)),
            f"That is y itself, the value of {expression.label} at x = {x0:g}. backward() leaves the slope "
            "dy/dx in x.grad, not the value.",
        ),
        Mistake(
            "missing-factor",
            float(expression.slip(x0)),
            "You lowered the power but left out its factor: d/dx xⁿ = n·xⁿ⁻¹, "
            f"so dy/dx = {expression.derivative_label}.",
        ),
    ]


def make_grad_one_backward(seed: int, level: str) -> Question:
    key, x0 = _draw(ONE, seed, level, 1, _one_answers)
    return _question(ONE, seed, level, key, x0, 1, "What is x.grad?")


def _one_truth(question: Question) -> tuple[float, list[Mistake]]:
    return _one_answers(question.setup["expression"], question.setup["x"])


def explain_grad_one_backward(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    key, x0 = question.setup["expression"], question.setup["x"]
    expression = EXPRESSIONS[key]
    graph = trace_graph(expression.formula, x=x0)
    nodes = " → ".join(node.name for node in graph.nodes)
    worked = (
        f"y = {expression.label}, so dy/dx = {expression.derivative_label}.",
        f"At x = {x0:g}: y = {graph.output:.4f} and dy/dx = {truth:.4f}.",
        f"torch recorded {nodes}; backward() ran it from y back to x and put {truth:.4f} in x.grad.",
    )
    return worked, "backward() applies the chain rule through the graph torch recorded, and leaves dy/dx in x.grad."


GRAD_ONE_BACKWARD = Kind(
    ONE,
    PAGE,
    "x.grad after one backward()",
    make_grad_one_backward,
    _one_truth,
    GRAD_TOLERANCE,
    explain_grad_one_backward,
)

# ---- x.grad after two backward() calls without zeroing -------------------------------------------------

TWO = "grad-two-backward"


def _two_answers(key: str, x0: float) -> tuple[float, list[Mistake]]:
    once = one_backward(key, x0)
    return backward_passes(key, x0, 2), [
        Mistake(
            "replaced",
            once,
            ".grad was replaced, not accumulated: that is one backward()'s gradient. The second backward() "
            "adds its gradient to what is already in x.grad.",
        ),
        Mistake(
            "squared",
            once * once,
            "That is the gradient squared. The two backward() calls add their gradients, they do not multiply.",
        ),
    ]


def make_grad_two_backward(seed: int, level: str) -> Question:
    key, x0 = _draw(TWO, seed, level, 2, _two_answers)
    return _question(TWO, seed, level, key, x0, 2, "What is x.grad after the loop? Nothing zeroes it in between.")


def _two_truth(question: Question) -> tuple[float, list[Mistake]]:
    return _two_answers(question.setup["expression"], question.setup["x"])


def explain_grad_two_backward(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    key, x0 = question.setup["expression"], question.setup["x"]
    expression = EXPRESSIONS[key]
    once = one_backward(key, x0)
    worked = (
        f"y = {expression.label}, so each backward() computes dy/dx = {expression.derivative_label} "
        f"= {once:.4f} at x = {x0:g}.",
        f"The first backward() adds it to an empty x.grad: {once:.4f}. The second adds it again: "
        f"{once:.4f} + {_signed(once)} = {truth:.4f}.",
    )
    idea = (
        ".grad accumulates: backward() adds to it instead of replacing it, which is why a training loop "
        "calls optimizer.zero_grad() before every backward()."
    )
    return worked, idea


def _signed(value: float) -> str:
    """A number to add after a plus sign: negative ones in brackets."""
    return f"({value:.4f})" if value < 0 else f"{value:.4f}"


GRAD_TWO_BACKWARD = Kind(
    TWO,
    PAGE,
    "x.grad after two backward() calls without zeroing",
    make_grad_two_backward,
    _two_truth,
    GRAD_TOLERANCE,
    explain_grad_two_backward,
)

KINDS = (GRAD_ONE_BACKWARD, GRAD_TWO_BACKWARD)
