"""/learning-rate's questions, answered here without the questions' own code: each quadratic's
curvatures typed out by hand, the factor |1 − ηλ| for stability, and numpy's eigenvalues of a
hand-written Hessian for the largest stable η."""

from __future__ import annotations

import re

import numpy as np

# Each quadratic as its coefficients a, b in a·x² + b·y² (the one-weight (w − 3)² as a = 1 alone).
STABILITY_COEFFICIENTS = {"square": (1.0,), "round": (1.0, 1.0), "bowl": (1.0, 3.0), "ravine": (1.0, 10.0)}

# The Hessians of the page's own bowls, written out.
HESSIANS = {"bowl": [[2.0, 0.0], [0.0, 6.0]], "ravine": [[2.0, 0.0], [0.0, 20.0]]}


def stability(q) -> str:
    key = q.setup.get("loss", q.setup.get("surface"))
    size = max(abs(1 - 2 * a * q.setup["lr"]) for a in STABILITY_COEFFICIENTS[key])
    if abs(size - 1) < 1e-9:
        return "oscillates for ever"
    return "converges" if size < 1 else "diverges"


def coefficient(formula: str, monomial: str) -> float:
    """The coefficient of x^2, x*y or y^2 in a typed a*x^2 + c*x*y + b*y^2 (0 if absent)."""
    text = formula.replace(" ", "")
    found = re.search(r"(^|[+-])([0-9.]*\*)?" + re.escape(monomial) + r"(?![\^*])", text)
    if found is None:
        return 0.0
    size = float(found.group(2)[:-1]) if found.group(2) else 1.0
    return -size if found.group(1) == "-" else size


def hessian(setup) -> np.ndarray:
    if setup["surface"] in HESSIANS:
        return np.array(HESSIANS[setup["surface"]])
    a, c, b = (coefficient(setup["formula"], m) for m in ("x^2", "x*y", "y^2"))
    return np.array([[2 * a, c], [c, 2 * b]])


def largest_stable_lr(q) -> float:
    return 2 / float(np.linalg.eigvalsh(hessian(q.setup)).max())


def after_k_steps(q) -> float:
    """A plain loop of w ← w − η·2(w − 3)."""
    w = q.setup["w"]
    for _ in range(q.setup["steps"]):
        w = w - q.setup["lr"] * 2 * (w - 3)
    return w


INDEPENDENT = {
    "after-k-steps": after_k_steps,
    "stability": stability,
    "largest-stable-lr": largest_stable_lr,
}
