"""A step player for a precomputed run: play, pause, step, reset, scrub and speed, all in the browser
(assets/player.js). The run arrives once in a Store; no request is made while it plays."""

from __future__ import annotations

import base64

import numpy as np
from dash import dcc, html

from app.figures.style import drawable
from app.ids import Player

TICK_MS = 50
SPEEDS = {5: "5 steps/s", 20: "20 steps/s", 100: "100 steps/s", 500: "500 steps/s"}
DEFAULT_SPEED = 5


# ---- a race's trajectories on the wire --------------------------------------------------------------
# Several thousand steps per contestant are only ever drawn and read off at four decimals, so they travel
# as float32 (style.drawable), packed so the compressor can shrink them: each value's 32 bits as the
# difference from the previous value's bits (small along a smooth path), and the differences' bytes in four
# planes (every lowest byte, then every second byte...), so the mostly-zero high bytes sit together. The
# packing is lossless: the browser (assets/player.js, floats()) gets exactly style.drawable's float32
# values back. About a third of a plain float32 typed array once compressed (bench/race_bytes.py).
PACKED = "f4_delta"  # {PACKED: base64}: not a plotly typed array, so nothing mistakes it for one


def packed(values) -> dict:
    """float32 ``values`` (after style.drawable) packed for the player."""
    bits = drawable(values).view("<u4")
    steps = np.diff(bits, prepend=np.uint32(0))  # modulo 2^32
    planes = np.ascontiguousarray(steps.astype("<u4").view(np.uint8).reshape(-1, 4).T)
    return {PACKED: base64.b64encode(planes.tobytes()).decode("ascii")}


def unpacked(spec: dict) -> np.ndarray:
    """The float32 values of ``packed``: what the browser decodes, written again in numpy (for tests)."""
    planes = np.frombuffer(base64.b64decode(spec[PACKED]), dtype=np.uint8).reshape(4, -1)
    steps = np.ascontiguousarray(planes.T).view("<u4").ravel()
    return np.cumsum(steps, dtype=np.uint32).view(np.float32)


def player_id(kind: str, section: str) -> dict:
    return {"type": kind, "section": section}


def figure_id(section: str, view: str) -> dict:
    return {"type": Player.FIGURE, "section": section, "index": view}


def player(
    section: str, start_step: int | None = None, speed: int = DEFAULT_SPEED, run: dict | None = None
) -> html.Div:
    """The control bar and the live readout line for one run view.

    ``start_step``: the step to pause at when the first run arrives (from a shared link); None shows
    the run whole. ``run``: the first run, when the page's layout already holds it (the player shows it
    as the page mounts, with no request); None waits for a callback to send one.
    """

    def button(kind, text, label, key=None, **props):
        if key is not None:
            props["aria-keyshortcuts"] = key
        return html.Button(
            text,
            id=player_id(kind, section),
            n_clicks=0,
            title=label if key is None else f"{label} ({key})",
            className="player-button",
            **{"aria-label": label},
            **props,
        )

    speed_label = f"{Player.SPEED_LABEL}-{section}"

    return html.Div(
        [
            html.Div(
                [
                    button(Player.RESET, "|◀", "Back to step 0"),
                    button(Player.BACK, "◀", "One step back", "ArrowLeft"),
                    # A toggle: its name stays, aria-pressed says whether it is playing (assets/player.js).
                    button(Player.PLAY, "▶ Play", "Play or pause", "Space", **{"aria-pressed": "false"}),
                    button(Player.FORWARD, "▶|", "One step forward", "ArrowRight"),
                    html.Div(
                        dcc.Slider(
                            id=player_id(Player.SCRUB, section),
                            min=0,
                            max=1,
                            step=1,
                            value=0,
                            marks=None,
                            updatemode="drag",
                            allow_direct_input=False,
                        ),
                        className="player-scrub",
                        title="Drag to any step",
                        **{"data-aria-label": "Step of the run"},
                    ),
                    html.Div(
                        [
                            html.Span("Playback speed", id=speed_label, className="sr-only"),
                            dcc.Dropdown(
                                id=player_id(Player.SPEED, section),
                                options=[{"label": text, "value": value} for value, text in SPEEDS.items()],
                                value=speed if speed in SPEEDS else DEFAULT_SPEED,
                                clearable=False,
                                searchable=False,
                            ),
                        ],
                        className="player-speed",
                        title="Playback speed",
                        # Read as "Playback speed, 5 steps/s": assets/a11y.js names Dash's button from it.
                        **{"data-aria-labelledby": speed_label},
                    ),
                ],
                className="player-bar",
                role="group",
                **{"aria-label": "Step player"},
            ),
            html.P(id=player_id(Player.READOUT, section), className="player-readout", **{"aria-live": "polite"}),
            dcc.Store(id=player_id(Player.RUN, section), data=run),
            dcc.Store(
                id=player_id(Player.STATE, section),
                data={"frame": 0, "playing": False, "tick_ms": TICK_MS, "start": start_step},
            ),
            dcc.Interval(id=player_id(Player.TICK, section), interval=TICK_MS, disabled=True),
        ],
        className="player",
        **{"data-section": section},
    )


def register_player_callback() -> None:
    """Wire every player on the page to assets/player.js; call it from the page module."""
    from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, clientside_callback

    def own(kind):
        return {"type": kind, "section": MATCH}

    clientside_callback(
        ClientsideFunction(namespace="player", function_name="update"),
        Output(own(Player.STATE), "data"),
        Output(own(Player.TICK), "disabled"),
        Output(own(Player.PLAY), "children"),
        Output(own(Player.PLAY), "aria-pressed"),
        Output(own(Player.SCRUB), "value"),
        Output(own(Player.SCRUB), "max"),
        Output({"type": Player.FIGURE, "section": MATCH, "index": ALL}, "figure", allow_duplicate=True),
        Output(own(Player.READOUT), "children"),
        Input(own(Player.PLAY), "n_clicks"),
        Input(own(Player.BACK), "n_clicks"),
        Input(own(Player.FORWARD), "n_clicks"),
        Input(own(Player.RESET), "n_clicks"),
        Input(own(Player.TICK), "n_intervals"),
        Input(own(Player.SCRUB), "value"),
        Input(own(Player.RUN), "data"),
        State(own(Player.STATE), "data"),
        State(own(Player.SPEED), "value"),
        State({"type": Player.FIGURE, "section": MATCH, "index": ALL}, "figure"),
        # It runs in the browser as the page mounts, so a run the layout already holds is drawn at once
        # (with no run yet, it changes nothing). Its figures are also written by the page's run callbacks,
        # which never run on opening, so the two never race for them.
        prevent_initial_call="initial_duplicate",
    )
