"""Accepting jobs: validate params by kind, store the row, then enqueue.

The row is committed before the message is sent; if the broker is down the
job stays queued in SQL and the recovery loop sends it later, so an accepted
job is never lost (POST answers 202 either way).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.api.problems import ApiProblem, field_errors
from shared.db import repository
from shared.db.models import Job, new_id, utcnow
from shared.jobs.registry import get_kind, load_kinds
from shared.queue import send_job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidJob:
    kind: str
    params: dict[str, Any]
    label: str | None
    params_hash: str


def canonical_hash(kind: str, params: dict[str, Any]) -> str:
    """Hash of a kind and its validated params: equal jobs share a result."""
    text = json.dumps([kind, params], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def validate_job(kind: str, params: Any, label: str | None, prefix: str = "params") -> ValidJob:
    """Validate ``params`` with the kind's model; raise a 422 ApiProblem if bad."""
    checked = check_job(kind, params, label, prefix)
    if isinstance(checked, ValidJob):
        return checked
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in checked[:3])
    raise ApiProblem(422, "Invalid request", summary, type_="validation-error", errors=checked)


def check_job(
    kind: str, params: Any, label: str | None, prefix: str = "params"
) -> ValidJob | list[dict[str, Any]]:
    """Return the validated job, or its field errors."""
    job_kind = get_kind(kind)
    if job_kind is None:
        known = ", ".join(sorted(load_kinds()))
        field = prefix.rsplit(".", 1)[0] + ".kind" if "." in prefix else "kind"
        return [{"field": field, "message": f"unknown kind {kind!r}; one of: {known}"}]
    try:
        model = job_kind.params_model.model_validate(params)
    except ValidationError as exc:
        return field_errors(exc, prefix)
    except RecursionError:
        return [{"field": prefix, "message": "the input is nested too deeply"}]
    canonical = model.model_dump(mode="json")
    return ValidJob(
        kind=kind, params=params, label=label, params_hash=canonical_hash(kind, canonical)
    )


def request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def insert_job(
    session: Session,
    job: ValidJob,
    *,
    owner_id: str | None,
    idempotency_key: str | None = None,
    body_hash: str | None = None,
) -> tuple[Job, bool]:
    """Insert one job (or find its idempotent twin); return (job, created)."""
    owner_key = owner_id or ""
    if idempotency_key:
        existing = repository.find_by_idempotency_key(session, owner_key, idempotency_key)
        if existing is not None:
            return _same_request(existing, body_hash), False
    row = Job(
        id=new_id(),
        kind=job.kind,
        params=job.params,
        label=job.label,
        params_hash=job.params_hash,
        owner_id=owner_id,
        owner_key=owner_key,
        idempotency_key=idempotency_key,
        request_hash=body_hash,
        created_at=utcnow(),
        status="queued",
        attempts=0,
        cached=False,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent retry with the same key won the insert.
        session.rollback()
        existing = repository.find_by_idempotency_key(session, owner_key, idempotency_key or "")
        if existing is None:
            raise
        return _same_request(existing, body_hash), False
    return row, True


def _same_request(existing: Job, body_hash: str | None) -> Job:
    if existing.request_hash != body_hash:
        raise ApiProblem(
            422,
            "Idempotency key reused",
            "this Idempotency-Key was used with a different request body",
            type_="idempotency-key-reused",
            errors=[{"field": "Idempotency-Key", "message": "already used for another request"}],
        )
    return existing


def insert_many(
    session: Session, jobs: Sequence[ValidJob], *, owner_id: str | None, batch_id: str
) -> list[str]:
    """Bulk-insert a batch's jobs in one statement; return their ids in order."""
    now = utcnow()
    ids = [new_id() for _ in jobs]
    rows = [
        {
            "id": job_id,
            "kind": job.kind,
            "params": job.params,
            "label": job.label,
            "params_hash": job.params_hash,
            "owner_id": owner_id,
            "owner_key": owner_id or "",
            "batch_id": batch_id,
            "batch_index": index,
            "created_at": now,
            "status": "queued",
            "attempts": 0,
            "cached": False,
        }
        for index, (job_id, job) in enumerate(zip(ids, jobs, strict=True))
    ]
    session.execute(insert(Job), rows)
    return ids


def enqueue(session: Session, producer, job_ids: Sequence[str]) -> int:
    """Send run messages for committed jobs; return how many went out.

    A broker failure is logged, not raised: the rows stay queued and the
    recovery loop sends them when the broker is back.
    """
    sent: list[str] = []
    try:
        for job_id in job_ids:
            send_job(producer, job_id)
            sent.append(job_id)
    except Exception as exc:  # kombu raises many types for a down broker
        logger.warning(
            "broker unavailable, %d job(s) left for recovery: %s", len(job_ids) - len(sent), exc
        )
    if sent:
        repository.mark_enqueued(session, sent)
        session.commit()
    return len(sent)
