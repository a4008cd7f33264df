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
@functools.lru_cache(maxsize=256)
def _both_runs(surface: Surface, start: tuple, learning_rate: float, steps: int) -> tuple[TorchRun, TorchRun]:
    """Both runs of ``steps`` steps, put together from the memoised stretches that cover them."""
    stretches = [_stretch(surface, start, learning_rate, k) for k in range(1, -(-steps // STRETCH) + 1)]
    initial = np.array([start, start], dtype=float)[None]
    positions = np.concatenate([initial] + [s.positions for s in stretches])[: steps + 1]
    used = np.concatenate([np.empty((0, 2, 2))] + [s.used for s in stretches])[:steps]
    losses = np.concatenate([np.empty((0, 2))] + [s.losses for s in stretches])[:steps]
    # The loss where the run stops: the same forward pass the loop makes at the start of the next step.
    last = torch.tensor(positions[-1], dtype=torch.float64)
    final_loss = np.array(surface.formula(last[:, 0], last[:, 1], torch).tolist())[None]
    losses = np.concatenate([losses, final_loss])
    return tuple(
        TorchRun(read_only(positions[:, row].copy()), read_only(losses[:, row].copy()), read_only(used[:, row].copy()))
        for row in (0, 1)
    )


@dataclass(frozen=True)
class _Stretch:
    positions: np.ndarray  # (STRETCH, 2 rows, 2): where each step of the stretch lands
    losses: np.ndarray  # (STRETCH, 2 rows): the loss at each step's start
    used: np.ndarray  # (STRETCH, 2 rows, 2): w.grad as each step's update used it


# A run is computed in stretches of this many steps, each remembered, so that a longer run continues the
# shorter one a learner already had (Steps 50 → 100 costs 50 new steps) and a shorter one is a slice.
# A step costs ~0.1 ms of torch's per-operation overhead whatever the tensor's size, so both runs go in
# one tensor: row 0 has its .grad zeroed every step, row 1 never. The rows' losses are independent, so
# backward() on their sum gives each row exactly its own gradient (the same floating-point operations
# as a run on its own). Resuming from a stretch's last w and w.grad gives the very numbers an unbroken
# run gives (tests/unit/test_memos.py).
STRETCH = 20


@functools.lru_cache(maxsize=2048)
def _stretch(surface: Surface, start: tuple, learning_rate: float, index: int) -> _Stretch:
    """Steps STRETCH·(index − 1) to STRETCH·index − 1 of both runs, continuing from the stretch before."""
    w = torch.tensor([start, start], dtype=torch.float64, requires_grad=True)
    if index > 1:
        before = _stretch(surface, start, learning_rate, index - 1)
        w = torch.tensor(before.positions[-1], dtype=torch.float64, requires_grad=True)
        w.grad = torch.tensor(before.used[-1], dtype=torch.float64)  # row 1 keeps what it accumulated
    positions, losses, used = [], [], []
    for _ in range(STRETCH):
        if w.grad is not None:
            w.grad[0].zero_()  # row 0: optimizer.zero_grad() every step; row 1: never
        loss = surface.formula(w[:, 0], w[:, 1], torch)
        loss.sum().backward()
        losses.append(loss.tolist())
        used.append(w.grad.tolist())
        with torch.no_grad():
            w -= learning_rate * w.grad
        positions.append(w.tolist())
    return _Stretch(read_only(np.array(positions)), read_only(np.array(losses)), read_only(np.array(used)))
