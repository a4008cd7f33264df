"""/derivative's questions, answered here without the questions' own code."""

from __future__ import annotations

import torch

from app.compute.functions import FUNCTIONS


def derivative_by_autograd(key: str, x0: float) -> float:
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    FUNCTIONS[key].formula(x, torch).backward()
    return float(x.grad)


INDEPENDENT = {
    "tangent-slope": lambda q: derivative_by_autograd(q.setup["function"], q.setup["x0"]),
}
