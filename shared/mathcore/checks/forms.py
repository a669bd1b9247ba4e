"""Form tests on unevaluated trees: expanded and factored.

(The identical-form test reads the written form itself: see :mod:`formtree`.)
"""

from __future__ import annotations

import logging

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)


def _flatten(expr: sympy.Basic, kind: type) -> list[sympy.Basic]:
    out: list[sympy.Basic] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            stack.extend(reversed(node.args))
        else:
            out.append(node)
    return out


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild an unevaluated tree with SymPy's automatic evaluation on."""
    if not expr.args or expr.is_Atom:
        return expr
    with sympy.evaluate(True):
        return expr.func(*(evaluated(a) for a in expr.args))


def _is_sum(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.Add)


def unexpanded_part(expr: sympy.Basic) -> sympy.Basic | None:
    """The first product or power of a sum in ``expr`` (not in a denominator), or None.

    A sum in a denominator is allowed: ``x/(x + 1)`` counts as expanded.
    """
    if expr.is_Pow:
        exponent = expr.exp
        if _is_sum(expr.base) and exponent.is_Integer and exponent > 1:
            return expr
        parts = [expr.base] if exponent.is_Integer and exponent < 0 else expr.args
        for part in parts:
            found = unexpanded_part(part)
            if found is not None:
                return found
        return None
    if expr.is_Mul:
        factors = _flatten(expr, sympy.Mul)
        numerator = [f for f in factors if not (f.is_Pow and f.exp.is_negative)]
        if any(_is_sum(f) for f in numerator) and len(numerator) > 1:
            return expr
    for arg in expr.args:
        found = unexpanded_part(arg)
        if found is not None:
            return found
    return None


def _bases(expr: sympy.Basic) -> list[sympy.Basic]:
    """The bases of the factors of a product (powers stripped)."""
    out = []
    for factor in _flatten(expr, sympy.Mul):
        while factor.is_Pow and factor.exp.is_Integer:
            factor = factor.base
        if isinstance(factor, sympy.Mul):
            out.extend(_bases(factor))
        else:
            out.append(factor)
    return out


def reducible_factor(expr: sympy.Basic, seconds: float = 1.0) -> sympy.Basic | None:
    """A factor of ``expr`` that factors further over the rationals, or None.

    A sum whose content has a numerator other than 1 (``2x + 2``) counts as
    reducible: 2(x + 1); ``x + 1/2`` does not.
    Returns ``expr`` itself when the check runs out of time (undecided: caller's call).
    """
    try:
        with time_budget(seconds):
            for base in _bases(expr):
                if not _is_sum(base):
                    continue
                numerator, denominator = sympy.fraction(sympy.together(evaluated(base)))
                if denominator.free_symbols:
                    return base  # x - 4 + 4/x is a quotient: (x - 2)^2/x
                coefficient, factors = sympy.factor_list(numerator)
                coefficient = coefficient / denominator
                # An integer content other than 1 factors out (2x + 2 = 2(x + 1)); a
                # fractional one like x + 1/2 = (2x + 1)/2 does not (STACK's FacForm).
                content = abs(sympy.Rational(coefficient).p) if coefficient.is_Rational else 1
                if content != 1 or len(factors) != 1 or factors[0][1] != 1:
                    return base
    except BudgetExceeded:
        return expr
    except (sympy.PolynomialError, sympy.polys.polyerrors.PolificationFailed):
        logger.debug("factor_list refused %s", expr, exc_info=True)
    return None
