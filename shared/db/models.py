"""SQLAlchemy 2 typed models: the SQL row is the job's record."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Predictable constraint names, so Alembic migrations can name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` with its UTC zone (SQLite hands timestamps back without one)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("owner_key", "idempotency_key", name="uq_batches_idempotency"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    # owner_id or "", as on jobs: the idempotency constraint holds without keys.
    owner_key: Mapped[str] = mapped_column(String(36), default="", server_default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("owner_key", "idempotency_key", name="uq_jobs_idempotency"),
        Index("ix_jobs_created", "created_at", "id"),
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_batch", "batch_id", "batch_index"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Hash of kind + canonical params: finished results are reused by it.
    params_hash: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    # owner_id or "" so the idempotency constraint also holds without keys.
    owner_key: Mapped[str] = mapped_column(String(36), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), default=None)
    batch_index: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # A running job whose lease has passed lost its worker; recovery resends it.
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)

    result: Mapped[JobResult | None] = relationship(
        back_populates="job", uselist=False, cascade="all, delete-orphan", lazy="raise"
    )
    steps: Mapped[list[JobStep]] = relationship(
        back_populates="job",
        order_by="JobStep.position",
        cascade="all, delete-orphan",
        lazy="raise",
    )


class JobResult(Base):
    __tablename__ = "job_results"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Large artefacts kept beside the result (e.g. a full optimizer trajectory).
    extras: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    job: Mapped[Job] = relationship(back_populates="result")


class JobStep(Base):
    __tablename__ = "job_steps"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    # The whole STEP object, substeps included.
    step: Mapped[dict[str, Any]] = mapped_column(JSON)

    job: Mapped[Job] = relationship(back_populates="steps")


class JobEvent(Base):
    """What happened to a job (enqueued, started, worker lost, recovered), oldest first."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


class WorkerHeartbeat(Base):
    """A worker process that is alive: it rewrites ``beat_at`` every few seconds.

    Recovery reads these to tell a running job's worker is gone (its row is
    stale, missing, or from a later start of the same name) within seconds
    rather than at the end of the job's lease; /readyz reads them to tell
    whether anything consumes the queue.
    """

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
