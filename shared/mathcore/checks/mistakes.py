"""Name the mistake behind a wrong answer: a stable code and feedback that teaches.

Each recognised mistake is a candidate expression built from the expected
answer (``-e``, ``k*e``, ``e`` less a term) or, for derivative problems, from
the original function (the derivative with one rule misapplied, the original
itself, an antiderivative); the answer is compared with each candidate
pointwise, most specific first, within a time budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import sympy

from shared.mathcore.checks import faulty_diff
from shared.mathcore.checks.deadline import attempt, check_deadline
from shared.mathcore.checks.evaluate import (
    CannotEvaluate,
    LostPrecision,
    OutsideDomain,
    RealEvaluator,
)
from shared.mathcore.checks.pointwise import compare_pointwise, point_stream

MAX_TERMS = 12
MAX_SITES = 6

FEEDBACK: dict[str, str] = {
    "sign_error": "Your answer has the opposite sign of the correct one: check the signs.",
    "term_sign_error": "One term of your answer has the wrong sign.",
    "constant_factor": (
        "Your answer is off by a constant factor: it is {k} times the correct answer."
    ),
    "missing_term": "Your answer is missing a term.",
    "off_by_constant": "Your answer differs from the correct one by a constant.",
    faulty_diff.NO_CHAIN: (
        "Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x). "
        "Your answer is missing the derivative of the inner function."
    ),
    faulty_diff.PRODUCT_AS_PRODUCT: "Product rule: (uv)' = u'v + uv', not u'v'.",
    faulty_diff.POWER_NOT_LOWERED: (
        "Power rule: d/dx x^n = n·x^(n-1): the exponent must go down by one."
    ),
    faulty_diff.QUOTIENT_NO_SQUARE: (
        "Quotient rule: (u/v)' = (u'v - uv')/v^2: the denominator is squared."
    ),
    faulty_diff.QUOTIENT_AS_QUOTIENT: "Quotient rule: (u/v)' = (u'v - uv')/v^2, not u'/v'.",
    "quotient_rule_order": (
        "Quotient rule: (u/v)' = (u'v - uv')/v^2: your numerator has its terms the wrong way round."
    ),
    faulty_diff.EXP_AS_POWER: (
        "The power rule does not apply to exponentials: d/dx a^u = a^u·ln(a)·u' "
        "and d/dx e^u = e^u·u'."
    ),
    faulty_diff.TRIG_SIGN: (
        "Check the sign: d/dx cos x = -sin x (cot, csc, arccos and arccot "
        "also differentiate with a minus sign)."
    ),
    "unchanged_function": (
        "Your answer is the original function: it still has to be differentiated."
    ),
    "integral_instead_of_derivative": (
        "Your answer is an antiderivative of the function; the question asks for its derivative."
    ),
    "second_derivative": (
        "Your answer is the second derivative; only one differentiation was asked."
    ),
    "wrong_variable": "Your answer is the derivative with respect to {v}, not {x}.",
    "integrand_returned": "Your answer is the integrand itself: it still has to be integrated.",
    "derivative_instead_of_integral": (
        "Your answer is the derivative of the integrand; the question asks for an antiderivative."
    ),
}


@dataclass(frozen=True)
class Mistake:
    """A recognised mistake: stable ``code`` and English ``feedback``."""

    code: str
    feedback: str


def _mistake(code: str, **fill: str) -> Mistake:
    return Mistake(code, FEEDBACK[code].format(**fill))


def same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Pointwise equality, lighter than a full check: enough to name a mistake."""
    if a == b:
        return True
    check_deadline()
    result = compare_pointwise(a, b, rtol=1e-8, min_points=4, target=6, max_attempts=30)
    return result.verdict == "equal"


def _ratio(answer: sympy.Expr, expected: sympy.Expr) -> mpmath.mpf | None:
    """answer/expected at the first point where both are real and nonzero."""
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=str)
    evaluator = RealEvaluator(30)
    stream = point_stream(symbols, "ratio")
    for _ in range(20 if symbols else 1):
        point = next(stream)
        try:
            a, e = evaluator.value(answer, point), evaluator.value(expected, point)
        except (OutsideDomain, CannotEvaluate, LostPrecision):
            continue
        if e != 0 and a != 0:
            return a / e
    return None


def _nice(k: mpmath.mpf) -> sympy.Expr:
    """k as a small fraction when it is one (3, 1/2, -2/3), else 4 significant digits."""
    exact = sympy.nsimplify(sympy.Float(float(k)), rational=True, tolerance=1e-9)
    if exact.is_Rational and exact.q <= 100:
        return exact
    return sympy.Float(float(k), 4)


def sign_mistake(answer: sympy.Expr, expected: sympy.Expr) -> Mistake | None:
    """The one mistake two numbers can show: the opposite sign."""
    if expected != 0 and same(answer, -expected):
        return _mistake("sign_error")
    return None


def generic_mistake(answer: sympy.Expr, expected: sympy.Expr) -> Mistake | None:
    """Mistakes seen from the expected answer alone: sign, factor, a term."""
    if same(answer, -expected):
        return _mistake("sign_error")
    k = _ratio(answer, expected)
    if k is not None and abs(k - 1) > 1e-6 and abs(k + 1) > 1e-6:
        exact = _nice(k)
        candidate = exact * expected if exact.is_Rational else sympy.Float(float(k), 20) * expected
        if same(answer, candidate):
            return _mistake("constant_factor", k=str(exact))
    terms = sympy.Add.make_args(sympy.expand(expected))
    if 2 <= len(terms) <= MAX_TERMS:
        for term in terms:
            if same(answer, expected - 2 * term):
                return _mistake("term_sign_error")
        for term in terms:
            if same(answer, expected - term):
                return _mistake("missing_term")
    symbols = sorted(expected.free_symbols | answer.free_symbols, key=str)
    if symbols and all(same(sympy.diff(answer, v), sympy.diff(expected, v)) for v in symbols):
        return _mistake("off_by_constant")
    return None


def _is_quotient(f: sympy.Expr, x: sympy.Symbol) -> bool:
    numerator, denominator = f.as_numer_denom()
    return numerator.has(x) and denominator.has(x)


def derivative_mistake(
    answer: sympy.Expr,
    original: sympy.Expr,
    x: sympy.Symbol,
    variables: Sequence[sympy.Symbol] = (),
) -> Mistake | None:
    """Mistakes in d/dx ``original``: a rule misapplied, or the wrong operation."""
    for fault in faulty_diff.FAULTS:
        whole, sites = faulty_diff.faulty_derivative(original, x, fault)
        if whole is None:
            continue
        if same(answer, whole):
            return _mistake(fault)
        if len(sites) > 1:
            for site in sites[:MAX_SITES]:
                variant, _ = faulty_diff.faulty_derivative(original, x, fault, site)
                if variant is not None and same(answer, variant):
                    return _mistake(fault)
    # After the faults: for e^(x^2) a missing chain factor is the better name.
    if same(answer, original):
        return _mistake("unchanged_function")
    if _is_quotient(original, x) and same(answer, -sympy.diff(original, x)):
        return _mistake("quotient_rule_order")
    if same(sympy.diff(answer, x), original):
        return _mistake("integral_instead_of_derivative")
    if same(answer, sympy.diff(original, x, 2)):
        return _mistake("second_derivative")
    for other in variables:
        if other != x and original.has(other) and same(answer, sympy.diff(original, other)):
            return _mistake("wrong_variable", v=str(other), x=str(x))
    return None


def antiderivative_mistake(
    answer: sympy.Expr, expected: sympy.Expr, x: sympy.Symbol
) -> Mistake | None:
    """Mistakes in an antiderivative, judged on derivatives (so +C does not matter)."""
    integrand = sympy.diff(expected, x)
    if same(answer, integrand):
        return _mistake("integrand_returned")
    found = generic_mistake(sympy.diff(answer, x), integrand)
    if found is not None and found.code in ("sign_error", "constant_factor"):
        return found
    if same(answer, sympy.diff(integrand, x)):
        return _mistake("derivative_instead_of_integral")
    return None


def recognise(search: Callable[[], Mistake | None], seconds: float = 2.0) -> Mistake | None:
    """Run a mistake search within ``seconds``; None when nothing is found in time."""
    return attempt(seconds, search, None)
