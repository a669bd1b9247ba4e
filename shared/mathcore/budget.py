"""Wall-clock budgets for engine steps that may run long (simplify, solve).

A budget raises :class:`BudgetExceeded` inside the guarded block when time runs
out, so a caller can fall back (skip simplification, switch to numerics). It
uses ``SIGALRM``, which only the main thread may arm; elsewhere (threads of a
web server) the block runs unguarded and the job's own time limit still holds.
Celery's prefork children run tasks in their main thread, and Celery's soft
limit uses SIGUSR1, so the two do not collide.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

REFIRE_SECONDS = 0.05


class BudgetExceeded(BaseException):
    """The guarded computation ran past its time budget.

    A BaseException, like KeyboardInterrupt, because SymPy wraps much of its
    work in ``except Exception`` and would otherwise swallow it and go on.
    """


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded in the block after ``seconds`` of wall time.

    >>> with time_budget(0.5):
    ...     pass
    Budgets nest: an inner budget never extends an outer one.
    """
    if seconds <= 0:
        raise BudgetExceeded("no time left in the budget")
    if not _in_main_thread():
        yield
        return

    def _expire(signum, frame):  # noqa: ARG001
        raise BudgetExceeded(f"exceeded its {seconds:g} s budget")

    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    limit = seconds if outer_remaining == 0 else min(seconds, outer_remaining)
    inner_fires_first = outer_remaining == 0 or seconds < outer_remaining
    signal.signal(signal.SIGALRM, _expire if inner_fires_first else outer_handler)
    # The interval re-fires the alarm until the block exits, in case a
    # library swallowed the first one with a bare except.
    signal.setitimer(signal.ITIMER_REAL, limit, REFIRE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_remaining:
            left = outer_remaining - (time.monotonic() - started)
            # An outer budget that ran out while we held the timer fires now.
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6))
