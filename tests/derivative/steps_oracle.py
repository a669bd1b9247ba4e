"""Independent checks for traced derivatives: SymPy's diff, evaluated numerically.

A claim "after = d(before)/d(var)" is checked against ``sympy.diff(before, var)``
at sample points where before, after and the oracle are all finite and real
(the domain of each step); "after = before" is checked the same way. Points
are evaluated with 30-digit floats so cancellation does not fake a mismatch.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

# Spread over the domains of every function in the corpus: (-1, 1) for asin
# and atanh, |u| > 1 for asec and acosh, positive for log and x^x.
CANDIDATES = (
    0.37,
    1.29,
    -0.61,
    2.3,
    0.83,
    -1.7,
    0.12,
    3.1,
    -0.23,
    1.77,
    -2.6,
    0.55,
    -3.3,
    4.2,
    0.05,
    -0.91,
)
REL_TOL = 1e-7


@dataclass
class Outcome:
    """What a check found: 'ok', 'mismatch' or 'unchecked' (no real point)."""

    status: str
    detail: str = ""


def value(expr: sympy.Basic, point: dict) -> complex | None:
    """Return expr at point as a complex number, or None where undefined."""
    try:
        out = complex(expr.xreplace(point).evalf(20))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    if not (math.isfinite(out.real) and math.isfinite(out.imag)):
        return None
    return out


def real_value(expr: sympy.Basic, point: dict) -> complex | None:
    """Return expr at point when it and every subexpression are real, else None.

    This is the real-analysis domain: |x·acos(x)| at x = 1.3 is a real number
    but acos(1.3) is not, so the point is outside the domain of that function
    and no real-variable rule is claimed there.
    """
    try:
        v = _strict(expr, point)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError):
        return None
    return None if v is None else complex(v)


def _strict(expr: sympy.Basic, point: dict) -> sympy.Float | None:
    if expr in point:
        return point[expr]
    if expr.is_Number or expr.is_NumberSymbol:
        return _checked(expr.evalf(30))
    if (
        not isinstance(expr, sympy.Expr)
        or isinstance(expr, (sympy.Piecewise, sympy.Derivative, sympy.Subs))
        or not expr.args
    ):
        return _checked(expr.xreplace(point).evalf(30))
    args = []
    for arg in expr.args:
        v = _strict(arg, point)
        if v is None:
            return None
        args.append(v)
    return _checked(expr.func(*args).evalf(30))


def _checked(v: sympy.Basic) -> sympy.Float | None:
    try:
        c = complex(v)
    except TypeError:
        return None
    if not (math.isfinite(c.real) and math.isfinite(c.imag)):
        return None
    if abs(c.imag) > 1e-12 * max(1.0, abs(c.real)):
        return None
    return sympy.Float(c.real, 30) if c.imag else v


def _real(v: complex | None) -> bool:
    return v is not None and abs(v.imag) <= 1e-9 * max(1.0, abs(v.real))


def _close(a: complex, b: complex) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


def points_for(symbols: list[sympy.Symbol], seed: int, count: int = len(CANDIDATES)) -> list[dict]:
    """Sample points: the first symbol over CANDIDATES (jittered), others random."""
    rng = random.Random(seed)
    points = []
    for c in CANDIDATES[:count]:
        point = {}
        for i, s in enumerate(symbols):
            v = c * (1 + 0.01 * rng.random()) if i == 0 else rng.uniform(0.4, 2.2)
            point[s] = sympy.Float(v, 30)
        points.append(point)
    return points


def check_equal(
    ours: sympy.Basic,
    reference: sympy.Basic,
    seed: int = 0,
    need: int = 3,
    domain: sympy.Basic | None = None,
    main: sympy.Symbol | None = None,
) -> Outcome:
    """Check ours == reference at points in the real domain of ``domain`` and ``ours``.

    ``reference`` (SymPy's answer) is evaluated as it stands; where ours is real
    and the reference is not, or the other way round, that is a mismatch.
    """
    if ours == reference or (ours - reference) == 0:
        return Outcome("ok")
    domain = ours if domain is None else domain
    symbols = sorted(
        ours.free_symbols | reference.free_symbols | domain.free_symbols,
        key=lambda s: (s != main and s.name != "x", s.name),
    )
    good = 0
    for point in points_for(symbols, seed):
        if real_value(domain, point) is None:
            continue
        a, b = value(ours, point), value(reference, point)
        if a is None or b is None:
            continue  # a pole of the derivative where the function is defined
        if _real(a) and _real(b) and _close(a, b):
            good += 1
            if good >= need:
                break
            continue
        shown = {str(k): float(v) for k, v in point.items()}
        return Outcome("mismatch", f"{ours} != {reference} at {shown}: {a} vs {b}")
    return Outcome("ok" if good else "unchecked", "" if good else f"no real point for {domain}")


def concretize(expr: sympy.Basic) -> sympy.Basic:
    """Replace each unknown function y(x) by a fixed smooth function, then evaluate.

    An identity that holds for every differentiable y(x) holds for this one, so
    the implicit-differentiation steps can be checked like any other.
    """
    undefined = expr.atoms(AppliedUndef)
    if not undefined:
        return expr
    mapping = {}
    for f in undefined:
        (t,) = f.args
        mapping[f] = t**2 / 3 + sympy.sin(t) + sympy.Rational(5, 2)
    return expr.subs(mapping).doit()


def check_step(before, after, var, kind: str, seed: int = 0) -> Outcome:
    """Check one step's claim with SymPy's diff as the oracle."""
    if kind == "derivative":
        if before.atoms(AppliedUndef) or after.atoms(AppliedUndef):
            before, after = concretize(before), concretize(after)
        oracle = sympy.diff(before, var)
        return check_equal(after, oracle, seed, domain=before, main=var)
    if kind == "equal":
        return check_equal(after, before, seed, domain=before)
    if kind == "differentiated_equation":
        for side_before, side_after in ((before.lhs, after.lhs), (before.rhs, after.rhs)):
            outcome = check_step(side_before, side_after, var, "derivative", seed)
            if outcome.status != "ok":
                return outcome
        return Outcome("ok")
    if kind == "equation":
        moved_before = concretize(before.lhs - before.rhs)
        moved_after = concretize(after.lhs - after.rhs)
        return check_equal(moved_after, moved_before, seed, domain=moved_before)
    if kind == "solve":
        lhs = concretize(before.lhs.subs(var, after))
        rhs = concretize(before.rhs.subs(var, after))
        return check_equal(lhs, rhs, seed, domain=lhs)
    raise ValueError(f"unknown step kind {kind}")
