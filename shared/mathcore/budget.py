"""Time budgets for engine work that may run long (simplify, solve, limits).

Two layers, one module:

- **The job's budget** (:func:`job_budget`, set once per job by the worker's
  executor): the job's time limit, and a *work budget* — a fraction of it —
  for optional symbolic work (simplification, closed forms, proofs that
  improve a result but do not decide it). Optional work runs under
  :func:`optional_work` and draws on that one budget, so no sum of per-call
  budgets can outrun the job; once it is spent, optional work is skipped and
  callers return the correct unsimplified form (see ``simplifier.py``).
- **Per-call caps** (:data:`BUDGETS`, the one table of them): no single call
  takes more than its entry, and :func:`time_budget` never extends past the
  job's time limit nor an enclosing budget.

A budget raises :class:`BudgetExceeded` inside the guarded block when time
runs out. It uses ``SIGALRM``, which only the main thread may arm; elsewhere
(threads of a web server) the block runs unguarded and the job's own time
limit still holds. Celery's prefork children run tasks in their main thread,
and Celery's soft limit uses SIGUSR1, so the two do not collide.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")

# Seconds per call, by what the call does. Optional (presentation) work is
# also capped by the job's work budget; every entry by the job's time limit.
BUDGETS: Mapping[str, float] = MappingProxyType(
    {
        # Optional: the simplest form of one expression. Measured on the step
        # corpus: 0.3 s finds the same forms as 1 s (2,250 vs 2,248 operations
        # over 150 results) at half the time; the rest went to simplify() runs
        # that gave up.
        "simplify": 0.3,
        # Optional: an exact closed form of a value at a point.
        "exact_value": 0.5,
        # Optional: exact eigenvalues of a Hessian at a point.
        "eigenvalues": 1.0,
        # Deciding work (extrema, checks): a result depends on these.
        "zero_test": 1.0,
        "solve": 3.0,
        "solve_system": 4.0,
        "groebner": 6.0,
        "domain": 2.0,
        "limit": 3.0,
        "series": 2.0,
        "path": 1.0,
        "equivalence": 1.0,
        "mistake": 2.0,
        "check": 8.0,  # a whole answer check, mistakes included
        "radicals": 2.0,  # a closed form by radicals of a root
        "big_values": 3.0,  # values of f near an open end, in mpmath
        "period": 2.0,  # the period of a function (periodic critical points)
        "snap": 1.0,  # recognising a numeric root as a simple exact number
        "tidy_value": 1.0,  # radicals of an algebraic value, tidied
        "nonnegative": 1.0,  # SymPy's own proof that g >= 0
    }
)
DEFAULT_WORK_FRACTION = 0.25
# While a guarded block runs, the alarm re-fires this often, in case a library
# swallowed the first one with a bare except or it arrived during a collection.
REFIRE_SECONDS = 0.05


class BudgetExceeded(BaseException):
    """The guarded computation ran past its time budget.

    A BaseException, like KeyboardInterrupt, because SymPy wraps much of its
    work in ``except Exception`` and would otherwise swallow it and go on.
    """


class WorkBudgetSpent(BudgetExceeded):
    """The job's budget for optional work is spent (not just one call's cap)."""


@dataclass
class JobBudget:
    """One job's clock: its time limit and its allowance for optional work."""

    deadline: float  # time.monotonic() at which the job's time limit ends
    work_seconds: float  # allowance for optional symbolic work
    spent: float = 0.0  # optional work done so far
    ran_out: bool = False  # some optional work was skipped or cut short
    # Pure results computed once per job (params are parsed in validation and in the run).
    memo: dict = field(default_factory=dict)

    def time_left(self) -> float:
        """Seconds until the job's time limit."""
        return self.deadline - time.monotonic()

    def work_left(self) -> float:
        """Seconds of optional work left (never past the job's time limit)."""
        return min(self.work_seconds - self.spent, self.time_left())


_JOB: ContextVar[JobBudget | None] = ContextVar("mlcalc_job_budget", default=None)


@contextmanager
def job_budget(
    time_limit: float, work_fraction: float = DEFAULT_WORK_FRACTION
) -> Iterator[JobBudget]:
    """Run a job's block with ``time_limit`` seconds, a ``work_fraction`` of it for optional work.

    >>> with job_budget(20.0) as job:
    ...     round(job.work_seconds, 3)
    5.0
    """
    if not 0 <= work_fraction <= 1:
        raise ValueError("the work fraction is between 0 and 1")
    job = JobBudget(time.monotonic() + time_limit, time_limit * work_fraction)
    token = _JOB.set(job)
    try:
        yield job
    finally:
        _JOB.reset(token)


def current_job() -> JobBudget | None:
    """The budget of the job running in this context, if any."""
    return _JOB.get()


def once_per_job(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, done once per job for ``key`` (every call outside a job computes).

    Only for pure work whose result is immutable: parsing the same params text.
    """
    job = _JOB.get()
    if job is None:
        return compute()
    try:
        return job.memo[key]
    except KeyError:
        value = job.memo[key] = compute()
        return value


def budget_seconds(budget: float | str) -> float:
    """Seconds of a budget given as seconds or as a name in :data:`BUDGETS`."""
    return BUDGETS[budget] if isinstance(budget, str) else float(budget)


@contextmanager
def optional_work(budget: float | str = "simplify") -> Iterator[None]:
    """Guard optional work: at most ``budget``, drawn from the job's work budget.

    Raises BudgetExceeded at once when the job's work budget is spent; the
    time the block takes is charged to it either way. Outside a job only the
    per-call cap holds.

    >>> with job_budget(1.0, work_fraction=0.0):
    ...     try:
    ...         with optional_work("simplify"):
    ...             pass
    ...     except BudgetExceeded:
    ...         print("skipped")
    skipped
    """
    cap = budget_seconds(budget)
    job = _JOB.get()
    if job is None:
        with time_budget(cap):
            yield
        return
    left = job.work_left()
    if left <= 0:
        job.ran_out = True
        raise WorkBudgetSpent("the job's budget for optional work is spent")
    started = time.monotonic()
    try:
        with time_budget(min(cap, left)):
            yield
    except BudgetExceeded as exc:
        ran_to_limit = time.monotonic() - started >= 0.99 * left
        if left <= cap and ran_to_limit and not isinstance(exc, WorkBudgetSpent):
            job.ran_out = True  # the job's budget, not the per-call cap (or an outer one)
            raise WorkBudgetSpent(str(exc)) from exc
        raise
    finally:
        job.spent += time.monotonic() - started


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


# A collection runs finalizers (__del__, weakref callbacks) in whatever frame
# triggered it; an exception raised there is "unraisable": printed and dropped.
# The alarm handler holds its fire while one runs and the re-firing interval
# delivers it just after.
_collecting = False
_held = False  # an alarm arrived during the collection


def _track_collection(phase: str, info: dict) -> None:  # noqa: ARG001
    global _collecting, _held
    _collecting = phase == "start"
    if phase == "stop" and _held:
        _held = False
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, 1e-4, REFIRE_SECONDS)  # deliver it now


gc.callbacks.append(_track_collection)


def _in_finalizer(frame) -> bool:
    """Whether ``frame`` runs inside ``__del__`` or a garbage-collection callback."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code.co_name == "__del__" or frame.f_code in callbacks:
            return True
        frame = frame.f_back
    return False


@contextmanager
def time_budget(seconds: float | str) -> Iterator[None]:
    """Raise BudgetExceeded in the block after ``seconds`` (or a :data:`BUDGETS` name).

    Budgets nest: an inner budget never extends an outer one, nor the job's
    time limit.

    >>> with time_budget(0.5):
    ...     pass
    >>> with time_budget("simplify"):
    ...     pass
    """
    seconds = budget_seconds(seconds)
    job = _JOB.get()
    if job is not None:
        seconds = min(seconds, job.time_left())
    if seconds <= 0:
        raise BudgetExceeded("no time left in the budget")
    if not _in_main_thread():
        yield
        return

    state = {"armed": True}

    def _expire(signum, frame):  # noqa: ARG001
        # Never raise after the block has ended, inside a collection or in a
        # finalizer: the exception would be lost there (or escape a finished
        # block); it comes when the collection ends, or at the next re-fire.
        global _held
        if not state["armed"]:
            return
        if _collecting:
            _held = True
        elif not _in_finalizer(frame):
            raise BudgetExceeded(f"exceeded its {seconds:g} s budget")

    outer_remaining, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    limit = seconds if outer_remaining == 0 else min(seconds, outer_remaining)
    inner_fires_first = outer_remaining == 0 or seconds < outer_remaining
    signal.signal(signal.SIGALRM, _expire if inner_fires_first else outer_handler)
    signal.setitimer(signal.ITIMER_REAL, limit, REFIRE_SECONDS)
    try:
        yield
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_remaining:
            left = outer_remaining - (time.monotonic() - started)
            # An outer budget that ran out while we held the timer fires now.
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), outer_interval)
