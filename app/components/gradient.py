"""The pieces of /gradient that turn computed numbers into words and tables."""

from __future__ import annotations

import math

import numpy as np
from dash import html

from app.components import elements as el
from app.compute import surfaces
from app.compute.surfaces import Surface
from app.formatting import UNDEFINED, fixed, sci


def readout_texts(surface: Surface, x: float, y: float, angle: float) -> dict[str, str]:
    """Every number in the readout row, formatted like the chapter."""
    gradient = surface.gradient(x, y)
    tangent = surfaces.level_curve_tangent(surface, x, y)
    return {
        "f": fixed(float(surface.value(x, y)), 4),
        "dx": fixed(float(gradient[0]), 4),
        "dy": fixed(float(gradient[1]), 4),
        "gradient": f"[{fixed(float(gradient[0]), 4)}, {fixed(float(gradient[1]), 4)}]",
        "norm": fixed(float(np.linalg.norm(gradient)), 4),
        "angle": UNDEFINED if tangent is None else f"{surfaces.angle_between(gradient, tangent):.3f}°",
        "directional": fixed(float(surfaces.directional_derivative(gradient, angle)), 4),
    }


def verification_table(surface: Surface, x: float, y: float) -> html.Table:
    """Both partials three ways (closed form, central difference, torch autograd) and their gaps."""
    analytic = surface.gradient(x, y)
    numeric = surfaces.central_gradient(surface, x, y)
    autograd = surface.autograd_gradient(x, y)
    header = el.Tr(
        [
            el.Td(""),  # the corner cell heads nothing
            el.Th("closed form"),
            el.Th(f"central difference, h = {surfaces.CHECK_STEP:g}"),
            el.Th("torch autograd"),
            el.Th("|closed − difference|"),
            el.Th("|closed − autograd|"),
        ]
    )
    rows = [
        el.Tr(
            [
                el.Th(name, scope="row"),
                el.Td(fixed(float(analytic[i]))),
                el.Td(fixed(float(numeric[i]))),
                el.Td(fixed(float(autograd[i]))),
                el.Td(sci(abs(float(analytic[i] - numeric[i])))),
                el.Td(sci(abs(float(analytic[i] - autograd[i])))),
            ]
        )
        for i, name in enumerate(("∂f/∂x", "∂f/∂y"))
    ]
    caption = html.Caption(f"At ({x:g}, {y:g}): f = {fixed(float(surface.value(x, y)), 4)}")
    return el.Table([caption, el.Thead(header), el.Tbody(rows)], className="numbers")


def explanation(surface: Surface, x: float, y: float, angle: float) -> str:
    """A few sentences that tie the arrows on screen to the idea of the gradient."""
    gradient = surface.gradient(x, y)
    norm = float(np.linalg.norm(gradient))
    if norm < 1e-12:
        return (
            f"At ({x:g}, {y:g}) both partial derivatives are zero: the surface is flat here, so there is no "
            "uphill direction and no single contour line through the point. Gradient descent would stop here."
        )
    texts = readout_texts(surface, x, y, angle)
    steeper = "y" if abs(gradient[1]) > abs(gradient[0]) else "x"
    peak = surfaces.gradient_angle(gradient)
    return " ".join(
        [
            f"At ({x:g}, {y:g}) nudging x alone changes f at rate ∂f/∂x = {texts['dx']}; nudging y alone, at "
            f"∂f/∂y = {texts['dy']}. The surface is steeper along {steeper} here.",
            f"Put together, ∇f = {texts['gradient']} points uphill, at {peak:.1f}°, with slope |∇f| = "
            f"{texts['norm']}: no direction climbs faster.",
            f"Along the contour line nothing changes, and the measured angle between ∇f and the contour's "
            f"tangent is {texts['angle']}: the gradient is perpendicular to the contour.",
            f"In your direction u at {angle:g}°, the slope is D_u f = ∇f·u = {texts['directional']}.",
            "Gradient descent walks the other way, along −∇f.",
        ]
    )


# ---- each figure's state in words (the aria-live line under it) ------------------------------------


def figure_summaries(surface: Surface, x: float, y: float, angle: float) -> dict[str, str]:
    """The contour map, the 3-D view and the directional chart, one sentence each."""
    texts = readout_texts(surface, x, y, angle)
    gradient = surface.gradient(x, y)
    uphill = math.degrees(math.atan2(float(gradient[1]), float(gradient[0]))) % 360
    point = f"({x:g}, {y:g})"
    flat = not np.any(gradient)
    crossing = "" if texts["angle"] == UNDEFINED else f"; it crosses the contour line at {texts['angle']}"
    direction = (
        "zero: the surface is flat here, so no direction is uphill"
        if flat
        else f"pointing uphill at {uphill:.1f}° from the +x axis{crossing}"
    )
    peak = (
        "zero in every direction"
        if flat
        else f"largest, |∇f| = {texts['norm']}, at {uphill:.1f}°, and zero at right angles to that"
    )
    return {
        "contour": (
            f"Contour map of f = {surface.label} at {point}: f = {texts['f']}, ∇f = {texts['gradient']}, {direction}."
        ),
        "surface": f"3-D surface of f = {surface.label}, with its tangent plane at {point}, height {texts['f']}.",
        "directional": f"Slope in direction u at {angle:g}°: D_u f = {texts['directional']}. It is {peak}.",
    }
