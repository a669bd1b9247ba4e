"""The words of backpropagation steps: one wording per step rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared.mathcore.backprop.ops import Number, Undefined
from shared.mathcore.steps import StepPrinter


def num(value: Number | None) -> str:
    """A number for reading: 6 significant digits, or "undefined"."""
    if value is None or isinstance(value, Undefined):
        return "undefined"
    return f"{value:.6g}"


def _graph(nodes: int, inputs: int, constants: int, shared: Sequence[tuple[str, int]]) -> str:
    text = (
        f"Break the expression into a computation graph of {_count(nodes, 'node')}: "
        f"{_count(inputs, 'input')}, {_count(constants, 'constant')} and "
        f"{_count(nodes - inputs - constants, 'operation')}, each distinct subexpression once."
    )
    for name, uses in shared:
        text += (
            f" {name} is used by {uses} nodes: its value is computed once, and its adjoint "
            "adds up what flows back from every use."
        )
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _forward(output: str, value: float) -> str:
    return (
        "Forward pass: compute every node from its inputs, inputs first, and keep each value "
        f"for the backward pass. The output {output} = {num(value)}."
    )


def _forward_node(name: str, applied: str, op: str, args: list[float], value: float) -> str:
    with_numbers = op_with(op, args)
    if with_numbers == num(value):
        return f"{name} = {applied} = {with_numbers}."
    return f"{name} = {applied} = {with_numbers} = {num(value)}."


def signed(value: Number | None) -> str:
    """A number inside a product: negative ones in parentheses, (-0.5)."""
    text = num(value)
    return f"({text})" if text.startswith("-") else text


def op_with(op: str, args: Sequence[float]) -> str:
    shown = [signed(a) for a in args]
    if op == "add":
        return " + ".join(shown)
    if op == "mul":
        return "*".join(shown)
    if op == "neg":
        return f"-{shown[0]}"
    if op == "pow":
        return f"{shown[0]}^{shown[1]}"
    return f"{op}({', '.join(num(a) for a in args)})"


def _backward(output: str) -> str:
    return (
        "Backward pass (reverse mode): start from the output with adjoint 1 and go back "
        "through the nodes in reverse order. The adjoint of a node is the derivative of the "
        "output with respect to it: the sum over the nodes that use it of their adjoint times "
        "their local derivative."
    )


def _seed(name: str) -> str:
    return f"{name} is the output: its adjoint is d{name}/d{name} = 1."


def _adjoint(
    name: str,
    op: str,
    terms: Sequence[tuple[str, Number, Number]],
    adjoint: Number,
    resolved: Number | None,
) -> str:
    if not terms:
        return f"Nothing uses {name}, so its adjoint is 0."
    products = " + ".join(f"adjoint({c})*∂{c}/∂{name}" for c, _, _ in terms)
    numbers = " + ".join(f"{signed(a)}*{signed(p)}" for _, a, p in terms)
    text = f"adjoint of {name} = {products} = {numbers}"
    undefined = [p for _, a, p in terms if isinstance(p, Undefined)]
    undefined += [a for _, a, _ in terms if isinstance(a, Undefined)]
    if resolved is not None:
        reason = undefined[0].reason if undefined else "a slope is undefined"
        text += (
            f": the chain rule meets a kink on the way ({reason}), so the "
            f"derivative in {name} is taken from both sides instead"
        )
        if isinstance(resolved, Undefined):
            return text + f": {resolved.reason}, so ∂f/∂{name} is undefined here."
        return text + f": both sides give {num(resolved)}, so ∂f/∂{name} = {num(resolved)}."
    if isinstance(adjoint, Undefined):
        return text + f" is undefined: {adjoint.reason}."
    text += f" = {num(adjoint)}"
    if op == "var":
        text += f", the partial derivative ∂f/∂{name}"
    return text + "."


def _local(name: str, applied: str, input: str, formula: str, slope: Number) -> str:
    if isinstance(slope, Undefined):
        return f"{name} = {applied}: ∂{name}/∂{input} is undefined here ({slope.reason})."
    if formula == num(slope):
        return f"{name} = {applied}: ∂{name}/∂{input} = {formula}."
    return f"{name} = {applied}: ∂{name}/∂{input} = {formula} = {num(slope)}."


def _gradient(gradient: Mapping[str, Number]) -> str:
    if not gradient:
        return "The expression has no variables: its gradient has no entries."
    parts = ", ".join(f"∂f/∂{name} = {num(value)}" for name, value in gradient.items())
    return f"The gradient is the adjoints of the inputs: {parts}."


def _tangent_pass(direction: Mapping[str, float]) -> str:
    shown = ", ".join(f"{name}: {num(v)}" for name, v in direction.items())
    return (
        "Tangent pass (forward mode): carry alongside each value its tangent, the rate of "
        f"change along the direction ({shown}). An input's tangent is its component of the "
        "direction; a node's tangent is the sum over its inputs of its local derivative "
        "times the input's tangent."
    )


def _tangent_var(name: str, tangent: Number) -> str:
    return f"The tangent of the input {name} is its component of the direction: {num(tangent)}."


def _tangent_const(name: str, tangent: Number) -> str:
    return f"{name} is a constant: its tangent is 0."


def _tangent(name: str, terms: Sequence[tuple[str, Number, Number]], tangent: Number) -> str:
    products = " + ".join(f"∂{name}/∂{u}*tangent({u})" for u, _, _ in terms)
    numbers = " + ".join(f"{signed(p)}*{signed(t)}" for _, p, t in terms)
    text = f"tangent of {name} = {products} = {numbers}"
    if isinstance(tangent, Undefined):
        return text + f" is undefined: {tangent.reason}."
    return text + f" = {num(tangent)}."


def _directional(output: str, direction: Mapping[str, float], value: Number) -> str:
    if isinstance(value, Undefined):
        return f"The derivative along the direction is undefined here: {value.reason}."
    return f"The directional derivative is the tangent of the output {output}: {num(value)}."


PRINTER = StepPrinter(
    {
        "computation-graph": _graph,
        "forward-pass": _forward,
        "forward-var": lambda name, value: f"The input {name} = {num(value)}.",
        "forward-const": lambda name, value: f"The constant {name}.",
        "forward-node": _forward_node,
        "backward-pass": _backward,
        "adjoint-seed": _seed,
        "adjoint": _adjoint,
        "adjoint-const": lambda name, adjoint: (
            f"{name} is a constant, held fixed: its adjoint is not needed for the gradient."
        ),
        "local-derivative": _local,
        "gradient": _gradient,
        "tangent-pass": _tangent_pass,
        "tangent-var": _tangent_var,
        "tangent-const": _tangent_const,
        "tangent": _tangent,
        "directional": _directional,
    }
)
