"""The catalog of one-variable functions used by /derivative.

Each function is written once, as ``formula(x, ops)``, where ``ops`` is a module with ``sin``, ``exp``
and ``log``: numpy for evaluation, torch for autograd. Its closed-form derivative is written once
beside it. Everything else (plots, tables, finite differences, checks) reads from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np

# Imported eagerly, not inside the function that uses it: a lazy import racing in two server threads
# can see a half-initialised torch module. gunicorn's preload_app shares it between workers.
import torch

Formula = Callable[[object, ModuleType], object]


@dataclass(frozen=True)
class Function1D:
    """A differentiable function of one variable, and how the page should show it."""

    key: str
    label: str  # plain text for buttons and messages, e.g. "ln x"
    latex: str  # f(x) in LaTeX
    derivative_latex: str  # f'(x) in LaTeX
    derivative_label: str  # f'(x) in plain text
    formula: Formula  # f(x, ops): the one place the function is written
    derivative_formula: Formula  # f'(x, ops): the one place its closed-form derivative is written
    pieces: tuple[tuple[float, float], ...]  # open intervals where f is defined and smooth
    x0_range: tuple[float, float]  # what the x0 slider offers
    default_x0: float
    view_x: tuple[float, float]  # the plot's x window
    view_y: tuple[float, float]  # the plot's y window (fixed so lines rotate, not the axes)
    neural_network_use: str  # where this function shows up in a neural network

    def value(self, x):
        """f(x) with numpy; non-finite where x is outside the domain (no warnings)."""
        x = np.asarray(x)
        if x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(self.formula(x, np), dtype=x.dtype)
        return np.where(self.defined(x), out, np.nan).astype(x.dtype)

    def derivative(self, x):
        """f'(x) in closed form."""
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = np.asarray(self.derivative_formula(x, np), dtype=float)
        return np.where(self.defined(x), out, np.nan)

    def defined(self, x) -> np.ndarray:
        """True where x lies inside one of the function's open pieces."""
        return self.piece_index(x) >= 0

    def piece_index(self, x) -> np.ndarray:
        """Index of the open interval holding x, or -1 outside the domain."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 0:  # one number (the secant's animation asks ~400 times a request): no array work
            value = float(x)
            return np.array(next((i for i, (lo, hi) in enumerate(self.pieces) if lo < value < hi), -1))
        index = np.full(x.shape, -1)
        for i, (lo, hi) in enumerate(self.pieces):
            index = np.where((x > lo) & (x < hi), i, index)
        return index

    def same_piece(self, a, b) -> np.ndarray:
        """True where a and b are both defined and no pole or domain edge lies between them."""
        ia, ib = self.piece_index(a), self.piece_index(b)
        return (ia >= 0) & (ia == ib)

    def domain_message(self) -> str:
        """Plain words for where the function is defined."""
        if len(self.pieces) == 1 and self.pieces[0] == (-math.inf, math.inf):
            return f"{self.label} is defined for every real x"
        if self.pieces == ((0.0, math.inf),):
            return f"{self.label} is only defined for x > 0"
        if self.pieces == ((-math.inf, 0.0), (0.0, math.inf)):
            return f"{self.label} has a pole at x = 0: it is undefined there"
        return f"{self.label} is defined on " + " and ".join(f"({lo:g}, {hi:g})" for lo, hi in self.pieces)


ALL_REALS = ((-math.inf, math.inf),)
POSITIVE = ((0.0, math.inf),)
NONZERO = ((-math.inf, 0.0), (0.0, math.inf))

FUNCTIONS: dict[str, Function1D] = {
    f.key: f
    for f in (
        Function1D(
            key="square",
            label="x²",
            latex="x^2",
            derivative_latex="2x",
            derivative_label="2x",
            formula=lambda x, ops: x**2,
            derivative_formula=lambda x, ops: 2 * x,
            pieces=ALL_REALS,
            x0_range=(-2.5, 2.5),
            default_x0=2.0,
            view_x=(-3.0, 3.7),
            view_y=(-2.0, 13.0),
            neural_network_use="the squared error of a prediction",
        ),
        Function1D(
            key="cube",
            label="x³",
            latex="x^3",
            derivative_latex="3x^2",
            derivative_label="3x²",
            formula=lambda x, ops: x**3,
            derivative_formula=lambda x, ops: 3 * x**2,
            pieces=ALL_REALS,
            x0_range=(-2.0, 2.0),
            default_x0=1.0,
            view_x=(-2.5, 3.2),
            view_y=(-12.0, 20.0),
            neural_network_use="a polynomial feature",
        ),
        Function1D(
            key="sin",
            label="sin x",
            latex=r"\sin x",
            derivative_latex=r"\cos x",
            derivative_label="cos x",
            formula=lambda x, ops: ops.sin(x),
            derivative_formula=lambda x, ops: ops.cos(x),
            pieces=ALL_REALS,
            x0_range=(-3.0, 3.0),
            default_x0=1.0,
            view_x=(-3.5, 4.2),
            view_y=(-1.8, 1.8),
            neural_network_use="sinusoidal positional encodings in transformers",
        ),
        Function1D(
            key="exp",
            label="eˣ",
            latex="e^x",
            derivative_latex="e^x",
            derivative_label="eˣ",
            formula=lambda x, ops: ops.exp(x),
            derivative_formula=lambda x, ops: ops.exp(x),
            pieces=ALL_REALS,
            x0_range=(-2.0, 2.0),
            default_x0=1.0,
            view_x=(-2.5, 3.1),
            view_y=(-2.0, 16.0),
            neural_network_use="softmax and the sigmoid, which turn scores into probabilities",
        ),
        Function1D(
            key="log",
            label="ln x",
            latex=r"\ln x",
            derivative_latex=r"\frac{1}{x}",
            derivative_label="1/x",
            formula=lambda x, ops: ops.log(x),
            derivative_formula=lambda x, ops: 1 / x,
            pieces=POSITIVE,
            x0_range=(0.1, 4.0),
            default_x0=1.0,
            view_x=(0.0, 5.1),
            view_y=(-3.0, 2.5),
            neural_network_use="cross-entropy loss, the log of the probability given to the right answer",
        ),
        Function1D(
            key="reciprocal",
            label="1/x",
            latex=r"\frac{1}{x}",
            derivative_latex=r"-\frac{1}{x^2}",
            derivative_label="−1/x²",
            formula=lambda x, ops: 1 / x,
            derivative_formula=lambda x, ops: -1 / x**2,
            pieces=NONZERO,
            x0_range=(-3.0, 3.0),
            default_x0=1.0,
            view_x=(-3.5, 4.1),
            view_y=(-6.0, 6.0),
            neural_network_use="normalisation, which divides by a standard deviation or a sum",
        ),
    )
}

DEFAULT_FUNCTION = "square"

# The chapter's table of special functions, in its order.
SPECIAL_FUNCTIONS = ("exp", "log", "sin", "reciprocal")


def autograd_derivative(function: Function1D, x0: float) -> float:
    """f'(x0) from torch autograd, running the same formula the catalog evaluates with numpy."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    function.formula(x, torch).backward()
    return float(x.grad)


def power_rule(exponent: int, x: float) -> float:
    """d/dx xⁿ = n·xⁿ⁻¹, with the constant's derivative (n = 0) exactly zero."""
    if exponent == 0:
        return 0.0
    return exponent * x ** (exponent - 1)


SUPERSCRIPT_DIGITS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_label(exponent: int) -> str:
    """xⁿ in Unicode, written plainly for n = 0 and n = 1."""
    return {0: "1", 1: "x"}.get(exponent, "x" + str(exponent).translate(SUPERSCRIPT_DIGITS))


def power_derivative_label(exponent: int) -> str:
    """n·xⁿ⁻¹ in Unicode, simplified the way a person would write it."""
    if exponent == 0:
        return "0"
    if exponent == 1:
        return "1"
    return f"{exponent}{power_label(exponent - 1)}"
