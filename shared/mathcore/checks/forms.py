"""Form tests on unevaluated trees: identical form, expanded, factored.

``form_key`` maps an expression to a canonical key that forgets only the order
of terms and factors and the grouping of sums and products: ``x + (y + z)``
and ``(z + x) + y`` share a key, ``2/4`` and ``1/2`` do not, nor do ``1*x``
and ``x``. Division is kept as a numerator and a denominator, so ``x/2``
typed by a student and SymPy's evaluated ``x/2`` (``Rational(1, 2)*x``) agree.
"""

from __future__ import annotations

import logging

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)

Key = tuple


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


def _integer_factors(n: int) -> list[Key]:
    # -2 and (-1)*2 are one form: a sign is not arithmetic.
    if n < -1:
        return [("n", -1), ("n", -n)]
    return [("n", n)]


def _denominator(base: sympy.Basic, power: int) -> list[Key]:
    if power != 1:
        return [("^", form_key(base), ("n", power))]
    if isinstance(base, sympy.Mul) and not any(
        f.is_Pow and f.exp.is_negative for f in _flatten(base, sympy.Mul)
    ):
        return [k for f in _flatten(base, sympy.Mul) for k in _factor_keys(f)[0]]
    return [form_key(base)]


def _factor_keys(factor: sympy.Basic) -> tuple[list[Key], list[Key]]:
    """(numerator keys, denominator keys) of one factor of a product."""
    if factor.is_Integer:
        return _integer_factors(int(factor)), []
    if factor.is_Rational:
        num = [] if factor.p == 1 else _integer_factors(int(factor.p))
        return num, [("n", int(factor.q))]
    if factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
        return [], _denominator(factor.base, int(-factor.exp))
    return [form_key(factor)], []


def _product_key(factors: list[sympy.Basic]) -> Key:
    num: list[Key] = []
    den: list[Key] = []
    for factor in factors:
        n, d = _factor_keys(factor)
        num.extend(n)
        den.extend(d)
    if den:
        # "1/x" is Mul(1, Pow(x, -1)) unevaluated: that 1 is a numerator, not "1*".
        num = [k for k in num if k != ("n", 1)]
    if not den and len(num) == 1:
        return num[0]
    return ("*", tuple(sorted(num, key=repr)), tuple(sorted(den, key=repr)))


def form_key(expr: sympy.Basic) -> Key:
    """A canonical key: equal keys mean the same form up to order and grouping.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> form_key(x + y) == form_key(y + x)
    True
    """
    if expr.is_Symbol:
        return ("s", expr.name)
    if expr.is_Integer or expr.is_Rational:
        return _product_key([expr])
    if expr.is_Float:
        return ("f", str(expr))
    if expr.is_Add:
        terms = _flatten(expr, sympy.Add)
        return ("+", tuple(sorted((form_key(t) for t in terms), key=repr)))
    if expr.is_Mul:
        return _product_key(_flatten(expr, sympy.Mul))
    if expr.is_Pow:
        if expr.exp.is_Integer and expr.exp < 0:
            return _product_key([expr])
        return ("^", form_key(expr.base), form_key(expr.exp))
    if isinstance(expr, sympy.exp):
        # "e^x" parses to Pow(E, x), "exp(x)" to exp(x): one form, two spellings.
        return ("^", form_key(sympy.E), form_key(expr.args[0]))
    if not expr.args:
        return ("c", type(expr).__name__, str(expr))
    return ("fn", type(expr).__name__, tuple(form_key(a) for a in expr.args))


def same_form(answer: sympy.Basic, expected: sympy.Basic) -> bool:
    """True when both are the same expression up to order and grouping (no arithmetic)."""
    return form_key(answer) == form_key(expected)


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

    A sum whose content is not 1 (``2x + 2``) counts as reducible: 2(x + 1).
    Returns ``expr`` itself when the check runs out of time (undecided: caller's call).
    """
    try:
        with time_budget(seconds):
            for base in _bases(expr):
                if not _is_sum(base):
                    continue
                coefficient, factors = sympy.factor_list(evaluated(base))
                if abs(coefficient) != 1 or len(factors) != 1 or factors[0][1] != 1:
                    return base
    except BudgetExceeded:
        return expr
    except (sympy.PolynomialError, sympy.polys.polyerrors.PolificationFailed):
        logger.debug("factor_list refused %s", expr, exc_info=True)
    return None
