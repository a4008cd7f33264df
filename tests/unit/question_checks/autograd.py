"""/autograd's questions, answered here without the questions' own code.

- grad-one-backward: dy/dx by the power rule, typed here for each expression.
- grad-two-backward: torch runs each expression (typed here again) forward and backward twice on one
  leaf without zeroing .grad, and reads x.grad.
"""

from __future__ import annotations

import torch

DERIVATIVES = {
    "square": lambda x: 2 * x,  # y = x²
    "cube": lambda x: 3 * x * x,  # y = x³
    "quadratic": lambda x: 6 * x + 2,  # y = 3x² + 2x
    "fourth": lambda x: 4 * x**3,  # y = x⁴
    "cubic": lambda x: 3 * x * x - 4,  # y = x³ − 4x
    "mixed": lambda x: 6 * x * x + 2 * x,  # y = 2x³ + x²
}

TORCH_EXPRESSIONS = {
    "square": lambda x: x * x,
    "cube": lambda x: x * x * x,
    "quadratic": lambda x: 3 * x * x + 2 * x,
    "fourth": lambda x: x * x * x * x,
    "cubic": lambda x: x * x * x - 4 * x,
    "mixed": lambda x: 2 * x * x * x + x * x,
}


def grad_after_two_backward(question) -> float:
    x = torch.tensor(question.setup["x"], dtype=torch.float64, requires_grad=True)
    for _ in range(2):
        TORCH_EXPRESSIONS[question.setup["expression"]](x).backward()
    return float(x.grad)


INDEPENDENT = {
    "grad-one-backward": lambda q: DERIVATIVES[q.setup["expression"]](q.setup["x"]),
    "grad-two-backward": grad_after_two_backward,
}
