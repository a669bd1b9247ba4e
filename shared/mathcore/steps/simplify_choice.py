"""Choose the simplified form of a derivative that a teacher would write.

Candidates (the raw form, cancel, factor, together, trigsimp, powsimp, and
simplify when time allows) that bring in no function absent from the raw form
are compared by operation count, then printed length; the shortest wins and
the raw form wins ties, so nothing is rewritten for show.
``simplify`` costs 17–370 ms and often changes nothing, so it runs under a time
budget and the cheap candidates stand in when it runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sympy
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)

# Past this size a raw derivative is left as it is: factor/cancel on very
# large expressions can take seconds, which no reader's convenience is worth.
_MAX_OPS_TO_SIMPLIFY = 400


def _function_types(expr: sympy.Expr) -> set[type]:
    return {type(f) for f in expr.atoms(sympy.Function)}


def _measure(expr: sympy.Expr) -> tuple[int, int]:
    return (sympy.count_ops(expr), len(sympy.sstr(expr)))


def _candidates(full: bool) -> list[Callable[[sympy.Expr], sympy.Expr]]:
    cheap: list[Callable[[sympy.Expr], sympy.Expr]] = [
        sympy.cancel,
        sympy.together,
        sympy.factor,
        lambda e: sympy.trigsimp(e) if e.has(TrigonometricFunction) else e,
        sympy.powsimp,
    ]
    return cheap + [sympy.simplify] if full else cheap


def choose_simplified(raw: sympy.Expr, budget_s: float = 0.5, full: bool = True) -> sympy.Expr:
    """Return the shortest form equal to ``raw`` found within ``budget_s`` seconds.

    >>> x = sympy.Symbol("x", real=True)
    >>> choose_simplified(2*x*(x + 1)**2/(x + 1))
    2*x*(x + 1)
    """
    if raw.is_Atom or sympy.count_ops(raw) > _MAX_OPS_TO_SIMPLIFY:
        return raw
    best, best_size = raw, _measure(raw)
    raw_functions = _function_types(raw)
    for transform in _candidates(full):
        try:
            with time_budget(budget_s):
                candidate = transform(raw)
                size = _measure(candidate)
        except BudgetExceeded:
            logger.debug("simplification candidate %s ran out of time", transform)
            continue
        except (TypeError, ValueError, NotImplementedError, sympy.PolynomialError):
            continue  # some transforms refuse some inputs; the others still run
        if candidate.has(sympy.nan, sympy.zoo) and not raw.has(sympy.nan, sympy.zoo):
            continue
        if not _function_types(candidate) <= raw_functions:
            continue  # e^x rewritten as cosh(x/2) is shorter but no teacher's form
        if size < best_size:
            best, best_size = candidate, size
    return best
