"""The catalogues' formulas compiled with numba, for the loops that run them thousands of times a request.

The optimizer race (optimizers.descend_many) and the stability sweep (learning_rate.loss_history) step
one point at a time through thousands of steps. In numpy every step costs a dozen calls of about a
microsecond each, however few the points; compiled, a whole 2,000-step race takes under a millisecond.

Compiled code must give the numbers numpy gives, to the bit, or a page would change its answer with
the path it took. So only a formula numba and numpy evaluate alike is compiled:

- it reads no module (``ops``, numpy or torch elsewhere, is passed as 0 and never read);
- every power in it is a square. numba computes xⁿ by repeated multiplication, numpy by pow(), which
  rounds once; for a square both compute x·x.

Everything else (a typed function, a catalogue entry with a cube) keeps its numpy path. The arithmetic
is IEEE's in both (numba's "numpy" error model: x/0 is inf, not an exception), and numba fuses no
multiply-adds unless asked, so +, −, × and ÷ round alike. tests/unit/test_compiled.py checks every
compiled formula against numpy, bit for bit, across and far beyond each view.
"""

from __future__ import annotations

import dis
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numba

from app.compute.losses import LOSSES, Loss1D
from app.compute.surfaces import SURFACES, Surface

# How every compiled loop is built: without the interpreter lock (a worker's other thread answers while
# a loop runs) and with IEEE division (x/0 is inf or NaN, as in numpy, never an exception).
OPTIONS = {"nogil": True, "error_model": "numpy"}

_float = numba.types.float64
PAIR = numba.types.UniTuple(_float, 2)
VALUE_SIGNATURE = _float(_float, _float, numba.types.int64)  # L(x, y, ops)
GRADIENT_SIGNATURE = PAIR(_float, _float, numba.types.int64)  # (∂L/∂x, ∂L/∂y)(x, y, ops)
HESSIAN_SIGNATURE = numba.types.UniTuple(PAIR, 2)(_float, _float, numba.types.int64)  # ((a, b), (c, d))


def _compile(signature, formula: Callable) -> Callable:
    """One formula compiled for one signature, with IEEE division (x/0 is inf, as in numpy)."""
    return numba.njit(signature, error_model="numpy")(formula)


@dataclass(frozen=True)
class Formulas:
    """A problem's formulas, compiled, each called as f(x, y, 0). A 1-D loss L(w) is the surface
    L(x) that ignores y, with ∂L/∂y = 0, so one compiled loop serves both."""

    value: Callable
    gradient: Callable
    hessian: Callable | None  # None for a 1-D loss: only the race needs it


def compilable(formula: Callable) -> bool:
    """Whether numba evaluates ``formula`` as numpy does: it reads no module and raises only to squares."""
    code = formula.__code__
    if code.co_names:  # ops.exp, np.sin, math.pi, ...: a module's function, computed its own way
        return False
    instructions = list(dis.get_instructions(code))
    return all(
        before.opname == "LOAD_CONST" and before.argval == 2
        for before, instruction in zip(instructions, instructions[1:], strict=False)
        if instruction.opname == "BINARY_OP" and instruction.argrepr in ("**", "**=")
    )


def build_once(build: Callable) -> Callable:
    """Cache what ``build`` compiles, once per process (warm_up compiles it all before gunicorn forks, so
    every worker inherits it). Compiled code is not a memo of results: bench/questions.py's "cold" mode,
    which clears every memo as a fresh worker would have them, leaves it (``builds_code``)."""
    cached = functools.cache(build)
    cached.builds_code = True
    return cached


def surface_formulas(surface: Surface) -> Formulas | None:
    """The catalogue surface's formulas, compiled; None for a typed surface (or an entry numba would
    round differently). Typed surfaces never reach the cache, so they cannot push a catalogue entry out."""
    if SURFACES.get(surface.key) != surface:  # a typed surface (equal to a catalogue entry is the entry)
        return None
    return _surface_formulas(surface.key)


@build_once
def _surface_formulas(key: str) -> Formulas | None:
    surface = SURFACES[key]
    parts = (surface.formula, surface.gradient_formula, surface.hessian_formula)
    if not all(compilable(part) for part in parts):
        return None
    return Formulas(
        _compile(VALUE_SIGNATURE, surface.formula),
        _compile(GRADIENT_SIGNATURE, surface.gradient_formula),
        _compile(HESSIAN_SIGNATURE, surface.hessian_formula),
    )


def loss_formulas(loss: Loss1D) -> Formulas | None:
    """The catalogue loss as a surface that ignores y, compiled; None for a typed loss (or one numba
    would round differently: a cube, a fourth power)."""
    if LOSSES.get(loss.key) != loss:
        return None
    return _loss_formulas(loss.key)


@build_once
def _loss_formulas(key: str) -> Formulas | None:
    loss = LOSSES[key]
    if not (compilable(loss.formula) and compilable(loss.derivative_formula)):
        return None
    one_variable = _float(_float, numba.types.int64)  # L(w, ops)
    value, slope = _compile(one_variable, loss.formula), _compile(one_variable, loss.derivative_formula)
    return Formulas(
        _compile(VALUE_SIGNATURE, lambda x, y, ops: value(x, ops)),
        _compile(GRADIENT_SIGNATURE, lambda x, y, ops: (slope(x, ops), 0.0)),
        None,
    )


@numba.njit(error_model="numpy")
def maximum(a: float, b: float) -> float:
    """np.maximum of two numbers: NaN if either is (Python's max keeps whichever comes first)."""
    if a != a or b != b:  # noqa: PLR0124 (the NaN test)
        return math.nan
    return a if a > b else b
