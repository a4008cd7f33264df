"""``python -m app``: serve the app as production does, or ``--dev`` for the reloading development server.

Without ``--dev`` this hands over to gunicorn with ``gunicorn.conf.py``, the same server and settings the
container runs, bound to 127.0.0.1 unless HOST says otherwise: a teacher who starts it on a laptop for a
class gets several workers, not Flask's single-process development server. HOST, PORT,
WEB_CONCURRENCY and THREADS are read by gunicorn.conf.py. ``--dev`` (or DASH_DEV=1) runs Dash's own
server with the debugger and reloading on code changes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOST = "127.0.0.1"


def url(host: str, port: str) -> str:
    shown = "localhost" if host in ("0.0.0.0", "::") else host  # a wildcard bind is reached on this machine
    return f"http://{shown}:{port}/"


def gunicorn_command() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app.wsgi:server"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", action="store_true", help="Dash's development server, reloading on changes")
    options = parser.parse_args(argv)
    host = os.environ.setdefault("HOST", LOCAL_HOST)
    port = os.environ.setdefault("PORT", "8050")
    if options.dev or os.environ.get("DASH_DEV") == "1":
        from app.main import create_app

        print(f"Development server: open {url(host, port)} in a browser (Ctrl+C stops it).", flush=True)
        create_app().run(host=host, port=int(port), debug=True)
        return
    print(f"Starting the app with gunicorn; when it says 'Listening', open {url(host, port)} (Ctrl+C stops it).")
    sys.stdout.flush()
    os.chdir(ROOT)
    os.execv(sys.executable, gunicorn_command())


if __name__ == "__main__":
    main()
