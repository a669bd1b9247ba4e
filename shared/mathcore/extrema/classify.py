"""Classifying a critical point of f(x₁, …, xₙ): the Hessian, then higher order.

Second-derivative test: H positive definite → local min, negative definite →
local max, indefinite → saddle. When H is singular (degenerate) the test says
nothing, and we look further: along lines p + t·d the first non-zero term
c·tᵏ of f(p + t·d) − f(p) decides (k odd, or c of both signs → saddle); a
difference f(p + h) − f(p) that is provably ≥ 0 (every monomial an even power
with a positive coefficient, or SymPy proves it non-negative) → local min.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.result import CriticalPoint
from shared.mathcore.gradient import numeric_matrix
from shared.mathcore.simplifier import tidy

EIG_RTOL = 1e-9


def hessian_eigenvalues(hessian: sympy.Matrix, cp: CriticalPoint) -> tuple[np.ndarray, bool]:
    """Eigenvalues of H at the point, and whether H is singular there."""
    at = hessian.subs(cp.point)
    exact_at = (
        at
        if not cp.exact
        else at.applyfunc(lambda e: sympy.N(e, 30) if e.has(sympy.CRootOf) else tidy(e, 1.0))
    )
    numeric = numeric_matrix(exact_at.applyfunc(lambda e: sympy.N(e, 30)))
    if numeric is None:
        return np.array([]), True
    eig = np.linalg.eigvalsh(numeric)
    scale = max(1.0, float(np.max(np.abs(eig))))
    tiny = np.abs(eig) <= EIG_RTOL * scale
    if cp.exact and tiny.any() and cp.approx is None:
        # exactness decides: a tiny eigenvalue is zero only when det H = 0
        singular = tidy(at.det(), 1.0) == 0
    else:
        singular = bool(tiny.any())
    return eig, singular


def _directions(n: int, eig_vectors: np.ndarray | None) -> list[tuple[int, ...]]:
    """Axes, diagonals and (rounded) null directions of H: small integer vectors."""
    dirs = set()
    for combo in itertools.product((-1, 0, 1), repeat=n):
        if any(combo) and combo[next(i for i, c in enumerate(combo) if c)] > 0:
            dirs.add(combo)
    for combo in itertools.product((1, 2), repeat=n):
        dirs.add(combo)
    if eig_vectors is not None:
        for vec in eig_vectors.T:
            big = np.max(np.abs(vec))
            if big > 0:
                dirs.add(tuple(int(round(4 * v / big)) for v in vec))
    return sorted(d for d in dirs if any(d))


def _leading_term(phi: sympy.Expr, t: sympy.Symbol) -> tuple[int, sympy.Expr] | None:
    """(k, c) with φ(t) = c·tᵏ + O(tᵏ⁺¹), or None when not found cheaply."""
    try:
        with time_budget("series"):
            if phi.is_polynomial(t):
                poly = sympy.Poly(sympy.expand(phi), t)
                terms = [(m[0], c) for m, c in poly.terms() if c != 0]
                if not terms:
                    return None
                k, c = min(terms)
                return k, c
            series = sympy.series(phi, t, 0, 9).removeO()
            if series == 0:
                return None
            poly = sympy.Poly(sympy.expand(series), t)
            k, c = min((m[0], c) for m, c in poly.terms() if c != 0)
            return k, c
    except (BudgetExceeded, sympy.PolynomialError, ValueError, TypeError, NotImplementedError):
        return None


def _even_positive_monomials(g: sympy.Expr, hs: list[sympy.Symbol]) -> bool:
    """g = Σ cₐ·h^a with every cₐ > 0 and every exponent even: g ≥ 0."""
    if not g.is_polynomial(*hs):
        return False
    poly = sympy.Poly(sympy.expand(g), *hs)
    terms = poly.terms()
    return bool(terms) and all(c.is_positive and all(e % 2 == 0 for e in m) for m, c in terms)


def provably_nonnegative(g: sympy.Expr, hs: list[sympy.Symbol]) -> bool:
    """A sufficient test for g ≥ 0 everywhere (never claims it wrongly)."""
    if _even_positive_monomials(g, hs):
        return True
    try:
        with time_budget("nonnegative"):
            if g.is_nonnegative:
                return True
            return bool(sympy.factor(g).is_nonnegative)
    except (BudgetExceeded, sympy.PolynomialError, TypeError):
        return False


def classify_point(
    f: sympy.Expr, variables: list[sympy.Symbol], hessian: sympy.Matrix, cp: CriticalPoint
) -> dict:
    """Classify ``cp`` in place; return the facts of the reason (``case``,
    eigenvalues, the line or test that decided), worded by ``wording``."""
    eig, singular = hessian_eigenvalues(hessian, cp)
    cp.eigenvalues = [float(v) for v in eig]
    if eig.size == 0:
        cp.classification, cp.test = "inconclusive", "none"
        return {"case": "no_hessian"}
    shown = cp.eigenvalues
    scale = max(1.0, float(np.max(np.abs(eig))))
    pos = bool(np.any(eig > EIG_RTOL * scale))
    neg = bool(np.any(eig < -EIG_RTOL * scale))
    cp.test = "hessian"
    if pos and neg:
        cp.classification = "saddle"
        return {"case": "indefinite", "eigenvalues": shown}
    if not singular:
        cp.classification = "local_min" if pos else "local_max"
        return {"case": "definite", "eigenvalues": shown, "positive": pos}
    return {"case": "singular", "eigenvalues": shown} | _higher_order(
        f, variables, cp, eig, pos, neg
    )


def _higher_order(f, variables, cp: CriticalPoint, eig, pos: bool, neg: bool) -> dict:
    hs = [sympy.Symbol(f"h{i}", real=True) for i in range(len(variables))]
    t = sympy.Symbol("t", real=True)
    shifted = {v: cp.eval_point[v] + h for v, h in zip(variables, hs, strict=True)}
    g = f.subs(shifted, simultaneous=True) - cp.value
    if cp.exact and cp.approx is None:
        g = sympy.expand(g) if g.is_polynomial(*hs) else g
        signs = set()
        for d in _directions(len(variables), None):
            phi = g.subs({h: di * t for h, di in zip(hs, d, strict=True)}, simultaneous=True)
            term = _leading_term(phi, t)
            if term is None:
                continue
            k, c = term
            # the line p + t·d, as (point, direction)
            line = (tuple(cp.point[v] for v in variables), tuple(d))
            if k % 2 == 1:
                cp.classification, cp.test = "saddle", "higher_order"
                return {"higher": "odd_power", "line": line, "power": k, "coefficient": c}
            signs.add((1 if c.is_positive else -1, line, k, c))
        if {s for s, *_ in signs} == {1, -1}:
            up = next(s for s in signs if s[0] == 1)
            down = next(s for s in signs if s[0] == -1)
            cp.classification, cp.test = "saddle", "higher_order"
            return {"higher": "rise_and_fall", "up": up[1:], "down": down[1:]}
        if not neg and provably_nonnegative(g, hs):
            cp.classification, cp.test = "local_min", "higher_order"
            return {"higher": "nonnegative"}
        if not pos and provably_nonnegative(-g, hs):
            cp.classification, cp.test = "local_max", "higher_order"
            return {"higher": "nonpositive"}
    return _sampled(g, hs, cp)


def _sampled(g, hs, cp: CriticalPoint) -> dict:
    """Sample f − f(p) on small spheres around p: values of both signs show a saddle."""
    fn = sympy.lambdify(hs, g, modules="numpy")
    n = len(hs)
    rng = np.random.default_rng(7)
    dirs = rng.normal(size=(720, n))
    if n == 2:
        angles = np.linspace(0, 2 * math.pi, 720, endpoint=False)
        dirs = np.column_stack([np.cos(angles), np.sin(angles)])
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    below = above = False
    for radius in (1e-1, 1e-2, 1e-3):
        pts = radius * dirs
        with np.errstate(all="ignore"):
            vals = np.asarray(fn(*pts.T), dtype=float)
        below = below or bool(np.any(vals < -1e-14))
        above = above or bool(np.any(vals > 1e-14))
    cp.test = "sampling"
    if below and above:
        cp.classification = "saddle"
        return {"higher": "sampled_saddle"}
    cp.classification = "inconclusive"
    return {"higher": "sampled_one_sign", "below": below}
