"""The ``up_to_constant`` test: antiderivatives equal up to an additive constant (+C).

F and G differ by a constant exactly when d/dx (F - G) = 0 for every variable
x; so the derivatives are compared (symbolically, then pointwise). Comparing
derivatives rather than the difference keeps the test relative: F + 0.001x is
caught for F = e^(-10x), where the difference alone is small everywhere.
Symbols only the answer has (the student's C) are constants, not variables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from shared.mathcore.checks.deadline import check_deadline
from shared.mathcore.checks.equivalence import Equivalence, equivalent, simplifies_to_zero


def up_to_constant(
    answer: sympy.Expr,
    expected: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    *,
    rtol: float = 1e-10,
    atol: float = 0.0,
    symbolic_seconds: float = 1.0,
) -> Equivalence:
    """Decide whether ``answer - expected`` is constant in ``variables``.

    >>> x = sympy.Symbol("x", real=True)
    >>> up_to_constant(sympy.sin(x) ** 2, -sympy.cos(x) ** 2, [x]).equal
    True
    """
    if not variables:
        return Equivalence(None, "symbolic", reason="no variable to integrate over")
    difference = answer - expected
    share = symbolic_seconds / len(variables)
    if all(simplifies_to_zero(sympy.diff(difference, v), share) for v in variables):
        return Equivalence(True, "symbolic", reason="the difference has zero derivative")
    undecided: Equivalence | None = None
    for v in variables:
        check_deadline()
        verdict = equivalent(
            sympy.diff(answer, v),
            sympy.diff(expected, v),
            rtol=rtol,
            atol=atol,
            symbolic_seconds=0.0,
        )
        if verdict.equal is False:
            return Equivalence(False, "numeric", verdict.pointwise, f"d/d{v} differs")
        if verdict.equal is None:
            undecided = verdict
    if undecided is not None:
        return Equivalence(None, "numeric", undecided.pointwise, undecided.reason)
    return Equivalence(True, "numeric", reason="the derivatives agree at every sampled point")
