"""Words, tables and the player's payload for /descent, checked against independent numbers."""

import numpy as np

from app.components import descent as parts
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from tests.unit.test_components_derivative import flat_text


def test_step_table_is_the_chapters_trace():
    run = LOSSES["shifted"].descent(0.0, 0.1, 10)
    text = flat_text(parts.step_table(run, ("w",)))
    w = 0.0
    for _ in range(10):  # independently, the chapter's loop
        grad = 2 * (w - 3)
        assert f"{w:.4f}" in text and f"{(w - 3) ** 2 + 1:.4f}" in text and f"{grad:.4f}" in text
        w -= 0.1 * grad
    assert "final 2.6779 1.1038" in text


def test_long_runs_show_head_and_tail():
    run = SURFACES["bowl"].descent((4.0, 3.0), 0.01, 500)
    table = parts.step_table(run, ("x", "y"))
    rows = table.children[1].children
    assert len(rows) == parts.TABLE_HEAD_ROWS + 1 + parts.TABLE_TAIL_ROWS + 1
    assert "485 steps" in flat_text(rows[parts.TABLE_HEAD_ROWS])


def test_player_payload_round_trips_the_gradient():
    run = SURFACES["rosenbrock"].descent((-1.5, 2.0), 0.001, 50)
    payload = parts.player_payload(run, 4.0)
    x, y = np.array(payload["x"]), np.array(payload["y"])
    # What the browser does: gradient = −(w_{k+1} − w_k)/η. It must match the true gradient.
    gradient = -np.column_stack([np.diff(x), np.diff(y)]) / payload["learning_rate"]
    np.testing.assert_allclose(gradient, run.gradients[:-1], rtol=1e-8, atol=1e-8)
    assert payload["final_gradient"] == run.gradients[-1].tolist() and payload["dims"] == 2


def test_verdicts_say_what_happened():
    assert "Oscillating" in parts.verdict(LOSSES["square"].descent(0.0, 1.0, 10))
    assert "6.0000" in parts.verdict(LOSSES["square"].descent(0.0, 1.0, 10))
    diverged = LOSSES["square"].descent(0.0, 1.1, 500)
    assert f"Diverged at step {diverged.stopped_at}" in parts.verdict(diverged)
    assert "Growing" in parts.verdict(LOSSES["square"].descent(0.0, 1.1, 10))
    assert "Converged at step 1" in parts.verdict(LOSSES["square"].descent(0.0, 0.5, 10))
    assert "zig-zags" in parts.verdict(LOSSES["square"].descent(0.0, 0.9, 10))


def test_factor_explanation_derives_0_9_and_0_7_from_the_hessian():
    text = parts.factor_explanation(SURFACES["bowl"].hessian(4, 3), 0.05, ("x", "y"), constant=True)
    assert "along x" in text and "= 0.9:" in text and "along y" in text and "= 0.7:" in text
    assert "2/λ_max = 0.3333" in text


def test_one_weight_explanation_predicts_the_final_error():
    run = LOSSES["shifted"].descent(0.0, 0.1, 10)
    text = parts.one_weight_explanation(LOSSES["shifted"], run)
    assert f"{3 * 0.8**10:.4g}" in text and "= 0.8." in text
    assert "oscillation" in parts.one_weight_explanation(LOSSES["square"], LOSSES["square"].descent(0.0, 1.0, 4))
