"""The passes over a graph: forward values, reverse adjoints, forward tangents.

Reverse mode: the output's adjoint is 1; walking the nodes backwards, each
node's adjoint is the sum over its consumers c of adjoint(c)·∂c/∂node
(the chain rule, one pass for the whole gradient). Forward mode: each node's
tangent is the sum over its inputs u of ∂node/∂u·tangent(u), seeded with a
direction. Both run on floats.

At a kink (relu at 0, a tie in max) the chain rule gives no number: the
adjoints through it are :class:`Undefined`. A partial (or directional)
derivative of the output may still exist there (relu(x) − relu(−x) = x), so
it is then decided by the one-sided derivatives along +d and −d, which exist
for functions built from Lipschitz pieces: equal (up to sign) means the
derivative exists, otherwise it is undefined and the reason says both sides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from shared.mathcore.backprop.graph import Graph
from shared.mathcore.backprop.kinks import exact_sign
from shared.mathcore.backprop.ops import DOMAIN_ERRORS, OPS, Number, Undefined

# A value this close to a kink is checked against the exact point.
NEAR = 1e-9


class EvaluationError(ValueError):
    """The expression has no real value at the point; ``node`` is where it fails."""

    def __init__(self, node: int, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass
class Forward:
    """Values, kink states and local derivatives of every node at one point."""

    values: list[float]
    states: list[object]
    local: list[tuple[Number, ...]]

    def at_kink(self, graph: Graph) -> list[int]:
        """Return the nodes whose local derivatives are not all defined."""
        return [
            n.index
            for n in graph.nodes
            if any(isinstance(p, Undefined) for p in self.local[n.index])
        ]


def forward_pass(
    graph: Graph,
    point: Mapping[str, float],
    exact: Mapping[sympy.Symbol, sympy.Expr] | None = None,
) -> Forward:
    """Evaluate every node at ``point`` (floats by variable name) with its local derivatives.

    ``exact`` (the point as exact SymPy numbers) settles values that are
    within rounding of a kink; without it, a kink is an exact float match.
    """
    n = len(graph.nodes)
    values = [0.0] * n
    states: list[object] = [None] * n
    local: list[tuple[Number, ...]] = [()] * n
    for node in graph.nodes:
        if node.op == "var":
            values[node.index] = float(point[node.expr.name])
            continue
        if node.op == "const":
            values[node.index] = node.constant
            continue
        op = OPS[node.op]
        args = [values[i] for i in node.inputs]
        try:
            y = op.value(*args)
        except DOMAIN_ERRORS as exc:
            raise EvaluationError(node.index, _domain_reason(node.op, args, exc)) from None
        if not isinstance(y, float | int) or not math.isfinite(y):
            raise EvaluationError(node.index, f"{node.op} of {_nums(args)} is not a finite number")
        values[node.index] = float(y)
        if op.kink is not None:
            states[node.index] = _kink_state(graph, node.index, op.kink, args, exact)
        try:
            slopes = op.partials(args, float(y), states[node.index])
        except DOMAIN_ERRORS as exc:
            raise EvaluationError(node.index, _domain_reason(node.op, args, exc)) from None
        local[node.index] = tuple(_finite(p) for p in slopes)
    return Forward(values, states, local)


def reverse_pass(graph: Graph, fwd: Forward) -> list[Number]:
    """Return every node's adjoint ∂output/∂node (Undefined through a kink)."""
    adjoint: list[Number] = [0.0] * len(graph.nodes)
    adjoint[graph.output] = 1.0
    for node in reversed(graph.nodes):
        a = adjoint[node.index]
        for i, p in zip(node.inputs, fwd.local[node.index], strict=True):
            adjoint[i] = _add(adjoint[i], _times(a, p))
    return adjoint


def tangent_pass(graph: Graph, fwd: Forward, direction: Mapping[str, float]) -> list[Number]:
    """Return every node's tangent along ``direction`` (Undefined through a kink)."""
    moving = _moving(graph, direction)
    tangent: list[Number] = [0.0] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == "var":
            tangent[node.index] = float(direction.get(node.expr.name, 0.0))
            continue
        total: Number = 0.0
        for i, p in zip(node.inputs, fwd.local[node.index], strict=True):
            if moving[i]:  # an input that does not move needs no slope
                total = _add(total, _times(tangent[i], p))
        tangent[node.index] = total
    return tangent


def one_sided(graph: Graph, fwd: Forward, direction: Mapping[str, float]) -> Number:
    """The one-sided directional derivative lim_{t↓0} (f(x + t·d) − f(x))/t."""
    moving = _moving(graph, direction)
    tangent: list[Number] = [0.0] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == "var":
            tangent[node.index] = float(direction.get(node.expr.name, 0.0))
            continue
        if not moving[node.index]:
            continue
        ts = [tangent[i] for i in node.inputs]
        undefined = next((t for t in ts if isinstance(t, Undefined)), None)
        if undefined is not None:
            tangent[node.index] = undefined
            continue
        op, state = OPS[node.op], fwd.states[node.index]
        if op.one_sided is not None and _at_kink(state):
            args = [fwd.values[i] for i in node.inputs]
            tangent[node.index] = op.one_sided(args, fwd.values[node.index], state, ts)
            continue
        total: Number = 0.0
        for i, t, p in zip(node.inputs, ts, fwd.local[node.index], strict=True):
            if not moving[i]:
                continue
            if isinstance(p, Undefined):
                # An infinite slope or a jump has no one-sided slope, even when the
                # input's own slope is 0 (√(x² + y²) at 0 along x has slope 1).
                total = p
                break
            total += p * t
        tangent[node.index] = total
    return tangent[graph.output]


def _moving(graph: Graph, direction: Mapping[str, float]) -> list[bool]:
    """Which nodes change at all along ``direction`` (depend on a moved variable)."""
    moving = [False] * len(graph.nodes)
    for node in graph.nodes:
        if node.op == "var":
            moving[node.index] = direction.get(node.expr.name, 0.0) != 0.0
        else:
            moving[node.index] = any(moving[i] for i in node.inputs)
    return moving


def two_sided(graph: Graph, fwd: Forward, direction: Mapping[str, float]) -> Number:
    """The derivative along ``direction`` where both one-sided derivatives agree."""
    plus = one_sided(graph, fwd, direction)
    minus = one_sided(graph, fwd, {k: -v for k, v in direction.items()})
    for side in (plus, minus):
        if isinstance(side, Undefined):
            return side
    if abs(plus + minus) <= 1e-12 * max(1.0, abs(plus), abs(minus)):
        return plus
    return Undefined(
        f"the one-sided derivatives differ: {plus:.6g} in this direction, "
        f"{0.0 - minus:.6g} from the other side"
    )


def _finite(slope: Number) -> Number:
    if isinstance(slope, Undefined) or math.isfinite(slope):
        return slope
    return Undefined("the slope is too large for a floating-point number", "infinite")


def _at_kink(state: object) -> bool:
    return state == 0 or (isinstance(state, tuple) and len(state) > 1)


def _times(a: Number, p: Number) -> Number:
    """a·p; a kink's missing slope times a zero adjoint is 0, its one-sided slopes being bounded."""
    if isinstance(a, Undefined):
        return a
    if isinstance(p, Undefined):
        return 0.0 if a == 0.0 and p.kind == "kink" else p
    return a * p


def _add(a: Number, b: Number) -> Number:
    if isinstance(a, Undefined):
        return a
    if isinstance(b, Undefined):
        return b
    return a + b


def _kink_state(graph: Graph, index: int, kind: str, args: Sequence[float], exact) -> object:
    """Decide where the input of a kinked op is: its sign, integrality or the tied inputs."""
    node = graph.nodes[index]
    exprs = [graph.nodes[i].expr for i in node.inputs]
    if kind == "zero":
        u = args[0]
        if exact is not None and abs(u) <= NEAR:
            return exact_sign(exprs[0], exact)
        return (u > 0) - (u < 0)
    if kind == "integer":
        u = args[0]
        k = round(u)
        if exact is not None and abs(u - k) <= NEAR * max(1.0, abs(u)):
            return 0 if exact_sign(exprs[0] - k, exact) == 0 else 1
        return 0 if u == k else 1
    # "tie": the inputs equal to the extreme one
    sense = 1 if node.op == "max" else -1
    best = max(range(len(args)), key=lambda k: sense * args[k])
    if exact is None:
        return tuple(k for k in range(len(args)) if args[k] == args[best])
    scale = NEAR * max(1.0, abs(args[best]))
    near = [k for k in range(len(args)) if abs(args[k] - args[best]) <= scale]
    # Settle the near-ties exactly: the float extreme may not be the true one.
    tied = [near[0]]
    for k in near[1:]:
        s = sense * exact_sign(exprs[k] - exprs[tied[0]], exact)
        if s > 0:
            tied = [k]
        elif s == 0:
            tied.append(k)
    return tuple(tied)


def _domain_reason(op: str, args: Sequence[float], exc: Exception) -> str:
    if isinstance(exc, OverflowError):
        return f"{op} of {_nums(args)} is too large for a floating-point number"
    detail = "division by zero" if isinstance(exc, ZeroDivisionError) else str(exc)
    return f"{op} is not defined at {_nums(args)} ({detail or type(exc).__name__})"


def _nums(args: Sequence[float]) -> str:
    return ", ".join(f"{a:.6g}" for a in args)
