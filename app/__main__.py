"""``python -m app``: the development server. Host and port come from HOST and PORT."""

import os

from app.main import create_app


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8050"))
    print(f"Open http://{host}:{port}/ in a browser (Ctrl+C stops the server).", flush=True)
    create_app().run(host=host, port=port, debug=os.environ.get("DASH_DEBUG") == "1")


if __name__ == "__main__":
    main()
