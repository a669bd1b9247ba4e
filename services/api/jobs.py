"""/v1/jobs: submit, read, list and cancel jobs."""

from __future__ import annotations

import logging
import re
import threading
import time

from flask import Response, current_app, url_for
from flask_openapi3 import APIBlueprint, Tag

from services.api.problems import ApiProblem
from services.api.resources import job_resource
from services.api.responses import current_owner, json_response
from services.api.runtime import runtime
from services.api.schemas import (
    ArtifactPath,
    JobCreate,
    JobHeaders,
    JobListQuery,
    JobPage,
    JobPath,
    JobResource,
)
from services.api.spec import error_responses
from services.api.validation import budgeted
from shared.db import repository
from shared.db.models import JobStatus
from shared.db.session import DATABASE_UNAVAILABLE
from shared.jobs.registry import get_kind
from shared.jobs.submit import JobSpec
from shared.submission import submit_job

logger = logging.getLogger(__name__)

bp = APIBlueprint("jobs", __name__, url_prefix="/v1", abp_tags=[Tag(name="jobs")])

WAIT_PATTERN = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)")
POLL_SECONDS = 0.05
# Requests waiting with ``Prefer: wait`` each hold a server thread (gunicorn
# runs 8 per process): at most this many wait at once, the next answer 202
# at once, so /healthz and other clients always find a free thread.
MAX_WAITERS = 4


def requested_wait(prefer: str | None) -> float:
    """Seconds asked for by ``Prefer: wait=N``, capped by the settings."""
    match = WAIT_PATTERN.search(prefer or "")
    if not match:
        return 0.0
    return float(min(int(match.group(1)), runtime().settings.max_wait_seconds))


def wait_for_job(job_id: str, seconds: float):
    """Poll the row until the job finishes or ``seconds`` pass; return it."""
    deadline = time.monotonic() + seconds
    sessions = runtime().sessions
    while True:
        with sessions() as session:
            job = repository.get_job(session, job_id)
            if job is None or JobStatus(job.status).finished or time.monotonic() >= deadline:
                return job
        time.sleep(POLL_SECONDS)


def _waiters() -> threading.BoundedSemaphore:
    return current_app.extensions.setdefault(
        "mlcalc-waiters", threading.BoundedSemaphore(MAX_WAITERS)
    )


@bp.post(
    "/jobs",
    responses={
        202: JobResource,
        200: JobResource,
        **error_responses(400, 401, 413, 415, 422, 429, 503),
    },
)
def create_job(body: JobCreate, header: JobHeaders):
    """Submit a job."""
    submitted = submit_job(
        runtime().sessions,
        runtime().producer,
        JobSpec(body.kind, body.params, body.label),
        owner_id=current_owner(),
        idempotency_key=header.idempotency_key,
        request_body=body.model_dump(mode="json"),
        check=budgeted,
    )
    job = submitted.job
    logger.info("job %s accepted (%s)", job.id, body.kind, extra={"job_id": job.id})
    headers = {"Location": url_for("jobs.get_job", job_id=job.id)}
    wait = requested_wait(header.prefer)
    waiters = _waiters()
    if wait and not waiters.acquire(blocking=False):
        wait = 0.0  # every waiting place is taken: answer now, the client polls
    try:
        if wait:
            headers["Preference-Applied"] = f"wait={int(wait)}"
        if wait or not submitted.created:  # a retry may find the job finished
            job = wait_for_job(job.id, wait) or job
    except DATABASE_UNAVAILABLE as exc:
        # The row is committed: the job was accepted whatever happens now.
        logger.warning("job %s accepted; could not read it back: %s", job.id, exc)
    finally:
        if wait:
            waiters.release()
    finished = JobStatus(job.status).finished
    return json_response(job_resource(job), 200 if wait and finished else 202, headers)


@bp.get("/jobs/<job_id>", responses={200: JobResource, **error_responses(401, 404, 429, 503)})
def get_job(path: JobPath):
    """Read a job."""
    with runtime().sessions() as session:
        job = repository.get_job(session, path.job_id, current_owner())
        if job is None:
            raise ApiProblem(404, "Not found", f"no job with id {path.job_id}")
        return json_response(job_resource(job), 200)


@bp.get("/jobs", responses={200: JobPage, **error_responses(400, 401, 422, 429, 503)})
def list_jobs(query: JobListQuery):
    """List jobs, newest first, a page at a time."""
    with runtime().sessions() as session:
        try:
            jobs, next_cursor = repository.list_jobs(
                session,
                owner_id=current_owner(),
                status=query.status,
                kind=query.kind,
                batch_id=query.batch_id,
                limit=query.limit,
                cursor=query.cursor,
            )
        except ValueError as exc:
            raise ApiProblem(
                422,
                "Invalid request",
                f"cursor: {exc}",
                type_="validation-error",
                errors=[{"field": "cursor", "message": str(exc)}],
            ) from None
        body = {"items": [job_resource(job) for job in jobs], "next_cursor": next_cursor}
    return json_response(body, 200)


@bp.delete(
    "/jobs/<job_id>", responses={200: JobResource, **error_responses(401, 404, 409, 429, 503)}
)
def cancel_job(path: JobPath):
    """Cancel a job that has not started."""
    with runtime().sessions() as session:
        job = repository.get_job(session, path.job_id, current_owner(), full=False)
        if job is None:
            raise ApiProblem(404, "Not found", f"no job with id {path.job_id}")
        if not repository.cancel_job(session, job.id):
            session.rollback()
            raise ApiProblem(
                409,
                "Conflict",
                f"the job is {job.status}; only a queued job can be canceled",
                type_="not-cancelable",
            )
        session.commit()
        job = repository.get_job(session, path.job_id, current_owner())
        return json_response(job_resource(job), 200)


def artifact_response(job_id: str, name: str) -> Response:
    """The file ``name`` a finished job offers (its kind's ``downloads``)."""
    with runtime().sessions() as session:
        job = repository.get_job(session, job_id, current_owner())
        if job is None:
            raise ApiProblem(404, "Not found", f"no job with id {job_id}")
        if job.status != JobStatus.SUCCEEDED:
            raise ApiProblem(
                409,
                "Conflict",
                f"the job is {job.status}; it has no {name} yet",
                type_="not-finished",
            )
        kind = get_kind(job.kind)
        download = kind.downloads.get(name) if kind is not None else None
        if download is None:
            raise ApiProblem(
                404, "Not found", f"a {job.kind} job has no {name}", type_="no-artifact"
            )
        text = download.render((job.result.extras or {}) if job.result else {})
    if text is None:
        raise ApiProblem(
            404, "Not found", f"this {job.kind} job has no {name}", type_="no-artifact"
        )
    return Response(
        text,
        status=200,
        mimetype=download.media_type,
        headers={"Content-Disposition": f'attachment; filename="{job_id}-{name}"'},
    )


ARTIFACT_RESPONSES = {
    200: {
        "description": "The file, in the media type its kind declares",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **error_responses(401, 404, 409, 422, 429, 503),
}


@bp.get("/jobs/<job_id>/artifacts/<name>", responses=ARTIFACT_RESPONSES)
def job_artifact(path: ArtifactPath):
    """Download a file a finished job offers (GET /v1/kinds says which kinds have which)."""
    return artifact_response(path.job_id, path.name)


@bp.get("/jobs/<job_id>/trajectory.csv", responses=ARTIFACT_RESPONSES)
def job_trajectory(path: JobPath):
    """Download an optimize job's full trajectory as CSV (artifacts/trajectory.csv)."""
    return artifact_response(path.job_id, "trajectory.csv")
