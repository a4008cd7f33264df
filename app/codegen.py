"""The code panel's source: runnable Python that reproduces exactly what a page shows, generated from
the page's validated state.

Formulas are not retyped here: their source is read from the catalog's own lambdas (``formula_source``),
so the code a learner copies is the code the page ran. Settings enter only as repr() of validated
numbers and catalog keys, never as text a learner typed.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from functools import cache

from app.compute import descent
from app.compute.custom import CUSTOM_PREFIX
from app.compute.expressions import parse
from app.compute.functions import Function1D
from app.compute.losses import Loss1D
from app.compute.surfaces import Surface


@dataclass(frozen=True)
class GeneratedCode:
    source: str
    notes: dict[int, str]  # line number (1-based) -> what that line does, in plain words
    filename: str


class _Builder:
    """Collects lines and a note for some of them."""

    def __init__(self):
        self.lines: list[str] = []
        self.notes: dict[int, str] = {}

    def add(self, line: str = "", note: str | None = None) -> None:
        self.lines.append(line)
        if note:
            self.notes[len(self.lines)] = note

    def build(self, filename: str) -> GeneratedCode:
        return GeneratedCode("\n".join(self.lines) + "\n", self.notes, filename)


class _Inline(ast.NodeTransformer):
    """Replaces closure variables by their values, ops.f by np.f, and drops multiplications by 1."""

    def __init__(self, constants: dict, module: str, rename: dict):
        self.constants, self.module, self.rename = constants, module, rename

    def visit_Name(self, node):
        if node.id in self.constants:
            return ast.copy_location(ast.Constant(self.constants[node.id]), node)
        if node.id in self.rename:
            return ast.copy_location(ast.parse(self.rename[node.id], mode="eval").body, node)
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "ops":
            node.value = ast.copy_location(ast.Name(self.module, ast.Load()), node.value)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, node.op

        def number(n):
            return isinstance(n, ast.Constant) and isinstance(n.value, int | float)

        if isinstance(op, ast.Mult) and number(left) and number(right):
            return ast.copy_location(ast.Constant(left.value * right.value), node)  # 2 * 3 → 6
        nested = isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult)
        if isinstance(op, ast.Mult) and nested and number(left.left) and number(left.right):
            folded = ast.Constant(left.left.value * left.right.value)
            return self.visit_BinOp(ast.copy_location(ast.BinOp(folded, ast.Mult(), right), node))  # 2 * 3 * x
        if isinstance(op, ast.Mult) and number(left) and left.value == 1:
            return right  # 1 * x → x
        if isinstance(op, ast.Mult) and number(left) and left.value == -1:
            return ast.copy_location(ast.UnaryOp(ast.USub(), right), node)  # -1 * y → -y
        if isinstance(op, ast.Add) and isinstance(right, ast.UnaryOp) and isinstance(right.op, ast.USub):
            return ast.copy_location(ast.BinOp(left, ast.Sub(), right.operand), node)  # a + -b → a - b
        return node


@cache
def formula_source(function, module: str = "np", rename: tuple[tuple[str, str], ...] = ()) -> str:
    """The expression a catalog lambda (or a one-line def) returns, as Python source, with closure
    values filled in and variables renamed as asked, e.g. (("x", "w[0]"),)."""
    text = textwrap.dedent(inspect.getsource(function))
    body = None
    if text.lstrip().startswith("def "):
        definition = ast.parse(text).body[0]
        body = definition.body[-1].value
    else:
        fragment = text[text.index("lambda") :]
        for end in range(len(fragment), 0, -1):  # trim what follows the lambda until it parses as one
            try:
                candidate = ast.parse(fragment[:end].strip(), mode="eval")
            except SyntaxError:
                continue
            if isinstance(candidate.body, ast.Lambda):
                body = candidate.body.body
                break
    if body is None:
        raise ValueError(f"cannot read the source of {function!r}")
    constants = {}
    if function.__closure__:
        constants = {
            name: cell.cell_contents
            for name, cell in zip(function.__code__.co_freevars, function.__closure__, strict=True)
            if isinstance(cell.cell_contents, int | float)
        }
    body = _Inline(constants, module, dict(rename)).visit(body)
    return ast.unparse(ast.fix_missing_locations(body))


def _pieces_check(function: Function1D) -> str | None:
    """Source for 'a and b lie in one piece of the domain', or None where f is defined everywhere."""
    if all(lo == float("-inf") and hi == float("inf") for lo, hi in function.pieces):
        return None
    pieces = ", ".join(f"({lo!r}, {hi!r})" for lo, hi in function.pieces).replace("inf", "float('inf')")
    pieces = pieces.replace("-float('inf')", "float('-inf')")
    return f"any(lo < a < hi and lo < b < hi for lo, hi in [{pieces}])"


def derivative_code(function: Function1D, x0: float, h: float) -> GeneratedCode:
    b = _Builder()
    b.add("import numpy as np", "numpy supplies sin, exp and log for arrays and plain numbers alike")
    b.add()
    if function.key.startswith(CUSTOM_PREFIX):
        # A typed f: written from its tree (its latex is custom_function's canonical text of that tree).
        expression = parse(function.latex, ("x",))
        value, derivative = expression.python("np"), expression.derivative("x").python("np")
    else:
        value, derivative = formula_source(function.formula), formula_source(function.derivative_formula)
    b.add("def f(x):", f"the function on screen: f(x) = {function.label}")
    b.add(f"    return {value}")
    b.add()
    b.add("def f_prime(x):", f"its derivative, in closed form: f′(x) = {function.derivative_label}")
    b.add(f"    return {derivative}")
    b.add()
    check = _pieces_check(function)
    if check:
        b.add("def same_piece(a, b):", "True when no pole or domain edge lies between a and b")
        b.add(f"    return {check}")
        b.add()
    b.add(f"x0 = {x0!r}", "the point where the tangent touches")
    b.add(f"h = {h!r}", "the step: the secant joins x0 and x0 + h")
    b.add("exact = f_prime(x0)", "the slope the secants are heading for")
    b.add('print(f"f(x0) = {f(x0):.6f}, exact f\'(x0) = {exact:.6f}")')
    if check:
        b.add("if same_piece(x0, x0 + h):", "a secant across a pole has no meaning")
        b.add("    slope = (f(x0 + h) - f(x0)) / h", "rise over run: the secant's slope")
        b.add('    print(f"secant slope = {slope:.6f}, |error| = {abs(slope - exact):.2e}")')
        b.add("else:")
        b.add('    print("secant slope = undefined: x0 and x0 + h lie on different sides of the pole")')
    else:
        b.add("slope = (f(x0 + h) - f(x0)) / h", "rise over run: the secant's slope")
        b.add('print(f"secant slope = {slope:.6f}, |error| = {abs(slope - exact):.2e}")')
    b.add()
    b.add("for step in [1.0, 0.1, 0.01, 0.001, 0.0001]:", "the limit table: h shrinks ten-fold each row")
    b.add("    forward = (f(x0 + step) - f(x0)) / step", "the forward difference: the secant's slope")
    b.add("    central = (f(x0 + step) - f(x0 - step)) / (2 * step)", "the central difference looks both ways")
    b.add('    print(f"h = {step:g}: forward {forward:.6f} (error {abs(forward - exact):.6f}), "')
    b.add('          f"central {central:.6f} (error {abs(central - exact):.6f})")')
    return b.build("derivative.py")


@dataclass(frozen=True)
class _SurfaceSource:
    """A surface's formula and closed-form gradient as Python source, and its formula again for torch
    where numpy's functions would not take a tensor (None: the numpy source works on tensors too)."""

    value: str
    gradient: str
    torch_value: str | None
    hessian: str  # the 2×2 second derivatives, as nested tuples

    @property
    def typed(self) -> bool:
        return self.torch_value is not None


def _surface_source(surface: Surface) -> _SurfaceSource:
    """A catalog surface's source is read from its lambdas; a typed one's is written from its tree
    (its latex is the canonical text custom_surface made from that tree), never from what was typed."""
    if not surface.key.startswith(CUSTOM_PREFIX):
        return _SurfaceSource(
            formula_source(surface.formula),
            formula_source(surface.gradient_formula),
            None,
            formula_source(surface.hessian_formula),
        )
    expression = parse(surface.latex, ("x", "y"))
    first = [expression.derivative(v) for v in ("x", "y")]
    partials = ", ".join(d.python("np") for d in first)
    rows = ", ".join("(" + ", ".join(d.derivative(v).python("np") for v in ("x", "y")) + ")" for d in first)
    return _SurfaceSource(expression.python("np"), f"({partials})", expression.python("torch"), f"({rows})")


def gradient_code(surface: Surface, x: float, y: float, angle: float) -> GeneratedCode:
    source = _surface_source(surface)
    b = _Builder()
    b.add("import numpy as np")
    b.add("import torch", "torch differentiates the very same f automatically")
    b.add()
    if source.torch_value is None:
        b.add("def f(x, y):", f"the surface: f(x, y) = {surface.label}; works on numbers and on tensors")
        b.add(f"    return {source.value}")
    else:
        b.add("def f(x, y):", f"your surface: f(x, y) = {surface.label}, with numpy")
        b.add(f"    return {source.value}")
        b.add()
        b.add("def f_torch(x, y):", "the same formula with torch's functions, so torch can record it")
        b.add(f"    return {source.torch_value}")
    b.add()
    b.add("def gradient(x, y):", "both partial derivatives, in closed form")
    b.add(f"    return {source.gradient}")
    b.add()
    b.add(f"x, y = {x!r}, {y!r}", "the point on the contour map")
    b.add("dfdx, dfdy = gradient(x, y)", "∂f/∂x treats y as a constant, ∂f/∂y treats x as one")
    b.add('print(f"f = {f(x, y):.4f}")')
    b.add(
        'print(f"df/dx = {dfdx:.4f}, df/dy = {dfdy:.4f}, |grad f| = {np.hypot(dfdx, dfdy):.4f}")',
        "|∇f| is the steepest slope at the point",
    )
    b.add()
    b.add("h = 1e-7", "a small step for the central differences")
    b.add("numeric_x = (f(x + h, y) - f(x - h, y)) / (2 * h)", "nudge x alone, both ways")
    b.add("numeric_y = (f(x, y + h) - f(x, y - h)) / (2 * h)", "nudge y alone, both ways")
    b.add('print(f"central differences: {numeric_x:.6f}, {numeric_y:.6f}")')
    b.add()
    b.add("tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)", "tell torch to record what happens to x")
    b.add("ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)")
    torch_f = "f" if source.torch_value is None else "f_torch"
    b.add(f"{torch_f}(tx, ty).backward()", "backward() applies the chain rule through the recorded graph")
    b.add('print(f"torch autograd: {tx.grad.item():.6f}, {ty.grad.item():.6f}")')
    b.add()
    b.add(f"theta = np.radians({angle!r})", "the direction u, as an angle from the +x axis")
    b.add("slope_along_u = dfdx * np.cos(theta) + dfdy * np.sin(theta)", "D_u f = ∇f · u")
    b.add('print(f"D_u f = {slope_along_u:.4f}")')
    return b.build("gradient.py")


def _loop_body(b: _Builder, dims: int, steps: int) -> None:
    """The descent loop shared by the 1-D and 2-D code, with the engine's stopping rules: stop when the
    gradient is flat (converged), or before stepping somewhere a weight, gradient or loss passes the bound
    (diverged), keeping the last good position, as the page does."""
    bound = descent.DIVERGENCE_BOUND
    size = "abs" if dims == 1 else "np.hypot"
    args = "w" if dims == 1 else "*w"
    new_args = "new_w" if dims == 1 else "*new_w"
    b.add(f"for step in range({steps}):", "one update per step" + ("" if dims == 1 else ", both weights at once"))
    b.add(f"    g = {'grad' if dims == 1 else 'gradient'}({args})", "the slope where we stand")
    b.add(f"    if {size}({'g' if dims == 1 else '*g'}) < {descent.GRADIENT_TOLERANCE!r}:", "flat enough: converged")
    b.add('        print(f"converged at step {step}")')
    b.add("        break")
    if steps <= 20:
        if dims == 1:
            b.add('    print(f"Step {step}: w = {w:.4f}, L = {loss(w):.4f}, grad = {g:.4f}")')
        else:
            b.add('    print(f"Step {step}: w = [{w[0]:.4f}, {w[1]:.4f}], L = {loss(*w):.4f}")')
    b.add("    new_w = w - lr * " + ("g" if dims == 1 else "np.array(g)"), "the step: w ← w − η·∇L")
    new_g = f"{'grad' if dims == 1 else 'gradient'}({new_args})"
    b.add(
        f"    if not ({size}({'new_w' if dims == 1 else '*new_w'}) <= {bound!r} and "
        f"{size}({new_g if dims == 1 else '*' + new_g}) <= {bound!r} and abs(loss({new_args})) <= {bound!r}):",
        "far beyond any sensible value: diverged, so stop where we were",
    )
    b.add('        print(f"diverged at step {step + 1}")')
    b.add("        break")
    b.add("    w = new_w")
    if dims == 1:
        b.add('print(f"Final: w = {w:.4f}, L = {loss(w):.4f}")')
    else:
        b.add('print(f"Final: w = [{w[0]:.4f}, {w[1]:.4f}], L = {loss(*w):.4f}")')


def descent_code(
    loss: Loss1D,
    w0: float,
    lr1: float,
    steps1: int,
    surface: Surface,
    start: tuple[float, float],
    lr2: float,
    steps2: int,
) -> GeneratedCode:
    b = _Builder()
    b.add("import numpy as np")
    b.add()
    b.add("# One weight")
    b.add("def loss(w):", f"L(w) = {loss.label}")
    b.add(f"    return {formula_source(loss.formula)}")
    b.add()
    b.add("def grad(w):", "L′(w), in closed form")
    b.add(f"    return {formula_source(loss.derivative_formula)}")
    b.add()
    b.add(f"w, lr = {w0!r}, {lr1!r}", "the start w₀ and the learning rate η")
    _loop_body(b, 1, steps1)
    b.add()
    b.add("# Two weights")
    source = _surface_source(surface)
    b.add("def loss(x, y):", f"L(x, y) = {surface.label}")
    b.add(f"    return {source.value}")
    b.add()
    b.add("def gradient(x, y):", "∇L, in closed form")
    b.add(f"    return {source.gradient}")
    b.add()
    b.add(f"w, lr = np.array([{start[0]!r}, {start[1]!r}]), {lr2!r}", "the start (x₀, y₀) and η")
    _loop_body(b, 2, steps2)
    return b.build("descent.py")


def learning_rate_code(loss: Loss1D, rates: list[float], steps: int, start: float) -> GeneratedCode:
    bound = descent.DIVERGENCE_BOUND
    b = _Builder()
    b.add("def loss(w):", f"L(w) = {loss.label}")
    b.add(f"    return {formula_source(loss.formula)}")
    b.add()
    b.add("def grad(w):", "L′(w), in closed form")
    b.add(f"    return {formula_source(loss.derivative_formula)}")
    b.add()
    b.add(f"for lr in {[float(r) for r in rates]!r}:", "one run per learning rate on the page")
    b.add(f"    w = {start!r}")
    b.add(f"    for step in range({steps}):")
    b.add(f"        if abs(grad(w)) < {descent.GRADIENT_TOLERANCE!r}:", "flat: converged")
    b.add("            break")
    b.add("        new_w = w - lr * grad(w)", "each step multiplies the error w − 3 by 1 − 2η")
    b.add(
        f"        if not (abs(new_w) <= {bound!r} and abs(grad(new_w)) <= {bound!r} "
        f"and abs(loss(new_w)) <= {bound!r}):",
        "diverged: stop at the last good w, as the page does",
    )
    b.add("            break")
    b.add("        w = new_w")
    b.add('    print(f"eta = {lr:g}: factor 1 - 2*eta = {1 - 2 * lr:.4f}, final w = {w:.4f}, L = {loss(w):.4f}")')
    return b.build("learning_rate.py")


def autograd_code(
    x: float, point: tuple[float, float], start: tuple[float, float], lr: float, steps: int, zero_grad: bool
) -> GeneratedCode:
    from app.compute.autograd import chapter_expression

    def expression(first: str, second: str) -> str:
        return formula_source(chapter_expression, rename=(("x", first), ("y", second)))

    b = _Builder()
    b.add("import torch")
    b.add()
    b.add(
        f"x = torch.tensor({x!r}, dtype=torch.float64, requires_grad=True)",
        "requires_grad=True: record every operation on x",
    )
    b.add("y = x ** 2", "torch notes PowBackward0 as y's grad_fn")
    b.add("y.backward()", "dy/dx, by the chain rule through the recorded graph")
    b.add('print(f"y = {y.item():.4f}, x.grad = {x.grad.item():.4f}")')
    b.add()
    b.add(f"a = torch.tensor({point[0]!r}, dtype=torch.float64, requires_grad=True)", "the page's x")
    b.add(f"b = torch.tensor({point[1]!r}, dtype=torch.float64, requires_grad=True)", "the page's y")
    b.add(f"z = {expression('a', 'b')}", "z = x² + 3y²: torch records AddBackward0, PowBackward0, MulBackward0")
    b.add("z.backward()", "one backward() fills both a.grad and b.grad")
    b.add('print(f"z = {z.item():.4f}, gradient = [{a.grad.item():.4f}, {b.grad.item():.4f}]")')
    b.add()
    b.add(
        f"w = torch.tensor([{start[0]!r}, {start[1]!r}], dtype=torch.float64, requires_grad=True)",
        "the weights of the training loop",
    )
    b.add(f"for step in range({steps}):")
    if zero_grad:
        b.add("    if w.grad is not None:")
        b.add("        w.grad.zero_()", "reset .grad: backward() adds to whatever is there")
    else:
        b.add("    # w.grad is never zeroed here: each backward() adds to the last one", "the pitfall")
    b.add(f"    loss = {expression('w[0]', 'w[1]')}", "the forward pass")
    b.add("    loss.backward()", "fills (or, without zeroing, adds to) w.grad")
    b.add('    print(f"Step {step}: w = [{w[0].item():.4f}, {w[1].item():.4f}], L = {loss.item():.4f}, "')
    b.add('          f"w.grad = [{w.grad[0].item():.4f}, {w.grad[1].item():.4f}]")')
    b.add("    with torch.no_grad():", "the update itself must not be recorded")
    b.add(f"        w -= {lr!r} * w.grad", "w ← w − η·w.grad")
    b.add("final = " + expression("w[0]", "w[1]"))
    b.add('print(f"Final: w = [{w[0].item():.4f}, {w[1].item():.4f}], L = {final.item():.4f}")')
    return b.build("autograd.py")


def optimizers_code(surface: Surface, settings) -> GeneratedCode:
    """The race on /optimizers as a plain torch.optim loop per contestant, with the page's stopping
    rules, and Newton's method with the closed-form Hessian."""
    from app.compute import optimizers as opt

    source = _surface_source(surface)
    hyper = dict(settings.contestants)
    made = {
        opt.SGD: lambda h: f"torch.optim.SGD(params, lr={h.lr!r})",
        opt.MOMENTUM: lambda h: f"torch.optim.SGD(params, lr={h.lr!r}, momentum={h.beta1!r})",
        opt.NESTEROV: lambda h: f"torch.optim.SGD(params, lr={h.lr!r}, momentum={h.beta1!r}, nesterov=True)",
        opt.ADAGRAD: lambda h: f"torch.optim.Adagrad(params, lr={h.lr!r}, eps={h.eps!r})",
        opt.RMSPROP: lambda h: f"torch.optim.RMSprop(params, lr={h.lr!r}, alpha={h.beta2!r}, eps={h.eps!r})",
        opt.ADAM: lambda h: f"torch.optim.Adam(params, lr={h.lr!r}, betas=({h.beta1!r}, {h.beta2!r}), eps={h.eps!r})",
    }
    bound = descent.DIVERGENCE_BOUND
    b = _Builder()
    b.add("import math")
    b.add()
    b.add("import numpy as np")
    b.add("import torch")
    b.add()
    if source.typed:
        b.add("def loss(x, y):", f"your L(x, y) = {surface.label}, written from the formula you typed")
    else:
        b.add("def loss(x, y):", f"L(x, y) = {surface.label}")
    b.add(f"    return {source.value}")
    b.add()
    if source.typed:
        b.add("def gradient(x, y):", "∇L in closed form, differentiated from your formula (sympy), with numpy")
    else:
        b.add("def gradient(x, y):", "∇L in closed form, on tensors: torch autograd of loss() gives the same numbers")
    b.add(f"    return {source.gradient}")
    b.add()
    start = f"({settings.start[0]!r}, {settings.start[1]!r})"
    b.add(
        f"start, steps, tolerance = {start}, {settings.steps}, {opt.TOLERANCE!r}",
        "the page's start, steps and tolerance",
    )
    if settings.noise > 0:
        b.add(
            f"noise = {settings.noise!r} * np.random.default_rng({opt.NOISE_SEED}).standard_normal((steps, 2))",
            "the same 'minibatch' noise for every optimizer, from a fixed seed",
        )
    b.add()
    b.add("def race(name, make_optimizer):", "one optimizer from the start, with the page's stopping rules")
    b.add("    w = torch.tensor(start, dtype=torch.float64)", "float64, like the page")
    b.add("    optimizer = make_optimizer([w])")
    b.add("    for step in range(steps + 1):")
    b.add("        with torch.no_grad():")
    if source.typed:
        b.add(
            "            g = torch.tensor(np.array(gradient(*w.numpy()), dtype=float))",
            "numpy's functions on float64 numbers, as the page computes it",
        )
    else:
        b.add(
            "            g = torch.stack(gradient(w[0], w[1]))",
            "on tensors, as the page computes it (Python's x ** 2 can round differently)",
        )
    b.add("        x, y = w.tolist()")
    b.add(
        f"        if not (math.hypot(*g.tolist()) <= {bound!r} and math.hypot(x, y) <= {bound!r} "
        f"and abs(loss(x, y)) <= {bound!r}):",
        "far beyond any sensible value: diverged",
    )
    b.add('            return print(f"{name}: diverged at step {step}")')
    b.add("        if math.hypot(*g.tolist()) < tolerance:", "flat enough: arrived")
    b.add('            return print(f"{name}: arrived at step {step} at ({x:.4f}, {y:.4f}), L = {loss(x, y):.3e}")')
    b.add("        if step == steps:")
    b.add("            break")
    b.add("        w.grad = g", "what loss(w[0], w[1]).backward() would put in w.grad")
    if settings.noise > 0:
        b.add("        w.grad += torch.from_numpy(noise[step])", "the noisy gradient the optimizer sees")
    b.add("        optimizer.step()", "torch.optim's own update rule")
    b.add('    print(f"{name}: after {steps} steps at ({x:.4f}, {y:.4f}), L = {loss(x, y):.3e}")')
    b.add()
    for key in opt.CONTESTANTS:
        if key in hyper:
            b.add(f"race({key!r}, lambda params: {made[key](hyper[key])})")
    if opt.NEWTON in hyper:
        b.add()
        b.add("def hessian(x, y):", "the second derivatives, in closed form")
        b.add(f"    return np.array({source.hessian}, dtype=float)")
        b.add()
        b.add("w = np.array(start)", "Newton's method, the reference: w ← w − H⁻¹∇L")
        b.add("for step in range(steps + 1):")
        b.add("    g = np.array(gradient(*w))")
        b.add("    if np.hypot(*g) < tolerance:")
        b.add('        print(f"newton: arrived at step {step} at ({w[0]:.4f}, {w[1]:.4f})")')
        b.add("        break")
        b.add("    if step == steps:")
        b.add("        break")
        b.add("    w = w - np.linalg.solve(hessian(*w), g)", "the minimum of the local quadratic model")
    return b.build("optimizers.py")
