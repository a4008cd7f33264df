"""The catalog of two-variable surfaces shared by /gradient, /descent and /learning-rate.

Each surface is written once, as ``formula(x, y, ops)`` with ``ops`` numpy or torch, next to its
closed-form gradient and Hessian. Evaluation (numpy), autograd (torch) and rendering (LaTeX) all read
from here, so a surface can never disagree with itself from one page to the next.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from app.compute.descent import descend, remembered_runs


@dataclass(frozen=True)
class Surface:
    key: str
    label: str  # plain text for buttons
    latex: str  # f(x, y) in LaTeX
    gradient_latex: str  # ∇f in LaTeX
    description: str  # what this surface teaches, in one line
    formula: Callable  # f(x, y, ops)
    gradient_formula: Callable  # (∂f/∂x, ∂f/∂y)(x, y, ops)
    hessian_formula: Callable  # ((fxx, fxy), (fyx, fyy))(x, y, ops)
    view_x: tuple[float, float]
    view_y: tuple[float, float]
    example_point: tuple[float, float]  # where /gradient opens
    start: tuple[float, float]  # where a descent starts by default
    log_scale: bool = False  # values span many decades: contour levels are spaced in log(1 + f)
    quadratic: bool = False  # then the Hessian is the same everywhere

    def value(self, x, y) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.formula(np.asarray(x, float), np.asarray(y, float), np), dtype=float)

    def gradient(self, x, y) -> np.ndarray:
        """[∂f/∂x, ∂f/∂y], stacked on the first axis."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        gx, gy = self.gradient_formula(x, y, np)
        return np.stack(np.broadcast_arrays(np.asarray(gx, float), np.asarray(gy, float)))

    def hessian(self, x, y) -> np.ndarray:
        """The 2×2 matrix of second derivatives at one point."""
        rows = self.hessian_formula(float(x), float(y), np)
        return np.array([[float(v) for v in row] for row in rows])

    def autograd_gradient(self, x: float, y: float) -> np.ndarray:
        """∇f from torch autograd, running the very same formula."""
        tx = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(float(y), dtype=torch.float64, requires_grad=True)
        self.formula(tx, ty, torch).backward()
        return np.array([float(tx.grad), float(ty.grad)])

    @remembered_runs
    def descent(self, start, learning_rate: float, steps: int):
        """Gradient descent on this surface. The formulas are plain arithmetic, so the loop can run
        them on Python floats (ops=math), which is much faster than numpy for one point at a time."""
        return descend(
            lambda w: self.gradient_formula(w[0], w[1], math),
            lambda positions: self.value(positions[:, 0], positions[:, 1]),
            start,
            learning_rate,
            steps,
        )

    def in_view(self, x: float, y: float) -> bool:
        return self.view_x[0] <= x <= self.view_x[1] and self.view_y[0] <= y <= self.view_y[1]


def _quadratic(a: float, b: float, key: str, label: str, latex: str, description: str, **kw) -> Surface:
    """a·x² + b·y²: the bowls and the saddle, whose Hessian is the constant diag(2a, 2b)."""
    return Surface(
        key=key,
        label=label,
        latex=latex,
        gradient_latex=rf"\begin{{pmatrix}} {2 * a:g}x \\ {2 * b:g}y \end{{pmatrix}}",
        description=description,
        formula=lambda x, y, ops: a * x**2 + b * y**2,
        gradient_formula=lambda x, y, ops: (2 * a * x, 2 * b * y),
        hessian_formula=lambda x, y, ops: ((2 * a, 0.0), (0.0, 2 * b)),
        quadratic=True,
        **kw,
    )


SURFACES: dict[str, Surface] = {
    s.key: s
    for s in (
        _quadratic(
            1,
            3,
            "bowl",
            "x² + 3y²",
            "x^2 + 3y^2",
            "The chapter's elliptical bowl: three times steeper along y than along x.",
            view_x=(-5.0, 5.0),
            view_y=(-4.0, 4.0),
            example_point=(2.0, 1.0),
            start=(4.0, 3.0),
        ),
        _quadratic(
            1,
            1,
            "round",
            "x² + y²",
            "x^2 + y^2",
            "A round bowl: the gradient points straight away from the minimum.",
            view_x=(-5.0, 5.0),
            view_y=(-4.0, 4.0),
            example_point=(2.0, 1.0),
            start=(4.0, 3.0),
        ),
        _quadratic(
            1,
            10,
            "ravine",
            "x² + 10y²",
            "x^2 + 10y^2",
            "A narrow ravine: the gradient points mostly across it, hardly along it.",
            view_x=(-5.0, 5.0),
            view_y=(-2.0, 2.0),
            example_point=(2.0, 1.0),
            start=(4.0, 1.5),
        ),
        _quadratic(
            1,
            -1,
            "saddle",
            "x² − y²",
            "x^2 - y^2",
            "A saddle: uphill along x, downhill along y, and a flat point at the origin that is no minimum.",
            view_x=(-3.0, 3.0),
            view_y=(-3.0, 3.0),
            example_point=(1.0, 0.5),
            start=(2.5, 0.1),
        ),
        Surface(
            key="rosenbrock",
            label="Rosenbrock",
            latex=r"(1 - x)^2 + 100\,(y - x^2)^2",
            gradient_latex=r"\begin{pmatrix} -2(1-x) - 400x(y-x^2) \\ 200(y-x^2) \end{pmatrix}",
            description="A curved banana-shaped valley: easy to find, slow to follow to the minimum at (1, 1).",
            formula=lambda x, y, ops: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
            gradient_formula=lambda x, y, ops: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
            hessian_formula=lambda x, y, ops: ((2 - 400 * (y - x**2) + 800 * x**2, -400 * x), (-400 * x, 200.0)),
            view_x=(-2.0, 2.0),
            view_y=(-1.0, 3.0),
            example_point=(-1.0, 1.0),
            start=(-1.5, 2.0),
            log_scale=True,
        ),
        Surface(
            key="himmelblau",
            label="Himmelblau",
            latex=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            gradient_latex=(r"\begin{pmatrix} 4x(x^2+y-11) + 2(x+y^2-7) \\ 2(x^2+y-11) + 4y(x+y^2-7) \end{pmatrix}"),
            description="Four equal minima: where you start decides where you end.",
            formula=lambda x, y, ops: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
            gradient_formula=lambda x, y, ops: (
                4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
                2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7),
            ),
            hessian_formula=lambda x, y, ops: (
                (12 * x**2 + 4 * y - 42, 4 * x + 4 * y),
                (4 * x + 4 * y, 4 * x + 12 * y**2 - 26),
            ),
            view_x=(-5.0, 5.0),
            view_y=(-5.0, 5.0),
            example_point=(1.0, 1.0),
            start=(0.0, 0.0),
            log_scale=True,
        ),
    )
}

DEFAULT_SURFACE = "bowl"

# The step of the central differences in the verification table (the chapter's choice).
CHECK_STEP = 1e-7


def central_gradient(surface: Surface, x: float, y: float, h: float = CHECK_STEP) -> np.ndarray:
    """Both partials by central differences: (f(x+h, y) − f(x−h, y)) / 2h and the same along y."""
    return np.array(
        [
            (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h),
            (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h),
        ]
    )


def directional_derivative(gradient: np.ndarray, angle_degrees) -> np.ndarray:
    """D_u f = ∇f · u for the unit vector u at this angle (degrees, counter-clockwise from +x)."""
    theta = np.radians(angle_degrees)
    return gradient[0] * np.cos(theta) + gradient[1] * np.sin(theta)


def gradient_angle(gradient: np.ndarray) -> float:
    """The direction of ∇f in degrees, in [0, 360)."""
    return float(np.degrees(np.arctan2(gradient[1], gradient[0])) % 360.0)


def level_curve_tangent(surface: Surface, x: float, y: float) -> np.ndarray | None:
    """A unit tangent of the contour line through (x, y), measured from the contour itself.

    It finds where the level set f = f(x, y) crosses a small circle around the point, and takes the
    chord between the two crossings. That measurement never uses the gradient, so comparing it with
    ∇f is a real check. A chord leans off the tangent in proportion to the radius and the contour's
    curvature; two radii and a Richardson step cancel that lean. None where the point is critical.
    """
    tangent = _level_curve_tangent(surface, float(x), float(y))
    return None if tangent is None else tangent.copy()


# A memo of a pure function (not state): /gradient asks for the same point's tangent twice per request,
# once for the figure and once for the check table.
@functools.lru_cache(maxsize=64)
def _level_curve_tangent(surface: Surface, x: float, y: float) -> np.ndarray | None:
    radius = 1e-5 * (surface.view_x[1] - surface.view_x[0])
    with np.errstate(all="ignore"):
        wide, narrow = _chord(surface, x, y, radius), _chord(surface, x, y, radius / 2)
    if wide is None or narrow is None:
        return None
    if np.dot(wide, narrow) < 0:
        wide = -wide
    tangent = 2 * narrow - wide
    return tangent / np.linalg.norm(tangent)


def _chord(surface: Surface, x: float, y: float, radius: float) -> np.ndarray | None:
    """Unit direction between the two points where the contour through (x, y) meets a circle."""
    level = float(surface.value(x, y))
    theta = np.linspace(0.0, 2 * np.pi, 721)[:-1]

    def offset(t):
        # The formula itself, on float arrays, inside the caller's errstate: what surface.value
        # computes, without its per-call overhead (this runs ~60 times per chord).
        return surface.formula(x + radius * np.cos(t), y + radius * np.sin(t), np) - level

    values = offset(theta)
    crossings = np.nonzero(np.sign(values) != np.sign(np.roll(values, -1)))[0]
    if len(crossings) != 2:
        return None
    lo, hi = theta[crossings], theta[crossings] + theta[1]
    # Bisection keeps lo on the side where offset has lo's starting sign, so that sign is computed once.
    lo_sign = np.sign(offset(lo))
    for _ in range(60):
        mid = (lo + hi) / 2
        same = np.sign(offset(mid)) == lo_sign
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    a, b = (lo + hi) / 2
    chord = np.array([np.cos(b) - np.cos(a), np.sin(b) - np.sin(a)])
    return chord / np.linalg.norm(chord)


def angle_between(u: np.ndarray, v: np.ndarray) -> float:
    """The angle between two vectors in degrees, in [0, 180]."""
    cosine = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))
