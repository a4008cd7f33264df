"""/optimizers's questions, answered here without the questions' own code.

- first-to-arrive: torch.optim itself runs every contestant (the oracle's classes, with the race's
  stopping rules), and the first to arrive wins; nobody else may arrive within 5% more steps.
- which-minimum: heavy-ball momentum (β = 0 for plain SGD) as a plain Python loop over Himmelblau's
  gradient typed here, and the minimum it stops at, by Himmelblau's four known minima, lettered by x.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from app.compute import optimizers as opt
from app.compute.descent import BOUND_SQUARED
from app.compute.surfaces import SURFACES
from tests.unit.test_optimizer_oracle import TORCH_CLASSES


def first_by_torch_optim(question) -> str:
    """Every contestant stepped by its torch.optim class, all in lockstep, with the race's rules: a run
    stops when |∇L| < 10⁻⁶ (arrived) or when w or ∇L passes the bound (diverged). Once the first has
    arrived, the others run on only until 5% more steps have passed: none may arrive in that time."""
    setup = question.setup
    surface = SURFACES[setup["surface"]]
    runners = {}
    for key, lr, beta1, beta2, eps in zip(
        setup["contestants"], setup["lr"], setup["beta1"], setup["beta2"], setup["eps"], strict=True
    ):
        p = torch.tensor(setup["start"], dtype=torch.float64)
        runners[key] = (p, TORCH_CLASSES[key](p, opt.Hyper(lr, beta1, beta2, eps)))
    arrivals: dict[str, int] = {}
    last = setup["steps"]
    for t in range(setup["steps"] + 1):
        if arrivals and t * 0.95 >= min(arrivals.values()):
            break  # far enough past the first arrival: the race is decided by at least 5%
        for key, (p, optimizer) in list(runners.items()):
            w = p.numpy()
            g = np.array(surface.gradient_formula(w[0], w[1], np), dtype=float)
            if not (g @ g <= BOUND_SQUARED and w @ w <= BOUND_SQUARED):
                del runners[key]  # diverged
            elif g @ g < opt.TOLERANCE**2:
                arrivals[key] = t
                del runners[key]
            elif t < last:
                p.grad = torch.from_numpy(g)
                optimizer.step()
    assert len(arrivals) == 1, f"not decided by 5%: {arrivals}"
    (winner,) = arrivals
    return question.choices[list(setup["contestants"]).index(winner)]


# Himmelblau's four minima (Himmelblau, 1972), lettered A-D from left to right as the basin map does.
HIMMELBLAU_MINIMA = {
    "A": (-3.779310, -3.283186),
    "B": (-2.805118, 3.131312),
    "C": (3.0, 2.0),
    "D": (3.584428, -1.848126),
}


def himmelblau_gradient(x: float, y: float) -> tuple[float, float]:
    # L = (x² + y − 11)² + (x + y² − 7)²
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def heavy_ball(start, lr: float, beta: float, steps: int) -> tuple[float, float] | None:
    """v ← βv + ∇L, w ← w − ηv until |∇L| < 10⁻⁶; None if it does not arrive."""
    x, y = start
    vx = vy = 0.0
    for _ in range(steps + 1):
        gx, gy = himmelblau_gradient(x, y)
        if math.hypot(gx, gy) < 1e-6:
            return x, y
        vx, vy = beta * vx + gx, beta * vy + gy
        x, y = x - lr * vx, y - lr * vy
    return None


def minimum_by_heavy_ball(question) -> str:
    setup = question.setup
    end = heavy_ball(tuple(setup["start"]), setup["lr"], setup["beta"], setup["steps"])
    assert end is not None, setup
    letter = min(HIMMELBLAU_MINIMA, key=lambda k: math.dist(end, HIMMELBLAU_MINIMA[k]))
    assert math.dist(end, HIMMELBLAU_MINIMA[letter]) < 1e-3, end
    return next(choice for choice in question.choices if choice.startswith(f"minimum {letter} "))


INDEPENDENT = {
    "first-to-arrive": first_by_torch_optim,
    "which-minimum": minimum_by_heavy_ball,
}
