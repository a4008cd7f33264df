"""Finite differences: the chapter's limit table, and where round-off takes over from truncation."""

import numpy as np
import pytest

from app.compute import differences
from app.compute.functions import FUNCTIONS

square = FUNCTIONS["square"]


def test_the_chapters_limit_table_for_x_squared_at_two():
    table = differences.limit_table(square, 2.0)
    assert [f"{s:.6f}" for s in table.forward] == ["5.000000", "4.100000", "4.010000", "4.001000", "4.000100"]
    assert [f"{e:.6f}" for e in table.forward_error] == ["1.000000", "0.100000", "0.010000", "0.001000", "0.000100"]
    # The chapter's f(2 + h) and Δy columns.
    np.testing.assert_allclose(table.f_x0_plus_h, [9.0, 4.41, 4.0401, 4.004001, 4.00040001], rtol=1e-14)
    np.testing.assert_allclose(table.rise, [5.0, 0.41, 0.0401, 0.004001, 0.00040001], rtol=1e-10)
    assert table.true_derivative == 4.0 and table.f_x0 == 4.0


def test_limit_table_rows_match_a_direct_computation():
    for key, x0 in (("sin", 1.0), ("exp", 0.5), ("log", 2.0), ("reciprocal", -1.5)):
        function = FUNCTIONS[key]
        table = differences.limit_table(function, x0)
        for h, forward, central in zip(table.h, table.forward, table.central, strict=True):
            f = function.value
            assert forward == pytest.approx((f(x0 + h) - f(x0)) / h, rel=1e-15)
            assert central == pytest.approx((f(x0 + h) - f(x0 - h)) / (2 * h), rel=1e-15)


def test_central_error_falls_a_hundredfold_per_tenfold_h():
    table = differences.limit_table(FUNCTIONS["sin"], 1.0)
    ratios = table.central_error[:-1] / table.central_error[1:]
    assert np.all((ratios > 90) & (ratios < 110))
    forward_ratios = table.forward_error[:-1] / table.forward_error[1:]
    assert np.all((forward_ratios > 9) & (forward_ratios < 12))


def test_a_stencil_across_a_pole_is_undefined_not_wrong():
    reciprocal = FUNCTIONS["reciprocal"]
    assert np.isnan(differences.forward_difference(reciprocal, -0.5, 1.0))
    assert np.isfinite(differences.forward_difference(reciprocal, -0.5, 0.1))
    assert np.isnan(differences.central_difference(FUNCTIONS["log"], 0.5, 1.0))
    table = differences.limit_table(FUNCTIONS["log"], 0.5)
    assert np.isnan(table.central[0]) and np.isfinite(table.central[1:]).all()


@pytest.mark.parametrize(("key", "x0"), [("sin", 1.0), ("exp", 1.0), ("cube", 1.0), ("log", 2.0), ("square", 2.0)])
def test_forward_error_is_smallest_near_1e_minus_8_in_float64(key, x0):
    curve = differences.error_curve(FUNCTIONS[key], x0, "float64")
    assert 1e-9 <= curve.best_forward_h <= 1e-7


@pytest.mark.parametrize(("key", "x0"), [("sin", 1.0), ("exp", 1.0), ("cube", 1.0), ("log", 2.0)])
def test_central_error_is_smallest_near_1e_minus_5_in_float64(key, x0):
    curve = differences.error_curve(FUNCTIONS[key], x0, "float64")
    assert 1e-6 <= curve.best_central_h <= 1e-4


def test_truncation_slopes_are_one_and_two():
    curve = differences.error_curve(FUNCTIONS["sin"], 1.0, "float64")
    assert differences.fitted_order(curve.h, curve.forward_error, 1e-4, 1e-1) == pytest.approx(1.0, abs=0.05)
    assert differences.fitted_order(curve.h, curve.central_error, 1e-3, 1e-1) == pytest.approx(2.0, abs=0.05)
    # And round-off: below the best h the error grows like 1/h.
    assert differences.fitted_order(curve.h, curve.forward_error, 1e-14, 1e-10) == pytest.approx(-1.0, abs=0.3)


def test_float32_rounds_off_much_earlier():
    c64 = differences.error_curve(FUNCTIONS["exp"], 1.0, "float64")
    c32 = differences.error_curve(FUNCTIONS["exp"], 1.0, "float32")
    assert c32.machine_epsilon == np.finfo(np.float32).eps
    assert 1e-5 <= c32.best_forward_h <= 1e-2 and c32.best_forward_h > 100 * c64.best_forward_h
    assert np.nanmin(c32.forward_error) > 1000 * np.nanmin(c64.forward_error)


def test_central_difference_of_x_squared_has_no_truncation_error():
    curve = differences.error_curve(square, 2.0, "float64")
    assert curve.forward_truncates and not curve.central_truncates
    assert curve.best_central_h is None
    assert np.nanmax(curve.central_error[curve.h >= 1e-3]) < 1e-11


def test_rule_of_thumb():
    forward, central = differences.rule_of_thumb_steps(2.0**-52)
    assert forward == pytest.approx(1.49e-8, rel=0.01) and central == pytest.approx(6.06e-6, rel=0.01)


def test_x0_plus_h_rounds_back_to_x0_only_for_tiny_h_in_float32():
    vanishing = differences.vanishing_step(1.0, "float32")
    assert np.float32(1.0) + np.float32(vanishing) == np.float32(1.0)
    bigger = differences.ERROR_CURVE_STEPS[differences.ERROR_CURVE_STEPS > vanishing].min()
    assert np.float32(1.0) + np.float32(bigger) != np.float32(1.0)
    assert differences.vanishing_step(1.0, "float64") is None  # 1 + 1e-15 is still above 1 in float64
    # Where it happens, the float32 forward error is exactly |f'(x0)|: the slope is 0.
    curve = differences.error_curve(FUNCTIONS["exp"], 1.0, "float32")
    assert curve.forward_error[curve.h <= vanishing] == pytest.approx(np.e)


def test_best_step_is_not_fooled_by_a_lucky_dip():
    errors = differences.ERROR_CURVE_STEPS / 1e-4 + 1e-4 / differences.ERROR_CURVE_STEPS  # a V, lowest at 1e-4
    errors[140] = 1e-30  # one lucky round-off point far from the real minimum
    curve = differences.error_curve(FUNCTIONS["exp"], 1.0, "float32")
    assert 1e-5 <= curve.best_forward_h <= 1e-3 and 1e-3 <= curve.best_central_h <= 1e-2
    assert differences._best_step(differences.ERROR_CURVE_STEPS, errors) == pytest.approx(1e-4, rel=0.3)
