"""The ``equivalent`` test: equal wherever both sides are defined.

A symbolic proof is tried first (the difference simplifies to 0) within a time
budget; failing that, the two sides are compared at random points of their
common real domain (see :mod:`pointwise`). A symbolic difference that does not
simplify to 0 proves nothing, since ``simplify`` is incomplete, so only the
numeric comparison can fail an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.checks.deadline import remaining
from shared.mathcore.checks.pointwise import PointwiseResult, compare_pointwise

logger = logging.getLogger(__name__)

# Past this many operations simplify is rarely worth its time: go numeric.
MAX_SIMPLIFY_OPS = 300


@dataclass
class Equivalence:
    """``equal`` is True, False, or None for "could not decide"."""

    equal: bool | None
    method: str
    pointwise: PointwiseResult | None = None
    reason: str = ""


def simplifies_to_zero(difference: sympy.Expr, seconds: float) -> bool:
    """True when ``difference`` is shown to be 0 within ``seconds``; False proves nothing."""
    if difference == 0:
        return True
    if not difference.free_symbols:
        return False  # a constant: cheaper and exact enough to evaluate
    seconds = min(seconds, remaining())
    if seconds <= 0.05:
        return False
    try:
        with time_budget(seconds):
            if sympy.expand(difference) == 0:
                return True
            if sympy.cancel(sympy.together(difference)) == 0:
                return True
            if sympy.count_ops(difference) > MAX_SIMPLIFY_OPS:
                return False
            return sympy.simplify(difference) == 0
    except BudgetExceeded:
        logger.debug("simplify ran out of its %.2f s budget", seconds)
    except (RecursionError, TypeError, ValueError, NotImplementedError, ZeroDivisionError):
        # SymPy's simplifiers raise on some exotic inputs; numerics decide then.
        logger.debug("simplify raised on %s", difference, exc_info=True)
    return False


def equivalent(
    answer: sympy.Expr,
    expected: sympy.Expr,
    *,
    rtol: float = 1e-10,
    atol: float = 0.0,
    symbolic_seconds: float = 1.0,
) -> Equivalence:
    """Decide whether ``answer`` equals ``expected`` wherever both are defined.

    >>> x = sympy.Symbol("x", real=True)
    >>> equivalent(sympy.exp(-10 * x) + sympy.Rational(1, 10**6), sympy.exp(-10 * x)).equal
    False
    """
    if answer == expected:
        return Equivalence(True, "symbolic", reason="identical")
    try:
        difference = answer - expected
    except (TypeError, ValueError):
        return Equivalence(False, "symbolic", reason="the two sides cannot be subtracted")
    if simplifies_to_zero(difference, symbolic_seconds):
        return Equivalence(True, "symbolic", reason="the difference simplifies to 0")
    result = compare_pointwise(answer, expected, rtol=rtol, atol=atol)
    verdict = {"equal": True, "different": False}.get(result.verdict)
    return Equivalence(verdict, "numeric", pointwise=result, reason=result.reason)
