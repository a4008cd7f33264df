"""/optimizers: gradient descent's descendants raced on one surface by the numpy race engine, whose every
step equals torch.optim's to 12 digits (tests/unit/test_optimizer_oracle.py).

The surface is a catalogue preset or the learner's own L(x, y), typed in the same formula box as on
/gradient and /descent (app/components/formula.py): its gradient and Newton's Hessian come from the
expression tree, and it races from its own start with the default settings.

Layout first, then the callbacks: one validates whichever control moved into the last good state and
runs that race once (memoised), in one request, and sends the runs; the step player (assets/player.js)
replays them in the browser, every contestant at once.
"""

from __future__ import annotations

import functools
import os

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import basins
from app.components import optimizers as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, point_boxes, presets, radio_group, table_box, text_box
from app.components.downloads import csv_button, csv_download
from app.components.formula import (
    CUSTOM,
    FORMULA_KEY,
    SURFACE_PRESETS,
    WINDOW_KEY,
    Chosen,
    FormulaIds,
    formula_controls,
    query_function,
    shown_controls,
    shown_edges,
    shown_formula,
    stored_choice,
    typed_change,
)
from app.components.layout_memo import memoised_layout
from app.components.parse import Choice, Number, clicked_point, read_fields, typed_start
from app.components.patching import replace_tail
from app.components.player import DEFAULT_SPEED, SPEEDS, figure_id, player, player_id, register_player_callback
from app.components.questions import (
    page_link_check,
    question_from_query,
    question_mirrors,
    question_panel,
    register_question_callbacks,
)
from app.components.share import (
    Mirror,
    first_value,
    link_store,
    query_choice,
    query_number,
    query_point,
    query_step,
    register_url_mirror,
)
from app.components.shell import next_concept_link, page_header, section
from app.compute import basins as compute_basins
from app.compute import optimizers as opt
from app.compute.surfaces import SURFACES
from app.figures import basins as basin_figures
from app.figures import optimizers as figures
from app.figures.gradient import surface_grid
from app.tracing.cache import private_folder
from app.tracing.service import TraceSettings
from app.tracing.slots import ServerSlots

PATH = "/optimizers"
dash.register_page(
    __name__,
    path=PATH,
    name="Optimizers",
    title="Optimizers: momentum, Adam and friends",
    order=5,
    description="SGD, momentum, Nesterov, AdaGrad, RMSprop and Adam raced on one surface, step for step as "
    "torch.optim steps, "
    "with Newton's method as the reference.",
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.Optimizers
P = ids.Player
SECTION = ID.RACE
SURFACE_CHOICES = ("bowl", "ravine", "round", "saddle", "rosenbrock", "himmelblau")
RACE_WAIT_S = 10.0  # a request waits this long for a free race slot, then says the server is busy
# Races (and basin maps) compute one per two cores across the whole server, whatever its workers and
# threads: a 2,000-step race takes ~50 ms, a 5,000-step typed one a few hundred, so a class's burst queues
# for a moment and the other cores stay free for everyone else's requests (bench/classroom.py --scenario
# race). A lock file per slot in the machine's runtime folder, not state: nothing is stored.
RACE_SLOTS = ServerSlots(
    lambda: private_folder(TraceSettings.from_env().runtime_dir / "race-slots"), (os.cpu_count() or 2) // 2
)

LEARNING_RATE = Number("η", 1e-6, 10.0, positive=True)
BETA = Number("β", 0.0, 1.0)
EPSILON = Number("ε", 1e-16, 1.0, positive=True)
STEPS = Number("Steps", 1, opt.MAX_RACE_STEPS, whole=True)
NOISE = Number("Noise σ", 0.0, 100.0)
COORDINATE = Number("A coordinate")
SURFACE = Choice("Surface", SURFACE_CHOICES)
FORMULA_IDS = FormulaIds(
    ID.FORMULA,
    ID.FORMULA_MESSAGE,
    (ID.WINDOW_X_FROM, ID.WINDOW_X_TO, ID.WINDOW_Y_FROM, ID.WINDOW_Y_TO),
    ID.WINDOW_MESSAGE,
)
# formula and window: a typed L(x, y)'s canonical text and its window; empty for a preset (formula.py)
NO_FORMULA = {"formula": "", "window": []}
RULES = {"lr": LEARNING_RATE, "beta1": BETA, "beta2": BETA, "eps": EPSILON}
HYPER_FIELDS = tuple(f"{key}_{field}" for key in opt.CONTESTANTS for field in opt.USES[key])


def _hyper_fields(surface_key: str) -> dict:
    """The settings suggested for a catalogue surface; a typed one (CUSTOM) gets opt.DEFAULT_HYPER."""
    hyper = opt.hyper_for(surface_key)
    return {name: getattr(hyper[name.split("_")[0]], name.split("_")[1]) for name in HYPER_FIELDS}


def _preset(surface_key: str, steps: int, noise: float = 0.0, start=None) -> dict:
    x0, y0 = start or SURFACES[surface_key].start
    on = ",".join(opt.EVERYONE)
    return {
        "surface": surface_key,
        **NO_FORMULA,
        "x0": x0,
        "y0": y0,
        "steps": steps,
        "noise": noise,
        "on": on,
    } | _hyper_fields(surface_key)


DEFAULT_STEPS = opt.DEFAULT_STEPS
DEFAULT_STATE = _preset(opt.DEFAULT_SURFACE, DEFAULT_STEPS)
PRESETS = {
    "chapter": ("The chapter's bowl x² + 3y²", DEFAULT_STATE),
    "ravine": ("A ravine, κ = 10", _preset("ravine", DEFAULT_STEPS)),
    "rosenbrock": ("Rosenbrock's valley, 2,000 steps", _preset("rosenbrock", 2000)),
    "noisy": ("Noisy gradients (σ = 2)", _preset("bowl", DEFAULT_STEPS, 2.0)),
    "himmelblau": ("Himmelblau: Newton finds a peak", _preset("himmelblau", DEFAULT_STEPS)),
    "saddle": ("A saddle", _preset("saddle", 100)),
}
BEST_MOMENTUM = "best-momentum"  # not a whole state: momentum's (η*, β*) for the surface on screen
PRESET = Choice("Preset", (*PRESETS, BEST_MOMENTUM))


def best_momentum(surface) -> tuple[float, float] | None:
    """Momentum's optimal (η*, β*) from the Hessian, to 4 significant digits (what the boxes show), or
    None where the surface has no single Hessian or no minimum."""
    theory = opt.momentum_theory(surface.hessian(0.0, 0.0)) if surface.quadratic else None
    return None if theory is None else (float(f"{theory.best_lr:.4g}"), float(f"{theory.best_beta:.4g}"))


def _beta_message(name: str, value) -> str | None:
    """β must be in [0, 1): at 1 the running average never forgets its start."""
    parsed = BETA.parse(value, name)
    if not parsed.ok:
        return parsed.message
    if parsed.value >= 1:
        return (
            f"{name} must be less than 1: with {name} = 1 the running average never forgets, so the run never settles."
        )
    return None


def _read_hyper(name: str, value, label: str | None = None):
    """(value, message) for one hyperparameter field."""
    field = name.split("_", 1)[1]
    label = label or f"{figures.NAMES[name.split('_')[0]]} {parts.hyper_name(name.split('_')[0], field)}"
    if field in ("beta1", "beta2"):
        message = _beta_message(label, value)
        return (None, message) if message else (BETA.parse(value).value, None)
    parsed = RULES[field].parse(value, label)
    return parsed.value, parsed.message


def _read_on(text) -> list[str] | None:
    """The contestants switched on, from their comma-separated keys; None if not a valid line-up."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    keys = [key for key in text.split(",") if key]
    if not keys or any(key not in opt.EVERYONE for key in keys) or len(set(keys)) != len(keys):
        return None
    return [key for key in opt.EVERYONE if key in keys]


def read_state(state) -> tuple[dict, object] | None:
    """A state from the browser and its surface (a catalogue key, or a typed formula and window), trusted
    only if sync could have stored it."""
    clean = read_fields(state, {"x0": COORDINATE, "y0": COORDINATE, "steps": STEPS, "noise": NOISE})
    found = stored_choice(SURFACE_PRESETS, state, "surface")
    if clean is None or found is None or _read_on(state.get("on")) is None:
        return None
    chosen, surface = found
    clean = chosen.fields("surface") | clean
    clean["on"] = ",".join(_read_on(state["on"]))
    for name in HYPER_FIELDS:
        value, message = _read_hyper(name, state.get(name))
        if message:
            return None
        clean[name] = value
    return (clean, surface) if surface.in_view(clean["x0"], clean["y0"]) else None


def _default_state():
    return read_state(DEFAULT_STATE)


def race_settings(state: dict) -> opt.RaceSettings:
    """The compute's settings from a validated state: a catalogue surface by its key, a typed one as its
    Surface (memoised on its text and window, so the same typed race is the same settings)."""
    surface = state["surface"] if state["surface"] in SURFACES else stored_choice(SURFACE_PRESETS, state, "surface")[1]
    contestants = [(key, hyper_of(state, key)) for key in _read_on(state["on"])]
    return opt.RaceSettings(
        surface, (state["x0"], state["y0"]), int(state["steps"]), tuple(contestants), float(state["noise"])
    )


def hyper_of(state: dict, key: str) -> opt.Hyper:
    """One contestant's settings from a validated state (Newton has none: its defaults)."""
    values = {field: state[f"{key}_{field}"] for field in opt.USES[key]}
    return opt.Hyper(**values) if values else opt.DEFAULT_HYPER[key]


# ---- layout ----------------------------------------------------------------------------------------


def _hyper_grid(state: dict) -> html.Div:
    """One row per torch.optim contestant: its settings, each in an exact box (blank where it has none)."""
    header = html.Tr([html.Th("optimizer"), html.Th("η"), html.Th("β / β₁"), html.Th("α / β₂"), html.Th("ε")])
    rows = []
    for key in opt.CONTESTANTS:
        cells = [html.Th([parts.symbol_span(key), " ", figures.NAMES[key]], scope="row")]
        for field in ("lr", "beta1", "beta2", "eps"):
            if field not in opt.USES[key]:
                cells.append(html.Td("—", className="na", **{"aria-label": "not used"}))
                continue
            name = f"{key}_{field}"
            cells.append(
                html.Td(
                    dcc.Input(
                        id={"type": ID.HYPER, "index": name},
                        type="text",
                        inputMode="decimal",
                        value=f"{state[name]:g}",
                        debounce=True,
                        spellCheck=False,
                        autoComplete="off",
                        className="exact-input hyper-input",
                    ),
                    # assets/a11y.js names the box from this: no <label for> can point at a dict id
                    **{"data-aria-label": f"{figures.NAMES[key]} {parts.hyper_name(key, field)}"},
                )
            )
        rows.append(html.Tr(cells))
    return html.Div(
        [
            html.Span(
                ["Settings", html.Span("η > 0; β, α in [0, 1); ε > 0", className="hint")], className="control-label"
            ),
            table_box(
                None,
                "Each optimizer's settings",
                html.Table([html.Thead(header), html.Tbody(rows)], className="hyper-grid"),
            ),
            html.Div(id=ID.HYPER_MESSAGE, className="message", role="alert"),
        ],
        className="control",
    )


def _contestants(state: dict) -> html.Div:
    """Who races, and each one's settings: a panel of its own, wide enough for every box."""
    on = _read_on(state["on"]) or list(opt.EVERYONE)
    return html.Div(
        [
            html.Div(
                [
                    html.Span("In the race", className="control-label", id=f"{ID.CONTESTANTS}-label"),
                    dcc.Checklist(
                        id=ID.CONTESTANTS,
                        options=[
                            {"label": html.Span([parts.symbol_span(key), " ", figures.NAMES[key]]), "value": key}
                            for key in opt.EVERYONE
                        ],
                        value=on,
                        className="checkbox contestants",
                    ),
                ],
                className="control",
                role="group",
                **{"aria-labelledby": f"{ID.CONTESTANTS}-label"},
            ),
            _hyper_grid(state),
        ],
        className="panel contestants-panel",
    )


def _controls(state: dict) -> html.Div:
    return html.Div(
        [
            radio_group(
                ID.SURFACE,
                "Loss surface L(x, y)",
                [{"label": SURFACES[key].label, "value": key} for key in SURFACE_CHOICES],
                state["surface"] if state["surface"] in SURFACES else None,
            ),
            formula_controls(
                FORMULA_IDS,
                "L(x, y) =",
                shown_formula(SURFACE_PRESETS, state, "surface"),
                shown_edges(SURFACE_PRESETS, state, "surface"),
            ),
            point_boxes(
                "Start (x₀, y₀)",
                "type, or click the contour map",
                [(ID.X0_INPUT, "x₀", f"{state['x0']:g}"), (ID.Y0_INPUT, "y₀", f"{state['y0']:g}")],
            ),
            text_box(ID.STEPS_INPUT, "Steps", str(state["steps"]), f"1 to {opt.MAX_RACE_STEPS:,}"),
            text_box(ID.NOISE_INPUT, "Gradient noise σ", f"{state['noise']:g}", "0 (off) to 100, same seed every run"),
            html.Div(id=ID.MESSAGE, className="message", role="alert"),
            presets(
                ID.PRESET,
                {key: label for key, (label, _) in PRESETS.items()} | {BEST_MOMENTUM: "Momentum at its best (from κ)"},
            ),
        ],
        className="panel controls",
    )


def _key() -> html.P:
    """One key for the map and the 3-D view: each contestant's marker, colour and name."""
    entries = []
    for key in opt.EVERYONE:
        entries.append(html.Span([parts.symbol_span(key), " ", figures.NAMES[key]], className="key-entry"))
    return html.P(["Key: ", *entries], className="race-key")


def _views() -> html.Div:
    return html.Div(
        [
            _key(),
            html.Div(
                [
                    graph(figure_id(SECTION, "contour"), summary_id=ID.MAP_SUMMARY),
                    graph(figure_id(SECTION, "surface")),
                ],
                className="two-columns tight",
            ),
            player(SECTION, None, DEFAULT_SPEED),
            html.P(id=ID.SUMMARY, className="verdict", role="status"),
        ],
        className="figure-block",
    )


def state_from_query(query: dict) -> tuple[dict, int | None, int, list[str]]:
    """The first state, the player's paused step and its speed, from a shared link (see URL_MIRRORS)."""
    notes: list[str] = []
    key = query_choice(query, "surface", DEFAULT_STATE["surface"], (*SURFACE_CHOICES, CUSTOM), notes)
    typed = query_function(query, SURFACE_PRESETS, "surface", notes)
    if typed is None and key == CUSTOM:
        key = DEFAULT_STATE["surface"]  # a typed surface lives in its formula; without one, the default
    chosen, surface = stored_choice(SURFACE_PRESETS, (typed or Chosen(key, "", [])).fields("surface"), "surface")
    x0, y0 = query_point(query, ("x0", "y0"), surface, (DEFAULT_STATE["x0"], DEFAULT_STATE["y0"]), surface.start, notes)
    state = chosen.fields("surface") | {
        "x0": x0,
        "y0": y0,
        "steps": query_number(query, "steps", DEFAULT_STATE["steps"], STEPS.low, STEPS.high, notes, whole=True),
        "noise": query_number(query, "noise", DEFAULT_STATE["noise"], NOISE.low, NOISE.high, notes),
        "on": DEFAULT_STATE["on"],
    }
    on_text = first_value(query, "on")
    if on_text is not None:
        on = _read_on(on_text)
        if on is None:
            notes.append(f"on: “{str(on_text)[:40]}” is not a list of optimizers ({', '.join(opt.EVERYONE)}).")
        else:
            state["on"] = ",".join(on)
    # The mirror leaves out a setting equal to the surface's own suggestion (what choosing the surface
    # sets), so that is what a setting left out, or refused, becomes.
    suggested = _hyper_fields(state["surface"])
    for name in HYPER_FIELDS:
        text = first_value(query, name)
        if text is None:
            state[name] = suggested[name]
            continue
        value, message = _read_hyper(name, text, name)
        if message:
            notes.append(message)
        state[name] = suggested[name] if message else value
    step = query_step(query, "step", notes)
    speed = int(query_choice(query, "speed", str(DEFAULT_SPEED), tuple(map(str, SPEEDS)), notes))
    return state, step, speed, notes


@memoised_layout
def layout(**query):
    state, step, speed, notes = state_from_query(query)
    shown = query_choice(query, "basins", None, basins.COMPARED, notes)  # the maps are open, beside this one
    question = question_from_query(PATH, query, notes)
    compared = shown or basins.DEFAULT_COMPARED
    views = _views()
    views.children[2] = player(SECTION, step, speed)
    return html.Div(
        [
            page_header(
                "Optimizers: gradient descent's descendants",
                "Momentum, Nesterov, AdaGrad, RMSprop and Adam all start from −∇L but reshape the step. Race them "
                "from one start and see which effect wins where. Every step equals torch.optim's to 12 digits, "
                "checked on every build.",
                notes,
            ),
            question_panel(PATH, question),
            section(
                "The race",
                html.Div(
                    [html.Div([_controls(state), views], className="workbench"), _contestants(state)],
                    **{"data-player-scope": SECTION},
                ),
                html.Div(
                    [
                        graph(figure_id(SECTION, "loss"), "secondary-figure", figure=figures.loss_race_chart([])),
                        graph(ID.ADAM_RATES, "secondary-figure"),
                    ],
                    className="two-columns",
                ),
                html.P(id=ID.ADAM_TEXT, className="explanation"),
                table_box(ID.RESULTS, "The results, best first"),
                csv_button(ID.CSV_BUTTON, ID.CSV_DOWNLOAD, "Download the race (CSV)"),
            ),
            section(
                "Where each start ends up",
                basins.section_body(compared),
                dcc.Store(id=ID.BASIN_SHOWN, data=shown),
            ),
            section(
                "Why it happened",
                html.Div(id=ID.THEORY, className="explanation"),
                html.P(
                    "Momentum keeps a velocity v ← βv + ∇L and steps by −ηv, so steps add up along a valley floor "
                    "and cancel across it. Nesterov looks at the gradient one velocity-step ahead. AdaGrad divides "
                    "each coordinate's step by the root of its summed squared gradients; RMSprop uses a running "
                    "average instead, so it does not slow down for good. Adam adds momentum to RMSprop. Newton's "
                    "method divides by the Hessian itself: exact curvature, at the price of second derivatives.",
                    className="explanation",
                ),
            ),
            html.P(
                "Keys: space plays or pauses the race, ← and → step through it.",
                className="hint-text",
            ),
            dcc.Store(id=ID.STATE, data=state),
            dcc.Store(id=ID.DRAWN),
            code_panel("optimizers"),
            next_concept_link(PATH),
            link_store(ID.LINK),
        ],
        className="page optimizers",
    )


register_player_callback()

URL_MIRRORS = (
    [
        Mirror(key, ID.STATE, field=key, default=DEFAULT_STATE[key])
        for key in ("surface", "x0", "y0", "steps", "noise", "on")
    ]
    + [  # a setting left out of a link is the link's surface's suggestion, as the Surface choice sets it
        Mirror(
            name,
            ID.STATE,
            field=name,
            default=DEFAULT_STATE[name],
            default_by="surface",
            defaults={key: _hyper_fields(key)[name] for key in (*SURFACE_CHOICES, CUSTOM)},
        )
        for name in HYPER_FIELDS
    ]
    + [
        Mirror(FORMULA_KEY, ID.STATE, field="formula", default=""),
        Mirror(WINDOW_KEY, ID.STATE, field="window", default=[]),
    ]
    + [
        Mirror("step", player_id(P.STATE, SECTION), kind="frame"),
        Mirror("speed", player_id(P.SPEED, SECTION), prop="value", default=DEFAULT_SPEED),
        Mirror("basins", ID.BASIN_SHOWN),
    ]
)
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)


# ---- validation --------------------------------------------------------------------------------------


def _box_name(item) -> str | None:
    """A hyperparameter box's field name from its entry in ctx.inputs_list / outputs_list."""
    found = item.get("id") if isinstance(item, dict) else None
    return found.get("index") if isinstance(found, dict) else None


FORMULA_OUTPUTS = 1 + len(FORMULA_IDS.edges) + 2  # the formula box, the window's boxes, their two messages


def sync(surface_key, x_text, y_text, click, steps_text, noise_text, on, hyper_texts, _presets, formula_text, *rest):
    """Validate whichever control moved; a refusal keeps the last good race and says why."""
    *edge_texts, state = rest
    state, surface = read_state(state) or _default_state()
    trigger = ctx.triggered_id
    # The boxes by name, in whatever order Dash lists them (never assume the layout's order).
    box_names = [_box_name(item) for item in ctx.outputs_list[7]]
    typed = dict(zip([_box_name(item) for item in ctx.inputs_list[7]], hyper_texts or [], strict=False))
    nothing = (dash.no_update,) * 7 + ([dash.no_update] * len(box_names), dash.no_update, dash.no_update)
    nothing += (dash.no_update,) * FORMULA_OUTPUTS
    message = hyper_message = None
    if isinstance(trigger, dict) and trigger.get("type") == ID.PRESET:
        preset = PRESET.read(trigger.get("index"))
        if preset is None:
            return nothing
        if preset == BEST_MOMENTUM:
            best = best_momentum(surface)
            if best is None:
                hyper_message = (
                    "Momentum's best (η, β) comes from a constant Hessian with a minimum: pick a bowl, or type "
                    "a quadratic such as x^2 + 5*y^2."
                )
            else:
                state["momentum_lr"], state["momentum_beta1"] = best
        else:
            state, surface = read_state(PRESETS[preset][1])
    elif isinstance(trigger, dict) and trigger.get("type") == ID.HYPER:
        name = trigger.get("index")
        if name not in HYPER_FIELDS or name not in typed:
            return nothing
        value, hyper_message = _read_hyper(name, typed[name])
        if not hyper_message:
            state[name] = value
    elif isinstance(trigger, dict) and trigger.get("index") == "contour":
        point = clicked_point(click, 3)
        if point is None or not surface.in_view(*point):
            return nothing
        state["x0"], state["y0"] = point
    elif trigger == ID.SURFACE:
        key = SURFACE.read(surface_key)
        if key is None:
            return nothing
        state |= Chosen(key, "", []).fields("surface") | _hyper_fields(key)
        surface = SURFACES[key]
        state["x0"], state["y0"] = surface.start
    elif trigger == ID.FORMULA or trigger in FORMULA_IDS.edges:
        chosen, message_id, why = typed_change(
            SURFACE_PRESETS, state, "surface", FORMULA_IDS, trigger, formula_text, edge_texts
        )
        if why:
            answer = list(nothing)
            answer[-2 if message_id == ID.FORMULA_MESSAGE else -1] = why
            return tuple(answer)
        fields = chosen.fields("surface")
        new_function = trigger == ID.FORMULA and (fields["surface"], fields["formula"]) != (
            state["surface"],
            state["formula"],
        )
        _, surface = stored_choice(SURFACE_PRESETS, fields, "surface")
        state |= fields
        if new_function:  # another function: it races from its own start with its own suggested settings
            state |= _hyper_fields(chosen.key)
            state["x0"], state["y0"] = surface.start
        elif not surface.in_view(state["x0"], state["y0"]):  # a new window: the start stays if it is on the map
            state["x0"], state["y0"] = surface.start
    elif trigger in (ID.X0_INPUT, ID.Y0_INPUT):
        point, message = typed_start(surface, x_text, y_text)
        if point is not None:
            state["x0"], state["y0"] = point
    elif trigger == ID.STEPS_INPUT:
        parsed = STEPS.parse(steps_text)
        if parsed.ok:
            state["steps"] = parsed.value
        else:
            message = parsed.message + f" The race runs on the server, so it is capped at {opt.MAX_RACE_STEPS:,} steps."
    elif trigger == ID.NOISE_INPUT:
        parsed = NOISE.parse(noise_text)
        message = parsed.message
        state["noise"] = parsed.value if parsed.ok else state["noise"]
    elif trigger == ID.CONTESTANTS:
        keys = _read_on(",".join(on)) if isinstance(on, list) and all(isinstance(k, str) for k in on) else None
        if keys is None:
            message = "Switch on at least one optimizer." if on == [] else "That is not a list of optimizers."
        else:
            state["on"] = ",".join(keys)
    else:
        return nothing
    if message or hyper_message:
        answer = list(nothing)
        answer[8], answer[9] = message or "", hyper_message or ""  # ID.MESSAGE, ID.HYPER_MESSAGE
        if trigger == ID.CONTESTANTS:
            answer[6] = _read_on(state["on"])  # the boxes show the line-up that is still racing
        return tuple(answer)
    return (
        state,
        state["surface"] if state["surface"] in SURFACES else None,
        f"{state['x0']:g}",
        f"{state['y0']:g}",
        str(state["steps"]),
        f"{state['noise']:g}",
        _read_on(state["on"]),
        [f"{state[name]:g}" if name in HYPER_FIELDS else dash.no_update for name in box_names],
        "",
        "",
        *shown_controls(SURFACE_PRESETS, state, "surface"),
        "",
        "",
    )


# What sync answers, in order: the state, every control showing it, and the two messages; then the formula
# box, the window's boxes and their two messages.
SYNC_OUTPUTS = (
    Output(ID.STATE, "data"),
    Output(ID.SURFACE, "value"),
    Output(ID.X0_INPUT, "value"),
    Output(ID.Y0_INPUT, "value"),
    Output(ID.STEPS_INPUT, "value"),
    Output(ID.NOISE_INPUT, "value"),
    Output(ID.CONTESTANTS, "value"),
    Output({"type": ID.HYPER, "index": ALL}, "value"),
    Output(ID.MESSAGE, "children"),
    Output(ID.HYPER_MESSAGE, "children"),
    Output(ID.FORMULA, "value"),
    *(Output(edge, "value") for edge in FORMULA_IDS.edges),
    Output(ID.FORMULA_MESSAGE, "children"),
    Output(ID.WINDOW_MESSAGE, "children"),
)
# What run_race sends, in order: the runs for the player, the figures, the table and the words.
RACE_OUTPUTS = (
    Output(player_id(P.RUN, SECTION), "data"),
    Output(figure_id(SECTION, "contour"), "figure"),
    Output(figure_id(SECTION, "surface"), "figure"),
    Output(figure_id(SECTION, "loss"), "figure"),
    Output(ID.DRAWN, "data"),
    Output(ID.RESULTS, "children"),
    Output(ID.SUMMARY, "children"),
    Output(ID.THEORY, "children"),
    Output(ID.ADAM_RATES, "figure"),
    Output(ID.ADAM_TEXT, "children"),
    Output(ID.MAP_SUMMARY, "children"),
)


# One request per change: the control that moved is validated and the race run in the same callback (a
# separate race callback fed by the state store cost every change a second round trip). It also runs
# when the page opens, to race the settings the link asked for.
@callback(
    *SYNC_OUTPUTS,
    *RACE_OUTPUTS,
    Input(ID.SURFACE, "value"),
    Input(ID.X0_INPUT, "value"),
    Input(ID.Y0_INPUT, "value"),
    Input(figure_id(SECTION, "contour"), "clickData"),
    Input(ID.STEPS_INPUT, "value"),
    Input(ID.NOISE_INPUT, "value"),
    Input(ID.CONTESTANTS, "value"),
    Input({"type": ID.HYPER, "index": ALL}, "value"),
    Input({"type": ID.PRESET, "index": ALL}, "n_clicks"),
    Input(ID.FORMULA, "value"),
    *(Input(edge, "value") for edge in FORMULA_IDS.edges),
    State(ID.STATE, "data"),
    State(ID.DRAWN, "data"),
)
def sync_and_race(*values):
    """The controls' answer; and when it holds a new state (or the page opens), that state's race."""
    *controls, drawn = values
    if ctx.triggered_id is None:
        state = (read_state(controls[-1]) or _default_state())[0]
        answer = (dash.no_update,) * 7 + ([dash.no_update] * len(ctx.outputs_list[7]), "", "")
        answer += (dash.no_update,) * (FORMULA_OUTPUTS - 2) + ("", "")
    else:
        answer = sync(*controls)
        state = answer[0]
        if state is dash.no_update:
            return answer + (dash.no_update,) * len(RACE_OUTPUTS)
    return answer + run_race(state, drawn)


# ---- the race ----------------------------------------------------------------------------------------


def _race(settings: opt.RaceSettings) -> opt.Race | None:
    """The race for these settings, or None if every slot stayed busy for RACE_WAIT_S."""
    if not RACE_SLOTS.acquire(timeout=RACE_WAIT_S):
        return None
    try:
        return opt.race(settings)
    finally:
        RACE_SLOTS.release()


@functools.lru_cache(maxsize=64)
def _race_report(settings: opt.RaceSettings) -> tuple:
    """Everything the page shows of a race but its figures (which depend on what the browser has drawn),
    memoised as the race is: a shared link, a replayed state or a ticked-back contestant costs a lookup.
    Called just after _race raced these settings under a slot, so opt.race is a memo hit here."""
    race = opt.race(settings)
    surface = opt.surface_of(settings)
    shown = [run for run in race.runs if run.key in (opt.SGD, opt.ADAM) and len(run.positions) > 2]
    return (
        parts.player_payload(race),
        parts.results_table(race, surface),
        parts.summary(race),
        parts.theory(race, surface),
        figures.step_size_figure(shown),
        parts.adam_text(race),
        parts.map_summary(race, surface),
    )


def run_race(state, drawn):
    """Race once and send the runs; the surface is sent only when it changed, the contestants' traces
    only when the line-up changed."""
    state, surface = read_state(state) or _default_state()
    settings = race_settings(state)
    race = _race(settings)
    if race is None:
        busy = "The server is busy with other races; change a setting again in a moment."
        return (dash.no_update,) * 6 + (busy,) + (dash.no_update,) * 4
    keys = [run.key for run in race.runs]
    drawn_ok = isinstance(drawn, dict) and isinstance(drawn.get("keys"), list)
    if drawn_ok and drawn.get("surface") == surface.key and drawn["keys"] == keys:
        contour = surface_figure = loss = dash.no_update
    elif drawn_ok and drawn.get("surface") == surface.key and all(isinstance(k, str) for k in drawn["keys"]):
        count = 2 * len(drawn["keys"])
        contour = replace_tail(dash.Patch(), figures.RUN_TRACES_START, count, figures.run_traces(keys, "xy"))
        surface_figure = replace_tail(dash.Patch(), figures.RUN_TRACES_START, count, figures.run_traces(keys, "xyz"))
        loss = figures.loss_race_chart(keys)
    else:
        grid = surface_grid(surface)
        contour = figures.contour_race_figure(surface, grid, keys)
        surface_figure = figures.surface_race_figure(surface, grid, keys)
        loss = figures.loss_race_chart(keys)
    payload, *report = _race_report(settings)
    return (payload, contour, surface_figure, loss, {"surface": surface.key, "keys": keys}, *report)


@callback(
    Output(ID.CSV_DOWNLOAD, "data"),
    Input(ID.CSV_BUTTON, "n_clicks"),
    State(ID.STATE, "data"),
    prevent_initial_call=True,
)
def download_race(_clicks, state):
    """The race as CSV: one row per step and optimizer."""
    state, _ = read_state(state) or _default_state()
    race = _race(race_settings(state))
    if race is None:
        return dash.no_update
    return csv_download("optimizers-race.csv", parts.CSV_HEADER, parts.csv_rows(race))


# ---- basins ------------------------------------------------------------------------------------------

BASIN_CHOICE = Choice("Optimizer", basins.COMPARED)


@callback(
    Output(ID.BASIN_SGD, "figure"),
    Output(ID.BASIN_OTHER, "figure"),
    Output(ID.BASIN_TABLE, "children"),
    Output(ID.BASIN_SUMMARY, "children"),
    Output(ID.BASIN_MESSAGE, "children"),
    Output(ID.BASIN_SHOWN, "data"),
    Input(ID.BASIN_BUTTON, "n_clicks"),
    Input(ID.BASIN_CHOICE, "value"),
    Input(ID.STATE, "data"),
    State(ID.BASIN_SHOWN, "data"),
)
def map_basins(_clicks, choice, state, shown):
    """The two basin maps, once asked for (the button, or a link that had them open); after that they
    follow the choice beside SGD and the race's settings."""
    key = BASIN_CHOICE.read(choice)
    nothing = (dash.no_update,) * 6
    if ctx.triggered_id != ID.BASIN_BUTTON and BASIN_CHOICE.read(shown) is None:
        return nothing  # not asked for yet: the page stays light
    if key is None:
        return nothing[:4] + ("Pick an optimizer to set beside plain SGD.", dash.no_update)
    state, surface = read_state(state) or _default_state()
    if not RACE_SLOTS.acquire(timeout=RACE_WAIT_S):
        return nothing[:4] + ("The server is busy with other races; press the button again in a moment.", shown)
    try:
        sgd = compute_basins.basins(surface, opt.SGD, hyper_of(state, opt.SGD))
        other = compute_basins.basins(surface, key, hyper_of(state, key))
    finally:
        RACE_SLOTS.release()
    sgd_title, other_title = basins.titles(key)
    return (
        basin_figures.basin_figure(surface, sgd, sgd_title),
        basin_figures.basin_figure(surface, other, other_title),
        basins.destinations_table(sgd, other),
        basins.summary(sgd, other),
        "",
        key,
    )


def _code(state):
    state, surface = read_state(state) or _default_state()
    return codegen.optimizers_code(surface, race_settings(state))


register_code_panel("optimizers", [State(ID.STATE, "data")], _code)
