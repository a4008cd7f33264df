"""/descent's questions, answered here without the questions' own code: each loss's and surface's
derivative typed out by hand, and one step w − η·∇L(w) taken with it."""

from __future__ import annotations

# L'(w) of every loss in app/compute/losses.py, written out here.
LOSS_SLOPES = {
    "shifted": lambda w: 2 * (w - 3),  # (w − 3)² + 1
    "square": lambda w: 2 * (w - 3),  # (w − 3)²
    "quartic": lambda w: 4 * (w - 3) ** 3,  # (w − 3)⁴
    "double-well": lambda w: 4 * w * (w * w - 1),  # (w² − 1)²
}

# ∇f(x, y) of every surface in app/compute/surfaces.py, written out here.
SURFACE_GRADIENTS = {
    "bowl": lambda x, y: (2 * x, 6 * y),  # x² + 3y²
    "round": lambda x, y: (2 * x, 2 * y),  # x² + y²
    "ravine": lambda x, y: (2 * x, 20 * y),  # x² + 10y²
    "saddle": lambda x, y: (2 * x, -2 * y),  # x² − y²
    "rosenbrock": lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
    "himmelblau": lambda x, y: (
        4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
        2 * (x * x + y - 11) + 4 * y * (x + y * y - 7),
    ),
}


def step_1d(q) -> float:
    w, lr = q.setup["w"], q.setup["lr"]
    return w - lr * LOSS_SLOPES[q.setup["loss"]](w)


def landing(q) -> tuple[float, float]:
    x, y, lr = q.setup["x"], q.setup["y"], q.setup["lr"]
    gx, gy = SURFACE_GRADIENTS[q.setup["surface"]](x, y)
    return (x - lr * gx, y - lr * gy)


INDEPENDENT = {
    "descent-step": step_1d,
    "ball-landing": landing,
}
