"""Data out: a page's runs as a CSV file, one row per step and run.

Every page that offers its numbers for download builds the file here, so that every CSV the app
writes has the same shape: a header row, then plain rows, numbers written with repr() so that a
float64 reads back bit for bit (a spreadsheet or pandas sees exactly what the page computed).
"""

from __future__ import annotations

import csv
import io
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


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> dict:
    """What a dcc.Download's `data` takes to save `rows` as `filename` (text/csv)."""
    return dcc.send_string(csv_text(header, rows), filename, type="text/csv")


def csv_button(button_id: str, download_id: str, label: str = "Download the runs (CSV)") -> html.Span:
    """A download button and its dcc.Download, side by side; the callback that fills it is the page's."""
    return html.Span(
        [html.Button(label, id=button_id, n_clicks=0, className="csv-download"), dcc.Download(id=download_id)]
    )
