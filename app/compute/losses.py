"""One-weight losses for /descent and /learning-rate: each written once, as ``formula(w, ops)``,
beside its closed-form derivative."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from app.compute.descent import descend, remembered_runs


@dataclass(frozen=True)
class Loss1D:
    key: str
    label: str  # plain text
    latex: str
    derivative_latex: str
    description: str
    formula: Callable  # L(w, ops)
    derivative_formula: Callable  # L'(w, ops)
    view_w: tuple[float, float]
    default_start: float
    minimum: float  # where L is smallest (for the curvature at the minimum)
    quadratic: bool = False  # then 1 − η·L″ describes every step exactly, not just near the minimum

    def value(self, w):
        with np.errstate(all="ignore"):
            return np.asarray(self.formula(np.asarray(w, float), np), dtype=float)

    def derivative(self, w):
        with np.errstate(all="ignore"):
            return np.asarray(self.derivative_formula(np.asarray(w, float), np), dtype=float)

    @remembered_runs
    def descent(self, start: float, learning_rate: float, steps: int):
        """Gradient descent on this loss from ``start``."""
        return descend(
            lambda w: (self.derivative_formula(w[0], math),),
            lambda positions: self.value(positions[:, 0]),
            (start,),
            learning_rate,
            steps,
        )

    def curvature_at_minimum(self) -> float:
        """L″(w*), exactly: torch differentiates the same formula twice. (A finite difference would
        give 2.0000000001 for a parabola, and call η = 1 divergent when it only oscillates.)"""
        return _curvature_at_minimum(self)


# A memo of a pure function of an immutable loss (not state): several texts on a page ask for it per
# request, and each torch double-differentiation costs ~1.5 ms.
@functools.lru_cache(maxsize=64)
def _curvature_at_minimum(loss: Loss1D) -> float:
    w = torch.tensor(float(loss.minimum), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(loss.formula(w, torch), w, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, w)
    return float(curvature)


LOSSES: dict[str, Loss1D] = {
    loss.key: loss
    for loss in (
        Loss1D(
            key="shifted",
            label="(w − 3)² + 1",
            latex="(w-3)^2 + 1",
            derivative_latex="2(w-3)",
            description="The chapter's loss: a parabola with its minimum L = 1 at w = 3.",
            formula=lambda w, ops: (w - 3) ** 2 + 1,
            derivative_formula=lambda w, ops: 2 * (w - 3),
            view_w=(-1.0, 7.0),
            default_start=0.0,
            minimum=3.0,
            quadratic=True,
        ),
        Loss1D(
            key="square",
            label="(w − 3)²",
            latex="(w-3)^2",
            derivative_latex="2(w-3)",
            description="The same parabola touching zero: every step multiplies the error w − 3 by 1 − 2η.",
            formula=lambda w, ops: (w - 3) ** 2,
            derivative_formula=lambda w, ops: 2 * (w - 3),
            view_w=(-1.0, 7.0),
            default_start=0.0,
            minimum=3.0,
            quadratic=True,
        ),
        Loss1D(
            key="quartic",
            label="(w − 3)⁴",
            latex="(w-3)^4",
            derivative_latex="4(w-3)^3",
            description="Flat at the bottom: the gradient fades faster than the error, so the last stretch crawls.",
            formula=lambda w, ops: (w - 3) ** 4,
            derivative_formula=lambda w, ops: 4 * (w - 3) ** 3,
            view_w=(0.5, 5.5),
            default_start=1.0,
            minimum=3.0,
        ),
        Loss1D(
            key="double-well",
            label="(w² − 1)²",
            latex="(w^2-1)^2",
            derivative_latex="4w(w^2-1)",
            description="Two valleys, at w = −1 and w = 1: which one you reach depends on where you start.",
            formula=lambda w, ops: (w**2 - 1) ** 2,
            derivative_formula=lambda w, ops: 4 * w * (w**2 - 1),
            view_w=(-2.0, 2.0),
            default_start=0.3,
            minimum=1.0,
        ),
    )
}

DEFAULT_LOSS = "shifted"
