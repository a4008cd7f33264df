"""The code trace: right lines, a cache, a sandbox with limits, and a bounded queue."""

from __future__ import annotations

from app import tracing
from app.codegen import GeneratedCode

CALLED_AGAIN = """\
def grad(w):
    return 2 * (w - 3)

w = 0.0
for step in range(3):
    g = grad(w)
    w = w - 0.1 * g
"""


def test_a_function_called_again_gets_its_values_on_its_own_lines():
    """A returned frame's id is reused by the next call: keyed by id, the next call's argument landed on
    the `return` line of the previous call."""
    result = tracing.run_traced(GeneratedCode(CALLED_AGAIN, {}, "again.py"))
    assert result.error is None, result.error
    return_rows = [values for line, values in result.rows if line == 2]
    assert return_rows == [{"returns": "-6"}, {"returns": "-4.8"}, {"returns": "-3.84"}]
    assert [values["g"] for line, values in result.rows if line == 6] == ["-6", "-4.8", "-3.84"]
    assert [values["w"] for line, values in result.rows if line == 7] == ["0.6", "1.08", "1.464"]
