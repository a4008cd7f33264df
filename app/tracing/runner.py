"""The tracer that runs inside the sandbox's child: one program, line by line, and what each line produced.

``trace_source`` runs a source string under ``sys.settrace`` and returns plain data: the program's
output, the trace rows, whether either was cut short, and an error if the program raised or hit a
limit. It imports nothing from the app (and no dash), so a program it runs cannot reach the app
through it. Only code that app.codegen generated is ever given to it.
"""

from __future__ import annotations

import sys
import traceback

# Bump whenever what trace_source returns changes for the same source: it is part of every cache key,
# so results of an older runner are never shown.
RUNNER_VERSION = "2"
MAX_ROWS = 400  # rows of trace kept; past them the program runs on untraced (and so much faster)
MAX_OUTPUT = 20_000  # characters the program may print
FILENAME = "<generated>"


class Refused(PermissionError):
    """Raised by the sandbox's audit hook for something a traced program may not do."""


class OutputLimit(BaseException):  # noqa: N818 - a BaseException, so `except Exception` in a program cannot swallow it
    """Raised from print() once a program has printed more than MAX_OUTPUT characters."""


class CappedWriter:
    """A stand-in for sys.stdout that keeps at most ``limit`` characters and stops the program past them.

    The output is cut as it is produced: nothing beyond the limit is ever held in memory.
    """

    def __init__(self, limit: int = MAX_OUTPUT):
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.size
        if len(text) > room:
            self.parts.append(text[: max(room, 0)])
            self.size = self.limit
            raise OutputLimit
        self.parts.append(text)
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        pass

    def getvalue(self) -> str:
        return "".join(self.parts)


def describe(value):
    """A short, readable rendering of a value, or None for things not worth showing (modules, functions)."""
    kind = type(value).__name__
    if kind in ("module", "function", "builtin_function_or_method", "type"):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return repr(value[:60])
    if kind == "Tensor":
        try:
            data = value.detach()
            text = (
                f"{data.item():.6g}"
                if data.numel() == 1
                else "[" + ", ".join(f"{v:.6g}" for v in data.tolist()[:6]) + "]"
            )
            grad = " (requires grad)" if value.requires_grad else ""
            return f"tensor {text}{grad}"
        except Exception:  # noqa: BLE001 - a value we cannot render is simply skipped
            return None
    if kind in ("ndarray", "float64", "float32"):
        try:
            flat = value.ravel().tolist() if hasattr(value, "ravel") else [float(value)]
            if len(flat) == 1 and kind != "ndarray":
                return f"{flat[0]:.6g}"
            return "[" + ", ".join(f"{v:.6g}" for v in flat[:6]) + (", …" if len(flat) > 6 else "") + "]"
        except Exception:  # noqa: BLE001
            return None
    if isinstance(value, list | tuple):
        parts = [describe(v) for v in value[:6]]
        if any(p is None for p in parts):
            return None
        inner = ", ".join(parts) + (", …" if len(value) > 6 else "")
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return None


def _snapshot(frame) -> dict:
    values = {}
    for name, value in frame.f_locals.items():
        if name.startswith("__"):
            continue
        text = describe(value)
        if text is not None:
            values[name] = text
    return values


def _problem(error: BaseException, memory_mb: int | None) -> str:
    """A learner-facing message for what stopped the program."""
    if isinstance(error, OutputLimit):
        return f"stopped: it printed more than {MAX_OUTPUT:,} characters"
    if isinstance(error, Refused):
        return str(error)
    limit = f"more than {memory_mb} MB of" if memory_mb else "too much"
    if isinstance(error, MemoryError) or "can't allocate memory" in str(error):
        return f"stopped: it tried to use {limit} memory"
    # The program's own frames only (the first one is trace_source's), the innermost three of them.
    where = error.__traceback__.tb_next if error.__traceback__ else None
    return "".join(traceback.format_exception(type(error), error, where, limit=-3)).strip()


def trace_source(source: str, memory_mb: int | None = None) -> dict:
    """Run ``source`` and trace it: {"stdout", "rows", "truncated", "error", "limited"}; never raises."""
    rows: list = []
    truncated = False
    # Keyed by the live frame itself, never by id(frame): a returned frame's id is reused by the next
    # call, whose values then landed on the previous call's last line. A frame leaves on 'return'.
    last_line: dict = {}
    last_seen: dict = {}

    def tracer(frame, event, arg):
        nonlocal truncated
        if truncated or frame.f_code.co_filename != FILENAME:
            return None  # only the generated program is traced (not numpy or torch), and only until full
        if event in ("line", "return"):
            now = _snapshot(frame)
            if frame in last_line:
                before = last_seen.get(frame, {})
                changed = {n: v for n, v in now.items() if before.get(n) != v}
                if event == "return" and describe(arg) is not None:
                    changed["returns"] = describe(arg)
                if changed and len(rows) < MAX_ROWS:
                    rows.append([last_line[frame], changed])
                elif changed:
                    truncated = True
                    sys.settrace(None)  # the table is full: run the rest at full speed
                    last_line.clear()
                    last_seen.clear()
                    return None
            if event == "return":
                last_line.pop(frame, None)
                last_seen.pop(frame, None)
            else:
                last_line[frame], last_seen[frame] = frame.f_lineno, now
        return tracer

    output = CappedWriter()
    real_stdout = sys.stdout
    error = None
    limited = False  # stopped by a limit rather than by its own end or its own exception
    sys.stdout = output
    try:
        code = compile(source, FILENAME, "exec")
        sys.settrace(tracer)
        exec(code, {"__name__": "__main__"})  # noqa: S102 - the app's own generated code, see the docstring
    except BaseException as raised:  # noqa: BLE001 - report the program's error instead of dying with it
        error = _problem(raised, memory_mb)
        limited = isinstance(raised, OutputLimit | Refused | MemoryError) or error.startswith("stopped:")
    finally:
        sys.settrace(None)
        sys.stdout = real_stdout
    return {"stdout": output.getvalue(), "rows": rows, "truncated": truncated, "error": error, "limited": limited}
