"""Extrema of f(x₁, …, xₙ): ∇f = 0, the Hessian test, and the global extrema.

Over a box (``bounds``) the global extrema are among the interior critical
points and the extrema on the boundary, found face by face (see ``box``).
Over the whole space they are decided by ``whole_space``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.classify import classify_point
from shared.mathcore.extrema.compare import numeric_value
from shared.mathcore.extrema.numeric import roots_nd
from shared.mathcore.extrema.polysystem import NotSolvable, is_polynomial_system, real_solutions
from shared.mathcore.extrema.result import CriticalPoint, ExtremaResult, Point
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.simplifier import tidy
from shared.mathcore.steps import make_step

logger = logging.getLogger(__name__)

SOLVE_SECONDS = 4.0
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
        with time_budget(1.0):
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
) -> tuple[list[tuple[Point, bool]], str, bool, list[dict]]:
    """Solve ∇f = 0: returns ([(point, exact)], method, complete, steps).

    Polynomial systems: every real solution exactly (Gröbner bases). Others:
    SymPy's solve within a budget, always cross-checked by a multi-start
    Newton search in the box [lo, hi] (default [−10, 10]ⁿ); anything the
    numeric search adds makes the method "numeric".
    """
    steps: list[dict] = []
    equations = ", ".join(f"{to_plain(g)} = 0" for g in grad)
    points: list[tuple[Point, bool]] = []
    complete = False
    method = "symbolic"
    if is_polynomial_system(grad, variables):
        try:
            points = [(p, True) for p in real_solutions(grad, variables)]
            complete = True
            steps.append(
                make_step(
                    "solve",
                    "Solve ∇f = 0. The equations are polynomial, so a Gröbner basis finds every "
                    f"real solution exactly: {len(points)} critical point(s).",
                    before=equations,
                    after="; ".join(point_words(p) for p, _ in points) or "no real solutions",
                )
            )
            return points, method, complete, steps
        except NotSolvable as exc:
            steps.append(
                make_step("solve", f"Solving ∇f = 0 with a Gröbner basis did not finish: {exc}.")
            )
    symbolic_ok = False
    try:
        with time_budget(SOLVE_SECONDS):
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
            make_step(
                "solve",
                "Solve ∇f = 0 symbolically.",
                before=equations,
                after="; ".join(point_words(p) for p, _ in points) or "no solutions found",
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
    if not symbolic_ok:
        text = f"Solving ∇f = 0 symbolically failed or ran out of time, so we {report.description}."
    elif extra:
        text = (
            "Symbolic solving is not sure to find every solution of a non-polynomial system; "
            f"a numeric check ({report.description}) finds {len(extra)} more, added here."
        )
    else:
        text = f"A numeric check ({report.description}) finds no other critical points there."
    steps.append(
        make_step(
            "numeric_search",
            text,
            before=equations,
            after="; ".join(point_words(p) for p, _ in added) or "nothing new",
        )
    )
    points.sort(key=lambda pe: tuple(_float_point(pe[0], variables)))
    return points, method, complete, steps


def gradient_steps(f, grad, variables) -> list[dict]:
    return [
        make_step(
            "gradient",
            "Differentiate with respect to each variable to get the gradient.",
            before=to_plain(f),
            after="(" + ", ".join(to_plain(g) for g in grad) + ")",
            latex=r"\nabla f = \left(" + ", ".join(to_latex(g) for g in grad) + r"\right)",
        )
    ]


def critical_points_of(f, variables, lo=None, hi=None):
    """∇f = 0 solved and every solution classified by the Hessian test."""
    grad = [tidy(sympy.diff(f, v)) for v in variables]
    hessian = sympy.hessian(f, variables)
    steps = gradient_steps(f, grad, variables)
    solved, method, complete, solve_steps = solve_gradient(grad, hessian, variables, lo, hi)
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
        reason = classify_point(f, variables, hessian, cp)
        critical.append(cp)
        steps.append(
            make_step(
                "classify",
                f"At {point_words(point)} (f = {to_plain(value)}): {reason}",
                before=point_words(point),
                after=cp.classification,
            )
        )
    return critical, method, complete, steps


def point_has_root_of(point: Point) -> bool:
    return any(v.has(sympy.CRootOf) for v in point.values())


def extrema_several(
    expr: sympy.Expr,
    variables: list[sympy.Symbol],
    bounds: dict[sympy.Symbol, tuple[sympy.Expr, sympy.Expr]] | None = None,
) -> ExtremaResult:
    """Critical points of f(x₁, …, xₙ), classified, and the global extrema over
    the box ``bounds`` (closed) or, without bounds, over the whole space.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> r = extrema_several(x**2 - y**2, [x, y])
    >>> [c.classification for c in r.critical_points], r.global_min
    (['saddle'], None)
    """
    variables = list(variables)
    if bounds:
        from shared.mathcore.extrema.box import extrema_box

        return extrema_box(expr, variables, bounds)
    from shared.mathcore.extrema.whole_space import global_over_space

    critical, method, complete, steps = critical_points_of(expr, variables)
    gmin, gmax, status, limits, global_steps = global_over_space(
        expr, variables, critical, complete
    )
    steps += global_steps
    return ExtremaResult(
        critical_points=critical,
        global_min=gmin,
        global_max=gmax,
        method=method,
        steps=steps,
        global_status=status,
        bounds=limits,
        complete=complete,
    )
