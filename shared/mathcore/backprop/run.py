"""One backpropagation: graph, forward pass, then the reverse (or tangent) pass.

>>> from shared.mathcore.symbols import variable
>>> x, y = variable("x"), variable("y")
>>> run = backprop(x**2 + 2 * x * y + 3 * y**2, {x: 2, y: 3})
>>> run.value, run.gradient
(43.0, {'x': 10.0, 'y': 22.0})
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import sympy

from shared.mathcore.backprop.graph import Graph, build_graph
from shared.mathcore.backprop.ops import Number, Undefined
from shared.mathcore.backprop.passes import (
    EvaluationError,
    Forward,
    forward_pass,
    reverse_pass,
    tangent_pass,
    two_sided,
)
from shared.mathcore.printing import to_plain
from shared.mathcore.symbols import as_expr

Mode = Literal["reverse", "forward"]


@dataclass
class BackpropRun:
    """What the passes computed; ``resolved`` names the variables settled from both sides."""

    graph: Graph
    mode: Mode
    forward: Forward
    # Adjoints (reverse) or tangents (forward), one per node.
    derivatives: list[Number]
    value: float
    gradient: dict[str, Number] | None = None
    direction: dict[str, float] | None = None
    directional: Number | None = None
    resolved: dict[str, Number] = field(default_factory=dict)


def backprop(
    expr: sympy.Expr,
    point: Mapping[sympy.Symbol, sympy.Expr | float],
    *,
    mode: Mode = "reverse",
    direction: Mapping[str, float] | None = None,
    variables: Sequence[sympy.Symbol] | None = None,
) -> BackpropRun:
    """Run the passes of ``expr`` at ``point`` (exact SymPy numbers or floats).

    Raises UnsupportedOperation (an op with no rule) or EvaluationError (no
    real value at the point). ``direction`` defaults to the first variable's
    unit vector.
    """
    graph = build_graph(as_expr(expr), _tuple(variables))
    floats = {s.name: float(sympy.N(v, 17)) for s, v in point.items()}
    # A float stands for its shortest decimal (0.1 is 1/10), as in the parser.
    exact = {
        s: sympy.Rational(repr(v)) if isinstance(v, float) else as_expr(v) for s, v in point.items()
    }
    try:
        fwd = forward_pass(graph, floats, exact)
    except EvaluationError as exc:
        where = to_plain(graph.nodes[exc.node].expr)
        raise EvaluationError(exc.node, f"{where} has no value here: {exc.reason}") from None
    value = fwd.values[graph.output]
    names = [s.name for s in graph.variables]
    if mode == "reverse":
        adjoints = reverse_pass(graph, fwd)
        run = BackpropRun(graph, mode, fwd, adjoints, value)
        where = graph.var_index()
        run.gradient = {}
        for name in names:
            partial = adjoints[where[name]] if name in where else 0.0
            if isinstance(partial, Undefined):
                # The chain rule met a kink: decide from both sides along this axis.
                partial = two_sided(graph, fwd, {name: 1.0})
                run.resolved[name] = partial
                adjoints[where[name]] = partial
            if not isinstance(partial, Undefined) and not math.isfinite(partial):
                partial = Undefined("the partial is too large for a floating-point number")
            run.gradient[name] = partial
        return run
    if direction is None:
        direction = {names[0]: 1.0} if names else {}
    direction = {name: float(direction.get(name, 0.0)) for name in names}
    tangents = tangent_pass(graph, fwd, direction)
    run = BackpropRun(graph, mode, fwd, tangents, value, direction=direction)
    run.directional = tangents[graph.output]
    if not isinstance(run.directional, Undefined) and not math.isfinite(run.directional):
        run.directional = Undefined("the derivative is too large for a floating-point number")
    if isinstance(run.directional, Undefined):
        run.directional = two_sided(graph, fwd, direction)
        run.resolved["direction"] = run.directional
    return run


def _exact(value: sympy.Expr | float) -> sympy.Expr:
    return sympy.Rational(repr(value)) if isinstance(value, float) else as_expr(value)


def _tuple(variables: Sequence[sympy.Symbol] | None) -> tuple[sympy.Symbol, ...] | None:
    return tuple(variables) if variables is not None else None
