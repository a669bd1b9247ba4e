"""Extrema of f(x₁, …, xₙ): ∇f = 0, the Hessian test, and the global extrema.

Over a box (``bounds``) the global extrema are among the interior critical
points and the extrema on the boundary, found face by face (see ``box``).
Over the whole space they are decided by ``whole_space``.
"""

from __future__ import annotations

import sympy

from shared.mathcore.extrema.box import extrema_box
from shared.mathcore.extrema.critical import critical_points_of
from shared.mathcore.extrema.result import ExtremaResult
from shared.mathcore.extrema.whole_space import global_over_space
from shared.mathcore.extrema.wording import worded


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
        return worded(extrema_box(expr, variables, bounds))
    critical, method, complete, steps = critical_points_of(expr, variables)
    gmin, gmax, status, limits, global_steps = global_over_space(
        expr, variables, critical, complete
    )
    steps += global_steps
    result = ExtremaResult(
        critical_points=critical,
        global_min=gmin,
        global_max=gmax,
        method=method,
        steps=steps,
        global_status=status,
        bounds=limits,
        complete=complete,
    )
    return worded(result)
