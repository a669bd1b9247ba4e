"""The ``numeric`` test: numbers within a relative or an absolute tolerance."""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy

from shared.mathcore.checks.evaluate import (
    CannotEvaluate,
    LostPrecision,
    OutsideDomain,
    RealEvaluator,
)
from shared.mathcore.checks.pointwise import compare_pointwise

# WeBWorK's default: 0.1 % relative; an absolute 1e-12 only matters near 0.
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-12


@dataclass
class NumericComparison:
    correct: bool
    decided: bool
    reason: str
    answer_value: float | None = None
    expected_value: float | None = None


class Imprecise(Exception):
    """The constant cancels past 120 digits: its value is not known well enough."""


def real_value(expr: sympy.Expr) -> mpmath.mpf | None:
    """The exact constant ``expr`` as a real, or None if it is not a real number."""
    for dps in (30, 120):
        try:
            return RealEvaluator(dps).value(expr, {})
        except (OutsideDomain, CannotEvaluate):
            return None
        except LostPrecision:
            continue
    raise Imprecise("the value cancels to below 120 digits")


def within(answer: mpmath.mpf, expected: mpmath.mpf, rtol: float, atol: float) -> bool:
    """|a - e| <= rtol * |e|  or  |a - e| <= atol."""
    gap = abs(answer - expected)
    return bool(gap <= rtol * abs(expected) or gap <= atol)


def compare_numbers(
    answer: sympy.Expr,
    expected: sympy.Expr,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> NumericComparison:
    """Compare two numbers (exact constants allowed: ``sqrt(2)/2`` against ``0.7071``).

    >>> compare_numbers(sympy.Float(3.1416), sympy.pi, rtol=1e-4).correct
    True
    """
    if expected.free_symbols:
        # A function with a tolerance: compare it pointwise, as WeBWorK does.
        result = compare_pointwise(answer, expected, rtol=rtol, atol=atol)
        decided = result.verdict != "undecided"
        return NumericComparison(result.verdict == "equal", decided, result.reason)
    if answer.free_symbols:
        names = ", ".join(sorted(str(s) for s in answer.free_symbols))
        return NumericComparison(
            False, True, f"a number was expected, not an expression in {names}"
        )
    try:
        e_value = real_value(expected)
        a_value = real_value(answer)
    except Imprecise as exc:
        return NumericComparison(False, False, str(exc))
    if e_value is None:
        return NumericComparison(False, False, "the expected answer is not a real number")
    if a_value is None:
        return NumericComparison(False, True, "the answer is not a real number")
    ok = within(a_value, e_value, rtol, atol)
    reason = "within tolerance" if ok else "outside the tolerance"
    return NumericComparison(ok, True, reason, float(a_value), float(e_value))
