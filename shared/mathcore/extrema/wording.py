"""The words of the extrema steps: one wording per step rule.

The solving code records what it did as :class:`StepRecord` facts (points,
values, which test or proof applied); the printer here turns them into the
contract's STEP text, as ``derivative/render.py`` does for derivatives.
Several wordings dispatch on a ``case`` fact where one rule ends in different
ways (a conclusion that a minimum is attained, unbounded, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from shared.mathcore.printing import to_plain
from shared.mathcore.steps import Step, StepPrinter, StepRecord

MIN_MAX = {"min": "minimum", "max": "maximum"}


def point_text(point: dict) -> str:
    """x₀ for one variable, (x₀, y₀, …) for several."""
    values = [to_plain(v) for v in point.values()]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _names(point: dict) -> str:
    names = [str(v) for v in point]
    return names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"


def _points(points: Sequence[dict]) -> str:
    return ", ".join(point_text(p) for p in points)


# -- one variable -----------------------------------------------------------


def _periodic(period, parameter) -> str:
    return (
        f"f is periodic with period T = {to_plain(period)}: the critical points are the families "
        f"c + {parameter}·T ({parameter} any integer) for the c in [0, {to_plain(period)}) listed "
        "below, and the global extrema over ℝ are those over one period. We search (−T, T), "
        "which holds every class."
    )


def _domain(interval: str, domain: str, exact: bool) -> str:
    where = "" if exact else " (ends located numerically)"
    return f"On {interval}, f is defined and continuous on {domain}{where}."


def _solve(case: str, var, where: str = "", search: str = "", family=None, window=0) -> str:
    if case == "numeric":
        return (
            f"Solving f'({var}) = 0 on {where} symbolically failed or ran out of time, so we "
            f"{search}."
        )
    if case == "family":
        return (
            f"f'({var}) = 0 has infinitely many solutions, {to_plain(family)}; those with "
            f"|{var}| ≤ {window} are examined."
        )
    return f"Solve f'({var}) = 0 on {where}."


def _numeric_check(search: str, missed: Sequence[float]) -> str:
    shown = ", ".join(f"{r:.12g}" for r in missed)
    return (
        f"A numeric check ({search}) finds more points that symbolic solving missed: {shown}; "
        "they are added."
    )


def _undefined_derivative(var, points: Sequence) -> str:
    return (
        f"f' does not exist at {var} = {', '.join(to_plain(p) for p in points)}, where f is "
        "defined: these are critical numbers too (a corner, cusp or vertical tangent)."
    )


def _classify_1d(var, point, value, test: str, kind: str, **facts) -> str:
    """The second-derivative test, else the first-derivative test, in words."""
    head = f"At {var} = {to_plain(point)} (f = {to_plain(value)}): "
    if test == "second_derivative":
        second = facts["second"]
        word = "minimum" if second > 0 else "maximum"
        return head + (
            f"f''({to_plain(point)}) ≈ {second:.6g} {'>' if second > 0 else '<'} 0, so by the "
            f"second-derivative test f has a local {word} there."
        )
    why = "f'' is 0 or undefined there, so " if kind == "stationary" else ""
    if test == "none":
        return head + (
            f"{why}the sign of f' near {to_plain(point)} could not be determined: inconclusive."
        )
    (t_left, s_left), (t_right, s_right) = facts["left"], facts["right"]
    sign = {1: "+", -1: "−"}
    signs = f"f'({t_left:.6g}) {sign[s_left]}, f'({t_right:.6g}) {sign[s_right]}"
    verdict = {
        "local_min": "f' changes from − to +: a local minimum",
        "local_max": "f' changes from + to −: a local maximum",
        "neither": "f' does not change sign: neither a minimum nor a maximum",
    }[facts["classification"]]
    return head + f"{why}by the first-derivative test ({signs}), {verdict}."


def _candidates(candidates: Sequence) -> str:
    listed = ", ".join(f"{point_text(c.point)} ({c.kind})" for c in candidates) or "none"
    return f"The candidates for the global extrema: {listed}."


# -- comparing candidates (one variable and boxes) ----------------------------


def _compare(scored: Sequence, name: str = "f") -> str:
    table = "; ".join(
        f"{name}({point_text(c.point)}) = {to_plain(c.value)} ≈ {v:.10g} [{c.kind}]"
        for c, v in scored
    )
    return f"Compare the values at the candidates: {table}."


def _limits(ends: Sequence) -> str:
    parts = [f"as {e.where}, {e.text}" + ("" if e.exact else " (numeric estimate)") for e in ends]
    return "At the open ends, f is not attained but approached: " + "; ".join(parts) + "."


def _conclude(case: str, kind: str, **facts) -> str:
    word = MIN_MAX[kind]
    if case == "attained":
        points, value = facts["points"], facts["value"]
        return (
            f"The global {word} is {to_plain(value)}, attained at "
            f"{_names(points[0])} = {_points(points)}."
        )
    if case == "incomplete":
        least = "largest" if kind == "max" else "least"
        return (
            f"Among the points found the {least} value is {to_plain(facts['value'])} at "
            f"{_points(facts['points'])}, but the search for critical points did not cover "
            f"everything, so this is not proved to be the global {word}."
        )
    if case == "no_candidate":
        return f"No candidate has a value: no global {word} found."
    if case == "end_unknown":
        return (
            f"What f does as {facts['end'].where} could not be decided (its values there "
            f"could not all be computed in time), so no global {word} is claimed."
        )
    if case == "unbounded_end":
        end = facts["end"]
        return f"No global {word}: as {end.where}, {end.text}, so f is unbounded."
    if case == "not_attained_end":
        return (
            f"No global {word}: f comes arbitrarily close to {to_plain(facts['value'])} as "
            f"{facts['end'].where} but no candidate reaches it."
        )
    return _conclude_space(case, kind, word, **facts)


# -- the whole space ------------------------------------------------------------


def _conclude_space(case: str, kind: str, word: str, **facts) -> str:
    low = kind == "min"
    if case == "proved":
        return f"Global {word}: {_proof(kind, **facts)}; it is {to_plain(facts['value'])} at " + (
            f"{_points(facts['points'])}."
        )
    if case == "path":
        return f"No global {word}: along the path {facts['path']}, f → {'−∞' if low else '∞'}."
    if case == "no_critical":
        return (
            f"No global {word}: f is differentiable everywhere and has no critical points, "
            f"and a global {word} would be one."
        )
    if case == "lower_point":
        return (
            f"No global {word}: f{point_text(facts['point'])} = {to_plain(facts['value'])} "
            f"≈ {facts['numeric']:.6g} is {'below' if low else 'above'} every critical value, "
            f"and a global {word} would have to be a critical point."
        )
    if case == "decay_attained":
        return (
            f"Global {word}: the {'least' if low else 'largest'} critical value "
            f"{to_plain(facts['value'])} is {'≤' if low else '≥'} the limit 0 at infinity, so f "
            f"attains it (a global {word} exists and is a critical point), at "
            f"{_points(facts['points'])}."
        )
    if case == "decay_not_attained":
        return (
            f"No global {word}: every critical value is {'above' if low else 'below'} the limit "
            f"0 at infinity, so f approaches 0 but a {word} would have to be a critical point "
            "with a value beyond it."
        )
    if case == "undecided":
        reason = (
            "" if facts["complete"] else " (and the list of critical points is not proved complete)"
        )
        return (
            f"Whether f has a global {word} on all of ℝ^{facts['n']} could not be decided"
            f"{reason}: no path to infinity was found, and no proof that a critical value "
            "bounds f."
        )
    raise KeyError(f"no wording for the conclusion {case!r}")


def _proof(kind: str, proof: str, value, why: str = "", **_) -> str:
    low = kind == "min"
    if proof == "nonnegative":
        return f"f − {to_plain(value)} {'≥' if low else '≤'} 0 everywhere"
    word = MIN_MAX[kind]
    return (
        f"f → {'∞' if low else '−∞'} in every direction (coercive: "
        f"{'' if low else 'for −f, '}{why}), so a global {word} exists, and it must be a "
        f"critical point: the {'least' if low else 'largest'} critical value"
    )


def _decay(why: str) -> str:
    return f"Far out f tends to 0: {why}."


def _monotone(outer: str, inner) -> str:
    return (
        f"f = {outer}(u) with u = {to_plain(inner)}, and {outer} is strictly increasing: "
        "f has its global extrema exactly where u has them."
    )


# -- several variables ----------------------------------------------------------


def _gradient() -> str:
    return "Differentiate with respect to each variable to get the gradient."


def _solve_nd(case: str, count: int = 0, exp_split=None, error: str = "") -> str:
    if case == "groebner":
        why = "The equations are polynomial"
        if exp_split is not None:
            p, r = exp_split
            why = (
                f"∇f = e^({to_plain(r)})·(∇P + P·∇R) with P = {to_plain(p)}, and e^R > 0, so "
                "∇f = 0 is the polynomial system ∇P + P·∇R = 0"
            )
        return (
            f"Solve ∇f = 0. {why}, so a Gröbner basis finds every real solution exactly: "
            f"{count} critical point(s)."
        )
    if case == "groebner_failed":
        return f"Solving ∇f = 0 with a Gröbner basis did not finish: {error}."
    return "Solve ∇f = 0 symbolically."


def _numeric_search(case: str, search: str, count: int = 0) -> str:
    if case == "fallback":
        return f"Solving ∇f = 0 symbolically failed or ran out of time, so we {search}."
    if case == "added":
        return (
            "Symbolic solving is not sure to find every solution of a non-polynomial system; "
            f"a numeric check ({search}) finds {count} more, added here."
        )
    return f"A numeric check ({search}) finds no other critical points there."


def _classify_nd(point, value, hessian: dict) -> str:
    return f"At {point_text(point)} (f = {to_plain(value)}): {_hessian_reason(**hessian)}"


def _hessian_reason(case: str, eigenvalues=(), positive=False, **higher) -> str:
    """The Hessian test, and the higher-order or sampled test where H is singular."""
    shown = ", ".join(f"{v:.6g}" for v in eigenvalues)
    if case == "no_hessian":
        return "the Hessian could not be evaluated there."
    if case == "indefinite":
        return f"H has eigenvalues {shown} of both signs (indefinite): a saddle point."
    if case == "definite":
        kind = "positive definite" if positive else "negative definite"
        return f"H has eigenvalues {shown}, {kind}: a local {'minimum' if positive else 'maximum'}."
    lead = (
        f"H has eigenvalues {shown} and is singular, so the second-derivative test is inconclusive"
    )
    return lead + "; " + _higher_order(**higher)


def _line(line) -> str:
    point, direction = line
    return (
        "("
        + ", ".join(
            f"{sympy.sstr(c)} + {d}t" if d else sympy.sstr(c)
            for c, d in zip(point, direction, strict=True)
        )
        + ")"
    )


def _higher_order(higher: str, **facts) -> str:
    if higher == "odd_power":
        return (
            f"along the line {_line(facts['line'])}, f − f(p) ≈ "
            f"{sympy.sstr(facts['coefficient'])}·t^{facts['power']}, an odd power that takes both "
            "signs: a saddle point (neither a minimum nor a maximum)."
        )
    if higher == "rise_and_fall":
        (up, uk, uc), (down, dk, dc) = facts["up"], facts["down"]
        return (
            f"f rises along {_line(up)} (≈ {sympy.sstr(uc)}·t^{uk}) and falls along "
            f"{_line(down)} (≈ {sympy.sstr(dc)}·t^{dk}): a saddle point."
        )
    if higher == "nonnegative":
        return (
            "f(p + h) − f(p) ≥ 0 for every h (a sum of even powers / non-negative), "
            "so a local minimum."
        )
    if higher == "nonpositive":
        return "f(p + h) − f(p) ≤ 0 for every h, so a local maximum."
    if higher == "sampled_saddle":
        return (
            "sampling f − f(p) on spheres of radius 0.1, 0.01 and 0.001 around p (720 "
            "directions each) finds values of both signs: a saddle point (numeric evidence)."
        )
    side = "≤ 0" if facts["below"] else "≥ 0"
    return (
        f"neither the directional nor the higher-order test settles it; sampled values of "
        f"f − f(p) near p are all {side}, which suggests but does not prove a local "
        f"{'minimum' if side == '≥ 0' else 'maximum'}: inconclusive."
    )


def _box(box: str) -> str:
    return (
        f"Search the closed box {box}: a continuous f attains its extrema there, at interior "
        "critical points or on the boundary."
    )


def _restrict(count: int) -> str:
    return f"{count} critical point(s) lie outside the open box and are set aside."


def _boundary(points: Sequence[dict]) -> str:
    return (
        "On each face one variable sits at an end of its range; the same method on each face "
        "(and on each edge, by the closed-interval method) gives "
        f"{len(points)} boundary candidate(s): " + "; ".join(point_text(p) for p in points) + "."
    )


WORDING = {
    "periodic": _periodic,
    "real_root": lambda: "Odd roots of negative numbers are taken real (e.g. (−8)^(1/3) = −2).",
    "domain": _domain,
    "differentiate": lambda: "Differentiate.",
    "solve": lambda **facts: (_solve_nd if "var" not in facts else _solve)(**facts),
    "numeric_check": _numeric_check,
    "undefined_derivative": _undefined_derivative,
    "classify": lambda **facts: (_classify_nd if "hessian" in facts else _classify_1d)(**facts),
    "candidates": _candidates,
    "compare": _compare,
    "limits": _limits,
    "conclude": _conclude,
    "decay": _decay,
    "monotone": _monotone,
    "gradient": _gradient,
    "numeric_search": _numeric_search,
    "box": _box,
    "restrict": _restrict,
    "boundary": _boundary,
}

PRINTER = StepPrinter(WORDING)


def render(steps: Sequence[StepRecord | Step]) -> list[Step]:
    """The STEP dicts of extrema step records (ready dicts pass through)."""
    return PRINTER.render_all(steps)


def worded(result):
    """``result`` (an ExtremaResult) with its step records turned into STEP dicts."""
    result.steps = render(result.steps)
    return result


def record(rule: str, before: object = "", after: object = "", latex: str = "", **facts):
    """A StepRecord of ``rule`` with ``facts`` for its wording."""
    return StepRecord(rule, facts, before=before, after=after, latex=latex)


__all__ = ["PRINTER", "WORDING", "point_text", "record", "render", "worded"]
