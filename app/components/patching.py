"""Sending only what changed: a figure the browser already has gets a ``dash.Patch`` of its moving parts.

A figure builder in app/figures splits its figure into the static layers (a mesh, a curve, contours:
sent once) and an *overlay*: ``{"traces": {index: {key: value}}, "annotations": [...], "title": str}``,
everything that depends on the point, the run or the step. The full figure is the static layers plus
the overlay; later changes send only the overlay, as a Patch, so a click costs a few kilobytes instead
of the whole mesh again. Pages keep, in a store, what the browser has drawn (which surface, which
function, how many runs), and use the Patch only while that still holds.
"""

from __future__ import annotations

from dash import NoUpdate, Patch
from dash.development.base_component import Component


def overlay_patch(overlay: dict) -> Patch:
    """A Patch that writes an overlay into the figure the browser has: traces by position, then the
    arrows (annotations) and the title text if the overlay has them."""
    patch = Patch()
    for index, data in overlay.get("traces", {}).items():
        for key, value in data.items():
            patch["data"][index][key] = value
    if "annotations" in overlay:
        patch["layout"]["annotations"] = overlay["annotations"]
    if "title" in overlay:
        patch["layout"]["title"]["text"] = overlay["title"]
    return patch


def replace_tail(patch: Patch, first: int, drawn: int, traces: list[dict]) -> Patch:
    """Replace the ``drawn`` traces from position ``first`` on (the runs) by ``traces``, keeping the
    static ones before them: the count may change, so the old ones go and the new ones are appended."""
    for index in reversed(range(first, first + drawn)):
        del patch["data"][index]
    patch["data"].extend(traces)
    return patch


def prefilled(layout: Component, outputs, answer: tuple) -> Component:
    """``layout`` with a callback's first answer already in it: each Output's property set on the
    component with that id (a ``no_update`` is left out). A page that opens drawn this way needs no
    first request, and its plots start drawing as soon as the layout arrives."""
    by_id = {
        component.id: component for component in layout._traverse() if isinstance(getattr(component, "id", None), str)
    }
    for output, value in zip(outputs, answer, strict=True):
        if not isinstance(value, NoUpdate):
            setattr(by_id[output.component_id], output.component_property, value)
    return layout
