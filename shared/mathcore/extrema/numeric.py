"""Numeric fallbacks: roots of f' on a grid, and multi-start Newton on ∇f = 0.

Used when symbolic solving fails or runs out of time, and as a cross-check
that symbolic solving missed nothing. Every search reports how it searched
(grid size, starts, region), so the steps can say so.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy
from scipy import optimize

from shared.mathcore.extrema.domain import clean_derivative, sample_grid

GRID_POINTS = 20001
# A root of f' whose |f'| is not below this (relative to the grid's scale of
# f') is a jump of f' (a corner), not a stationary point.
STATIONARY_RTOL = 1e-6


@dataclass(frozen=True)
class NumericRoot:
    x: float
    kind: str  # "stationary" | "singular"


@dataclass(frozen=True)
class SearchReport:
    """How a numeric search ran, in words fit for a step."""

    description: str
    finished: bool = True


class RootCheck:
    """Tests on f' made at 30 digits, where doubles may cancel to noise.

    ``vanishes(r)``: Newton's correction |f'(r)/f''(r)| is below
    1e-8·(1 + |r|) (a zero within reach, simple or touching), or f'(r) is 0 to
    the working precision relative to the sizes of its terms. A mere minimum
    of |f'| (x³ + eˣ has f' ≥ 0.93 near −0.144) does not pass.
    ``same_sign(a, b)``: f' has one sign at a and b, so a sign change seen in
    doubles there is rounding noise (cosh x − sinh x near x = 18).
    """

    def __init__(self, fp: sympy.Expr, x: sympy.Symbol) -> None:
        fpp = clean_derivative(sympy.diff(fp, x))
        terms = sympy.Add.make_args(fp)
        self._fns = [sympy.lambdify(x, e, modules="mpmath") for e in (fp, fpp, *terms)]

    @staticmethod
    def _real(fn, r: float):
        try:
            value = fn(mpmath.mpf(r))
        # NameError: a function mpmath lacks (DiracDelta, ...) is no evidence.
        except (ZeroDivisionError, ValueError, TypeError, OverflowError, NameError):
            return None
        value = mpmath.mpmathify(value)
        if isinstance(value, mpmath.mpc):
            value = value.real
        return value if mpmath.isfinite(value) else None

    def vanishes(self, r: float) -> bool:
        with mpmath.workdps(30):
            value, second, *parts = (self._real(fn, r) for fn in self._fns)
            if value is None:
                return False
            if value == 0:
                return True
            if second is not None and second != 0 and abs(value / second) <= 1e-8 * (1 + abs(r)):
                return True
            sizes = [abs(p) for p in parts if p is not None]
            return len(sizes) == len(parts) and abs(value) <= 1e-25 * sum(sizes)

    def same_sign(self, a: float, b: float) -> bool:
        with mpmath.workdps(30):
            fa, fb = self._real(self._fns[0], a), self._real(self._fns[0], b)
            return fa is not None and fb is not None and fa * fb > 0


def roots_1d(
    fp, lo: float, hi: float, n: int = GRID_POINTS, check: RootCheck | None = None
) -> tuple[list[NumericRoot], SearchReport]:
    """Zeros and sign changes of f' on (lo, hi): a grid of n points, each sign
    change refined by Brent's method (scipy.optimize.brentq); touching zeros
    (no sign change) are found as near-zero minima of |f'|.

    ``check`` (a :class:`RootCheck`) decides at 30 digits whether f' truly
    vanishes at a point found: a sign change where it does not is a jump of
    f' ("singular"), unless the sign does not change at all at 30 digits
    (rounding noise, dropped); a minimum of |f'| where it does not is dropped.
    """
    xs = sample_grid(lo, hi, n)[1:-1]
    ys = fp(xs)
    finite = np.isfinite(ys)
    signs = np.sign(np.where(finite, ys, 0.0))
    scale = float(np.nanmax(np.abs(ys))) if finite.any() else 1.0
    scale = scale if scale > 0 else 1.0
    roots: list[NumericRoot] = []

    def vanishes(r: float) -> bool:
        if check is not None:
            return check.vanishes(r)
        value = fp(np.array([r]))[0]
        return bool(np.isfinite(value) and abs(value) <= STATIONARY_RTOL * min(scale, 1.0))

    def add(r: float) -> None:
        roots.append(NumericRoot(r, "stationary" if vanishes(r) else "singular"))

    def scalar(t: float) -> float:
        return float(fp(np.array([t]))[0])

    both = finite[:-1] & finite[1:]
    # An exact 0 on the grid is a root unless f' is 0 at a neighbour too: there
    # f' has underflowed (e.g. the tails of exp(-x²)), which proves nothing.
    zero = ys == 0.0
    isolated = zero.copy()
    isolated[1:] &= ~zero[:-1] & finite[:-1]
    isolated[:-1] &= ~zero[1:] & finite[1:]
    for i in np.nonzero(isolated)[0]:
        r = float(xs[i])
        if check is None or check.vanishes(r):
            roots.append(NumericRoot(r, "stationary"))
        elif 0 < i < len(xs) - 1 and not check.same_sign(float(xs[i - 1]), float(xs[i + 1])):
            roots.append(NumericRoot(r, "singular"))
        # else: a double that rounded to 0 where f' is not 0 (cancellation noise)
    for i in np.nonzero(both & (signs[:-1] * signs[1:] < 0))[0]:
        a, b = float(xs[i]), float(xs[i + 1])
        if check is not None and check.same_sign(a, b):
            continue
        try:
            add(optimize.brentq(scalar, a, b, xtol=1e-15, maxiter=200))
        except (ValueError, RuntimeError):
            add(0.5 * (a + b))
    # A zero of even multiplicity (f' touches 0 without changing sign) shows
    # on the grid only as a small local minimum of |f'|.
    absy = np.where(finite, np.abs(ys), np.inf)
    dips = (absy[1:-1] < absy[:-2]) & (absy[1:-1] < absy[2:]) & (signs[:-2] * signs[2:] > 0)
    for i in np.nonzero(dips)[0] + 1:
        res = optimize.minimize_scalar(
            lambda t: abs(scalar(t)),
            bounds=(float(xs[i - 1]), float(xs[i + 1])),
            method="bounded",
            options={"xatol": 1e-14},
        )
        if vanishes(float(res.x)):
            roots.append(NumericRoot(float(res.x), "stationary"))
    roots = _dedupe_1d(roots)
    spacing = (
        "sinh-spaced, dense near 0"
        if not (math.isfinite(lo) and math.isfinite(hi))
        else "evenly spaced"
    )
    shown_lo, shown_hi = (max(lo, -1e6), min(hi, 1e6))
    report = SearchReport(
        f"searched f' numerically on [{shown_lo:.6g}, {shown_hi:.6g}] with a grid of {n} "
        f"points ({spacing}), refining each sign change with Brent's method "
        "and each near-zero minimum of |f'| with a bounded scalar minimisation"
    )
    return roots, report


def _dedupe_1d(roots: list[NumericRoot]) -> list[NumericRoot]:
    out: list[NumericRoot] = []
    for r in sorted(roots, key=lambda r: r.x):
        if out and abs(r.x - out[-1].x) <= 1e-9 * max(1.0, abs(r.x)):
            continue
        out.append(r)
    return out


def roots_nd(grad, hess, lo: np.ndarray, hi: np.ndarray, starts_per_axis: int, seed: int = 0):
    """Solutions of ∇f = 0 by multi-start Newton (scipy.optimize.root, hybr with
    the Hessian as Jacobian) from a grid of starts plus random starts in the box
    [lo, hi]; duplicates merged, points leaving the box kept only if ∇f ≈ 0."""
    n = len(lo)
    axes = [np.linspace(lo[i], hi[i], starts_per_axis) for i in range(n)]
    starts = [np.array(p) for p in itertools.product(*axes)]
    rng = np.random.default_rng(seed)
    extra = max(20, len(starts) // 2)
    starts += [lo + (hi - lo) * rng.random(n) for _ in range(extra)]
    found: list[np.ndarray] = []

    def residual(p):
        with np.errstate(all="ignore"):
            return np.asarray(grad(p), dtype=float)

    def jac(p):
        with np.errstate(all="ignore"):
            return np.asarray(hess(p), dtype=float)

    for start in starts:
        try:
            sol = optimize.root(residual, start, jac=jac, method="hybr", options={"xtol": 1e-13})
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            continue
        p = sol.x
        if not np.all(np.isfinite(p)):
            continue
        r = residual(p)
        if not np.all(np.isfinite(r)) or np.linalg.norm(r) > 1e-8 * max(1.0, np.linalg.norm(p)):
            continue
        # Polish with a few Newton steps where the Hessian is invertible.
        for _ in range(3):
            try:
                p = p - np.linalg.solve(jac(p), residual(p))
            except np.linalg.LinAlgError:
                break
        if not np.all(np.isfinite(p)) or np.linalg.norm(residual(p)) > 1e-8 * max(
            1.0, np.linalg.norm(p)
        ):
            p = sol.x
        if any(np.linalg.norm(p - q) <= 1e-6 * max(1.0, np.linalg.norm(q)) for q in found):
            continue
        found.append(p)
    found.sort(key=lambda p: tuple(p))
    box = ", ".join(f"[{a:.3g}, {b:.3g}]" for a, b in zip(lo, hi, strict=True))
    report = SearchReport(
        f"solved ∇f = 0 numerically by Newton's method (scipy.optimize.root) from "
        f"{len(starts)} starts ({starts_per_axis} per axis on a grid plus {extra} random) in "
        f"the box {box}, merging solutions closer than 1e-6; critical points far outside "
        "that box may be missed"
    )
    return found, report
