"""The real reading of odd roots: ``cbrt(x)`` and ``x^(1/3)`` are the real cube root.

SymPy's ``x**(1/3)`` is the principal (complex) root, so (−8)^(1/3) is not −2
there. Calculus books, and every kind of mlcalc, read an odd root of a
negative number as real: (−8)^(1/3) = −2 and d/dx cbrt(x) at −8 is 1/12. The
parser builds every such power through :func:`real_power`, so there is one
reading everywhere:

* a base known to be non-negative keeps SymPy's power (``2^(1/3)``,
  ``(x^2)^(1/3)``, ``exp(x)^(1/3)``);
* otherwise a denominator of 3 gives the function :class:`cbrt` (printed
  ``cbrt(x)``, derivative 1/(3·cbrt(x)²)), raised to the numerator;
* other odd denominators give sign(b)·|b|^(p/q) (p odd) or |b|^(p/q) (p even),
  the form ``extrema`` uses; even denominators keep SymPy's power (no real
  root of a negative number).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy
from sympy.core.function import ArgumentIndexError

from shared.mathcore.mlfunctions import latex_power


def _cbrt_numeric(x):
    """The real cube root of a float, a NumPy array or an mpmath number."""
    if isinstance(x, mpmath.mpf):
        return mpmath.sign(x) * mpmath.cbrt(abs(x))
    if isinstance(x, float | int):
        return math.copysign(abs(x) ** (1.0 / 3.0), x) if x == x else math.nan
    return np.cbrt(np.asarray(x, dtype=float))


class cbrt(sympy.Function):  # noqa: N801 (printed by class name)
    """The real cube root; cbrt′(x) = 1/(3·cbrt(x)²) (undefined at 0).

    >>> x = sympy.Symbol("x", real=True)
    >>> cbrt(-8), sympy.diff(cbrt(x), x)
    (-2, 1/(3*cbrt(x)**2))
    >>> sympy.diff(cbrt(x), x).subs(x, -8)
    1/12
    """

    nargs = 1
    _imp_ = staticmethod(_cbrt_numeric)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NaN:
            return sympy.S.NaN
        if x.is_extended_nonnegative:
            return sympy.Pow(x, sympy.Rational(1, 3))
        if x.is_extended_negative:
            return -sympy.Pow(-x, sympy.Rational(1, 3))
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return 1 / (3 * self**2)

    def _eval_evalf(self, prec):
        try:
            value = self.args[0]._to_mpmath(prec + 10)
        except (ValueError, TypeError, AttributeError):
            return None
        if not isinstance(value, mpmath.mpf):
            return None
        with mpmath.workprec(prec + 10):
            root = mpmath.sign(value) * mpmath.cbrt(abs(value))
        return sympy.Expr._from_mpmath(root, prec)

    def _eval_rewrite_as_Pow(self, x, **kwargs):
        return sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3)

    _eval_rewrite_as_sign = _eval_rewrite_as_Pow
    _eval_rewrite_as_Abs = _eval_rewrite_as_Pow

    def _eval_power(self, exponent):
        if exponent == 3:
            return self.args[0]
        return None

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_positive

    def _eval_is_negative(self):
        return self.args[0].is_negative

    def _eval_is_zero(self):
        return self.args[0].is_zero

    def _latex(self, printer, exp=None):
        text = rf"\sqrt[3]{{{printer._print(self.args[0])}}}"
        return latex_power(text, exp)


def real_power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
    """``base^exponent`` with odd roots of negative numbers read as real.

    >>> x = sympy.Symbol("x", real=True)
    >>> real_power(x, sympy.Rational(2, 3)), real_power(sympy.Integer(-32), sympy.Rational(1, 5))
    (cbrt(x)**2, -2)
    """
    if not (
        isinstance(exponent, sympy.Rational)
        and not exponent.is_integer
        and exponent.q % 2 == 1
        and not base.is_extended_nonnegative
    ):
        return sympy.Pow(base, exponent)
    p, q = int(exponent.p), int(exponent.q)
    if q == 3:
        return sympy.Pow(cbrt(base), p)
    magnitude = sympy.Pow(sympy.Abs(base), exponent)
    return magnitude if p % 2 == 0 else sympy.sign(base) * magnitude


def read_real(expr: sympy.Basic) -> sympy.Basic:
    """Return ``expr`` with every odd root read as real (what the parser builds).

    >>> x = sympy.Symbol("x", real=True)
    >>> read_real(x ** sympy.Rational(1, 3) + 1)
    cbrt(x) + 1
    """
    return expr.replace(
        lambda e: e.is_Pow and isinstance(e.exp, sympy.Rational) and not e.exp.is_integer,
        lambda e: real_power(e.base, e.exp),
    )
