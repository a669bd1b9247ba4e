"""The recovery loop: the database, not the broker, guarantees work gets done.

Our Redis keeps nothing on disk and the embedded file queue drops a message
whose worker is killed, so a periodic pass looks at the rows: a job running
past its lease lost its worker (``workers.lifecycle`` decides whether it runs
again); queued jobs are resent when the broker's queue is empty yet they
have waited too long, which means their messages are gone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Celery

from shared.db import repository
from shared.db.models import JobStatus, utcnow
from shared.db.session import session_scope
from shared.queue import queue_depth, send_job
from shared.settings import Settings
from workers import lifecycle

logger = logging.getLogger(__name__)


def recover_jobs(settings: Settings, app: Celery, stale_after: timedelta) -> int:
    """Resend lost jobs once; return how many messages were sent."""
    now = utcnow()
    depth = queue_depth(app)
    if depth is None:
        return 0  # broker down: nothing can be resent now; the next pass will
    to_send: list[str] = []
    with session_scope(settings.database_url) as session:
        for job in repository.stale_jobs(session, queued_before=now - stale_after, now=now):
            if job.status == JobStatus.RUNNING:
                to_send += lifecycle.settle_lost_run(
                    session, job, settings.max_attempts, f"the lease of {job.worker} ended"
                )
            elif depth == 0:
                to_send.append(job.id)
        if to_send:
            repository.mark_enqueued(session, to_send)
    for job_id in to_send:
        send_job(app, job_id)
    if to_send:
        logger.warning("recovery resent %d job(s)", len(to_send))
    return len(to_send)
