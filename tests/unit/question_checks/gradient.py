"""/gradient's questions, answered here without the questions' own code: directions from torch autograd
of each surface's formula, and ∂f/∂x typed out by hand."""

from __future__ import annotations

import math

import torch

from app.compute.surfaces import SURFACES

# ∂f/∂x of every surface in app/compute/surfaces.py, written out here.
PARTIAL_X = {
    "bowl": lambda x, y: 2 * x,  # x² + 3y²
    "round": lambda x, y: 2 * x,  # x² + y²
    "ravine": lambda x, y: 2 * x,  # x² + 10y²
    "saddle": lambda x, y: 2 * x,  # x² − y²
    "rosenbrock": lambda x, y: -2 * (1 - x) - 400 * x * (y - x * x),  # (1 − x)² + 100(y − x²)²
    "himmelblau": lambda x, y: 4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),  # (x² + y − 11)² + (x + y² − 7)²
}


def autograd_gradient(q) -> tuple[float, float]:
    x = torch.tensor(float(q.setup["x"]), dtype=torch.float64, requires_grad=True)
    y = torch.tensor(float(q.setup["y"]), dtype=torch.float64, requires_grad=True)
    SURFACES[q.setup["surface"]].formula(x, y, torch).backward()
    return float(x.grad), float(y.grad)


def steepest(q) -> float:
    gx, gy = autograd_gradient(q)
    return math.degrees(math.atan2(-gy, -gx)) % 360


def along_contour(q) -> float:
    """The direction (gy, −gx), at right angles to ∇f, folded into [0°, 180°)."""
    gx, gy = autograd_gradient(q)
    return math.degrees(math.atan2(-gx, gy)) % 180


INDEPENDENT = {
    "steepest-descent": steepest,
    "partial-x": lambda q: PARTIAL_X[q.setup["surface"]](q.setup["x"], q.setup["y"]),
    "level-direction": along_contour,
}
