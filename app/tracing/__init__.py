"""The code trace as a service: run a page's generated code once, with limits, and remember the answer.

- runner.py: the tracer that runs inside the sandbox's child;
- sandbox.py: one program in a fresh child forked from a warm process, with limits;
- cache.py: results by content (the source and the runner's version), on disk or in Redis;
- slots.py: at most one trace per core across every worker of the server, and a queue with positions;
- service.py: what the code panel calls.

No dash here: this sits beside app.compute, and app.components imports it.
"""

from app.tracing.sandbox import Limits, TraceResult, run_in_sandbox

__all__ = ["Limits", "TraceResult", "run_in_sandbox", "run_traced"]


def run_traced(code, limits: Limits | None = None) -> TraceResult:
    """Trace a GeneratedCode in a sandbox, uncached (the service adds the cache and the queue)."""
    return run_in_sandbox(code.source, limits or Limits())
