"""How f behaves far out: coercive polynomials and decaying P·e^R.

Coercive (g → ∞ in every direction), by the Newton polygon: let Dᵢ be the
highest power of xᵢ in g. If each xᵢ^Dᵢ appears alone with Dᵢ even and a
positive coefficient, give each monomial x^a the weighted degree
w(a) = Σ aᵢ/Dᵢ. Terms with w < 1 are dominated (weighted AM–GM:
|x^a| ≤ Σ (aᵢ/Dᵢ)|xᵢ|^Dᵢ + 1 − w(a), and a factor growing slower), so g is
coercive when the part with w = 1 is positive away from 0. That part is
checked exactly in two variables (p(±1, t) has no real zero) and by a
sufficient test in more (even powers, positive coefficients).

Decay: f = P·e^R with P, R polynomials and −R coercive tends to 0 in every
direction (e^R falls faster than any power of |x| grows).

>>> x, y = sympy.symbols("x y", real=True)
>>> coercive_reason(x**4 + y**2 - 3*x*y, [x, y]) is not None
True
>>> coercive_reason(x**4 + y**2 + 3*x**2*y, [x, y]) is None  # y = -x² gives -x⁴
True
"""

from __future__ import annotations

import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.printing import to_plain

GROWTH_SECONDS = 2.0


def coercive_reason(g: sympy.Expr, variables: list[sympy.Symbol]) -> str | None:
    """Words proving g → +∞ in every direction, or None when not proved."""
    if not g.is_polynomial(*variables):
        return None
    try:
        with time_budget(GROWTH_SECONDS):
            return _weighted(sympy.Poly(sympy.expand(g), *variables), variables) or _quadratic(
                sympy.Poly(sympy.expand(g), *variables), variables
            )
    except (BudgetExceeded, sympy.PolynomialError):
        return None


def _weighted(poly: sympy.Poly, variables) -> str | None:
    n = len(variables)
    terms = dict(poly.terms())
    highest = [max(m[i] for m in terms) for i in range(n)]
    if any(d == 0 or d % 2 for d in highest):
        return None
    pure = []
    for i, d in enumerate(highest):
        mono = tuple(d if j == i else 0 for j in range(n))
        if not (terms.get(mono, 0) > 0):
            return None
        pure.append(mono)
    weight = {m: sum(sympy.Rational(a, d) for a, d in zip(m, highest, strict=True)) for m in terms}
    top = {m: c for m, c in terms.items() if weight[m] == 1}
    if any(w > 1 for w in weight.values()):
        return None
    leading = ", ".join(to_plain(variables[i] ** highest[i]) for i in range(n))
    base = (
        f"its highest powers {leading} are even with positive coefficients, and every other "
        f"term has weighted degree Σ aᵢ/Dᵢ"
    )
    if all(m in pure for m in top):
        return base + " < 1, so those powers dominate it (weighted AM–GM)"
    top_poly = sympy.Poly.from_dict(top, *variables)
    if n == 2:
        x, y = variables
        t = sympy.Dummy("t", real=True)
        for s in (1, -1):
            line = sympy.Poly(top_poly.as_expr().subs({x: s, y: t}, simultaneous=True), t)
            if sympy.real_roots(line):
                return None
        shown = to_plain(top_poly.as_expr())
        return base + (
            f" ≤ 1, and the part of weighted degree 1, {shown}, is positive away from 0 "
            "(it has no real zero on x = ±1), so it dominates the rest"
        )
    if all(c > 0 and all(e % 2 == 0 for e in m) for m, c in top.items()):
        return base + " ≤ 1, and the part of weighted degree 1 is a sum of even powers"
    return None


def _quadratic(poly: sympy.Poly, variables) -> str | None:
    """Degree 2: coercive iff the quadratic form is positive definite."""
    if poly.total_degree() != 2:
        return None
    top = sum(
        c * sympy.prod(v**e for v, e in zip(variables, m, strict=True))
        for m, c in poly.terms()
        if sum(m) == 2
    )
    form = sympy.hessian(top, variables) / 2
    if form.is_positive_definite:
        return "its quadratic part is positive definite"
    return None


def exp_polynomial(f: sympy.Expr, variables) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(P, R) with f = P·e^R, P and R polynomials in ``variables``, else None."""
    factors = sympy.Mul.make_args(f)
    exps = [a for a in factors if isinstance(a, sympy.exp)]
    if not exps:
        return None
    rest = sympy.Mul(*[a for a in factors if not isinstance(a, sympy.exp)])
    r = sympy.Add(*[a.args[0] for a in exps])
    if rest.is_polynomial(*variables) and r.is_polynomial(*variables):
        return rest, r
    return None


def decay_reason(f: sympy.Expr, variables) -> str | None:
    """Words proving f → 0 in every direction, or None when not proved."""
    split = exp_polynomial(f, variables)
    if split is None:
        return None
    p, r = split
    why = coercive_reason(-r, variables)
    if why is None:
        return None
    return (
        f"f = P·e^R with P = {to_plain(p)} and R = {to_plain(r)}; −R → ∞ in every direction "
        f"({why}), so e^R falls faster than any power of |x| grows and f → 0"
    )
