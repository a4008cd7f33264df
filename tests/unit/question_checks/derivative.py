"""/derivative's questions, answered here without the questions' own code."""

from __future__ import annotations

import math

import numpy as np
import torch

from app.compute.functions import FUNCTIONS


def derivative_by_autograd(key: str, x0: float) -> float:
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    FUNCTIONS[key].formula(x, torch).backward()
    return float(x.grad)


def halved_choice(q) -> str:
    """The error of (f(x₀ + h/2) − f(x₀)) / (h/2) against autograd's f'(x₀), written out here, and the
    question's choice nearest it by ratio."""
    key, x0, h = q.setup["function"], q.setup["x0"], q.setup["h"]
    f = lambda x: float(FUNCTIONS[key].formula(np.float64(x), np))  # noqa: E731
    half = h / 2
    error = abs((f(x0 + half) - f(x0)) / half - derivative_by_autograd(key, x0))
    return min(q.choices, key=lambda choice: abs(math.log(float(choice) / error)))


INDEPENDENT = {
    "tangent-slope": lambda q: derivative_by_autograd(q.setup["function"], q.setup["x0"]),
    "halve-h": halved_choice,
}
