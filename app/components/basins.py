"""The basins section of /optimizers: its controls, the two maps side by side (plain SGD and the optimizer
it is compared with), a table of where the starts went, and the words that say it."""

from __future__ import annotations

from dash import dcc, html

from app import ids
from app.components import elements as el
from app.components.controls import graph, radio_group, swatch_label, table_box
from app.compute import basins as compute
from app.compute import optimizers as opt
from app.figures import basins as figures
from app.figures.optimizers import NAMES

ID = ids.Optimizers
COMPARED = tuple(key for key in opt.EVERYONE if key != opt.SGD)  # each is set beside plain SGD
DEFAULT_COMPARED = opt.MOMENTUM


def short_name(key: str) -> str:
    return NAMES[key].replace(" (reference)", "")


def section_body(compared: str) -> html.Div:
    """The controls, the two (empty until asked for) maps, the table and the summary."""
    return html.Div(
        [
            html.P(
                f"Every one of {compute.GRID} × {compute.GRID} starts across the map runs {compute.STEPS} steps with "
                "the settings above; each is coloured by the minimum it reaches. Where two colours meet, a start a "
                "hair to one side ends somewhere else.",
                className="explanation",
            ),
            html.Div(
                [
                    radio_group(
                        ID.BASIN_CHOICE,
                        "Beside plain SGD",
                        [{"label": short_name(key), "value": key} for key in COMPARED],
                        compared,
                        inline=True,
                    ),
                    html.Button(
                        f"Map the basins ({compute.GRID * compute.GRID:,} starts)",
                        id=ID.BASIN_BUTTON,
                        n_clicks=0,
                        className="primary",
                    ),
                    html.Div(id=ID.BASIN_MESSAGE, className="message", role="alert"),
                ],
                className="panel controls basin-controls",
            ),
            dcc.Loading(
                html.Div(
                    [
                        graph(ID.BASIN_SGD, summary_id=ID.BASIN_SUMMARY),
                        graph(ID.BASIN_OTHER),
                    ],
                    className="two-columns tight basin-maps",
                ),
                type="circle",
                delay_show=150,  # a memoised map answers at once: no flash
            ),
            table_box(ID.BASIN_TABLE, "Where the starts went"),
        ],
        className="basins",
    )


def _share(basins: compute.Basins, label: int) -> str:
    share = basins.share(label)
    return f"{share:.1%}" if share else "—"


def destinations_table(sgd: compute.Basins, other: compute.Basins) -> html.Table:
    """One row per destination (each flat point either map reached, then 'still on its way' and
    'diverged'), with the share of starts that went there under each optimizer."""
    points = other.points if len(other.points) >= len(sgd.points) else sgd.points
    labels = [i for i in range(len(points)) if sgd.share(i) or other.share(i) or points[i].kind == compute.MINIMUM]
    labels += [label for label in (compute.STILL_GOING, compute.DIVERGED) if sgd.share(label) or other.share(label)]
    header = el.Tr([el.Th("destination", scope="col"), el.Th(short_name(sgd.key)), el.Th(short_name(other.key))])
    rows = []
    for label in labels:
        if label == compute.STILL_GOING:
            name = f"still on its way after {other.steps} steps"
        elif label == compute.DIVERGED:
            name = "diverged"
        else:
            name = figures.point_name(points, label)
        rows.append(
            el.Tr(
                [
                    el.Th(swatch_label(name, figures.colour_of(points, label)), scope="row", className="run-name"),
                    el.Td(_share(sgd, label)),
                    el.Td(_share(other, label)),
                ]
            )
        )
    return el.Table(
        [html.Caption("The share of the starts that end at each place"), el.Thead(header), el.Tbody(rows)],
        className="numbers basin-table",
    )


def summary(sgd: compute.Basins, other: compute.Basins) -> str:
    """Both maps in words: how many starts reach each minimum, and how many change destination."""
    moved = float((sgd.labels != other.labels).mean())

    def reached(basins: compute.Basins) -> str:
        parts = [
            f"{basins.share(i):.0%} reach {figures.point_name(basins.points, i)}"
            for i in range(len(basins.points))
            if basins.share(i) >= 0.005
        ]
        rest = 1.0 - sum(basins.share(i) for i in range(len(basins.points)))
        if rest >= 0.005:
            parts.append(f"{rest:.0%} arrive nowhere in {basins.steps} steps")
        return ", ".join(parts)

    return (
        f"Basin maps. {short_name(sgd.key)}: {reached(sgd)}. {short_name(other.key)}: {reached(other)}. "
        f"{moved:.0%} of the starts end somewhere else under {short_name(other.key)} than under plain SGD."
    )


def titles(other_key: str) -> tuple[str, str]:
    return ("Plain SGD: where each start ends", f"{short_name(other_key)}: where each start ends")
