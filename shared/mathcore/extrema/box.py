"""Global extrema of f over a closed box: interior critical points plus the
boundary, face by face.

A continuous f on a closed box attains its extrema (extreme value theorem),
either at an interior critical point or on the boundary; each face is a box
of one dimension less where f, with one variable fixed at an end, is searched
the same way, down to edges (the closed-interval method) and corners.
"""

from __future__ import annotations

import numpy as np
import sympy

from shared.mathcore.extrema.compare import decide_global
from shared.mathcore.extrema.critical import critical_points_of
from shared.mathcore.extrema.one_variable import extrema_one_variable
from shared.mathcore.extrema.result import Candidate, ExtremaResult, Point
from shared.mathcore.extrema.wording import record
from shared.mathcore.printing import to_plain


def _inside(point: Point, bounds) -> bool:
    return all(
        float(bounds[v][0]) < float(sympy.N(c, 20)) < float(bounds[v][1]) for v, c in point.items()
    )


def _boundary_candidates(
    f, variables, bounds, fixed: Point, notes: list[str]
) -> tuple[list[Candidate], bool]:
    """Candidates on the box spanned by ``variables`` (others fixed), interior included."""
    numeric = False
    if len(variables) == 1:
        (v,) = variables
        result = extrema_one_variable(f, v, bounds[v])
        numeric = result.method == "numeric"
        out = [Candidate({**fixed, v: c.point[v]}, c.value, "boundary") for c in result.candidates]
        return out, numeric
    lo = np.array([float(bounds[v][0]) for v in variables])
    hi = np.array([float(bounds[v][1]) for v in variables])
    critical, method, _, _ = critical_points_of(f, variables, lo, hi)
    numeric = method == "numeric"
    out = [
        Candidate({**fixed, **cp.point}, cp.value, "boundary")
        for cp in critical
        if _inside(cp.point, bounds)
    ]
    for i, v in enumerate(variables):
        rest = variables[:i] + variables[i + 1 :]
        for end in bounds[v]:
            face = f.subs(v, end)
            sub, sub_numeric = _boundary_candidates(face, rest, bounds, {**fixed, v: end}, notes)
            out += sub
            numeric = numeric or sub_numeric
    return out, numeric


def _dedupe(cands: list[Candidate], variables) -> list[Candidate]:
    seen = []
    out = []
    for c in cands:
        key = tuple(round(float(sympy.N(c.point[v], 20)), 9) for v in variables)
        if key in seen:
            continue
        seen.append(key)
        out.append(Candidate({v: c.point[v] for v in variables}, c.value, c.kind))
    return out


def extrema_box(expr, variables, bounds) -> ExtremaResult:
    """Critical points of f inside the box and its global extrema over the box."""
    for v in variables:
        if v not in bounds:
            raise ValueError(f"the box gives no bounds for {v}")
        lo, hi = bounds[v]
        if lo.is_infinite or hi.is_infinite or not bool(lo < hi):
            raise ValueError(f"the bounds of {v} must be finite with lower < upper")
    lo = np.array([float(bounds[v][0]) for v in variables])
    hi = np.array([float(bounds[v][1]) for v in variables])
    box_text = " × ".join(
        f"[{to_plain(bounds[v][0])}, {to_plain(bounds[v][1])}]" for v in variables
    )
    critical, method, _, steps = critical_points_of(expr, variables, lo, hi)
    inside = [cp for cp in critical if _inside(cp.point, bounds)]
    dropped = len(critical) - len(inside)
    steps.insert(
        0,
        record("box", box=box_text),
    )
    if dropped:
        steps.append(record("restrict", count=dropped))
    notes: list[str] = []
    boundary: list[Candidate] = []
    for i, v in enumerate(variables):
        rest = variables[:i] + variables[i + 1 :]
        for end in bounds[v]:
            sub, sub_numeric = _boundary_candidates(
                expr.subs(v, end), rest, bounds, {v: end}, notes
            )
            boundary += sub
            method = "numeric" if sub_numeric else method
    boundary = _dedupe(boundary, variables)
    steps.append(record("boundary", points=[c.point for c in boundary]))
    candidates = [Candidate(cp.point, cp.value, cp.kind) for cp in inside] + boundary
    gmin, gmax, status, limits, compare_steps = decide_global(candidates, [], True)
    steps += compare_steps
    return ExtremaResult(
        critical_points=inside,
        global_min=gmin,
        global_max=gmax,
        method=method,
        steps=steps,
        candidates=candidates,
        global_status=status,
        bounds=limits,
        complete=True,
    )
