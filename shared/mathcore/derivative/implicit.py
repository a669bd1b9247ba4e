"""Implicit differentiation: dy/dx of an equation F(x, y) = G(x, y), with steps.

Both sides are differentiated with y standing for an unknown function y(x),
so the chain rule leaves a factor y' = dy/dx wherever y appears; the result is
linear in y', which is collected and solved for. The answer agrees with
dy/dx = -F_x/F_y for F = lhs - rhs.
"""

from __future__ import annotations

import sympy

from shared.mathcore.derivative.higher import DerivativeTrace, simplify_node
from shared.mathcore.derivative.matchers import build_rule
from shared.mathcore.derivative.render import StepNode, render_rule
from shared.mathcore.printing import to_plain
from shared.mathcore.simplifier import simplest
from shared.mathcore.symbols import as_expr

# Step kinds for the checks (see render.DERIVATIVE): both sides differentiated;
# an equation rewritten with the same lhs - rhs; an equation solved for ``var``.
DIFFERENTIATED_EQUATION, SAME_EQUATION, SOLVED = "differentiated_equation", "equation", "solve"


def implicit_derivative_trace(
    lhs: sympy.Expr,
    rhs: sympy.Expr,
    x: sympy.Symbol,
    y: sympy.Symbol,
) -> DerivativeTrace:
    """Return dy/dx for the equation lhs = rhs, with y a function of x.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> implicit_derivative_trace(x**2 + y**2, sympy.Integer(25), x, y).result
    -x/y
    """
    lhs, rhs = as_expr(lhs), as_expr(rhs)
    if not (lhs.has(y) or rhs.has(y)):
        raise ValueError(f"the equation does not involve {y}")
    y_of_x = sympy.Function(y.name, real=True)(x)
    dy = sympy.Derivative(y_of_x, x)
    y_prime = sympy.Symbol(f"{y.name}'", real=True)
    display = ((dy, y_prime), (y_of_x, y))

    left, right = lhs.xreplace({y: y_of_x}), rhs.xreplace({y: y_of_x})
    left_rule, right_rule = build_rule(left, x), build_rule(right, x)
    d_left, d_right = left_rule.result(), right_rule.result()

    # Everything on one side: A + B·y' = 0, linear in y' by the chain rule.
    p = sympy.Dummy("p")
    moved = (d_left - d_right).subs(dy, p)
    coefficient = sympy.expand(sympy.diff(moved, p))
    rest = sympy.expand(moved.subs(p, 0))
    if coefficient == 0:
        raise ValueError(f"d{y.name}/d{x.name} drops out: the equation does not fix it")
    collected = sympy.Eq(coefficient * dy, -rest, evaluate=False)
    solution = -rest / coefficient

    raw = solution.xreplace({y_of_x: y})
    result, complete = simplest(raw)
    y_name = y.name
    nodes = [
        StepNode(
            rule="differentiate_both_sides",
            text=(
                f"Differentiate both sides with respect to {x.name}, treating {y_name} as a "
                f"function of {x.name}: by the chain rule each {y_name} brings a factor "
                f"{y_name}' = d{y_name}/d{x.name}."
            ),
            before=sympy.Eq(left, right, evaluate=False),
            after=sympy.Eq(d_left, d_right, evaluate=False),
            kind=DIFFERENTIATED_EQUATION,
            var=x,
            substeps=(
                render_rule(left_rule, display=display),
                render_rule(right_rule, display=display),
            ),
        ),
        StepNode(
            rule="collect",
            text=f"Collect the terms with {y_name}' on the left and move the rest to the right.",
            before=sympy.Eq(d_left, d_right, evaluate=False),
            after=collected,
            kind=SAME_EQUATION,
            var=None,
        ),
        StepNode(
            rule="solve",
            text=(
                f"Divide both sides by {_plain(coefficient, display)} (where it is not 0) "
                f"to solve for {y_name}' = d{y_name}/d{x.name}."
            ),
            before=collected,
            after=solution,
            kind=SOLVED,
            var=dy,
        ),
    ]
    if result != raw or not complete:
        nodes.append(simplify_node(raw, result, complete))
    return DerivativeTrace(
        result=result, raw=raw, nodes=tuple(nodes), display=display, simplified=complete
    )


def _plain(expr: sympy.Expr, display) -> str:
    return to_plain(expr.subs(list(display)))
