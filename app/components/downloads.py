"""Data out: a page's runs as a CSV file, one row per step and run.

Every page that offers its numbers for download builds the file here, so that every CSV the app
writes has the same shape: a header row, then plain rows, numbers written with repr() so that a
float64 reads back bit for bit (a spreadsheet or pandas sees exactly what the page computed).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from dash import dcc, html


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The CSV text of `rows` under `header`; floats keep every digit, non-finite ones read nan/inf."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([repr(float(value)) if isinstance(value, float) else value for value in row])
    return buffer.getvalue()


UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_PART = 40  # a typed formula names its surface; a name stays short enough to read in a file list


def csv_filename(*parts: object) -> str:
    """``parts`` joined by "-" as a name every file system accepts: any run of characters other than
    letters, digits, ".", "_" and "-" becomes one "_" (a typed formula must not make a path or an
    illegal name), each part cut to MAX_PART characters, and no part may start with a dot."""
    cleaned = (UNSAFE_IN_FILENAME.sub("_", str(part))[:MAX_PART].strip("_.") or "_" for part in parts)
    return "-".join(cleaned) + ".csv"


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> dict:
    """What a dcc.Download's `data` takes to save `rows` as `filename` (text/csv)."""
    return dcc.send_string(csv_text(header, rows), filename, type="text/csv")


def csv_button(button_id: str, download_id: str, label: str = "Download the runs (CSV)", hint: str = "") -> html.Div:
    """A download button and its dcc.Download, with an optional hint beside it; the callback that fills
    it is the page's. The label is the button's accessible name, so it says which runs it saves."""
    return html.Div(
        [
            html.Button(label, id=button_id, n_clicks=0, className="csv-download"),
            *([html.Span(hint, className="hint-text")] if hint else []),
            dcc.Download(id=download_id),
        ],
        className="csv-row",
    )
