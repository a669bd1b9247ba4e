"""Comparing candidate values: which is the global minimum and maximum.

On a set where f is continuous, the global maximum is the largest value at the
candidates (critical points, closed ends) unless f comes closer to something
larger at an open end (the supremum is then not attained), and likewise for
the minimum.
"""

from __future__ import annotations

import sympy

from shared.mathcore.extrema.limits import EndLimit
from shared.mathcore.extrema.result import Candidate, Extremum, Point
from shared.mathcore.printing import to_float, to_plain
from shared.mathcore.simplifier import tidy
from shared.mathcore.steps import make_step

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


def point_text(point: Point) -> str:
    values = [to_plain(v) for v in point.values()]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _names(point: Point) -> str:
    names = [str(v) for v in point]
    return names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"


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
        table = "; ".join(
            f"{name}({point_text(c.point)}) = {to_plain(c.value)} ≈ {v:.10g} [{c.kind}]"
            for c, v in scored
        )
        steps.append(make_step("compare", f"Compare the values at the candidates: {table}."))
    if ends:
        steps.append(
            make_step(
                "limits",
                "At the open ends, f is not attained but approached: "
                + "; ".join(
                    f"as {e.where}, {e.text}" + ("" if e.exact else " (numeric estimate)")
                    for e in ends
                )
                + ".",
            )
        )
    status: dict[str, str] = {}
    bounds: dict[str, str] = {}
    results: dict[str, Extremum | None] = {}
    for kind, sign in (("max", 1.0), ("min", -1.0)):
        results[kind] = None
        best = max((sign * v for _, v in scored), default=None)
        end_values = [(sign * numeric_value(e.high if sign > 0 else e.low), e) for e in ends]
        end_best = max(end_values, key=lambda t: t[0], default=None)
        word = "maximum" if kind == "max" else "minimum"
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
            where = ", ".join(point_text(c.point) for c in winners)
            at = f"{_names(lead.point)} = {where}"
            text = f"The global {word} is {to_plain(lead.value)}, attained at {at}."
            if not complete:
                text = (
                    f"Among the points found the {'largest' if kind == 'max' else 'least'} value "
                    f"is {to_plain(lead.value)} at {where}, but the search for critical points "
                    f"did not cover everything, so this is not proved to be the global {word}."
                )
                results[kind] = None
            steps.append(make_step("conclude", text))
            continue
        if end_best is None:
            status[kind] = "undecided"
            steps.append(
                make_step("conclude", f"No candidate has a value: no global {word} found.")
            )
            continue
        value = end_best[1].high if sign > 0 else end_best[1].low
        bounds["supremum" if kind == "max" else "infimum"] = to_plain(value)
        if value.is_infinite:
            status[kind] = "unbounded"
            text = (
                f"No global {word}: as {end_best[1].where}, {end_best[1].text}, so f is unbounded."
            )
        else:
            status[kind] = "not_attained"
            text = (
                f"No global {word}: f comes arbitrarily close to {to_plain(value)} as "
                f"{end_best[1].where} but no candidate reaches it."
            )
        steps.append(make_step("conclude", text))
    return results["min"], results["max"], status, bounds, steps
