"""/v1/batches: up to 10,000 jobs validated all-or-nothing, inserted at once."""

from __future__ import annotations

import csv
import io
import json as jsonlib
from collections.abc import Iterator

from flask import Response, stream_with_context
from flask_openapi3 import APIBlueprint, Tag

from services.api.problems import ApiProblem
from services.api.resources import job_resource
from services.api.responses import current_owner, json_response
from services.api.runtime import runtime
from services.api.schemas import (
    BatchAccepted,
    BatchCreate,
    BatchHeaders,
    BatchPath,
    BatchStatus,
)
from services.api.spec import error_responses
from services.api.validation import budgeted
from shared.db import batches
from shared.db.models import Batch, Job, JobStatus
from shared.jobs.registry import get_kind, load_kinds
from shared.jobs.submit import JobSpec
from shared.submission import submit_batch

bp = APIBlueprint("batches", __name__, url_prefix="/v1", abp_tags=[Tag(name="batches")])

STREAM_CHUNK = 200


def _load_batch(session, batch_id: str) -> Batch:
    batch = batches.get_batch(session, batch_id, current_owner())
    if batch is None:
        raise ApiProblem(404, "Not found", f"no batch with id {batch_id}")
    return batch


@bp.post(
    "/batches", responses={202: BatchAccepted, **error_responses(400, 401, 413, 415, 422, 429, 503)}
)
def create_batch(body: BatchCreate, header: BatchHeaders):
    """Submit a batch of jobs; refused whole if any job is invalid."""
    submitted = submit_batch(
        runtime().sessions,
        runtime().producer,
        [JobSpec(spec.kind, spec.params, spec.label) for spec in body.jobs],
        owner_id=current_owner(),
        reuse_results=runtime().settings.reuse_results,
        idempotency_key=header.idempotency_key,
        request_body=body.model_dump(mode="json") if header.idempotency_key else None,
        check=budgeted,
    )
    batch_id = submitted.id
    body = {
        "id": batch_id,
        "total": submitted.total,
        "jobs_url": f"/v1/jobs?batch_id={batch_id}",
        "results_url": f"/v1/batches/{batch_id}/results",
    }
    return json_response(body, 202, {"Location": f"/v1/batches/{batch_id}"})


@bp.get("/batches/<batch_id>", responses={200: BatchStatus, **error_responses(401, 404, 429, 503)})
def get_batch(path: BatchPath):
    """Read a batch's progress counts."""
    with runtime().sessions() as session:
        batch = _load_batch(session, path.batch_id)
        counts = batches.status_counts(session, batch.id)
        finished = sum(counts[s.value] for s in JobStatus if s.finished)
        body = {
            "id": batch.id,
            "total": batch.total,
            "counts": counts,
            "done": finished == batch.total,
            "created_at": batch.created_at.isoformat().replace("+00:00", "Z"),
        }
    return json_response(body)


def _batch_jobs(batch_id: str) -> Iterator[Job]:
    """Yield the batch's jobs in submission order, a chunk per query."""
    after = -1
    while True:
        with runtime().sessions() as session:
            rows = batches.batch_jobs_after(session, batch_id, after, STREAM_CHUNK)
        if not rows:
            return
        yield from rows
        after = rows[-1].batch_index


@bp.get(
    "/batches/<batch_id>/results",
    responses={
        200: {
            "description": "NDJSON, one job resource a line",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 404, 429, 503),
    },
)
def batch_results(path: BatchPath):
    """Stream the batch's jobs as NDJSON, in submission order."""
    with runtime().sessions() as session:
        batch_id = _load_batch(session, path.batch_id).id

    def lines() -> Iterator[str]:
        for job in _batch_jobs(batch_id):
            yield jsonlib.dumps(job_resource(job), separators=(",", ":")) + "\n"

    return Response(stream_with_context(lines()), status=200, mimetype="application/x-ndjson")


def csv_columns() -> list[str]:
    """The results CSV's header: the job's fields, then every kind's own
    columns (its ``csv_columns`` hook; empty for jobs of other kinds)."""
    own: list[str] = []
    for kind in load_kinds().values():
        own.extend(name for name in kind.csv_columns if name not in own)
    return ["index", "id", "kind", "label", "status", *own, "result", "error"]


def csv_row(job: Job, columns: list[str]) -> list[str]:
    resource = job_resource(job)
    result = resource["result"] or {}
    error = resource["error"] or {}
    kind = get_kind(job.kind)
    hooks = kind.csv_columns if kind is not None else {}
    own = [hooks[name](job.params, result) if name in hooks else "" for name in columns[5:-2]]
    return [
        str(job.batch_index),
        job.id,
        job.kind,
        job.label or "",
        job.status,
        *own,
        jsonlib.dumps(result, separators=(",", ":")) if result else "",
        error.get("detail", ""),
    ]


@bp.get(
    "/batches/<batch_id>/results.csv",
    responses={
        200: {
            "description": "CSV, one job a row",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 404, 429, 503),
    },
)
def batch_results_csv(path: BatchPath):
    """Download the batch's results as CSV, in submission order."""
    with runtime().sessions() as session:
        batch_id = _load_batch(session, path.batch_id).id

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = csv_columns()
        writer.writerow(columns)
        for job in _batch_jobs(batch_id):
            writer.writerow(csv_row(job, columns))
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        status=200,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
    )
