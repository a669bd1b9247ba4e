"""Closed forms for the algebraic numbers real-root isolation returns.

``real_roots`` answers with ``CRootOf(p, k)``, exact but unreadable by our own
parser. The contract asks for a closed form where one exists: each irreducible
factor of p of degree ≤ 4 (and binomials, biquadratics, ...) has its roots by
radicals (``sympy.roots``); a radical form with no i in it is used. A cubic
with three real roots has none (casus irreducibilis: Cardano's formula needs
complex numbers), so its trigonometric form (Viète) is given instead. A root
with neither stays a ``CRootOf`` and is printed as null (see ``printable``).

>>> x = sympy.Symbol("x")
>>> closed_form(sympy.CRootOf(x**2 - 2, 1))
sqrt(2)
"""

from __future__ import annotations

import functools
import logging

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.printing import to_plain

logger = logging.getLogger(__name__)

DIGITS = 30
MATCH = 1e-20


def closed_form(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every CRootOf in it replaced by a real closed form where
    one is found (within 2 s each); others are left as they are."""
    if not expr.has(sympy.CRootOf):
        return expr
    found = {}
    for root in expr.atoms(sympy.CRootOf):
        form = _root_closed_form(root)
        if form is not None:
            found[root] = form
    if not found:
        return expr
    out = expr.xreplace(found)
    if out.has(sympy.CRootOf):
        return out
    try:
        with time_budget("radicals"):
            simpler = sympy.radsimp(sympy.expand(out))
        return simpler if sympy.count_ops(simpler) <= sympy.count_ops(out) else out
    except BudgetExceeded:
        return out


@functools.lru_cache(maxsize=256)
def _root_closed_form(root: sympy.CRootOf) -> sympy.Expr | None:
    target = sympy.N(root, DIGITS)
    var = root.poly.gen
    try:
        with time_budget("radicals"):
            _, factors = sympy.factor_list(root.poly.as_expr(), var)
            for factor, _ in factors:
                for candidate in _candidates(sympy.Poly(factor, var)):
                    if abs(sympy.N(candidate, DIGITS) - target) < MATCH:
                        return candidate
    except (BudgetExceeded, NotImplementedError, sympy.PolynomialError, ValueError):
        logger.info("no closed form found for %s", root)
    return None


def _candidates(poly: sympy.Poly) -> list[sympy.Expr]:
    """Real closed forms of the roots of an irreducible polynomial."""
    out = [
        r
        for r in sympy.roots(poly, cubics=True, quartics=True, quintics=False)
        if not r.has(sympy.I) and r.is_real is not False
    ]
    if poly.degree() == 3 and len(out) < 3:
        out += _viete(poly)
    return out


def _viete(poly: sympy.Poly) -> list[sympy.Expr]:
    """The three real roots of a cubic by Viète's trigonometric formula:
    x = −b/(3a) + 2√(−p/3)·cos(⅓·acos((3q/(2p))·√(−3/p)) − 2πk/3), k = 0, 1, 2,
    for the depressed cubic t³ + pt + q (x = t − b/(3a)); needs 4p³ + 27q² < 0."""
    a, b, c, d = poly.all_coeffs()
    p = (3 * a * c - b**2) / (3 * a**2)
    q = (2 * b**3 - 9 * a * b * c + 27 * a**2 * d) / (27 * a**3)
    if not (4 * p**3 + 27 * q**2).is_negative:
        return []
    angle = sympy.acos(sympy.radsimp(3 * q / (2 * p) * sympy.sqrt(-3 / p))) / 3
    scale = 2 * sympy.sqrt(-p / 3)
    return [-b / (3 * a) + scale * sympy.cos(angle - 2 * sympy.pi * k / 3) for k in range(3)]


def printable(expr: sympy.Expr) -> str | None:
    """The canonical plain form of an exact number in closed form, or None
    when our parser could not read it back (a CRootOf with no closed form)."""
    expr = closed_form(expr)
    if expr.has(sympy.CRootOf):
        return None
    text = to_plain(expr)
    try:
        parse_expression(text)
    except ParseError:
        logger.warning("the exact form %r does not parse back", text)
        return None
    return text
