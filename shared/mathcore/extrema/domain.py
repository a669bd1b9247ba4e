"""Where f is defined on an interval, and where f' may fail to exist.

The domain comes from SymPy's ``continuous_domain`` and is checked against a
sample of f on a grid: SymPy answers some periodic cases wrongly (it gives
``(0, pi)`` for ``log(sin x)`` on ``[-1, 7]``), so a disagreement switches to a
numeric domain whose ends are found by bisection.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import sympy
from sympy.calculus.util import continuous_domain

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.bigfloat import big_values
from shared.mathcore.printing import to_plain

logger = logging.getLogger(__name__)

DOMAIN_SECONDS = 3.0
# Unbounded directions are sampled up to this magnitude (the grid is sinh-spaced).
FAR = 1e6


@dataclass(frozen=True)
class Component:
    """One interval of the domain: f is defined and continuous on it."""

    lo: sympy.Expr
    hi: sympy.Expr
    lo_closed: bool
    hi_closed: bool

    @property
    def text(self) -> str:
        return interval_text(self.as_set())

    def as_set(self) -> sympy.Set:
        return sympy.Interval(self.lo, self.hi, not self.lo_closed, not self.hi_closed)

    def interior_contains(self, value: float) -> bool:
        return float(self.lo) < value < float(self.hi)

    def contains(self, value: float) -> bool:
        lo, hi = float(self.lo), float(self.hi)
        return (lo < value or (self.lo_closed and value == lo)) and (
            value < hi or (self.hi_closed and value == hi)
        )


def interval_text(interval: sympy.Set) -> str:
    """[a, b), (−∞, b], ... as a book writes it; other sets in plain form."""
    if not isinstance(interval, sympy.Interval):
        if isinstance(interval, sympy.FiniteSet):
            return "{" + ", ".join(to_plain(p) for p in interval) + "}"
        return to_plain(interval)
    left = "(" if interval.left_open else "["
    right = ")" if interval.right_open else "]"
    return f"{left}{to_plain(interval.start)}, {to_plain(interval.end)}{right}"


def real_odd_roots(expr: sympy.Expr) -> sympy.Expr:
    """Read b^(p/q) with q odd as the real root, as calculus books do.

    SymPy's principal branch makes (-8)^(2/3) complex; the textbook value is 4:
    b^(p/q) = |b|^(p/q) for p even and sign(b)·|b|^(p/q) for p odd.
    """

    def is_odd_root(e: sympy.Basic) -> bool:
        return (
            e.is_Pow
            and e.exp.is_Rational
            and not e.exp.is_Integer
            and e.exp.q % 2 == 1
            and not e.base.is_nonnegative
        )

    def real_root(e: sympy.Pow) -> sympy.Expr:
        magnitude = sympy.Abs(e.base) ** e.exp
        return magnitude if e.exp.p % 2 == 0 else sympy.sign(e.base) * magnitude

    return expr.replace(is_odd_root, real_root)


def clean_derivative(fp: sympy.Expr) -> sympy.Expr:
    """Drop the DiracDelta terms and sign(u)² factors that d/dx sign(u) leaves.

    Both only matter where u = 0, and those points are examined separately
    (see :func:`suspect_points`), so away from them the derivative is unchanged.
    """
    fp = fp.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)
    fp = fp.replace(
        lambda e: e.is_Pow and isinstance(e.base, sympy.sign) and e.exp.is_even,
        lambda e: sympy.S.One,
    )
    return fp


def numeric_function(expr: sympy.Expr, x: sympy.Symbol):
    """Return a NumPy function of x that gives nan where ``expr`` is undefined."""
    fn = sympy.lambdify(x, expr, modules="numpy")

    def evaluate(values: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(fn(np.asarray(values, dtype=float)), dtype=complex)
        out = np.broadcast_to(out, np.shape(values)).copy()
        real = out.real.copy()
        real[np.abs(out.imag) > 1e-12 * np.maximum(1.0, np.abs(out.real))] = np.nan
        real[~np.isfinite(real)] = np.nan
        return real

    return evaluate


def defined_at(f: sympy.Expr, x: sympy.Symbol, fn, xs: np.ndarray) -> np.ndarray:
    """Where f is defined on the grid ``xs`` (``fn`` = numeric_function(f, x)).

    A double that overflows (e^800) is not "undefined": points where the float
    value is not finite are evaluated again with mpmath (see ``bigfloat``).
    """
    values = fn(xs)
    defined = np.isfinite(values)
    retry = np.nonzero(~defined)[0]
    if retry.size:
        again = big_values(f, x, [float(t) for t in xs[retry]])
        defined[retry] = [v is not None for v in again]
    return defined


def sample_grid(lo: float, hi: float, n: int) -> np.ndarray:
    """n points on [lo, hi]; sinh-spaced when an end is infinite (fine near 0)."""
    if math.isfinite(lo) and math.isfinite(hi):
        return np.linspace(lo, hi, n)
    lo_c = max(lo, -FAR)
    hi_c = min(hi, FAR)
    return np.sinh(np.linspace(math.asinh(lo_c), math.asinh(hi_c), n))


def _components_of(domain: sympy.Set) -> list[Component] | None:
    parts = domain.args if isinstance(domain, sympy.Union) else (domain,)
    out = []
    for part in parts:
        if part is sympy.S.EmptySet:
            continue
        if isinstance(part, sympy.Interval):
            out.append(Component(part.start, part.end, not part.left_open, not part.right_open))
        elif isinstance(part, sympy.FiniteSet):
            out.extend(Component(p, p, True, True) for p in part)
        else:
            return None
    return sorted(out, key=lambda c: float(c.lo))


def _agrees(components: list[Component], xs: np.ndarray, defined: np.ndarray) -> bool:
    inside = np.array([any(c.contains(float(v)) for c in components) for v in xs])
    bad = np.nonzero(inside != defined)[0]
    if bad.size == 0:
        return True
    # Grid points that sit on a domain boundary may round either way.
    ends = [float(e) for c in components for e in (c.lo, c.hi) if math.isfinite(float(e))]
    for i in bad:
        if not any(abs(xs[i] - e) <= 1e-9 * max(1.0, abs(e)) for e in ends):
            return False
    return True


def _bisect_edge(f, x, fn, good: float, bad: float) -> float:
    """Last point where f is defined between a defined and an undefined grid point."""
    for _ in range(200):
        mid = 0.5 * (good + bad)
        if mid in (good, bad):
            break
        if defined_at(f, x, fn, np.array([mid]))[0]:
            good = mid
        else:
            bad = mid
    return good


def boundary_points(f: sympy.Expr, x: sympy.Symbol, interval: sympy.Interval) -> list[sympy.Expr]:
    """Where f's domain can end: zeros of log arguments, of bases under
    fractional or negative powers, of tan's cosine, ... inside ``interval``."""
    inner: list[sympy.Expr] = []
    for node in sympy.preorder_traversal(f):
        if isinstance(node, sympy.log):
            inner.append(node.args[0])
        elif node.is_Pow and not (node.exp.is_Integer and node.exp.is_positive):
            inner.append(node.base)
        elif isinstance(node, (sympy.tan, sympy.sec)):
            inner.append(sympy.cos(node.args[0]))
        elif isinstance(node, (sympy.cot, sympy.csc)):
            inner.append(sympy.sin(node.args[0]))
        elif isinstance(node, (sympy.asin, sympy.acos, sympy.atanh)):
            inner.extend([node.args[0] - 1, node.args[0] + 1])
    points: list[sympy.Expr] = []
    for expr in inner:
        if expr.has(x):
            points.extend(_zeros(expr, x, interval))
    return points


def _snap(edge: float, exact_points: list[sympy.Expr]) -> sympy.Expr | None:
    for p in exact_points:
        if abs(float(p) - edge) <= 1e-7 * max(1.0, abs(edge)):
            return p
    return None


def _edge(f, fn, x, good: float, bad: float, exact_points) -> tuple[sympy.Expr, bool, bool]:
    """(end, closed, exact) of a domain end found between grid points."""
    edge = _bisect_edge(f, x, fn, good, bad)
    exact = _snap(edge, exact_points)
    if exact is not None:
        value = f.subs(x, exact)
        closed = value.is_extended_real is True and value.is_finite is True
        return exact, closed, True
    # f defined at the edge and continuous up to it: a closed end, else open.
    inward = edge + (good - bad) * 1e-6
    near = fn(np.array([edge, inward]))
    closed = bool(
        np.all(np.isfinite(near)) and abs(near[0] - near[1]) < 1e-3 * max(1.0, abs(near[0]))
    )
    return sympy.Float(edge), closed, False


def _numeric_components(f, fn, x, xs, defined, interval: sympy.Interval):
    exact_points = boundary_points(f, x, interval)
    comps = []
    all_exact = True
    n = len(xs)
    i = 0
    while i < n:
        if not defined[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and defined[j + 1]:
            j += 1
        if i == 0:
            lo, lo_closed, lo_exact = interval.start, not interval.left_open, True
        else:
            lo, lo_closed, lo_exact = _edge(f, fn, x, float(xs[i]), float(xs[i - 1]), exact_points)
        if j == n - 1:
            hi, hi_closed, hi_exact = interval.end, not interval.right_open, True
        else:
            hi, hi_closed, hi_exact = _edge(f, fn, x, float(xs[j]), float(xs[j + 1]), exact_points)
        all_exact = all_exact and lo_exact and hi_exact
        comps.append(Component(lo, hi, lo_closed, hi_closed))
        i = j + 1
    return comps, all_exact


def domain_components(
    f: sympy.Expr, x: sympy.Symbol, interval: sympy.Interval, samples: int = 4001
) -> tuple[list[Component], bool]:
    """Split ``interval`` into the intervals where f is defined and continuous.

    Returns the components and whether they are exact (False: found numerically).
    """
    fn = numeric_function(f, x)
    xs = sample_grid(float(interval.start), float(interval.end), samples)
    # An open end is not part of the interval: do not sample it.
    xs = xs[1 if interval.left_open else 0 : len(xs) - (1 if interval.right_open else 0)]
    defined = defined_at(f, x, fn, xs)
    try:
        with time_budget(DOMAIN_SECONDS):
            domain = continuous_domain(f, x, interval)
        components = _components_of(domain)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, AttributeError):
        components = None
    if components is not None and _agrees(components, xs, defined):
        return components, True
    logger.info("numeric domain for %s on %s", f, interval)
    return _numeric_components(f, fn, x, xs, defined, interval)


def _zeros(expr: sympy.Expr, x: sympy.Symbol, where: sympy.Set = sympy.S.Reals) -> list[sympy.Expr]:
    try:
        with time_budget("domain"):
            zeros = sympy.solveset(expr, x, where)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
        return []
    return list(zeros) if isinstance(zeros, sympy.FiniteSet) else []


def suspect_points(exprs: list[sympy.Expr], x: sympy.Symbol) -> list[sympy.Expr]:
    """Points where a derivative may fail to exist: zeros of |u| and sign(u)
    arguments and of bases under fractional or negative powers.

    The list may hold points where f is differentiable; the caller decides each
    from the one-sided limits of f'.
    """
    found: list[sympy.Expr] = []
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, (sympy.Abs, sympy.sign, sympy.Heaviside)):
                inner = node.args[0]
            elif node.is_Pow and not (node.exp.is_Integer and node.exp.is_positive):
                inner = node.base
            else:
                continue
            if inner.has(x):
                found.extend(_zeros(inner, x))
    unique: list[sympy.Expr] = []
    for p in found:
        if p.is_real is not False and not any(sympy.simplify(p - q) == 0 for q in unique):
            unique.append(p)
    return unique
