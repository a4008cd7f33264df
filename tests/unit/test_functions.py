"""The 1-D catalog: every closed-form derivative agrees with finite differences and torch autograd."""

import math

import numpy as np
import pytest
import torch

from app.compute.functions import (
    FUNCTIONS,
    SPECIAL_FUNCTIONS,
    autograd_derivative,
    power_derivative_label,
    power_label,
    power_rule,
)

# Points inside every function's slider range and domain.
SAMPLE_POINTS = {
    "square": (-2.5, -0.3, 0.0, 1.0, 2.0),
    "cube": (-2.0, -0.5, 0.0, 1.0, 2.0),
    "sin": (-3.0, -1.0, 0.0, 1.0, 2.5),
    "exp": (-2.0, -0.5, 0.0, 1.0, 2.0),
    "log": (0.1, 0.5, 1.0, 2.0, 4.0),
    "reciprocal": (-3.0, -0.5, 0.25, 1.0, 3.0),
}


def test_the_catalog_holds_the_chapters_functions():
    assert {f.label for f in FUNCTIONS.values()} == {"x²", "x³", "sin x", "eˣ", "ln x", "1/x"}
    assert set(SAMPLE_POINTS) == set(FUNCTIONS)


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_closed_form_matches_a_central_difference(key):
    function = FUNCTIONS[key]
    for x in SAMPLE_POINTS[key]:
        h = 1e-6
        numeric = (function.value(x + h) - function.value(x - h)) / (2 * h)
        assert function.derivative(x) == pytest.approx(numeric, rel=1e-7, abs=1e-7), (key, x)


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_closed_form_matches_torch_autograd(key):
    function = FUNCTIONS[key]
    for x in SAMPLE_POINTS[key]:
        assert function.derivative(x) == pytest.approx(autograd_derivative(function, x), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_numpy_and_torch_evaluate_the_same_formula(key):
    function = FUNCTIONS[key]
    xs = np.array(SAMPLE_POINTS[key])
    via_torch = function.formula(torch.tensor(xs, dtype=torch.float64), torch).numpy()
    np.testing.assert_allclose(function.value(xs), via_torch, rtol=1e-15)


def test_values_against_the_math_module():
    reference = {
        "square": lambda x: x * x,
        "cube": lambda x: x * x * x,
        "sin": math.sin,
        "exp": math.exp,
        "log": math.log,
        "reciprocal": lambda x: 1 / x,
    }
    for key, ref in reference.items():
        for x in SAMPLE_POINTS[key]:
            assert FUNCTIONS[key].value(x) == pytest.approx(ref(x), rel=1e-15)


def test_domains_and_poles():
    log, reciprocal, square = FUNCTIONS["log"], FUNCTIONS["reciprocal"], FUNCTIONS["square"]
    assert not log.defined(0.0) and not log.defined(-1.0) and log.defined(1e-9)
    assert not reciprocal.defined(0.0) and reciprocal.defined(-1.0)
    assert np.isnan(log.value(-1.0)) and np.isnan(reciprocal.value(0.0))
    assert reciprocal.same_piece(-2.0, -0.1) and not reciprocal.same_piece(-0.5, 0.5)
    assert not log.same_piece(-0.5, 0.5)
    assert square.same_piece(-1e6, 1e6)


def test_every_default_point_is_in_its_range_and_domain():
    for function in FUNCTIONS.values():
        low, high = function.x0_range
        assert low <= function.default_x0 <= high and function.defined(function.default_x0)
        assert function.view_x[0] <= low and high + 1.0 <= function.view_x[1], "x0 + h (h ≤ 1) stays in view"


def test_power_rule_at_two_is_the_chapters_table():
    # The chapter: x² → 4, x³ → 12, x⁴ → 32, x → 1, 1 → 0. Each also checked against autograd.
    table = {n: power_rule(n, 2.0) for n in (2, 3, 4, 1, 0)}
    assert table == {2: 4.0, 3: 12.0, 4: 32.0, 1: 1.0, 0: 0.0}
    for n, slope in table.items():
        x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
        (x**n).backward()
        assert slope == float(x.grad)


def test_power_rule_labels():
    assert [power_label(n) for n in (2, 1, 0)] == ["x²", "x", "1"]
    assert [power_derivative_label(n) for n in (4, 2, 1, 0)] == ["4x³", "2x", "1", "0"]


def test_special_functions_each_say_where_networks_use_them():
    assert [FUNCTIONS[k].label for k in SPECIAL_FUNCTIONS] == ["eˣ", "ln x", "sin x", "1/x"]
    assert all(len(FUNCTIONS[k].neural_network_use) > 10 for k in SPECIAL_FUNCTIONS)
