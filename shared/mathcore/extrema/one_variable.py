"""Global and local extrema of f(x) on an interval: the closed-interval method.

1. find where f is defined; 2. differentiate; 3. solve f'(x) = 0 and find where
f' does not exist although f does (cusps, corners); 4. list the candidates
(critical numbers and closed ends); 5. classify each critical number by the
second-derivative test, else the first-derivative test; 6. compare the values
with the limits at open ends; 7. conclude.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema import stationary
from shared.mathcore.extrema.compare import decide_global, numeric_value
from shared.mathcore.extrema.domain import (
    Component,
    clean_derivative,
    domain_components,
    interval_text,
    numeric_function,
    real_odd_roots,
    suspect_points,
)
from shared.mathcore.extrema.limits import LIMIT_SECONDS, end_limit
from shared.mathcore.extrema.numeric import GRID_POINTS, RootCheck, roots_1d
from shared.mathcore.extrema.result import (
    FAMILY_PARAMETER,
    Candidate,
    CriticalPoint,
    ExtremaResult,
)
from shared.mathcore.extrema.wording import record, worded
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.simplifier import tidy
from shared.mathcore.symbols import as_expr

logger = logging.getLogger(__name__)

MATCH_RTOL = 1e-7


def _interval(a: sympy.Expr, b: sympy.Expr, open_: bool) -> sympy.Interval:
    a, b = as_expr(a), as_expr(b)
    if not (a.is_extended_real and b.is_extended_real) or not bool(a < b):
        raise ValueError(f"the interval [{to_plain(a)}, {to_plain(b)}] is empty or not real")
    return sympy.Interval(a, b, open_ or a.is_infinite, open_ or b.is_infinite)


def _one_sided(fp: sympy.Expr, x: sympy.Symbol, c: sympy.Expr, side: str) -> sympy.Expr | None:
    try:
        with time_budget(LIMIT_SECONDS):
            value = sympy.limit(fp, x, c, side)
        if value.is_extended_real and not value.has(sympy.Limit, sympy.AccumBounds):
            return value
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        pass
    fn = numeric_function(fp, x)
    h = 1e-7 * max(1.0, abs(float(c)))
    value = fn(np.array([float(c) + (h if side == "+" else -h)]))[0]
    return sympy.Float(value) if np.isfinite(value) else None


def _settle_suspect(fp: sympy.Expr, x: sympy.Symbol, c: sympy.Expr) -> str | None:
    """Decide whether f'(c) exists from the one-sided limits of f' at c.

    Returns "stationary" (f'(c) = 0), "singular" (no derivative) or None
    (f'(c) exists and is not 0: not a critical number). Assumes f continuous at c.
    """
    left, right = _one_sided(fp, x, c, "-"), _one_sided(fp, x, c, "+")
    if left is None or right is None or left.is_infinite or right.is_infinite:
        return "singular"
    fl, fr = float(left), float(right)
    if abs(fl - fr) > 1e-6 * max(1.0, abs(fl), abs(fr)):
        return "singular"
    return "stationary" if abs(fl) <= 1e-9 else None


def _sign_at(fp: sympy.Expr, x: sympy.Symbol, t: float) -> int | None:
    value = numeric_value(fp.subs(x, sympy.Float(t, 30)))
    if value is None or not math.isfinite(value) or abs(value) < 1e-25:
        return None
    return 1 if value > 0 else -1


def _classify(cp: CriticalPoint, fp, fpp, x, left: float, right: float) -> dict:
    """Second-derivative test, then the first-derivative test; returns the facts."""
    c = cp.point[x]
    if cp.kind == "stationary":
        second = numeric_value(fpp.subs(x, c)) if fpp is not None else None
        tol = 1e-20 if cp.exact else 1e-7
        if second is not None and math.isfinite(second) and abs(second) > tol:
            cp.classification = "local_min" if second > 0 else "local_max"
            cp.test = "second_derivative"
            return {"second": second}
    fc = float(c)
    t_left = fc - 1.0 if math.isinf(left) else 0.5 * (left + fc)
    t_right = fc + 1.0 if math.isinf(right) else 0.5 * (fc + right)
    s_left, s_right = _sign_at(fp, x, t_left), _sign_at(fp, x, t_right)
    if s_left is None or s_right is None:
        cp.classification, cp.test = "inconclusive", "none"
        return {}
    cp.test = "first_derivative"
    if s_left < 0 < s_right:
        cp.classification = "local_min"
    elif s_left > 0 > s_right:
        cp.classification = "local_max"
    else:
        cp.classification = "neither"
    return {"left": (t_left, s_left), "right": (t_right, s_right)}


def extrema_one_variable(
    expr: sympy.Expr,
    x: sympy.Symbol,
    interval: tuple[sympy.Expr, sympy.Expr] = (-sympy.oo, sympy.oo),
    open_: bool = False,
) -> ExtremaResult:
    """Critical numbers of f on an interval, classified, and the global extrema.

    >>> x = sympy.Symbol("x", real=True)
    >>> r = extrema_one_variable(x**3 - 3*x, x, (-3, 2))
    >>> [c.classification for c in r.critical_points], r.global_min.value
    (['local_max', 'local_min'], -18)
    """
    interval_set = _interval(*interval, open_)
    if interval_set.start.is_infinite and interval_set.end.is_infinite:
        period = _period(expr, x)
        if period is not None:
            return worded(_periodic(expr, x, period))
    return worded(_closed_interval_method(expr, x, interval_set))


def _period(expr: sympy.Expr, x: sympy.Symbol) -> sympy.Expr | None:
    try:
        with time_budget(2.0):
            period = sympy.periodicity(expr, x)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        return None
    return period if period is not None and period.is_positive else None


def _periodic(expr: sympy.Expr, x: sympy.Symbol, period: sympy.Expr) -> ExtremaResult:
    """f(x + T) = f(x): every critical point is c + kT with c in [0, T), and the
    global extrema over ℝ are those over one period. Searching the open interval
    (−T, T) sees each class at least once, and f(±T) = f(0) is attained inside."""
    inner = _closed_interval_method(expr, x, sympy.Interval.open(-period, period))
    tp = float(period)

    def in_period(point) -> bool:
        value = float(point[x])
        return -1e-12 <= value < tp - 1e-12 * max(1.0, tp)

    inner.critical_points = [c for c in inner.critical_points if in_period(c.point)]
    inner.candidates = [c for c in inner.candidates if in_period(c.point)]

    def family(point):
        return {x: point[x] + period * FAMILY_PARAMETER}

    # Every critical point stands for its family c + k·T, k ∈ ℤ: the list of
    # families is complete (a finite list of points on ℝ would not be).
    for cp in inner.critical_points:
        cp.family = family(cp.point)
    for ext in (inner.global_min, inner.global_max):
        if ext is not None:
            kept = [p for p in ext.points if in_period(p)]
            ext.points = kept or ext.points
            ext.families = [family(p) for p in ext.points]
    intro = record("periodic", expr, period, period=period, parameter=FAMILY_PARAMETER)
    inner.steps.insert(0, intro)
    return inner


def _closed_interval_method(
    expr: sympy.Expr, x: sympy.Symbol, interval_set: sympy.Interval
) -> ExtremaResult:
    """Run steps 1–7 of the closed-interval method on ``interval_set``."""
    steps: list[dict] = []
    f = real_odd_roots(expr)
    if f != expr:
        steps.append(record("real_root", expr, f))
    comps, domain_exact = domain_components(f, x, interval_set)
    if not comps:
        raise ValueError(
            f"{to_plain(expr)} is not defined anywhere on {interval_text(interval_set)}"
        )
    domain_text = " ∪ ".join(c.text for c in comps)
    where = interval_text(interval_set)
    steps.append(
        record("domain", where, domain_text, interval=where, domain=domain_text, exact=domain_exact)
    )
    fp = clean_derivative(tidy(sympy.diff(f, x)))
    steps.append(record("differentiate", f, fp, latex=f"f'({sympy.latex(x)}) = {to_latex(fp)}"))
    try:
        fpp = clean_derivative(sympy.diff(fp, x))
    except (ValueError, TypeError):
        fpp = None
    suspects = suspect_points([f, fp], x)
    fp_num = numeric_function(fp, x)
    method = "symbolic" if domain_exact else "numeric"
    complete = True
    critical: list[CriticalPoint] = []
    candidates: list[Candidate] = []
    ends = []
    for comp in comps:
        if comp.lo == comp.hi:
            candidates.append(Candidate({x: comp.lo}, tidy(f.subs(x, comp.lo)), "isolated"))
            continue
        found, comp_steps, comp_method, comp_complete = _critical_in(
            f, fp, x, comp, suspects, fp_num
        )
        steps.extend(comp_steps)
        method = "numeric" if comp_method == "numeric" else method
        complete = complete and comp_complete
        xs = [float(cp.point[x]) for cp in found]
        for i, cp in enumerate(found):
            left = xs[i - 1] if i else float(comp.lo)
            right = xs[i + 1] if i + 1 < len(found) else float(comp.hi)
            facts = _classify(cp, fp, fpp, x, left, right)
            steps.append(
                record(
                    "classify",
                    cp.point[x],
                    cp.classification,
                    var=x,
                    point=cp.point[x],
                    value=cp.value,
                    test=cp.test,
                    kind=cp.kind,
                    classification=cp.classification,
                    **facts,
                )
            )
        critical.extend(found)
        candidates.extend(Candidate(cp.point, cp.value, cp.kind) for cp in found)
        for end, closed, side in ((comp.lo, comp.lo_closed, "+"), (comp.hi, comp.hi_closed, "-")):
            if closed:
                candidates.append(Candidate({x: end}, tidy(f.subs(x, end)), "endpoint"))
            else:
                ends.append(end_limit(f, x, end, side))
    if any(not e.exact for e in ends):
        method = "numeric"
    candidates.sort(key=lambda c: float(c.point[x]))
    steps.append(record("candidates", candidates=candidates))
    gmin, gmax, status, bounds, compare_steps = decide_global(candidates, ends, complete)
    steps.extend(compare_steps)
    return ExtremaResult(
        critical_points=critical,
        global_min=gmin,
        global_max=gmax,
        method=method,
        steps=steps,
        candidates=candidates,
        global_status=status,
        bounds=bounds,
        complete=complete,
    )


def _critical_in(f, fp, x, comp: Component, suspects, fp_num):
    """Critical numbers inside one component, exact where possible, each checked
    against a numeric scan of f' so that none is missed silently."""
    steps = []
    method = "symbolic"
    complete = True
    lo, hi = float(comp.lo), float(comp.hi)
    where = interval_text(sympy.Interval.open(comp.lo, comp.hi))
    solved = stationary.solve_stationary(fp, x, comp)
    numeric_roots, report = roots_1d(fp_num, lo, hi, GRID_POINTS, RootCheck(fp, x))
    points: list[tuple[sympy.Expr, str, bool]] = []  # (x, kind, exact)
    if solved is None:
        method = "numeric"
        steps.append(
            record(
                "solve",
                f"{to_plain(fp)} = 0",
                ", ".join(f"{r.x:.12g}" for r in numeric_roots) or "no roots found",
                case="numeric",
                var=x,
                where=where,
                search=report.description,
            )
        )
        points = [_numeric_point(r, fp, x) for r in numeric_roots]
    else:
        exact_points, family = solved
        if family is not None:
            complete = False
            steps.append(
                record(
                    "solve",
                    f"{to_plain(fp)} = 0",
                    family,
                    case="family",
                    var=x,
                    family=family,
                    window=stationary.FAMILY_WINDOW,
                )
            )
        else:
            steps.append(
                record(
                    "solve",
                    f"{to_plain(fp)} = 0",
                    ", ".join(f"{x} = {to_plain(p)}" for p in exact_points) or "no solutions",
                    case="exact",
                    var=x,
                    where=where,
                )
            )
        points = [(p, "stationary", True) for p in exact_points]
        search_lo, search_hi = (
            (lo, hi)
            if family is None
            else (max(lo, -stationary.FAMILY_WINDOW), min(hi, stationary.FAMILY_WINDOW))
        )
        missed = [
            r
            for r in numeric_roots
            if search_lo < r.x < search_hi
            and not any(_near(float(p), r.x) for p, _, _ in points)
            and not any(_near(float(s), r.x) for s in suspects)
        ]
        if missed:
            method = "numeric"
            steps.append(
                record("numeric_check", search=report.description, missed=[r.x for r in missed])
            )
            points += [_numeric_point(r, fp, x) for r in missed]
    # Points where f' may not exist: decide each from the one-sided limits of f'.
    singular_notes = []
    for s in suspects:
        sv = float(s)
        if not (lo < sv < hi):
            continue
        kind = _settle_suspect(fp, x, s)
        points = [p for p in points if not _near(float(p[0]), sv)]
        if kind is not None:
            points.append((s, kind, True))
        if kind == "singular":
            singular_notes.append(s)
    if singular_notes:
        steps.append(record("undefined_derivative", var=x, points=singular_notes))
    points.sort(key=lambda p: float(p[0]))
    found = []
    for p, kind, exact in points:
        value = (
            tidy(f.subs(x, p))
            if exact
            else sympy.Float(float(numeric_value(f.subs(x, p)) or math.nan), 15)
        )
        found.append(CriticalPoint({x: p}, value, kind=kind, exact=exact))
    return found, steps, method, complete


def _numeric_point(root, fp: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, str, bool]:
    if root.kind != "stationary":
        return sympy.Float(root.x, 15), root.kind, False
    value, exact = stationary.snap_root(root.x, fp, x)
    return value, root.kind, exact


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= MATCH_RTOL * max(1.0, abs(a), abs(b))
