"""Global extrema of f over all of ℝⁿ: proved, disproved, or said undecided.

A global minimum of a differentiable f on ℝⁿ is a critical point, so with the
complete list of critical points the least critical value m is the only
candidate. It *is* the minimum when f − m ≥ 0 is provable, or when f is
coercive (its top-degree part is positive on the unit sphere, so f → ∞ in every
direction). It is *not* when f → −∞ along some path, or when some point has a
value below m. Otherwise the steps say the question is undecided. Maxima are
minima of −f.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.classify import provably_nonnegative
from shared.mathcore.extrema.compare import numeric_value, same_value
from shared.mathcore.extrema.growth import coercive_reason, decay_reason
from shared.mathcore.extrema.result import CriticalPoint, Extremum
from shared.mathcore.extrema.wording import record
from shared.mathcore.printing import to_plain

PATH_SECONDS = 1.0
SAMPLE_RADIUS = 10.0

_SMOOTH = (sympy.exp, sympy.sin, sympy.cos, sympy.sinh, sympy.cosh, sympy.tanh, sympy.atan)


def is_entire(f: sympy.Expr) -> bool:
    """f is built from polynomials, exp, sin, cos, ...: defined and smooth on all of ℝⁿ."""
    for node in sympy.preorder_traversal(f):
        if node.is_Pow and not (node.exp.is_Integer and node.exp.is_nonnegative):
            if node.base.is_positive and node.base.is_number:
                continue  # a^x with a > 0 is exp(x·ln a)
            return False
        if isinstance(node, sympy.Function) and not isinstance(node, _SMOOTH):
            return False
    return True


def _paths(variables, t):
    n = len(variables)
    paths = []
    for combo in itertools.product((-1, 0, 1), repeat=n):
        if any(combo):
            paths.append([c * t for c in combo])
    if n == 2:
        for a, b in itertools.product((1, -1), repeat=2):
            paths.append([a * t, b * t**2])
            paths.append([b * t**2, a * t])
    return paths


def unbounded_below_path(g, variables) -> tuple[str, sympy.Expr] | None:
    """A path along which g → −∞ (or a value below any bound): (words, the path)."""
    t = sympy.Symbol("t", positive=True)
    for path in _paths(variables, t):
        phi = g.subs(dict(zip(variables, path, strict=True)), simultaneous=True)
        try:
            with time_budget(PATH_SECONDS):
                if phi.is_polynomial(t):
                    poly = sympy.Poly(sympy.expand(phi), t)
                    down = poly.degree() > 0 and poly.LC().is_negative
                else:
                    down = sympy.limit(phi, t, sympy.oo) == -sympy.oo
        except (BudgetExceeded, NotImplementedError, ValueError, TypeError):
            continue
        if down:
            words = "(" + ", ".join(to_plain(p) for p in path) + ")"
            return f"{tuple(map(str, variables))} = {words}, t → ∞".replace("'", ""), path
    return None


def _lower_point(g, variables, m_value: float):
    """A rational point where g < m, found by sampling and confirmed at 30 digits."""
    n = len(variables)
    fn = sympy.lambdify([variables], g, modules="numpy")
    per_axis = {1: 2001, 2: 101, 3: 21}.get(n, 7)
    axis = np.linspace(-SAMPLE_RADIUS, SAMPLE_RADIUS, per_axis)
    grid = (
        np.array(list(itertools.product(axis, repeat=n)))
        if n <= 4
        else np.random.default_rng(3).uniform(-SAMPLE_RADIUS, SAMPLE_RADIUS, (20000, n))
    )
    with np.errstate(all="ignore"):
        values = np.asarray(fn(grid.T), dtype=float)
    values = np.where(np.isfinite(values), values, np.inf)
    i = int(np.argmin(values))
    if not values[i] < m_value - 1e-9 * (1 + abs(m_value)):
        return None
    point = {
        v: sympy.Rational(round(float(c) * 1000), 1000)
        for v, c in zip(variables, grid[i], strict=True)
    }
    exact = numeric_value(g.subs(point))
    if exact is None or not exact < m_value:
        return None
    return point, g.subs(point)


_MONOTONE = (sympy.exp, sympy.atan, sympy.tanh, sympy.sinh)


def _through_monotone(f, variables, critical, complete):
    """f = h(u) with h strictly increasing: f has its extrema where u does,
    with values h(·); an end of u that is not attained stays not attained."""
    h, u = type(f), f.args[0]
    inner = [
        CriticalPoint(
            cp.point, u.subs(cp.eval_point), cp.classification, exact=cp.exact, approx=cp.approx
        )
        for cp in critical
    ]
    gmin, gmax, status, bounds, steps = global_over_space(u, variables, inner, complete)
    status = dict(status)
    out_bounds = {}
    for key, ext in (("min", gmin), ("max", gmax)):
        bound_key = "infimum" if key == "min" else "supremum"
        if ext is not None:
            ext.value = h(ext.value)
            out_bounds[bound_key] = to_plain(ext.value)
        elif status.get(key) == "unbounded":
            limit = h(-sympy.oo if key == "min" else sympy.oo)
            if limit.is_finite:
                status[key] = "not_attained"
                out_bounds[bound_key] = to_plain(limit)
    intro = record("monotone", outer=h.__name__, inner=u)
    return gmin, gmax, status, out_bounds, [intro, *steps]


def _decaying(f, critical: list[CriticalPoint], why: str):
    """f → 0 in every direction and the critical points are all known: the
    global maximum is the largest critical value M when M ≥ 0 (f ≤ max(M, 0)
    outside a large ball, and a maximum is a critical point), else f only
    approaches its supremum 0; likewise for the minimum."""
    steps = [record("decay", why=why)]
    status: dict[str, str] = {}
    bounds: dict[str, str] = {}
    results: dict[str, Extremum | None] = {"min": None, "max": None}
    for kind, sign in (("max", 1), ("min", -1)):
        key = "supremum" if kind == "max" else "infimum"
        scored = [(cp, numeric_value(sign * cp.value)) for cp in critical]
        scored = [(cp, v) for cp, v in scored if v is not None]
        best = max(scored, key=lambda cv: cv[1]) if scored else None
        if best is not None and best[1] >= 0:
            value = best[0].value
            winners = [
                cp for cp, v in scored if same_value(sign * cp.value, sign * value, v, best[1])
            ]
            points = [cp.point for cp in winners]
            results[kind] = Extremum(points, value)
            status[kind], bounds[key] = "attained", to_plain(value)
            steps.append(
                record("conclude", case="decay_attained", kind=kind, points=points, value=value)
            )
            continue
        status[kind], bounds[key] = "not_attained", "0"
        steps.append(record("conclude", case="decay_not_attained", kind=kind))
    return results["min"], results["max"], status, bounds, steps


def global_over_space(f, variables, critical: list[CriticalPoint], complete: bool):
    """Return (global_min, global_max, status, bounds, steps) over ℝⁿ."""
    if isinstance(f, _MONOTONE) and f.args[0].is_polynomial(*variables):
        return _through_monotone(f, variables, critical, complete)
    if complete and is_entire(f) and (why := decay_reason(f, variables)):
        return _decaying(f, critical, why)
    steps = []
    entire = is_entire(f)
    status: dict[str, str] = {}
    bounds: dict[str, str] = {}
    results: dict[str, Extremum | None] = {"min": None, "max": None}
    for kind, sign in (("min", 1), ("max", -1)):
        g = sign * f
        scored = [(cp, numeric_value(sign * cp.value)) for cp in critical]
        scored = [(cp, v) for cp, v in scored if v is not None]
        best = min(scored, key=lambda cv: cv[1]) if scored else None
        if best is not None:
            m_expr = sign * best[0].value
            winners = [cp for cp, v in scored if same_value(sign * cp.value, m_expr, v, best[1])]
            hs = list(variables)
            proof, why = None, ""
            if provably_nonnegative(
                sympy.expand(g - m_expr) if (g - m_expr).is_polynomial(*hs) else g - m_expr, hs
            ) or provably_nonnegative(g - m_expr, hs):
                proof = "nonnegative"
            elif complete and entire and (why := coercive_reason(g, variables)):
                proof = "coercive"
            if proof is not None:
                points = [cp.point for cp in winners]
                results[kind] = Extremum(points, best[0].value)
                status[kind] = "attained"
                bounds["infimum" if sign > 0 else "supremum"] = to_plain(best[0].value)
                steps.append(
                    record(
                        "conclude",
                        case="proved",
                        kind=kind,
                        proof=proof,
                        why=why,
                        points=points,
                        value=best[0].value,
                    )
                )
                continue
        path = unbounded_below_path(g, variables)
        if path is not None:
            status[kind] = "unbounded"
            bounds["infimum" if sign > 0 else "supremum"] = "-oo" if sign > 0 else "oo"
            steps.append(record("conclude", case="path", kind=kind, path=path[0]))
            continue
        if complete and entire:
            if best is None:
                status[kind] = "not_attained"
                steps.append(record("conclude", case="no_critical", kind=kind))
                continue
            lower = _lower_point(g, variables, best[1])
            if lower is not None:
                q, value = lower
                status[kind] = "not_attained"
                steps.append(
                    record(
                        "conclude",
                        case="lower_point",
                        kind=kind,
                        point=q,
                        value=sign * value,
                        numeric=sign * numeric_value(value),
                    )
                )
                continue
        status[kind] = "undecided"
        steps.append(
            record("conclude", case="undecided", kind=kind, complete=complete, n=len(variables))
        )
    return results["min"], results["max"], status, bounds, steps
