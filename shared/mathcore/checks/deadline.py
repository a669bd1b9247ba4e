"""A cooperative deadline for one check, beside the SIGALRM budget.

SymPy catches broad exceptions in places (``except Exception``), so a budget's
alarm that fires inside one can be swallowed and never fire again. The loops
of the checker (sample points, mistake candidates) therefore also look at the
wall clock themselves and stop when the check's deadline has passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from shared.mathcore.budget import BudgetExceeded, time_budget

logger = logging.getLogger(__name__)
T = TypeVar("T")

_deadline: ContextVar[float | None] = ContextVar("check_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Set the deadline ``seconds`` from now (never later than an enclosing one)."""
    outer = _deadline.get()
    mine = time.monotonic() + seconds
    token = _deadline.set(mine if outer is None else min(outer, mine))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float:
    """Seconds left before the deadline (infinity when none is set)."""
    limit = _deadline.get()
    return float("inf") if limit is None else limit - time.monotonic()


def check_deadline() -> None:
    """Raise BudgetExceeded once the deadline has passed."""
    if remaining() <= 0:
        raise BudgetExceeded("the check's deadline has passed")


def attempt(seconds: float, work: Callable[[], T], failed: T) -> T:
    """``work()`` within ``seconds`` (and the check's deadline), or ``failed`` when
    time runs out or SymPy raises (its simplifiers do on some exotic inputs):
    for work that can only help a check (a proof, a named mistake), never decide it."""
    seconds = min(seconds, remaining())
    if seconds <= 0.05:
        return failed
    try:
        with time_budget(seconds):
            return work()
    except BudgetExceeded:
        logger.debug("%s ran out of its %.2f s", getattr(work, "__name__", "work"), seconds)
    except (RecursionError, TypeError, ValueError, NotImplementedError, ZeroDivisionError):
        logger.debug("%s raised", getattr(work, "__name__", "work"), exc_info=True)
    return failed
