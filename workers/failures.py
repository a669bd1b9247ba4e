"""Turn whatever stopped a job into the error object the contract promises.

The worker owns a job's failures: these builders live beside the executor and
the lifecycle rule that use them, not in the kind registry.
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from pydantic import ValidationError

from shared.jobs.registry import JobInputError
from shared.mathcore.budget import BudgetExceeded
from shared.settings import Settings

# Failures of the run rather than of the input: an identical job may well
# succeed on another run, so copies waiting on a job that failed this way
# are sent on their own instead of sharing its failure.
RUN_FAILURES = frozenset({"time-limit", "memory-limit", "internal-error", "attempts-exhausted"})


def time_limit_error(detail: str) -> dict[str, str]:
    """The error of a job stopped by a time limit."""
    return {"type": "time-limit", "title": "The job ran out of time", "detail": detail}


def attempts_exhausted_error(detail: str) -> dict[str, str]:
    """The error of a job given up after its worker was lost too often."""
    return {"type": "attempts-exhausted", "title": "The job was given up", "detail": detail}


def describe_failure(exc: BaseException, settings: Settings) -> dict[str, str]:
    """Return ``{"type", "title", "detail"}`` saying what went wrong, in words."""
    if isinstance(exc, (SoftTimeLimitExceeded, BudgetExceeded)):
        return time_limit_error(
            f"it did not finish within its {settings.soft_time_limit:g} s time limit"
        )
    if isinstance(exc, MemoryError):
        return {
            "type": "memory-limit",
            "title": "The job ran out of memory",
            "detail": f"it needed more than the {settings.memory_limit_mb} MB a job may use",
        }
    if isinstance(exc, JobInputError):
        return {"type": exc.type, "title": exc.title, "detail": exc.detail}
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "params"
        return {
            "type": "invalid-params",
            "title": "The job's params are invalid",
            "detail": f"{where}: {first.get('msg', 'invalid')}",
        }
    if isinstance(exc, RecursionError):
        return {
            "type": "too-complex",
            "title": "The expression is too deeply nested",
            "detail": "solving it needed deeper recursion than a job may use",
        }
    if isinstance(exc, (ValueError, ArithmeticError, TypeError, NotImplementedError)):
        return {
            "type": "unsolvable",
            "title": "The job could not be solved",
            "detail": f"{type(exc).__name__}: {str(exc)[:500]}",
        }
    return {
        "type": "internal-error",
        "title": "The solver failed",
        "detail": f"{type(exc).__name__}: {str(exc)[:500]}",
    }
