"""The ``equivalent`` test: equal wherever both sides are defined.

A cheap symbolic proof is tried first (the difference expands to 0); then the
two sides are compared at random points of their common real domain (see
:mod:`pointwise`), and a difference there fails the answer at once; otherwise a
full symbolic proof (the difference simplifies to 0) is tried within a time
budget, and failing that the pointwise comparison decides. A symbolic
difference that does not simplify to 0 proves nothing, since ``simplify`` is
incomplete, so only the numeric comparison can fail an answer.

Exact inputs (no floats, no tolerance asked for) are compared exactly: a
constant difference is decided as a number (rationals exactly, other
constants to 50 digits), never within a float tolerance, so
``99999999/10^8`` is not ``99999998/99999999``; and functions are compared
pointwise at the evaluator's own accuracy (``EXACT_RTOL``).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy

from shared.mathcore.checks.deadline import attempt
from shared.mathcore.checks.evaluate import (
    CannotEvaluate,
    LostPrecision,
    OutsideDomain,
    RealEvaluator,
)
from shared.mathcore.checks.pointwise import PointwiseResult, compare_pointwise

# Past this many operations simplify is rarely worth its time: go numeric.
MAX_SIMPLIFY_OPS = 300
# Pointwise values are kept to at least 30 digits (see pointwise.STABLE):
# exact inputs are compared 10 digits short of that.
EXACT_RTOL = 1e-20
# A constant difference is 0 when it is below this (relative) at 120 digits...
CONSTANT_ZERO = mpmath.mpf(10) ** -50
# ... and the two precisions agree this well; else undecided.
CONSTANT_STABLE = mpmath.mpf(10) ** -40


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

    def work() -> bool:
        if sympy.expand(difference) == 0:
            return True
        if sympy.cancel(sympy.together(difference)) == 0:
            return True
        if sympy.count_ops(difference) > MAX_SIMPLIFY_OPS:
            return False
        return sympy.simplify(difference) == 0

    return attempt(seconds, work, False)


def _expands_to_zero(difference: sympy.Expr) -> bool:
    """The cheap part of :func:`simplifies_to_zero`: 0 already, or after ``expand``."""
    if difference == 0:
        return True
    if not difference.free_symbols or sympy.count_ops(difference) > MAX_SIMPLIFY_OPS:
        return False
    return attempt(0.2, lambda: sympy.expand(difference) == 0, False)


def is_exact(*exprs: sympy.Basic) -> bool:
    """True when no expression holds a float (an approximate number)."""
    return not any(e.has(sympy.Float) for e in exprs)


def _constant(difference: sympy.Expr) -> sympy.Expr | None:
    """The difference as a constant when it reduces to one quickly, else None."""
    if not difference.free_symbols:
        return difference
    reduced = attempt(0.5, lambda: sympy.cancel(sympy.together(sympy.expand(difference))), None)
    return None if reduced is None or reduced.free_symbols else reduced


def _value(expr: sympy.Expr, dps: int) -> mpmath.mpf | None:
    try:
        return RealEvaluator(dps).value(expr, {})
    except (OutsideDomain, CannotEvaluate, LostPrecision):
        return None


def constants_equal(
    answer: sympy.Expr, expected: sympy.Expr, difference: sympy.Expr
) -> Equivalence:
    """Decide two exact constants: exactly when their difference is rational,
    else by their values at 60 and 120 digits (0 to 50 digits, or clearly not)."""
    if difference.is_Rational:
        equal = difference == 0
        reason = "the exact difference is 0" if equal else f"they differ by {difference}"
        return Equivalence(equal, "symbolic", reason=reason)
    values = [(_value(answer, dps), _value(expected, dps)) for dps in (60, 120)]
    (a_low, e_low), (a_high, e_high) = values
    if None in (a_low, e_low, a_high, e_high):
        if e_high is not None and a_high is None and _value(answer, 30) is None:
            return Equivalence(False, "numeric", reason="the answer is not a real number")
        return Equivalence(None, "numeric", reason="the constants cannot be evaluated exactly")
    scale = max(abs(a_high), abs(e_high), mpmath.mpf(10) ** -300)
    noise = abs(a_high - a_low) + abs(e_high - e_low)
    gap = abs(a_high - e_high)
    if gap <= CONSTANT_ZERO * scale and noise <= CONSTANT_STABLE * scale:
        return Equivalence(True, "numeric", reason="the constants agree to 50 digits")
    if gap > 1000 * noise and gap > CONSTANT_ZERO * scale:
        return Equivalence(False, "numeric", reason="the constants differ")
    return Equivalence(None, "numeric", reason="the constants could not be told apart")


def equivalent(
    answer: sympy.Expr,
    expected: sympy.Expr,
    *,
    rtol: float = 1e-10,
    atol: float = 0.0,
    symbolic_seconds: float = 1.0,
    exact: bool = False,
) -> Equivalence:
    """Decide whether ``answer`` equals ``expected`` wherever both are defined.

    ``exact``: both are exact and no tolerance was asked for: a constant
    difference is decided as a number and functions are compared at
    ``EXACT_RTOL`` (``rtol`` and ``atol`` are then ignored).

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
    if _expands_to_zero(difference):
        return Equivalence(True, "symbolic", reason="the difference simplifies to 0")
    if exact:
        rtol, atol = EXACT_RTOL, 0.0
    result = None
    if answer.free_symbols or expected.free_symbols:
        # Only the numeric comparison can fail an answer: a wrong one is told
        # apart at sample points first, before simplify spends its budget on a
        # difference that is not 0 (most of a wrong answer's time, in a class batch).
        result = compare_pointwise(answer, expected, rtol=rtol, atol=atol)
        if result.verdict == "different":
            return Equivalence(False, "numeric", pointwise=result, reason=result.reason)
    if simplifies_to_zero(difference, symbolic_seconds):
        return Equivalence(True, "symbolic", reason="the difference simplifies to 0")
    if exact:
        constant = _constant(difference)
        if constant is not None and not (answer.free_symbols or expected.free_symbols):
            return constants_equal(answer, expected, constant)
        if constant is not None and constant.is_Rational and constant != 0:
            # x + 1/10^8 is not x: a rational difference needs no sampling.
            return Equivalence(False, "symbolic", reason=f"they differ by {constant}")
    if result is None:
        result = compare_pointwise(answer, expected, rtol=rtol, atol=atol)
    verdict = {"equal": True, "different": False}.get(result.verdict)
    return Equivalence(verdict, "numeric", pointwise=result, reason=result.reason)
