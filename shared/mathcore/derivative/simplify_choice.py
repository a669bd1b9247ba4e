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
import threading
import time
from collections.abc import Callable

import sympy
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)

# Past this size a raw derivative is left as it is: factor/cancel on very
# large expressions can take seconds, which no reader's convenience is worth.
_MAX_OPS_TO_SIMPLIFY = 400


# Measured on the step corpus and the pipeline benchmark: 0.3 s finds the
# same forms as 1 s (2,250 vs 2,248 operations over 150 results) at about
# half the mean time; the extra time went to simplify() runs that gave up.
SIMPLIFY_BUDGET_S = 0.3


def _function_types(expr: sympy.Expr) -> set[type]:
    return {type(f) for f in expr.atoms(sympy.Function)}


def _measure(expr: sympy.Expr) -> tuple[int, int]:
    return (sympy.count_ops(expr), len(sympy.sstr(expr)))


# Cheap rewriters: about 14 ms together per corpus derivative, 0.1 s at worst.
_CHEAP: tuple[Callable[[sympy.Expr], sympy.Expr], ...] = (
    sympy.together,
    sympy.cancel,
    sympy.factor,
    sympy.powsimp,
)


def _trigsimp(expr: sympy.Expr) -> sympy.Expr:
    return sympy.trigsimp(expr) if expr.has(TrigonometricFunction) else expr


def choose_simplified(
    raw: sympy.Expr, budget_s: float = SIMPLIFY_BUDGET_S, full: bool = True
) -> sympy.Expr:
    """Return the shortest form equal to ``raw`` found within about ``budget_s`` seconds.

    ``full=False`` tries only the cheap rewriters (no simplify, no trigsimp).

    >>> x = sympy.Symbol("x", real=True)
    >>> choose_simplified(2*x*(x + 1)**2/(x + 1))
    2*x*(x + 1)
    """
    raw_ops = sympy.count_ops(raw)
    if raw.is_Atom or raw_ops > _MAX_OPS_TO_SIMPLIFY or raw_ops <= 1:
        return raw  # nothing to gain below 2 operations (x**2, 2*x, cos(x))
    deadline = time.monotonic() + budget_s
    best, best_size = raw, (raw_ops, len(sympy.sstr(raw)))
    seen = {raw}
    raw_functions = _function_types(raw)
    candidates = list(_CHEAP)
    if full and threading.current_thread() is not threading.main_thread():
        # Budgets need SIGALRM, which only the main thread can arm; unguarded,
        # simplify can run for minutes on a few hundred operations.
        logger.debug("not in the main thread: cheap simplification only")
        full = False
    if full:
        # simplify runs trigsimp itself; trigsimp alone only stands in when
        # simplify runs out of time.
        candidates += [sympy.simplify, _trigsimp]
    simplified = False
    for transform in candidates:
        if transform is _trigsimp and simplified:
            continue
        try:
            with time_budget(deadline - time.monotonic()):
                candidate = transform(raw)
                if candidate in seen:
                    continue  # rewriters often agree; measure each form once
                seen.add(candidate)
                size = _measure(candidate)
        except BudgetExceeded:
            logger.debug("simplification candidate %s ran out of time", transform)
            continue
        except Exception:  # noqa: BLE001
            # SymPy's rewriters have internal bugs on odd inputs (trigsimp raised
            # AttributeError on a depth-5 corpus expression); a failed candidate
            # only means one form fewer to choose from.
            logger.debug("simplification candidate %s failed", transform, exc_info=True)
            continue
        simplified = simplified or transform is sympy.simplify
        if candidate.has(sympy.nan, sympy.zoo) and not raw.has(sympy.nan, sympy.zoo):
            continue
        if not _function_types(candidate) <= raw_functions:
            continue  # e^x rewritten as cosh(x/2) is shorter but no teacher's form
        if size < best_size:
            best, best_size = candidate, size
    return best
