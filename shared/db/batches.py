"""Batch rows: created with their jobs in one transaction, read in submission order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from shared.db.models import Batch, Job, JobStatus, new_id, utcnow
from shared.db.repository import NewJob, insert_batch_jobs


def create_batch(
    session: Session,
    jobs: Sequence[NewJob],
    *,
    owner_id: str | None,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> tuple[Batch, list[str], bool]:
    """Insert and commit a batch and its jobs; return the batch, its job ids in
    order, and True. A concurrent retry under the same Idempotency-Key that
    stored it first gives (that batch, [], False)."""
    batch = Batch(
        id=new_id(),
        owner_id=owner_id,
        owner_key=owner_id or "",
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        total=len(jobs),
        created_at=utcnow(),
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = find_by_idempotency_key(session, owner_id or "", idempotency_key or "")
        if existing is None:
            raise
        return existing, [], False
    ids = insert_batch_jobs(session, jobs, owner_id=owner_id, batch_id=batch.id)
    session.commit()
    return batch, ids, True


def find_by_idempotency_key(session: Session, owner_key: str, key: str) -> Batch | None:
    query = select(Batch).where(Batch.owner_key == owner_key, Batch.idempotency_key == key)
    return session.scalars(query).one_or_none()


def get_batch(session: Session, batch_id: str, owner_id: str | None = None) -> Batch | None:
    """Return the batch visible to ``owner_id`` (any owner when None), or None."""
    query = select(Batch).where(Batch.id == batch_id)
    if owner_id is not None:
        query = query.where(Batch.owner_id == owner_id)
    return session.scalars(query).one_or_none()


def status_counts(session: Session, batch_id: str) -> dict[str, int]:
    """Jobs of the batch by status, every status present (zero if none)."""
    counts = {status.value: 0 for status in JobStatus}
    rows = session.execute(
        select(Job.status, func.count()).where(Job.batch_id == batch_id).group_by(Job.status)
    )
    counts.update({status: count for status, count in rows})
    return counts


def batch_jobs_after(session: Session, batch_id: str, after: int, limit: int) -> list[Job]:
    """The batch's jobs with index above ``after``, in order, results loaded."""
    return list(
        session.scalars(
            select(Job)
            .where(Job.batch_id == batch_id, Job.batch_index > after)
            .order_by(Job.batch_index)
            .limit(limit)
            .options(selectinload(Job.result), selectinload(Job.steps))
        )
    )
