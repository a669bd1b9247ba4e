"""A cooperative deadline for one check, beside the SIGALRM budget.

SymPy catches broad exceptions in places (``except Exception``), so a budget's
alarm that fires inside one can be swallowed and never fire again. The loops
of the checker (sample points, mistake candidates) therefore also look at the
wall clock themselves and stop when the check's deadline has passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from shared.mathcore.budget import BudgetExceeded

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
