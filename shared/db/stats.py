"""Counts and run times for /metrics, read from the job rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.models import Job


def job_counts(session: Session) -> list[tuple[str, str, int]]:
    """(kind, status, count) for every kind and status present."""
    rows = session.execute(
        select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
    )
    return [(kind, status, int(count)) for kind, status, count in rows]


def recent_run_times(session: Session, limit: int) -> list[tuple[str, float]]:
    """(kind, seconds from start to finish) of the last ``limit`` finished jobs."""
    rows = session.execute(
        select(Job.kind, Job.started_at, Job.finished_at)
        .where(Job.finished_at.is_not(None), Job.started_at.is_not(None))
        .order_by(Job.finished_at.desc())
        .limit(limit)
    )
    return [
        (kind, max((ended - started) / timedelta(seconds=1), 0.0)) for kind, started, ended in rows
    ]
