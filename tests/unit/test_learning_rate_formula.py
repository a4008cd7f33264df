"""/learning-rate's 2-D section with a typed quadratic L(x, y): the sync callback, the theory, the link."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from app import ids
from app.components import formula
from tests.dash_client import DashClient

LR = ids.LearningRate
BOWL = {"surface": "bowl", "formula": "", "window": []}
WINDOW = {LR.WINDOW_X_FROM: "-5", LR.WINDOW_X_TO: "5", LR.WINDOW_Y_FROM: "-4", LR.WINDOW_Y_TO: "4"}


@pytest.fixture(scope="module")
def client():
    from app.main import create_app

    return DashClient(create_app())


@pytest.fixture(scope="module")
def page(client):
    return sys.modules["pages.learning_rate"]


def _plain(body: dict) -> set:
    """The response's outputs, without the run slots' wildcard outputs (there are no slots in these posts)."""
    return {key for key in body if not key.startswith("{")}


def _sync(client, changed_id, value, state=None, **boxes):
    dep = client.callback_with_input(LR.FORMULA, "value")
    values = {f"{LR.SURFACE_STATE}.data": state or BOWL, f"{changed_id}.value": value}
    values.update({f"{key}.value": text for key, text in (WINDOW | boxes).items()})
    response = client.post(dep, values, [f"{changed_id}.value"])
    assert response.status_code == 200
    return response.get_json()["response"]


def test_a_typed_quadratic_is_the_2d_surface_and_its_critical_rate_follows_its_hessian(client):
    body = _sync(client, LR.FORMULA, "2*x^2 + x*y + y^2")
    state = body[LR.SURFACE_STATE]["data"]
    assert state == {"surface": formula.CUSTOM, "formula": "2 * x^2 + x * y + y^2", "window": [-5.0, 5.0, -4.0, 4.0]}
    assert body[LR.SURFACE]["value"] is None
    assert body[LR.RULE_2D]["children"], "the change itself redraws the 2-D comparison, in the same request"
    drawn = client.draw(LR.SURFACE_STATE, LR.CONTOUR, state).get_json()
    low, high = np.linalg.eigvalsh([[4.0, 1.0], [1.0, 2.0]])  # its Hessian, by hand
    rule = drawn["response"][LR.RULE_2D]["children"]
    assert f"λ = {low:.5f}, {high:.5f}" in rule and f"η < 2/λ_max = 2/{high:.5f} = {2 / high:.4f}" in rule
    drawn = client.draw(LR.SURFACE_STATE, LR.SWEEP, state).get_json()
    assert f"2/λ_max = {2 / high:.4f}" in drawn["response"][LR.SWEEP_TEXT]["children"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("x^4 + y^2", "needs a quadratic"), ("(1 - x)^2 + 100*(y - x^2)^2", "needs a quadratic"), ("x + z", "'z'")],
)
def test_a_non_quadratic_or_refused_formula_says_why_and_changes_nothing(client, text, message):
    body = _sync(client, LR.FORMULA, text)
    assert _plain(body) == {LR.FORMULA_MESSAGE} and message in body[LR.FORMULA_MESSAGE]["children"]


def test_a_bad_window_says_why(client):
    body = _sync(client, LR.WINDOW_X_TO, "-8", **{LR.WINDOW_X_TO: "-8"})
    assert _plain(body) == {LR.WINDOW_MESSAGE} and "greater than" in body[LR.WINDOW_MESSAGE]["children"]


def test_the_link_round_trips_a_typed_quadratic_and_refuses_others(page):
    state, notes = page.state_from_query({"surface": "custom", "f": "x^2 + x*y + 4*y^2", "window": "-3,3,-3,3"})
    assert notes == [] and state["surface"]["formula"] == "x^2 + x * y + 4 * y^2"
    state, notes = page.state_from_query({"f": "sin(x) + y^2"})
    assert state["surface"] == page.DEFAULT_SURFACE_STATE and len(notes) == 1 and "quadratic" in notes[0]
