"""Evaluating f where doubles overflow: mpmath, whose exponent is unbounded.

A double overflows past about 1.8e308 (e^709.78), and NumPy reports inf, which
a naive check reads as "undefined": e^x would seem to stop existing at
x ≈ 709.78. mpmath evaluates e^(10⁶) without trouble, so values that overflow
a double are looked at again here. Only exp of an astronomically large
argument (e^(e^(10⁶))) is costly even for mpmath; such values are returned as
a power of two of the right size without computing their digits.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> big_values(sympy.exp(x), x, [1000.0])[0] > 10**434
True
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import mpmath
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)

# exp(z) with |Re z| beyond this is returned as 2^(z/ln 2) without its digits.
EXP_CAP = 1e6
_LOG2E = 1.4426950408889634


def _exp(z):
    re = mpmath.re(z)
    if abs(re) > EXP_CAP:
        # Only the size matters to a caller deciding defined / finite / sign.
        return mpmath.ldexp(mpmath.mpf(1), int(mpmath.nint(re * _LOG2E)))
    return mpmath.exp(z)


def _cosh(z):
    return (_exp(z) + _exp(-z)) / 2


def _sinh(z):
    return (_exp(z) - _exp(-z)) / 2


_MODULES = [{"exp": _exp, "cosh": _cosh, "sinh": _sinh}, "mpmath"]


def big_values(
    expr: sympy.Expr, x: sympy.Symbol, points: Sequence[float], trusted: bool = False
) -> list:
    """f at each point as an mpmath real, or None where f is undefined there
    (a pole, a complex value, log 0) or could not be evaluated within 3 s.

    ``trusted=True`` also gives None where the value is not trustworthy: it is
    computed at 30 and at 60 digits and kept only when both agree to 1e-12
    and it is not below the rounding floor of its terms (x² + sinh x − cosh x
    at x = 1000 cancels every digit of x² away at 60 digits).
    Values too large for a double come back as large mpf numbers, not inf.
    """
    fn = sympy.lambdify(x, expr, modules=_MODULES)
    terms = [sympy.lambdify(x, t, modules=_MODULES) for t in sympy.Add.make_args(expr)]
    out: list = [None] * len(points)
    try:
        with time_budget("big_values"):
            for i, t in enumerate(points):
                with mpmath.workdps(30):
                    low = _real(fn, t)
                if low is None or not trusted:
                    out[i] = low
                    continue
                with mpmath.workdps(60):
                    high = _real(fn, t)
                    sizes = [_real(term, t) for term in terms]
                if high is None or None in sizes:
                    continue
                floor = mpmath.mpf(10) ** -50 * sum(abs(v) for v in sizes)
                if abs(high - low) <= 1e-12 * abs(high) and abs(high) > floor:
                    out[i] = high
    except BudgetExceeded:
        logger.info("big-number evaluation of %s ran out of time", expr)
    return out


def _real(fn, t: float):
    try:
        value = fn(mpmath.mpf(t))
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):
        return None
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > 1e-20 * max(1, abs(value.real)):
            return None
        value = value.real
    try:
        value = mpmath.mpf(value)
    except (TypeError, ValueError):
        return None
    if not mpmath.isfinite(value):
        return None
    return value
