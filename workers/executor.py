"""Run one job: claim its row, call its kind, store the outcome.

Everything here is plain Python over a database URL, so it is tested without
a broker; the Celery task in ``workers.tasks`` is a thin shell around it.
Identical jobs are solved once: when a job ends, the copies of it still
queued end with it (``shared.db.reuse.fan_out``), whether it ran or was
answered from a stored result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from shared.db import repository, reuse
from shared.db.models import Job, JobStatus
from shared.db.session import Session, session_scope
from shared.jobs.registry import get_kind, reuse_allowed
from shared.mathcore.budget import BudgetExceeded, job_budget
from shared.settings import Settings
from workers.failures import RUN_FAILURES, describe_failure
from workers.serialize import json_safe

logger = logging.getLogger(__name__)

Send = Callable[[Sequence[str]], object]


def lease_seconds(settings: Settings) -> float:
    """How long a claim holds before recovery may hand the job to another worker."""
    return settings.hard_time_limit + 30.0


def execute_job(
    settings: Settings, job_id: str, worker_name: str, send: Send | None = None
) -> str | None:
    """Run job ``job_id`` once; return its final status, or None if not ours.

    ``send`` sends jobs by id: copies of a job that failed by no fault of its
    input are sent to run on their own.
    """
    url = settings.database_url
    clock = _Phases()
    # One transaction claims the job, records that it started and, for a
    # reusable kind, looks for a stored result of an equal job (and finishes
    # with it): the claimed row comes back from the UPDATE itself.
    with session_scope(url) as session:
        job = repository.claim_job_row(session, job_id, worker_name, lease_seconds(settings))
        if job is None:
            logger.info("job %s not claimable (finished, canceled or held elsewhere)", job_id)
            return None
        attempt = job.attempts
        repository.add_event(session, job_id, "started", f"attempt {attempt} on {worker_name}")
        kind = get_kind(job.kind)
        may_reuse = settings.reuse_results and kind is not None and kind.reusable
        reused = _answer_from_stored(session, job, attempt) if may_reuse else None
    if reused is not None:
        return reused
    clock.mark("claim")

    started = time.monotonic()
    try:
        if kind is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        reuse_allowed.set(may_reuse)
        # One clock for the job: its time limit, a fraction of it for optional
        # symbolic work; kinds that stop early with a partial answer read it too.
        # Validation runs inside it: the engine memoises parsing per job
        # (``once_per_job``), so validation and the run share one parse.
        with job_budget(settings.soft_time_limit, settings.work_budget_fraction):
            params = kind.params_model.model_validate(job.params)
            clock.mark("validate")
            output = kind.run(params)
            clock.mark("run")
        result, steps = json_safe(output.result), json_safe(output.steps)
        extras = json_safe(output.extras) if output.extras else None
        clock.mark("serialize")
    except (BudgetExceeded, Exception) as exc:  # BudgetExceeded is a BaseException
        return _fail(settings, job, attempt, exc, may_reuse, send)

    elapsed = time.monotonic() - started
    with session_scope(url) as session:
        stored, copies = repository.finish_job_seeing_copies(
            session, job, attempt, result, steps, extras
        )
        if stored and copies and may_reuse:
            reuse.fan_out(session, job, result=result, steps=steps, extras=extras)
    clock.mark("store")
    logger.info(
        "job %s (%s) finished in %.3f s, stored=%s (%s)",
        job_id,
        job.kind,
        elapsed,
        stored,
        clock,
    )
    return JobStatus.SUCCEEDED.value if stored else None


class _Phases:
    """Milliseconds spent in each phase of a job, for its log line."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.spent[phase] = (now - self.last) * 1000
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{phase} {ms:.1f} ms" for phase, ms in self.spent.items())


def _answer_from_stored(session: Session, job: Job, attempt: int) -> str | None:
    """Finish ``job`` and its copies from an equal job's stored result, if any
    (in ``session``, the transaction that claimed it)."""
    source = repository.find_reusable_result(session, job.kind, job.params_hash)
    if source is None or source.id == job.id or source.result is None:
        return None
    result, extras = source.result.result, source.result.extras
    steps = [row.step for row in source.steps]
    # "cached" tells a client it asked this before, not that another key did.
    cached = source.owner_key == job.owner_key
    stored = repository.finish_job(session, job.id, attempt, result, steps, extras, cached=cached)
    if stored:
        reuse.fan_out(session, job, result=result, steps=steps, extras=extras)
    logger.info("job %s reused the result of job %s", job.id, source.id)
    return JobStatus.SUCCEEDED.value if stored else None


def _fail(
    settings: Settings,
    job: Job,
    attempt: int,
    exc: BaseException,
    may_reuse: bool,
    send: Send | None,
) -> str:
    error = describe_failure(exc, settings)
    if error["type"] == "internal-error":
        logger.exception("job %s (%s) raised", job.id, job.kind)
    to_send: list[str] = []
    with session_scope(settings.database_url) as session:
        failed = repository.fail_job(session, job.id, error, attempt=attempt)
        repository.add_event(session, job.id, "failed", error["detail"])
        if failed and may_reuse:
            if error["type"] in RUN_FAILURES:
                to_send = repository.unsent_copies(session, job)
            else:  # the input is at fault: every copy fails the same way
                reuse.fan_out(session, job, result=None, steps=None, extras=None, error=error)
    if to_send and send is not None:
        send(to_send)
    return JobStatus.FAILED.value
