"""How long the expression language takes: parse and compile (the target: under 5 ms for any accepted
text), and the closed-form derivative sympy builds from the tree (memoised per expression).

    .venv/bin/python bench/expressions.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from app.compute import expressions  # noqa: E402

TEXTS = [
    "x^2 + 3*y^2",
    "(1 - x)^2 + 100*(y - x^2)^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "sin(x)*cos(y) + exp(-x^2 - y^2)*log(1 + x^2)",
    "sigmoid(x) * tanh(y) + relu(x - y) + softplus(x*y) + max(x, y) - min(x, 2)",
    "x" + "+x" * ((expressions.MAX_LENGTH - 1) // 2),  # the longest text accepted
]


def timed(function, repeats: int = 20) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    grid = np.meshgrid(np.linspace(-2, 2, 120), np.linspace(-2, 2, 120))
    print("| formula | chars | parse + compile (median / max) | evaluate a 120×120 grid | derivative (sympy, first) |")
    print("|---|---|---|---|---|")
    for text in TEXTS:

        def parse_and_compile(text=text):
            expressions._parse.cache_clear()  # measure the real work, not the memo
            expression = expressions.parse(text, ("x", "y"))
            expression.formula()
            return expression

        median, worst = timed(parse_and_compile)
        expression = parse_and_compile()
        grid_median, _ = timed(lambda expression=expression: expression(*grid))
        expressions._derivative.cache_clear()
        start = time.perf_counter()
        expression.derivative("x")
        derivative = (time.perf_counter() - start) * 1000
        shown = text if len(text) < 48 else text[:45] + "…"
        print(
            f"| `{shown}` | {len(text)} | {median:.2f} / {worst:.2f} ms | {grid_median:.2f} ms | {derivative:.0f} ms |"
        )


if __name__ == "__main__":
    main()
