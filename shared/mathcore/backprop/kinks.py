"""Settle exactly whether a value that rounds to a kink is at it.

Floats cannot tell relu(3x − 1) at x = 1/3 from a point next to it. Only a
value within rounding of a kink comes here (rarely, so SymPy's cost does
not matter): the node's expression is evaluated at the exact point.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget

DIGITS = 50
EQUALS_SECONDS = 1.0


def exact_sign(expr: sympy.Expr, point: Mapping[sympy.Symbol, sympy.Expr]) -> int:
    """Return the sign (−1, 0, 1) of ``expr`` at the exact ``point``.

    Undecided counts as 0, the kink itself: a derivative is then reported
    undefined rather than guessed.

    >>> from shared.mathcore.symbols import variable
    >>> x = variable("x")
    >>> exact_sign(3 * x - 1, {x: sympy.Rational(1, 3)}), exact_sign(x - 1, {x: sympy.pi / 3})
    (0, 1)
    """
    value = expr.xreplace(dict(point))
    if value.is_zero:
        return 0
    approx = sympy.N(value, DIGITS)
    if approx.is_Number and abs(approx) > sympy.Float(10) ** (5 - DIGITS):
        return 1 if approx > 0 else -1
    try:
        with time_budget(EQUALS_SECONDS):
            zero = value.equals(0)
    except BudgetExceeded:
        zero = None
    if zero is False and approx.is_Number and approx != 0:
        return 1 if approx > 0 else -1
    return 0
