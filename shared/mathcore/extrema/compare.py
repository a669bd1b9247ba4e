"""Comparing candidate values: which is the global minimum and maximum.

On a set where f is continuous, the global maximum is the largest value at the
candidates (critical points, closed ends) unless f comes closer to something
larger at an open end (the supremum is then not attained), and likewise for
the minimum.
"""

from __future__ import annotations

import sympy

from shared.mathcore.extrema.limits import EndLimit
from shared.mathcore.extrema.result import Candidate, Extremum
from shared.mathcore.extrema.wording import record
from shared.mathcore.printing import to_float, to_plain
from shared.mathcore.simplifier import tidy

PRECISION = 30
TIE_RTOL = 1e-12


def numeric_value(expr: sympy.Expr) -> float | None:
    """f's value as a float at 30-digit working precision (None if not real)."""
    if expr.is_infinite:
        return float("inf") if expr.is_extended_positive else float("-inf")
    return to_float(sympy.N(expr, PRECISION))


def same_value(a: sympy.Expr, b: sympy.Expr, fa: float, fb: float) -> bool:
    """True when two values are equal: exactly if both are exact, else to 1e-12."""
    if abs(fa - fb) > TIE_RTOL * max(1.0, abs(fa), abs(fb)):
        return False
    if a.has(sympy.Float) or b.has(sympy.Float):
        return True
    return tidy(a - b) == 0 or abs(fa - fb) <= 1e-25 * max(1.0, abs(fa))


def decide_global(
    candidates: list[Candidate],
    ends: list[EndLimit],
    complete: bool,
    name: str = "f",
) -> tuple[Extremum | None, Extremum | None, dict[str, str], dict[str, str], list[dict]]:
    """Return (global_min, global_max, status, bounds, steps) from the candidate
    values and the behaviour of f at the open ends."""
    scored = []
    for cand in candidates:
        value = numeric_value(cand.value)
        if value is not None:
            scored.append((cand, value))
    steps = []
    if scored:
        steps.append(record("compare", scored=scored, name=name))
    if ends:
        steps.append(record("limits", ends=ends))
    status: dict[str, str] = {}
    bounds: dict[str, str] = {}
    results: dict[str, Extremum | None] = {}
    unknown = next((e for e in ends if not e.known), None)
    for kind, sign in (("max", 1.0), ("min", -1.0)):
        results[kind] = None
        if unknown is not None:
            # What f does at that end is not even estimated: any claim could be wrong.
            status[kind] = "undecided"
            steps.append(record("conclude", case="end_unknown", kind=kind, end=unknown))
            continue
        best = max((sign * v for _, v in scored), default=None)
        end_values = [(sign * numeric_value(e.high if sign > 0 else e.low), e) for e in ends]
        end_best = max(end_values, key=lambda t: t[0], default=None)
        if best is not None and (
            end_best is None or end_best[0] <= best + TIE_RTOL * max(1.0, abs(best))
        ):
            winners = [
                c for c, v in scored if abs(sign * v - best) <= TIE_RTOL * max(1.0, abs(best))
            ]
            lead = winners[0]
            fb = numeric_value(lead.value)
            winners = [
                c for c in winners if same_value(c.value, lead.value, numeric_value(c.value), fb)
            ]
            results[kind] = Extremum([c.point for c in winners], lead.value)
            status[kind] = "attained" if complete else "undecided"
            bounds["supremum" if kind == "max" else "infimum"] = to_plain(lead.value)
            case = "attained" if complete else "incomplete"
            if not complete:
                results[kind] = None
            points = [c.point for c in winners]
            steps.append(record("conclude", case=case, kind=kind, points=points, value=lead.value))
            continue
        if end_best is None:
            status[kind] = "undecided"
            steps.append(record("conclude", case="no_candidate", kind=kind))
            continue
        value = end_best[1].high if sign > 0 else end_best[1].low
        bounds["supremum" if kind == "max" else "infimum"] = to_plain(value)
        status[kind] = "unbounded" if value.is_infinite else "not_attained"
        case = "unbounded_end" if value.is_infinite else "not_attained_end"
        steps.append(record("conclude", case=case, kind=kind, end=end_best[1], value=value))
    return results["min"], results["max"], status, bounds, steps
