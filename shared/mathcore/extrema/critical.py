"""Critical points of f(x₁, …, xₙ): ∇f = 0 solved, each point classified by
the Hessian test (see ``classify``)."""

from __future__ import annotations

import logging
import math

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.classify import classify_point
from shared.mathcore.extrema.compare import numeric_value
from shared.mathcore.extrema.growth import exp_polynomial
from shared.mathcore.extrema.numeric import roots_nd
from shared.mathcore.extrema.polysystem import NotSolvable, is_polynomial_system, real_solutions
from shared.mathcore.extrema.result import CriticalPoint, Point
from shared.mathcore.extrema.wording import record
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.simplifier import tidy

logger = logging.getLogger(__name__)

SEARCH_RADIUS = 10.0
MATCH_TOL = 1e-6


def point_words(point: Point) -> str:
    return "(" + ", ".join(to_plain(v) for v in point.values()) + ")"


def _float_point(point: Point, variables) -> np.ndarray:
    return np.array([float(sympy.N(point[v], 20)) for v in variables])


def _starts_per_axis(n: int) -> int:
    return {1: 41, 2: 9, 3: 5}.get(n, 3)


def _verified(grad, variables, point: Point) -> bool:
    """∇f vanishes at the point (to 1e-9 at 30 digits): guards against solve's slips."""
    for g in grad:
        value = numeric_value(g.subs(point))
        if value is None or not math.isfinite(value) or abs(value) > 1e-9:
            return False
    return True


def _genuine_root(grad_fn, q: np.ndarray) -> bool:
    """Reject 'roots' where ∇f is merely tiny all around (the flat tails of
    exp(−x²−y²) underflow): at a true root |∇f| is far smaller than nearby."""
    with np.errstate(all="ignore"):
        here = np.linalg.norm(np.asarray(grad_fn(q), dtype=float))
        near = max(
            np.linalg.norm(np.asarray(grad_fn(q + d), dtype=float))
            for d in 1e-3 * np.vstack([np.eye(len(q)), -np.eye(len(q))])
        )
    return bool(np.isfinite(here) and np.isfinite(near) and near > 0 and here <= 1e-6 * near)


def _snap_point(p: np.ndarray, grad, variables) -> tuple[Point, bool]:
    """Recognise a numeric solution as exact when ∇f vanishes there exactly."""
    try:
        with time_budget("snap"):
            guess = {
                v: sympy.nsimplify(float(c), [sympy.pi, sympy.E], tolerance=1e-10)
                for v, c in zip(variables, p, strict=True)
            }
            if all(sympy.count_ops(g) <= 12 for g in guess.values()) and all(
                tidy(g.subs(guess), 0.3) == 0 for g in grad
            ):
                return guess, True
    except (BudgetExceeded, ValueError, TypeError, ZeroDivisionError):
        pass
    return {v: sympy.Float(float(c), 15) for v, c in zip(variables, p, strict=True)}, False


def solve_gradient(
    grad: list[sympy.Expr],
    hessian: sympy.Matrix,
    variables: list[sympy.Symbol],
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    f: sympy.Expr | None = None,
) -> tuple[list[tuple[Point, bool]], str, bool, list[dict]]:
    """Solve ∇f = 0: returns ([(point, exact)], method, complete, steps).

    Polynomial systems: every real solution exactly (Gröbner bases). Others:
    SymPy's solve within a budget, always cross-checked by a multi-start
    Newton search in the box [lo, hi] (default [−10, 10]ⁿ); anything the
    numeric search adds makes the method "numeric".
    """
    steps: list = []
    equations = ", ".join(f"{to_plain(g)} = 0" for g in grad)
    points: list[tuple[Point, bool]] = []
    complete = False
    method = "symbolic"
    system, reduced = grad, None
    split = exp_polynomial(f, variables) if f is not None else None
    if split is not None and not is_polynomial_system(grad, variables):
        # ∇(P·e^R) = e^R·(∇P + P·∇R) and e^R > 0: the same zeros, polynomial.
        p, r = split
        system = [sympy.expand(sympy.diff(p, v) + p * sympy.diff(r, v)) for v in variables]
        reduced = split
    if is_polynomial_system(system, variables):
        try:
            points = [(p, True) for p in real_solutions(system, variables)]
            complete = True
            steps.append(
                record(
                    "solve",
                    equations,
                    "; ".join(point_words(p) for p, _ in points) or "no real solutions",
                    case="groebner",
                    count=len(points),
                    exp_split=reduced,
                )
            )
            return points, method, complete, steps
        except NotSolvable as exc:
            steps.append(record("solve", case="groebner_failed", error=str(exc)))
    symbolic_ok = False
    try:
        with time_budget("solve_system"):
            found = sympy.solve(grad, variables, dict=True)
        for sol in found:
            if set(sol) != set(variables) or any(v.free_symbols for v in sol.values()):
                continue  # a family of solutions: left to the numeric search
            point = {v: sol[v] for v in variables}
            if all(val.is_real is not False for val in point.values()) and _verified(
                grad, variables, point
            ):
                points.append((point, True))
        symbolic_ok = True
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError) as exc:
        logger.info("solve failed on %s: %s", grad, exc)
    if symbolic_ok:
        steps.append(
            record(
                "solve",
                equations,
                "; ".join(point_words(p) for p, _ in points) or "no solutions found",
                case="symbolic",
            )
        )
    # Numeric search: the fallback, and a check on what solve returned.
    n = len(variables)
    if lo is None or hi is None:
        radius = SEARCH_RADIUS
        for p, _ in points:
            radius = max(radius, 2 * float(np.max(np.abs(_float_point(p, variables)))))
        lo, hi = np.full(n, -radius), np.full(n, radius)
    grad_fn = sympy.lambdify([variables], grad, modules="numpy")
    hess_fn = sympy.lambdify([variables], hessian, modules="numpy")
    numeric, report = roots_nd(grad_fn, hess_fn, lo, hi, _starts_per_axis(n))
    known = [_float_point(p, variables) for p, _ in points]
    extra = [
        q
        for q in numeric
        if _genuine_root(grad_fn, q)
        and np.all(q >= lo - 1e-9)
        and np.all(q <= hi + 1e-9)
        and not any(np.linalg.norm(q - k) <= MATCH_TOL * max(1.0, np.linalg.norm(k)) for k in known)
    ]
    if extra or not symbolic_ok:
        method = "numeric"
    added = [_snap_point(q, grad, variables) for q in extra]
    points += added
    steps.append(
        record(
            "numeric_search",
            equations,
            "; ".join(point_words(p) for p, _ in added) or "nothing new",
            case="fallback" if not symbolic_ok else ("added" if extra else "checked"),
            search=report.description,
            count=len(extra),
        )
    )
    points.sort(key=lambda pe: tuple(_float_point(pe[0], variables)))
    return points, method, complete, steps


def gradient_steps(f, grad, variables) -> list:
    latex = r"\nabla f = \left(" + ", ".join(to_latex(g) for g in grad) + r"\right)"
    return [record("gradient", f, tuple(grad), latex=latex)]


def critical_points_of(f, variables, lo=None, hi=None):
    """∇f = 0 solved and every solution classified by the Hessian test."""
    grad = [tidy(sympy.diff(f, v)) for v in variables]
    hessian = sympy.hessian(f, variables)
    steps = gradient_steps(f, grad, variables)
    solved, method, complete, solve_steps = solve_gradient(grad, hessian, variables, lo, hi, f)
    steps += solve_steps
    critical = []
    for point, exact in solved:
        approx = None
        if point_has_root_of(point):
            # f at a CRootOf point: evaluate from 40-digit coordinates instead.
            approx = {v: sympy.N(c, 40) for v, c in point.items()}
            value = numeric_value(f.subs(approx))
            value = sympy.S.Zero if abs(value) < 1e-25 else sympy.Float(value, 15)
        elif exact:
            value = tidy(f.subs(point), 1.0)
        else:
            value = sympy.Float(numeric_value(f.subs(point)), 15)
        cp = CriticalPoint(point, value, exact=exact, approx=approx)
        facts = classify_point(f, variables, hessian, cp)
        critical.append(cp)
        steps.append(
            record(
                "classify",
                point_words(point),
                cp.classification,
                point=point,
                value=value,
                hessian=facts,
            )
        )
    return critical, method, complete, steps


def point_has_root_of(point: Point) -> bool:
    return any(v.has(sympy.CRootOf) for v in point.values())
