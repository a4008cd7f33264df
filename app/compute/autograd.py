"""What PyTorch's autograd does, read back from torch itself: the graph it records (walked through
grad_fn and next_functions), the local derivative each node applies, the gradients that flow through
it during backward(), and a training loop, with and without zeroing .grad between steps."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from app.compute.descent import read_only
from app.compute.surfaces import Surface


# The chapter's expression, exactly as it writes it (x² as a power, 3y² as a product): its graph has the
# node types the chapter names. A test checks it is the same function as the bowl surface.
def chapter_expression(x, y):
    return x**2 + 3 * y**2


@dataclass(frozen=True)
class GraphNode:
    key: int
    name: str  # torch's own class name, e.g. PowBackward0
    depth: int  # steps from the output
    inputs: tuple[int, ...]  # keys of the nodes it sends gradients to (its next_functions)
    leaf: str | None  # for AccumulateGrad: the name of the leaf tensor it fills
    local: str  # the local derivative it applies, with its numbers
    arriving: tuple[float, ...]  # gradient arriving at this node during backward()
    sent: tuple[float, ...]  # gradients it sends on, one per input


@dataclass(frozen=True)
class Graph:
    output: float
    nodes: list[GraphNode]
    gradients: dict[str, float]  # leaf name -> .grad after backward()


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value) if not isinstance(value, torch.Tensor) else float(value.detach())


def _local_derivative(node, names: dict[int, str]) -> str:
    """The derivative this node applies, from the tensors torch saved for backward()."""
    kind = type(node).__name__
    if kind.startswith("PowBackward"):
        n, a = _number(getattr(node, "_saved_exponent", None)), _number(getattr(node, "_saved_self", None))
        if n is not None and a is not None:
            return f"d(aⁿ)/da = n·aⁿ⁻¹ = {n:g}·{a:g}^{n - 1:g} = {n * a ** (n - 1):g}"
    if kind.startswith("MulBackward"):
        other, mine = _number(getattr(node, "_saved_other", None)), _number(getattr(node, "_saved_self", None))
        parts = []
        if other is not None:
            parts.append(f"d(a·b)/da = b = {other:g}")
        if mine is not None:
            parts.append(f"d(a·b)/db = a = {mine:g}")
        if parts:
            return "; ".join(parts)
    if kind.startswith("AddBackward"):
        alpha = _number(getattr(node, "_saved_alpha", 1)) or 1.0
        return f"d(a + b)/da = 1, d(a + b)/db = {alpha:g}"
    if kind == "AccumulateGrad":
        return f"adds the arriving gradient into {names.get(id(node.variable), 'the leaf')}.grad"
    return "its derivative, as torch defines it"


def trace_graph(build: Callable[..., torch.Tensor], **leaves: float) -> Graph:
    """Build the expression from named leaf tensors, walk the graph torch recorded, run backward()
    with a hook on every node, and report what each node did."""
    tensors = {name: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for name, v in leaves.items()}
    names = {id(t): name for name, t in tensors.items()}
    output = build(**tensors)
    order, depth_of, inputs_of = [], {}, {}
    frontier = [(output.grad_fn, 0)]
    while frontier:  # breadth-first from the output, each node once
        node, depth = frontier.pop(0)
        if node in depth_of:
            continue
        depth_of[node] = depth
        order.append(node)
        inputs_of[node] = [nxt for nxt, _ in node.next_functions if nxt is not None]
        frontier.extend((nxt, depth + 1) for nxt in inputs_of[node])
    # Saved tensors are freed by backward(), so read the local derivatives first.
    local = {node: _local_derivative(node, names) for node in order}
    seen: dict = {}

    def remember(node):
        def hook(grad_inputs, grad_outputs):
            seen[node] = (grad_outputs, grad_inputs)

        return hook

    handles = [node.register_hook(remember(node)) for node in order]
    output.backward()
    for handle in handles:
        handle.remove()
    keys = {node: i for i, node in enumerate(order)}
    nodes = []
    for node in order:
        arriving, sent = seen.get(node, ((), ()))
        nodes.append(
            GraphNode(
                key=keys[node],
                name=type(node).__name__,
                depth=depth_of[node],
                inputs=tuple(keys[n] for n in inputs_of[node]),
                leaf=names.get(id(node.variable)) if hasattr(node, "variable") else None,
                local=local[node],
                arriving=tuple(float(g) for g in arriving if g is not None),
                sent=tuple(float(g) for g in sent if g is not None),
            )
        )
    return Graph(float(output.detach()), nodes, {name: float(t.grad) for name, t in tensors.items()})


@dataclass(frozen=True)
class TorchRun:
    positions: np.ndarray  # (steps + 1, 2)
    losses: np.ndarray  # (steps + 1,)
    used_gradients: np.ndarray  # (steps, 2): w.grad as it was when each update used it


def torch_descent(surface: Surface, start, learning_rate: float, steps: int, zero_grad: bool = True) -> TorchRun:
    """Gradient descent written the PyTorch way: loss.backward(), then w -= η·w.grad under no_grad().

    With ``zero_grad`` off, .grad is never reset, so each backward() adds to what is already there:
    the classic accumulation bug.
    """
    pair = _both_runs(surface, tuple(float(v) for v in start), float(learning_rate), int(steps))
    return pair[0] if zero_grad else pair[1]


# A memo of a pure function of immutable arguments (not state): /autograd redraws both runs whenever
# any of its controls changes, and most changes (x, a, b, the checkbox) leave the runs' settings alone.
# A step costs ~0.1 ms of torch's per-operation overhead whatever the tensor's size, so both runs go
# in one tensor: row 0 has its .grad zeroed every step, row 1 never. The rows' losses are independent,
# so backward() on their sum gives each row exactly its own gradient (the same floating-point
# operations as a run on its own). The arrays are read-only.
@functools.lru_cache(maxsize=256)
def _both_runs(surface: Surface, start: tuple, learning_rate: float, steps: int) -> tuple[TorchRun, TorchRun]:
    w = torch.tensor([start, start], dtype=torch.float64, requires_grad=True)
    positions, losses, used = [w.tolist()], [], []
    for _ in range(steps):
        if w.grad is not None:
            w.grad[0].zero_()  # row 0: optimizer.zero_grad() every step; row 1: never
        loss = surface.formula(w[:, 0], w[:, 1], torch)
        loss.sum().backward()
        losses.append(loss.tolist())
        used.append(w.grad.tolist())
        with torch.no_grad():
            w -= learning_rate * w.grad
        positions.append(w.tolist())
    losses.append(surface.formula(w[:, 0], w[:, 1], torch).tolist())
    positions, losses, used = np.array(positions), np.array(losses), np.array(used).reshape(-1, 2, 2)
    return tuple(
        TorchRun(read_only(positions[:, row].copy()), read_only(losses[:, row].copy()), read_only(used[:, row].copy()))
        for row in (0, 1)
    )
