"""The recovery loop: the database, not the broker, guarantees work gets done.

Our Redis keeps nothing on disk and the embedded file queue drops a message
whose worker is killed, so a periodic pass reads the rows and resends, ahead
of new work, every job whose message is known lost:

- a running job whose worker is gone (no heartbeat for a few seconds, or a
  later start of the same worker), or whose lease ended: ``workers.lifecycle``
  decides whether it runs again;
- queued jobs a dead worker may have taken from the broker but not started;
- queued jobs no message was ever sent for (the broker was down when they
  were accepted, or the job they copy failed or was canceled);
- every queued job, when the broker lost its messages: a marker message kept
  in the broker is gone (Redis restarted empty);
- as a last resort, queued jobs that waited long while the queue is empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import Celery

from shared.db import heartbeats, repository
from shared.db.models import Job, as_utc, utcnow
from shared.db.session import Session, session_scope
from shared.queue import QUEUE, queue_depth, send_job
from shared.settings import Settings
from workers import lifecycle

logger = logging.getLogger(__name__)

MARKER_QUEUE = f"{QUEUE}-marker"
# The API sends a job's message right after committing its row (or leaves
# it to us while the broker is down); a message sent twice is harmless.
SEND_GRACE = timedelta(seconds=2)


def recover_jobs(settings: Settings, app: Celery, stale_after: timedelta) -> int:
    """Resend lost jobs once; return how many messages were sent."""
    depth = queue_depth(app)
    if depth is None:
        return 0  # broker down: nothing can be resent now; the next pass will
    broker_kept = marker_present(app)
    now = utcnow()
    with session_scope(settings.database_url) as session:
        to_send = lost_runs(session, settings, now)
        if to_send:
            repository.mark_enqueued(session, to_send)
        # After the broker lost everything no send can be under way: take all.
        unsent_before = now - SEND_GRACE if broker_kept else now
        to_send += _drain(
            session, lambda: repository.unsent_jobs(session, created_before=unsent_before)
        )
        if not broker_kept:
            to_send += _drain(
                session, lambda: repository.queued_with_message(session, enqueued_before=now)
            )
        elif depth == 0:
            waited = repository.queued_with_message(session, enqueued_before=now - stale_after)
            repository.mark_enqueued(session, waited)
            to_send += waited
        to_send = list(dict.fromkeys(to_send))
    for job_id in to_send:
        send_job(app, job_id, resent=True)
    if not broker_kept:
        set_marker(app)
    if to_send:
        reason = "" if broker_kept else " (the broker lost its messages)"
        logger.warning("recovery resent %d job(s)%s", len(to_send), reason)
    return len(to_send)


def _drain(session: Session, fetch: Callable[[], list[str]]) -> list[str]:
    """Mark what ``fetch`` finds as sent until it finds nothing more (each
    mark takes the jobs out of what it finds); return them all."""
    found: list[str] = []
    while (chunk := fetch()) and not set(chunk) <= set(found):
        repository.mark_enqueued(session, chunk)
        found += chunk
    return list(dict.fromkeys(found))


def lost_runs(session: Session, settings: Settings, now: datetime) -> list[str]:
    """Settle the runs of gone workers; return the jobs to send again."""
    workers = {worker.name: worker for worker in heartbeats.all_workers(session)}
    # Silence is measured against the freshest beat, not the clock: after a
    # database outage every beat is old, and no worker is dead for that.
    freshest = max((as_utc(worker.beat_at) for worker in workers.values()), default=now)
    dead = {
        name: worker
        for name, worker in workers.items()
        if as_utc(worker.beat_at) < freshest - heartbeats.STALE_AFTER
    }
    to_send: list[str] = []
    for job in repository.running_jobs(session):
        if cause := _why_lost(job, workers, dead, now):
            to_send += lifecycle.settle_lost_run(session, job, settings.max_attempts, cause)
    for name, worker in dead.items():
        # Messages it had taken but not started died with it: resend what
        # was sent before its last beat (a copy too many is harmless).
        to_send += repository.queued_with_message(session, enqueued_before=as_utc(worker.beat_at))
        heartbeats.forget(session, name)
        logger.warning("worker %s is gone (last heartbeat %s)", name, worker.beat_at)
    return to_send


def _why_lost(job: Job, workers: dict, dead: dict, now: datetime) -> str | None:
    """Why the running ``job`` lost its worker, or None while it has one."""
    worker_id = job.worker or ""
    name = worker_id.rsplit(":", 1)[0]
    started_at = as_utc(job.started_at or job.created_at)
    if job.lease_expires_at is not None and as_utc(job.lease_expires_at) < now:
        return f"the lease of {worker_id} ended"
    if started_at > now - heartbeats.STALE_AFTER:
        return None  # just claimed: its worker may not have beaten yet
    if name in dead:
        return f"{name} stopped sending heartbeats"
    if name not in workers:
        return f"{name} is not running"
    if as_utc(workers[name].started_at) > started_at:
        return f"{name} was restarted"
    return None


def marker_present(app: Celery) -> bool:
    """Whether the broker still holds the marker message recovery left in it."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            channel = connection.default_channel
            declared = channel.queue_declare(
                MARKER_QUEUE, passive=False, durable=True, auto_delete=False
            )
            return int(declared.message_count) > 0
    except Exception:  # unknown counts as kept: never resend on a guess
        return True


def set_marker(app: Celery) -> None:
    """Leave a marker message in the broker; its loss means the broker lost all."""
    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            channel.basic_publish(
                channel.prepare_message("recovery marker"), exchange="", routing_key=MARKER_QUEUE
            )
    except Exception as exc:  # the next pass tries again
        logger.warning("could not leave the recovery marker: %s", exc)
