"""What happens to a job whose run was lost: the one rule for giving up.

A run is lost when its worker process dies (the worker's parent sees it), or
when its worker stops publishing heartbeats or its lease ends (the recovery
loop sees it). Whoever notices calls ``settle_lost_run``: the job runs again
until it has been tried ``max_attempts`` times, then fails with
``attempts-exhausted``. Every change is a conditional update on the run's
attempt number, so two observers of the same loss settle it once.
"""

from __future__ import annotations

import logging

from shared.db import repository
from shared.db.models import Job
from shared.db.session import Session
from workers.failures import attempts_exhausted_error

logger = logging.getLogger(__name__)


def gives_up(attempts: int, max_attempts: int) -> bool:
    """Whether a job whose run number ``attempts`` was lost is failed, not rerun."""
    return attempts >= max_attempts


def settle_lost_run(session: Session, job: Job, max_attempts: int, cause: str) -> list[str]:
    """Put the lost run of ``job`` back in the queue, or fail the job when it is
    out of attempts. Return the ids to send now: the job when it runs again,
    and the copies waiting on it when it was failed (they run on their own).
    """
    if gives_up(job.attempts, max_attempts):
        error = attempts_exhausted_error(
            f"its worker was lost during each of {job.attempts} attempts (last: {cause})"
        )
        if not repository.fail_job(session, job.id, error, attempt=job.attempts):
            return []
        repository.add_event(session, job.id, "failed", error["detail"])
        logger.warning("job %s given up: %s", job.id, error["detail"], extra={"job_id": job.id})
        return repository.unsent_copies(session, job)
    if not repository.release_job(session, job.id, job.attempts):
        return []
    repository.add_event(session, job.id, "worker-lost", cause)
    logger.warning(
        "job %s lost its run (%s); queued again", job.id, cause, extra={"job_id": job.id}
    )
    return [job.id]


def fail_run(session: Session, job: Job, error: dict[str, str]) -> bool:
    """Fail the current run of ``job`` with ``error`` (e.g. its hard time limit)."""
    if not repository.fail_job(session, job.id, error, attempt=job.attempts):
        return False
    repository.add_event(session, job.id, "failed", error["detail"])
    return True
