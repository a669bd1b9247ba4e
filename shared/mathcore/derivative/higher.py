"""Traced derivatives of any order, partial and mixed partial derivatives.

Each entry of the differentiation sequence (``[x, x]`` for a second
derivative, ``[x, y]`` for ∂²f/∂y∂x) gets its own derivation, starting from the
previous result simplified.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import sympy

from shared.mathcore.derivative.matchers import build_rule
from shared.mathcore.derivative.render import (
    DERIVATIVE,
    EQUAL,
    Display,
    StepNode,
    iter_nodes,
    render_rule,
)
from shared.mathcore.printing import to_plain
from shared.mathcore.simplifier import simplest
from shared.mathcore.symbols import as_expr

_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@dataclass(frozen=True)
class DerivativeTrace:
    """A derivative with its steps: ``result`` simplified, ``raw`` as the rules gave it.

    ``simplified`` is False when the job's work budget ran out before every
    stage was simplified (the result is then correct but not the shortest).
    """

    result: sympy.Expr
    raw: sympy.Expr
    nodes: tuple[StepNode, ...]
    display: Display = ()
    simplified: bool = True
    # The function and each derivative in turn (stages[k+1] = d stages[k] / d variables[k]).
    stages: tuple[sympy.Expr, ...] = ()
    variables: tuple[sympy.Symbol, ...] = ()
    steps: list[dict] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", [n.to_dict(self.display) for n in self.nodes])


def simplify_node(raw: sympy.Expr, simplified: sympy.Expr, complete: bool = True) -> StepNode:
    """The closing step that rewrites the raw derivative in its simplest form."""
    return StepNode(
        rule="simplify",
        text="Simplify the result."
        if complete
        else "Simplification stopped: the job's time for simplifying ran out, so this "
        "correct result is left as it is.",
        before=raw,
        after=simplified,
        kind=EQUAL,
        var=None,
        simplified=None if complete else False,
    )


def derivative_trace(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    thorough: bool = False,
) -> DerivativeTrace:
    """Differentiate ``expr`` by each of ``variables`` in turn, with steps.

    >>> x = sympy.Symbol("x", real=True)
    >>> derivative_trace(sympy.sin(x**2), [x]).result
    2*x*cos(x**2)
    >>> derivative_trace(x**3, [x, x]).steps[-1]["after"]
    '6*x'
    """
    if not variables:
        raise ValueError("differentiate by at least one variable")
    expr = as_expr(expr)
    others = {s for s in expr.free_symbols}
    wrap = len(variables) > 1 or bool(others - {variables[0]})
    nodes: list[StepNode] = []
    current, raw = expr, expr
    complete = True
    stages = [expr]
    for index, var in enumerate(variables):
        held = sorted((s for s in others if s != var), key=lambda s: s.name)
        partial = bool(held)
        rule = build_rule(current, var)
        raw = rule.result()
        simplified, stage_complete = simplest(raw, thorough=thorough)
        complete = complete and stage_complete
        stage = [render_rule(rule, partial)]
        if simplified != raw or not stage_complete:
            stage.append(simplify_node(raw, simplified, stage_complete))
        if wrap:
            nodes.append(
                StepNode(
                    rule="partial" if partial else "higher_order",
                    text=_stage_text(variables, index, held, current),
                    before=current,
                    after=simplified,
                    kind=DERIVATIVE,
                    var=var,
                    substeps=tuple(stage),
                    partial=partial,
                )
            )
        else:
            nodes.extend(stage)
        current = simplified
        stages.append(current)
    return DerivativeTrace(
        result=current,
        raw=raw,
        nodes=tuple(nodes),
        simplified=complete,
        stages=tuple(stages),
        variables=tuple(variables),
    )


def _stage_text(variables, index: int, held, current) -> str:
    var = variables[index]
    total = len(variables)
    position = f"Step {index + 1} of {total}: " if total > 1 else ""
    if held:
        names = ", ".join(s.name for s in held)
        verb = "is" if len(held) == 1 else "are"
        return (
            f"{position}take the partial derivative of {to_plain(current)} with respect to "
            f"{var.name}; {names} {verb} held constant."
        )
    ordinal = _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"
    source = "the function" if index == 0 else "the previous derivative"
    return (
        f"{position}the {ordinal} derivative: differentiate {source} "
        f"{to_plain(current)} with respect to {var.name}."
    )


def iter_checks(trace: DerivativeTrace) -> Iterator[tuple[sympy.Basic, sympy.Basic, object, str]]:
    """Yield (before, after, var, kind) for every step, substeps included (a test hook)."""
    for node in iter_nodes(trace.nodes):
        yield node.before, node.after, node.var, node.kind
