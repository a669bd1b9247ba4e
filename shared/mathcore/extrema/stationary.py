"""Solving f'(x) = 0 on an interval: exactly for rational f', by solveset
otherwise (over the interval, so periodic solutions inside are all listed),
and recognising numeric roots as exact numbers where f' vanishes exactly."""

from __future__ import annotations

import math

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.domain import Component
from shared.mathcore.simplifier import tidy

# Members of an infinite family of critical points listed when f is not periodic.
FAMILY_WINDOW = 20


def family_members(family: sympy.Set, lo: float, hi: float) -> list[sympy.Expr] | None:
    """Members of a union of ImageSets n ↦ c0 + c1·n (n ∈ ℤ) inside (lo, hi)."""
    parts = family.args if isinstance(family, sympy.Union) else (family,)
    out = []
    for part in parts:
        if isinstance(part, sympy.FiniteSet):
            out.extend(p for p in part if lo < float(p) < hi)
            continue
        if not (isinstance(part, sympy.ImageSet) and part.base_sets == (sympy.S.Integers,)):
            return None
        (n,), body = part.lamda.variables, part.lamda.expr
        poly = sympy.Poly(body, n) if body.is_polynomial(n) else None
        if poly is None or poly.degree() != 1:
            return None
        c1, c0 = (float(c) for c in poly.all_coeffs())
        ends = sorted(((lo - c0) / c1, (hi - c0) / c1))
        first = math.ceil(ends[0]) if math.isfinite(ends[0]) else None
        last = math.floor(ends[1]) if math.isfinite(ends[1]) else None
        if first is None or last is None:
            return None
        out.extend(
            body.subs(n, k) for k in range(first, last + 1) if lo < float(body.subs(n, k)) < hi
        )
    return out


def rational_roots(fp: sympy.Expr, x: sympy.Symbol, inside: sympy.Interval):
    """Real zeros of a rational f' = p/q in the open interval, exactly and
    completely: real-root isolation of p (radicals or CRootOf, written in
    closed form on output: see ``closed_form``), q ≠ 0."""
    try:
        with time_budget("solve"):
            num, den = sympy.together(fp).as_numer_denom()
            if not (num.is_polynomial(x) and den.is_polynomial(x)) or num.free_symbols - {x}:
                return None
            if num.is_zero:
                return None
            roots = []
            for r in sympy.real_roots(sympy.Poly(num, x)):
                if roots and roots[-1] == r:
                    continue
                if inside.contains(r) == sympy.true and den.subs(x, r) != 0:
                    roots.append(r)
    except (BudgetExceeded, sympy.PolynomialError, NotImplementedError, ValueError, TypeError):
        return None
    return roots


def solve_stationary(fp: sympy.Expr, x: sympy.Symbol, comp: Component):
    """Solve f'(x) = 0 inside a component: (points, family or None), or None on failure."""
    inside = sympy.Interval.open(comp.lo, comp.hi)
    rational = rational_roots(fp, x, inside)
    if rational is not None:
        return rational, None
    try:
        with time_budget("solve"):
            sol = sympy.solveset(fp, x, inside)
            if isinstance(sol, sympy.FiniteSet):
                return [p for p in sol if p.is_real is not False], None
            if sol is sympy.S.EmptySet:
                return [], None
            whole = sympy.solveset(fp, x, sympy.Reals)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    if isinstance(whole, (sympy.ConditionSet, sympy.Complement, sympy.Intersection)):
        return None
    lo, hi = float(comp.lo), float(comp.hi)
    members = family_members(whole, lo, hi)
    if members is not None:
        return members, None
    if math.isinf(lo) or math.isinf(hi):
        window = family_members(whole, max(lo, -FAMILY_WINDOW), min(hi, FAMILY_WINDOW))
        if window is not None:
            return window, whole
    return None


def snap_root(r: float, fp: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, bool]:
    """Recognise a numeric root of f' as a simple exact number when f' vanishes
    there exactly (0.785398... -> pi/4); otherwise keep the float."""
    try:
        with time_budget("snap"):
            guess = sympy.nsimplify(r, [sympy.pi, sympy.E], tolerance=1e-10)
            if sympy.count_ops(guess) <= 12 and tidy(fp.subs(x, guess), 0.5) == 0:
                return guess, True
    except (BudgetExceeded, ValueError, TypeError, ZeroDivisionError):
        pass
    return sympy.Float(r, 15), False
