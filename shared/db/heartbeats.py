"""Worker heartbeats: which workers are alive, and since when."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shared.db.models import WorkerHeartbeat, utcnow

# A worker beats every BEAT_EVERY seconds; one silent for STALE_AFTER is gone
# (five missed beats: a busy database or a GC pause is not a death).
BEAT_EVERY = 2.0
STALE_AFTER = timedelta(seconds=10)


def beat(session: Session, name: str, pid: int, concurrency: int, started_at: datetime) -> None:
    """Record that worker ``name`` (this start of it) is alive now."""
    now = utcnow()
    values = {"pid": pid, "concurrency": concurrency, "started_at": started_at, "beat_at": now}
    moved = session.execute(
        update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(**values)
    ).rowcount
    if moved == 0:
        session.add(WorkerHeartbeat(name=name, **values))


def forget(session: Session, name: str) -> None:
    """Remove worker ``name`` (it stopped, or recovery settled its death)."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.name == name))


def all_workers(session: Session) -> list[WorkerHeartbeat]:
    return list(session.scalars(select(WorkerHeartbeat)))


def live_count(session: Session, now: datetime | None = None) -> int:
    """How many workers beat within STALE_AFTER."""
    since = (now or utcnow()) - STALE_AFTER
    query = (
        select(func.count()).select_from(WorkerHeartbeat).where(WorkerHeartbeat.beat_at >= since)
    )
    return int(session.scalar(query) or 0)
