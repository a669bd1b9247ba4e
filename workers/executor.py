"""Run one job: claim its row, call its kind, store the outcome.

Everything here is plain Python over a database URL, so it is tested without
a broker; the Celery task in ``workers.tasks`` is a thin shell around it.
"""

from __future__ import annotations

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from pydantic import ValidationError

from shared.db import repository, reuse
from shared.db.session import session_scope
from shared.jobs.errors import attempts_exhausted_error, describe_failure
from shared.jobs.registry import get_kind, reuse_allowed
from shared.jobs.serialize import json_safe
from shared.mathcore.budget import BudgetExceeded, job_budget
from shared.settings import Settings

logger = logging.getLogger(__name__)


def lease_seconds(settings: Settings) -> float:
    """How long a claim holds before recovery may hand the job to another worker."""
    return settings.hard_time_limit + 30.0


def execute_job(settings: Settings, job_id: str, worker_name: str) -> str | None:
    """Run job ``job_id`` once; return its final status, or None if not ours."""
    url = settings.database_url
    with session_scope(url) as session:
        attempt = repository.claim_job(session, job_id, worker_name, lease_seconds(settings))
        job = repository.get_job(session, job_id, full=False) if attempt else None
        if attempt is not None and job is not None:
            repository.add_event(session, job_id, "started", f"attempt {attempt} on {worker_name}")
    if attempt is None or job is None:
        logger.info("job %s not claimable (finished, canceled or held elsewhere)", job_id)
        return None
    if attempt > settings.max_attempts:
        error = attempts_exhausted_error(
            f"its worker stopped during each of {settings.max_attempts} attempts"
        )
        with session_scope(url) as session:
            repository.fail_job(session, job_id, error, attempt=attempt)
        return "failed"

    kind = get_kind(job.kind)
    may_reuse = settings.reuse_results and kind is not None and kind.reusable
    with session_scope(url) as session:
        reusable = (
            repository.find_reusable_result(session, job.kind, job.params_hash)
            if may_reuse
            else None
        )
        if reusable is not None and reusable.id != job_id and reusable.result is not None:
            steps = [row.step for row in reusable.steps]
            stored = repository.finish_job(
                session,
                job_id,
                attempt,
                reusable.result.result,
                steps,
                reusable.result.extras,
                cached=True,
            )
            logger.info("job %s reused the result of job %s", job_id, reusable.id)
            return "succeeded" if stored else None

    started = time.monotonic()
    try:
        if kind is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        params = kind.params_model.model_validate(job.params)
        reuse_allowed.set(may_reuse)
        # One budget for the job: optional symbolic work gets a fraction of it.
        with job_budget(settings.soft_time_limit, settings.work_budget_fraction):
            output = kind.run(params)
        result, steps, extras = json_safe(output.result), json_safe(output.steps), output.extras
    except (SoftTimeLimitExceeded, BudgetExceeded, MemoryError, ValidationError, Exception) as exc:
        error = describe_failure(exc, settings)
        if error["type"] == "internal-error":
            logger.exception("job %s (%s) raised", job_id, job.kind)
        with session_scope(url) as session:
            failed = repository.fail_job(session, job_id, error, attempt=attempt)
            repository.add_event(session, job_id, "failed", error["detail"])
            if failed and may_reuse:
                reuse.fan_out(session, job, result=None, steps=None, extras=None, error=error)
        return "failed"

    elapsed = time.monotonic() - started
    with session_scope(url) as session:
        extras = json_safe(extras) if extras else None
        stored = repository.finish_job(session, job_id, attempt, result, steps, extras)
        if stored and may_reuse:
            reuse.fan_out(session, job, result=result, steps=steps, extras=extras)
    logger.info("job %s (%s) finished in %.3f s, stored=%s", job_id, job.kind, elapsed, stored)
    return "succeeded" if stored else None
