"""Runs one program read from standard input and reports, line by line, the values each line produced.

It is started by app.tracing in a separate, isolated Python process (``python -I``) with CPU, memory,
file-size and output limits, and only ever receives code that app.codegen generated. It prints one
JSON object: the program's output, the trace rows, and an error if the program raised.
It imports nothing from the app, so a program it runs cannot reach the app either.
"""

import io
import json
import sys
import traceback

MAX_ROWS = 400  # rows of trace kept; the program still runs to the end
MAX_OUTPUT = 20_000  # characters of the program's own output kept
FILENAME = "<generated>"


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


def main():
    source = sys.stdin.read()
    rows, truncated = [], False
    last_line, last_seen = {}, {}

    def snapshot(frame):
        values = {}
        for name, value in frame.f_locals.items():
            if name.startswith("__"):
                continue
            text = describe(value)
            if text is not None:
                values[name] = text
        return values

    def tracer(frame, event, arg):
        nonlocal truncated
        if frame.f_code.co_filename != FILENAME:
            return None  # only the generated program is traced, not numpy or torch
        if event in ("line", "return"):
            # Keyed by the frame itself, never by id(frame): a returned frame's id is reused by the next
            # call, whose values then landed on the previous call's last line.
            now = snapshot(frame)
            if frame in last_line:
                before = last_seen.get(frame, {})
                changed = {n: v for n, v in now.items() if before.get(n) != v}
                if event == "return" and describe(arg) is not None:
                    changed["returns"] = describe(arg)
                if changed and len(rows) < MAX_ROWS:
                    rows.append([last_line[frame], changed])
                elif changed:
                    truncated = True
            if event == "return":  # the frame is done: forget it (and let it be freed)
                last_line.pop(frame, None)
                last_seen.pop(frame, None)
            else:
                last_line[frame], last_seen[frame] = frame.f_lineno, now
        return tracer

    captured = io.StringIO()
    real_stdout = sys.stdout
    error = None
    sys.stdout = captured
    try:
        code = compile(source, FILENAME, "exec")
        sys.settrace(tracer)
        exec(code, {"__name__": "__main__"})  # noqa: S102 - the app's own generated code, see the docstring
    except BaseException:  # noqa: BLE001 - report the program's error instead of dying with it
        error = traceback.format_exc(limit=3)
    finally:
        sys.settrace(None)
        sys.stdout = real_stdout
    output = captured.getvalue()
    json.dump(
        {
            "stdout": output[:MAX_OUTPUT],
            "rows": rows,
            "truncated": truncated or len(output) > MAX_OUTPUT,
            "error": error,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
