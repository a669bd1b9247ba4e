"""The one simplifier: the shortest equal form found within the job's work budget.

Candidates (the raw form, ``together`` and ``factor_terms``; with ``thorough``
also cancel, factor, powsimp, simplify and trigsimp) that bring in no
function absent from the raw form
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

# Past this size (about 400 operations) a raw form is left as it is: rewriting
# very large expressions takes seconds, which no reader's convenience is worth.
MAX_NODES = 600


class Simplified(NamedTuple):
    """A simplified form; ``complete`` is False when the job's work budget stopped the search."""

    expr: sympy.Expr
    complete: bool = True


def _trigsimp(expr: sympy.Expr) -> sympy.Expr:
    return sympy.trigsimp(expr) if expr.has(TrigonometricFunction) else expr


# Measured on the 300 raw derivatives of the step corpus (cold cache): the
# rewriters of the traced derivative before (together, cancel, factor,
# powsimp, then simplify under 0.3 s) chose forms of 4,781 operations in all
# (about 4,750 with simplify) at 108 ms each; together and factor_terms
# alone choose 4,701 at 16 ms each. simplify was shorter for 9 of 300.
_FAST: tuple[Callable[[sympy.Expr], sympy.Expr], ...] = (sympy.together, sympy.factor_terms)
_MORE: tuple[Callable[[sympy.Expr], sympy.Expr], ...] = (sympy.cancel, sympy.factor, sympy.powsimp)


def _function_types(expr: sympy.Expr) -> set[type]:
    return {type(f) for f in expr.atoms(sympy.Function)}


def node_count(expr: sympy.Basic) -> int:
    """The number of nodes of ``expr``: a size far cheaper than ``count_ops``."""
    return sum(1 for _ in sympy.preorder_traversal(expr))


def simplest(
    raw: sympy.Expr, *, thorough: bool = False, budget: float | str = "simplify"
) -> Simplified:
    """Return the shortest form equal to ``raw`` found within ``budget`` (a ``BUDGETS`` name).

    ``thorough`` adds the slow rewriters, simplify among them: for proofs
    that an expression is 0, not for presentation.

    >>> x = sympy.Symbol("x", real=True)
    >>> simplest(2*x*(x + 1)**2/(x + 1))
    Simplified(expr=2*x*(x + 1), complete=True)
    """
    raw_nodes = 0 if not isinstance(raw, sympy.Expr) or raw.is_Atom else node_count(raw)
    if not raw_nodes or raw_nodes > MAX_NODES:
        return Simplified(raw)
    raw_ops = sympy.count_ops(raw)
    if raw_ops <= 1:
        return Simplified(raw)  # nothing to gain below 2 operations (x**2, 2*x, cos(x))
    if thorough and threading.current_thread() is not threading.main_thread():
        # Budgets need SIGALRM, which only the main thread can arm; unguarded,
        # simplify can run for minutes on a few hundred operations.
        thorough = False
    best, best_ops = raw, raw_ops
    seen = {raw}
    raw_functions = _function_types(raw)
    simplified = False
    # simplify runs trigsimp itself; trigsimp alone stands in when simplify fails.
    transforms = (*_FAST, *_MORE, sympy.simplify, _trigsimp) if thorough else _FAST
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
                    # A form with many more nodes is not shorter; count_ops on a
                    # blown-up common denominator costs more than the rewrite.
                    if node_count(candidate) > 1.2 * raw_nodes:
                        continue
                    ops = sympy.count_ops(candidate)
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
                if ops < best_ops or (
                    ops == best_ops and len(sympy.sstr(candidate)) < len(sympy.sstr(best))
                ):
                    best, best_ops = candidate, ops
    except WorkBudgetSpent:
        return Simplified(best, complete=False)
    except BudgetExceeded:
        logger.debug("simplification of a %d-operation form hit its cap", raw_ops)
    return Simplified(best)


def tidy(expr: sympy.Expr, budget: float | str = "simplify") -> sympy.Expr:
    """Return the thorough :func:`simplest` form of ``expr`` (the expression only).

    >>> tidy(sympy.sqrt(8) * sympy.sqrt(2) - 4)
    0
    """
    return simplest(expr, thorough=True, budget=budget).expr
