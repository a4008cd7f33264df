"""Autograd, as torch reports it: the chapter's numbers, the graph's nodes, and the pitfall."""

import numpy as np
import pytest
import torch

from app.compute.autograd import chapter_expression, torch_descent, trace_graph
from app.compute.surfaces import SURFACES
from app.figures.autograd import graph_figure

BOWL = SURFACES["bowl"]


def test_scalar_and_two_input_gradients():
    scalar = trace_graph(lambda x: x**2, x=2.0)
    assert scalar.output == 4.0 and scalar.gradients == {"x": 2 * 2.0}
    two = trace_graph(chapter_expression, x=2.0, y=1.0)
    assert two.output == 7.0 and two.gradients == {"x": 4.0, "y": 6.0}


def test_the_chapter_expression_is_the_bowl_surface():
    for x, y in np.random.default_rng(3).uniform(-4, 4, (10, 2)):
        assert chapter_expression(x, y) == pytest.approx(float(BOWL.value(x, y)), rel=1e-15)


def test_graph_nodes_are_what_torch_reports():
    graph = trace_graph(chapter_expression, x=2.0, y=1.0)
    names = [node.name for node in graph.nodes]
    # Independently, walk torch's own graph for the same expression.
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(1.0, requires_grad=True)
    seen, frontier = [], [chapter_expression(x, y).grad_fn]
    while frontier:
        node = frontier.pop(0)
        seen.append(type(node).__name__)
        frontier.extend(n for n, _ in node.next_functions if n is not None)
    assert sorted(names) == sorted(seen)
    assert {"AddBackward0", "PowBackward0", "MulBackward0", "AccumulateGrad"} <= set(names)
    leaves = {node.leaf: node for node in graph.nodes if node.leaf}
    assert leaves["x"].arriving == (4.0,) and leaves["y"].arriving == (6.0,)
    power = next(node for node in graph.nodes if node.name == "PowBackward0" and 4.0 in node.sent)
    assert "= 4" in power.local and power.arriving == (1.0,)
    figure = graph_figure(graph, "z")
    assert all(any(name in text for text in figure["data"][0]["text"]) for name in set(names))


def test_forgetting_zero_grad_accumulates():
    good = torch_descent(BOWL, (4.0, 3.0), 0.05, 8, zero_grad=True)
    bad = torch_descent(BOWL, (4.0, 3.0), 0.05, 8, zero_grad=False)
    assert good.used_gradients[1].tolist() == pytest.approx([7.2, 12.6])
    assert bad.used_gradients[1].tolist() == pytest.approx([15.2, 30.6])
    # Independently: each used gradient is the sum of all true gradients so far.
    truth = BOWL.gradient(bad.positions[:-1, 0], bad.positions[:-1, 1]).T
    np.testing.assert_allclose(bad.used_gradients, np.cumsum(truth, axis=0), rtol=1e-12)


def test_the_torch_loop_matches_the_numpy_run_exactly():
    torch_run = torch_descent(BOWL, (4.0, 3.0), 0.05, 8)
    numpy_run = BOWL.descent((4.0, 3.0), 0.05, 8)
    assert np.abs(torch_run.positions - numpy_run.positions).max() == 0.0
    assert f"{torch_run.losses[-1]:.4f}" == "3.0546"
