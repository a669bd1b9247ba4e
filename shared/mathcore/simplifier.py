"""The one simplifier: the shortest equal form found within the job's work budget.

Candidates (the raw form, together, cancel, factor, powsimp, then simplify and
trigsimp unless ``cheap``) that bring in no function absent from the raw form
(e^x rewritten as cosh is no teacher's form; sign(x) as a Piecewise hides
where it is undefined) and no nan/zoo are compared by operation count, then
printed length; the raw form wins ties, so nothing is rewritten for show.
Simplifying only improves presentation: it runs under
``budget.optional_work`` and stops when its per-call cap or the job's work
budget is spent, returning the best form found so far (always equal to the
raw one) and whether the job's budget cut it short.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import NamedTuple

import sympy
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from shared.mathcore.budget import BudgetExceeded, WorkBudgetSpent, optional_work

logger = logging.getLogger(__name__)

# Past this size a raw form is left as it is: factor/cancel on very large
# expressions can take seconds, which no reader's convenience is worth.
MAX_OPS_TO_SIMPLIFY = 400


class Simplified(NamedTuple):
    """A simplified form; ``complete`` is False when the job's work budget stopped the search."""

    expr: sympy.Expr
    complete: bool = True


def _trigsimp(expr: sympy.Expr) -> sympy.Expr:
    return sympy.trigsimp(expr) if expr.has(TrigonometricFunction) else expr


# Cheap rewriters: about 14 ms together per corpus derivative, 0.1 s at worst.
_CHEAP: tuple[Callable[[sympy.Expr], sympy.Expr], ...] = (
    sympy.together,
    sympy.cancel,
    sympy.factor,
    sympy.powsimp,
)


def _function_types(expr: sympy.Expr) -> set[type]:
    return {type(f) for f in expr.atoms(sympy.Function)}


def _size(expr: sympy.Expr) -> tuple[int, int]:
    return (sympy.count_ops(expr), len(sympy.sstr(expr)))


def simplest(
    raw: sympy.Expr, *, cheap: bool = False, budget: float | str = "simplify"
) -> Simplified:
    """Return the shortest form equal to ``raw`` found within ``budget`` (a ``BUDGETS`` name).

    >>> x = sympy.Symbol("x", real=True)
    >>> simplest(2*x*(x + 1)**2/(x + 1))
    Simplified(expr=2*x*(x + 1), complete=True)
    """
    if not isinstance(raw, sympy.Expr):
        return Simplified(raw)
    raw_ops = sympy.count_ops(raw)
    if raw.is_Atom or raw_ops > MAX_OPS_TO_SIMPLIFY or raw_ops <= 1:
        return Simplified(raw)  # nothing to gain below 2 operations (x**2, 2*x, cos(x))
    if not cheap and threading.current_thread() is not threading.main_thread():
        # Budgets need SIGALRM, which only the main thread can arm; unguarded,
        # simplify can run for minutes on a few hundred operations.
        cheap = True
    best, best_size = raw, (raw_ops, len(sympy.sstr(raw)))
    seen = {raw}
    raw_functions = _function_types(raw)
    simplified = False
    # simplify runs trigsimp itself; trigsimp alone stands in when simplify fails.
    transforms = _CHEAP if cheap else (*_CHEAP, sympy.simplify, _trigsimp)
    try:
        with optional_work(budget):
            for transform in transforms:
                if transform is _trigsimp and simplified:
                    continue
                try:
                    candidate = transform(raw)
                    if candidate in seen:
                        continue  # rewriters often agree; measure each form once
                    seen.add(candidate)
                    size = _size(candidate)
                except Exception:  # noqa: BLE001
                    # SymPy's rewriters have internal bugs on odd inputs (trigsimp
                    # raised AttributeError on a corpus expression): one form fewer.
                    logger.debug("simplification candidate %s failed", transform, exc_info=True)
                    continue
                simplified = simplified or transform is sympy.simplify
                if candidate.has(sympy.nan, sympy.zoo) and not raw.has(sympy.nan, sympy.zoo):
                    continue
                if not _function_types(candidate) <= raw_functions:
                    continue
                if size < best_size:
                    best, best_size = candidate, size
    except WorkBudgetSpent:
        return Simplified(best, complete=False)
    except BudgetExceeded:
        logger.debug("simplification of a %d-operation form hit its cap", raw_ops)
    return Simplified(best)


def tidy(expr: sympy.Expr, budget: float | str = "simplify") -> sympy.Expr:
    """Return :func:`simplest` form of ``expr`` (the expression only).

    >>> tidy(sympy.sqrt(8) * sympy.sqrt(2) - 4)
    0
    """
    return simplest(expr, budget=budget).expr
