"""Derivatives as students get them wrong: one rule misapplied, at one node or everywhere.

``faulty_derivative(f, x, fault, at)`` differentiates ``f`` correctly except
that ``fault`` is made at the node whose path (child indices from the root) is
``at``, or at every node where it applies when ``at`` is None. Comparing an
answer with these variants names the mistake a student made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

# Faults and the rule each one breaks.
NO_CHAIN = "missing_chain_factor"  # d f(u) = f'(u), without u'
PRODUCT_AS_PRODUCT = "product_rule_as_product"  # d(uv) = u'v'
POWER_NOT_LOWERED = "power_rule_exponent_not_lowered"  # d u^n = n u^n u'
QUOTIENT_NO_SQUARE = "quotient_rule_denominator"  # d(u/v) = (u'v - uv')/v
QUOTIENT_AS_QUOTIENT = "quotient_rule_as_quotient"  # d(u/v) = u'/v'
EXP_AS_POWER = "power_rule_on_exponential"  # d a^u = u a^(u-1)
TRIG_SIGN = "trig_derivative_sign"  # d cos u = +sin u u'

FAULTS = (
    NO_CHAIN,
    PRODUCT_AS_PRODUCT,
    POWER_NOT_LOWERED,
    QUOTIENT_NO_SQUARE,
    QUOTIENT_AS_QUOTIENT,
    EXP_AS_POWER,
    TRIG_SIGN,
)

# Functions whose derivative carries a minus sign that students drop.
_NEGATIVE_DERIVATIVE = (sympy.cos, sympy.cot, sympy.csc, sympy.acos, sympy.acot)


@dataclass
class _Walk:
    x: sympy.Symbol
    fault: str
    at: tuple[int, ...] | None
    applied: list[tuple[int, ...]] = field(default_factory=list)
    sites: list[tuple[int, ...]] = field(default_factory=list)

    def here(self, path: tuple[int, ...]) -> bool:
        self.sites.append(path)
        if self.at is None or self.at == path:
            self.applied.append(path)
            return True
        return False


def _split_quotient(e: sympy.Mul, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(u, v) with e = u/v when both depend on x, else None."""
    numerator, denominator = e.as_numer_denom()
    if numerator.has(x) and denominator.has(x):
        return numerator, denominator
    return None


def _d(e: sympy.Expr, path: tuple[int, ...], w: _Walk) -> sympy.Expr:
    x = w.x
    if not e.has(x):
        return sympy.Integer(0)
    if e == x:
        return sympy.Integer(1)
    if e.is_Add:
        return sympy.Add(*(_d(a, path + (i,), w) for i, a in enumerate(e.args)))
    if e.is_Mul:
        return _d_mul(e, path, w)
    if e.is_Pow:
        return _d_pow(e, path, w)
    if isinstance(e, sympy.Function) and len(e.args) == 1:
        u = e.args[0]
        outer = e.fdiff(1)
        if w.fault == TRIG_SIGN and isinstance(e, _NEGATIVE_DERIVATIVE) and w.here(path):
            outer = -outer
        inner = _d(u, path + (0,), w)
        if w.fault == EXP_AS_POWER and isinstance(e, sympy.exp) and w.here(path):
            # Treating e^u as x^n: the exponent comes down, no chain factor.
            return u * sympy.exp(u - 1)
        if w.fault == NO_CHAIN and u != x and w.here(path):
            inner = sympy.Integer(1)
        return outer * inner
    return sympy.diff(e, x)


def _d_mul(e: sympy.Mul, path: tuple[int, ...], w: _Walk) -> sympy.Expr:
    x = w.x
    if w.fault in (QUOTIENT_NO_SQUARE, QUOTIENT_AS_QUOTIENT):
        parts = _split_quotient(e, x)
        if parts is not None and w.here(path):
            u, v = parts
            du, dv = sympy.diff(u, x), sympy.diff(v, x)
            if w.fault == QUOTIENT_NO_SQUARE:
                return (du * v - u * dv) / v
            return du / dv
    factors = list(e.args)
    varying = [i for i, f in enumerate(factors) if f.has(x)]
    if w.fault == PRODUCT_AS_PRODUCT and len(varying) >= 2 and w.here(path):
        constant = sympy.Mul(*(f for f in factors if not f.has(x)))
        return constant * sympy.Mul(*(_d(factors[i], path + (i,), w) for i in varying))
    terms = []
    for i in varying:
        others = sympy.Mul(*(f for j, f in enumerate(factors) if j != i))
        terms.append(_d(factors[i], path + (i,), w) * others)
    return sympy.Add(*terms)


def _d_pow(e: sympy.Pow, path: tuple[int, ...], w: _Walk) -> sympy.Expr:
    x = w.x
    base, exponent = e.args
    if not exponent.has(x):
        outer = exponent * base ** (exponent - 1)
        # Only positive exponents: students meet the rule on x^n and roots.
        if w.fault == POWER_NOT_LOWERED and exponent.is_positive and w.here(path):
            outer = exponent * base**exponent
        inner = _d(base, path + (0,), w)
        if w.fault == NO_CHAIN and base != x and w.here(path):
            inner = sympy.Integer(1)
        return outer * inner
    if not base.has(x):
        outer = e * sympy.log(base)
        if w.fault == EXP_AS_POWER and w.here(path):
            return exponent * base ** (exponent - 1)
        inner = _d(exponent, path + (1,), w)
        if w.fault == NO_CHAIN and exponent != x and w.here(path):
            inner = sympy.Integer(1)
        return outer * inner
    return sympy.diff(e, x)


def faulty_derivative(
    f: sympy.Expr, x: sympy.Symbol, fault: str, at: tuple[int, ...] | None = None
) -> tuple[sympy.Expr | None, list[tuple[int, ...]]]:
    """d/dx f with ``fault`` made at node ``at`` (every applicable node when None).

    Returns (the faulty derivative or None if the fault applies nowhere, the
    paths of every node where it could apply).

    >>> x = sympy.Symbol("x", real=True)
    >>> faulty_derivative(sympy.sin(3 * x), x, NO_CHAIN)[0]
    cos(3*x)
    """
    walk = _Walk(x=x, fault=fault, at=at)
    result = _d(f, (), walk)
    return (result if walk.applied else None), walk.sites
