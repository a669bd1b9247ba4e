"""Accepting jobs and batches: check, store the rows, then enqueue.

Callable from anywhere (the API, the command line, tests): no Flask here.
The rows are committed before any message is sent; once they are, the
submission has succeeded whatever happens next. A broker or database
failure while enqueueing is logged, not raised: the rows stay queued with
no message and the recovery loop sends them (README, "How a job runs").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any

from celery import Celery

from shared.db import batches, repository
from shared.db.models import Batch, Job
from shared.db.session import SessionFactory
from shared.jobs.submit import (
    IdempotencyConflict,
    JobSpec,
    check_batch,
    check_job,
    leaders,
    request_hash,
)
from shared.queue import publish_batch, send_job

logger = logging.getLogger(__name__)

ENQUEUE_CHUNK = 500


def check_here(function: Callable[..., Any], *args: Any, jobs: int = 1) -> Any:
    """Run a submission check in this process (the API passes a budgeted one)."""
    return function(*args)


@dataclass(frozen=True)
class SubmittedJob:
    job: Job
    created: bool


@dataclass(frozen=True)
class SubmittedBatch:
    id: str
    total: int
    created: bool


def submit_job(
    sessions: SessionFactory,
    producer: Celery,
    spec: JobSpec,
    *,
    owner_id: str | None = None,
    idempotency_key: str | None = None,
    request_body: Any = None,
    check: Callable[..., Any] = check_here,
) -> SubmittedJob:
    """Check, store and enqueue one job. Raises InvalidJob or IdempotencyConflict.

    With ``idempotency_key`` a retry returns the job stored the first time
    (``created`` False); the key with another ``request_body`` is refused.
    """
    valid = check(check_job, spec)
    body_hash = request_hash(request_body) if idempotency_key else None
    with sessions() as session:
        job, created = repository.insert_job(
            session,
            valid,
            owner_id=owner_id,
            idempotency_key=idempotency_key,
            request_hash=body_hash,
        )
    if not created and job.request_hash != body_hash:
        raise IdempotencyConflict()
    if created:
        enqueue(sessions, producer, [job.id])
    return SubmittedJob(job=job, created=created)


def submit_batch(
    sessions: SessionFactory,
    producer: Celery,
    specs: Sequence[JobSpec],
    *,
    owner_id: str | None = None,
    reuse_results: bool = True,
    idempotency_key: str | None = None,
    request_body: Any = None,
    check: Callable[..., Any] = check_here,
) -> SubmittedBatch:
    """Check every job, store the batch whole, enqueue it. Raises InvalidBatch,
    or IdempotencyConflict (the key, as for one job, with another body)."""
    body_hash = request_hash(request_body) if idempotency_key else None
    if idempotency_key:
        with sessions() as session:
            earlier = batches.find_by_idempotency_key(session, owner_id or "", idempotency_key)
        if earlier is not None:
            return _retried(earlier, body_hash)
    valid = check_batch(specs, check=check)
    with sessions() as session:
        batch, ids, created = batches.create_batch(
            session,
            valid,
            owner_id=owner_id,
            idempotency_key=idempotency_key,
            request_hash=body_hash,
        )
    if not created:
        return _retried(batch, body_hash)
    # Identical jobs are solved once: only the first of each group is sent.
    to_send = leaders(ids, valid) if reuse_results else ids
    enqueue(sessions, producer, to_send)
    return SubmittedBatch(id=batch.id, total=len(ids), created=True)


def _retried(batch: Batch, body_hash: str | None) -> SubmittedBatch:
    if batch.request_hash != body_hash:
        raise IdempotencyConflict()
    return SubmittedBatch(id=batch.id, total=batch.total, created=False)


# After a failed send, jobs are left to recovery for this long without
# trying the broker: each try costs seconds of timeouts, and a client's POST
# must not pay them for every job of an outage.
BROKER_PAUSE_SECONDS = 5.0
_broker_paused_until = 0.0


def enqueue(sessions: SessionFactory, producer: Celery, job_ids: Sequence[str]) -> int:
    """Send run messages for committed jobs; return how many went out.

    Never raises: the jobs are stored, and recovery sends what did not go out.
    """
    global _broker_paused_until
    if monotonic() < _broker_paused_until:
        return 0  # the broker just failed: recovery sends these when it is back
    sent = 0
    for start in range(0, len(job_ids), ENQUEUE_CHUNK):
        chunk = job_ids[start : start + ENQUEUE_CHUNK]
        try:
            # The chunk's messages go out together (Redis: one round trip). A
            # flush that failed midway may have sent some: recovery sends them
            # again, and a duplicate message finds its job taken and does nothing.
            with publish_batch(producer, max_size=len(chunk)) as publisher:
                for job_id in chunk:
                    send_job(producer, job_id, producer=publisher)
        except Exception as exc:  # kombu raises many types for a down broker
            _broker_paused_until = monotonic() + BROKER_PAUSE_SECONDS
            logger.warning(
                "broker unavailable, %d job(s) left for recovery: %s", len(job_ids) - sent, exc
            )
            break
        sent += len(chunk)
        try:
            with sessions() as session:
                repository.mark_enqueued(session, chunk)
                session.commit()
        except Exception as exc:  # the messages are out; only the timestamp is missing
            logger.warning("could not record %d enqueued job(s): %s", len(chunk), exc)
    return sent
