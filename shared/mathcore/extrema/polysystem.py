"""Every real solution of a polynomial system ∇f = 0, exactly.

SymPy's ``solve`` silently returns 4 of the 9 critical points of Himmelblau's
function, so polynomial systems are solved here with Gröbner bases instead:

1. the ideal must be zero-dimensional (finitely many complex solutions);
2. it is made radical (Seidenberg: add the square-free part of each
   variable's univariate eliminant), so no solution is counted twice;
3. a linear change of the last variable s = xₙ + Σ kᵢxᵢ puts it in *shape
   position*: a lex basis {x₁ − g₁(s), …, xₙ₋₁ − gₙ₋₁(s), h(s)} (shape lemma);
4. the real roots of h are isolated exactly (``real_roots``) and each gives one
   real solution through the gᵢ.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)

SHIFTS = ((0,), (1,), (-1,), (2,), (3,), (-2,), (5,))


class NotSolvable(Exception):
    """The system is not polynomial, not zero-dimensional, or too costly."""


def is_polynomial_system(exprs: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]) -> bool:
    return all(e.is_polynomial(*variables) for e in exprs)


def _univariate_eliminant(polys, variables, var) -> sympy.Expr:
    order = [v for v in variables if v != var] + [var]
    basis = sympy.groebner(polys, *order, order="lex")
    for g in reversed(basis.exprs):
        if g.free_symbols <= {var}:
            return g
    raise NotSolvable("no univariate eliminant: the ideal is not zero-dimensional")


def _shape_basis(polys, variables, shift):
    """Try s = xₙ + Σ kᵢxᵢ; return (s, basis) when the lex basis is in shape position."""
    *head, last = variables
    s = sympy.Dummy("s", real=True)
    ks = (
        [shift[i % len(shift)] * (i + 1) for i in range(len(head))]
        if any(shift)
        else [0] * len(head)
    )
    replaced = [
        sympy.expand(p.subs(last, s - sum(k * v for k, v in zip(ks, head, strict=True))))
        for p in polys
    ]
    basis = sympy.groebner(replaced, *head, s, order="lex").exprs
    if len(basis) != len(variables) or not basis[-1].free_symbols <= {s}:
        return None
    for g, v in zip(basis[:-1], head, strict=True):
        poly = sympy.Poly(g, v)
        if g.free_symbols - {v, s} or poly.degree() != 1 or poly.LC().free_symbols:
            return None
    return s, ks, basis


def real_solutions(
    exprs: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    seconds: float | str = "groebner",
) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """All real solutions of a zero-dimensional polynomial system, exact.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> real_solutions([3*x**2 - 3, 2*y], [x, y])
    [{x: -1, y: 0}, {x: 1, y: 0}]

    Raises NotSolvable when the method does not apply or runs out of time.
    """
    variables = list(variables)
    polys = [sympy.expand(e) for e in exprs if sympy.expand(e) != 0]
    try:
        with time_budget(seconds):
            if not polys:
                raise NotSolvable("every equation is 0: every point solves it")
            base = sympy.groebner(polys, *variables, order="lex")
            if base.exprs == [1]:
                return []
            if not base.is_zero_dimensional:
                raise NotSolvable("infinitely many solutions (a curve or surface of them)")
            radical = list(base.exprs)
            eliminants = {}
            for v in variables:
                eliminants[v] = sympy.sqf_part(_univariate_eliminant(base.exprs, variables, v))
                radical.append(eliminants[v])
            if len(variables) == 1:
                h = sympy.sqf_part(radical[-1])
                return [{variables[0]: r} for r in _real_roots(h, variables[0])]
            for shift in SHIFTS:
                shaped = _shape_basis(radical, variables, shift)
                if shaped is not None:
                    return _named_roots(_back_substitute(shaped, variables), eliminants)
    except BudgetExceeded as exc:
        raise NotSolvable("the Gröbner basis took too long") from exc
    except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed) as exc:
        raise NotSolvable(str(exc)) from exc
    raise NotSolvable("no linear change of variables reached shape position")


def _real_roots(h: sympy.Expr, var: sympy.Symbol) -> list[sympy.Expr]:
    roots = sympy.real_roots(sympy.Poly(h, var))
    unique = []
    for r in roots:
        if not unique or r != unique[-1]:
            unique.append(r)
    return unique


def _back_substitute(shaped, variables):
    s, ks, basis = shaped
    *head, last = variables
    solutions = []
    for r in _real_roots(basis[-1], s):
        point = {}
        for g, v in zip(basis[:-1], head, strict=True):
            poly = sympy.Poly(g, v)
            value = -poly.coeff_monomial(1) / poly.LC()
            point[v] = _tidy_algebraic(sympy.expand(value.subs(s, r)))
        point[last] = _tidy_algebraic(
            sympy.expand(r - sum(k * point[v] for k, v in zip(ks, head, strict=True)))
        )
        solutions.append(point)
    return sorted(solutions, key=lambda p: tuple(float(sympy.N(p[v], 20)) for v in variables))


def _named_roots(solutions, eliminants):
    """Write a coordinate given as a polynomial in a CRootOf as the matching
    root of its own eliminant: CRootOf(x³ + 2x² − 10x − 19, 0), not a degree-8
    expression in another variable's root."""
    roots_of = {}
    for point in solutions:
        for v, value in point.items():
            if not value.has(sympy.CRootOf):
                continue
            if v not in roots_of:
                roots_of[v] = _real_roots(eliminants[v], v)
            target = sympy.N(value, 30)
            best = min(roots_of[v], key=lambda r: abs(sympy.N(r, 30) - target))
            if abs(sympy.N(best, 30) - target) < 1e-20:
                point[v] = best
    return solutions


def _tidy_algebraic(value: sympy.Expr) -> sympy.Expr:
    """Radicals simplify cheaply; a polynomial in a CRootOf is left as it is."""
    if value.has(sympy.CRootOf):
        return value
    try:
        with time_budget("tidy_value"):
            return sympy.radsimp(sympy.simplify(value))
    except BudgetExceeded:
        return value
