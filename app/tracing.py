"""Running a page's generated code, with limits, to show what each line did.

Only code from app.codegen is ever run, and only in a separate, isolated Python process: CPU time,
memory, written files and output are capped, and a wall-clock timeout ends it. What comes back is
data (the program's output and its trace); nothing from it is executed here.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.codegen import GeneratedCode

RUNNER = Path(__file__).with_name("trace_runner.py")
WALL_SECONDS = 20
CPU_SECONDS = 15
MEMORY_BYTES = 3 * 1024**3  # torch's import alone maps well over a gigabyte of address space
OUTPUT_BYTES = 2 * 1024**2


@dataclass(frozen=True)
class TraceResult:
    stdout: str
    rows: list = field(default_factory=list)  # [line number, {name: value}] after each line ran
    truncated: bool = False
    error: str | None = None


def _limits(cpu_seconds: int) -> None:  # runs in the child, before it starts Python
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024**2, 1024**2))  # no big files (torch needs a temp file)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_traced(code: GeneratedCode, cpu_seconds: int = CPU_SECONDS) -> TraceResult:
    """Run the code under the tracer and return its output and trace, or an error, never raising."""
    try:
        completed = subprocess.run(
            [sys.executable, "-I", str(RUNNER)],
            input=code.source,
            capture_output=True,
            text=True,
            timeout=WALL_SECONDS,
            preexec_fn=lambda: _limits(cpu_seconds),  # noqa: PLW1509 - nothing runs between fork and exec
            check=False,
        )
    except subprocess.TimeoutExpired:
        return TraceResult("", error=f"stopped: the program ran for more than {WALL_SECONDS} s")
    except OSError as problem:
        return TraceResult("", error=f"could not start Python: {problem}")
    if completed.returncode != 0 or not completed.stdout:
        return TraceResult(
            "", error=f"the program stopped early (exit code {completed.returncode}): {completed.stderr[-500:]}"
        )
    try:
        report = json.loads(completed.stdout[:OUTPUT_BYTES])
    except json.JSONDecodeError:
        return TraceResult("", error="the program's report was too long or malformed")
    return TraceResult(
        report.get("stdout", ""), report.get("rows", []), bool(report.get("truncated")), report.get("error")
    )
