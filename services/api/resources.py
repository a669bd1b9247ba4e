"""How a job row is shown: the contract's job resource."""

from __future__ import annotations

from typing import Any

from shared.db.models import Job, JobStatus


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def job_resource(job: Job) -> dict[str, Any]:
    """Return the job as the contract's resource (result and steps loaded)."""
    finished = job.status == JobStatus.SUCCEEDED
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "label": job.label,
        "params": job.params,
        "result": job.result.result if finished and job.result is not None else None,
        "steps": [row.step for row in job.steps] if finished and job.steps else None,
        "error": job.error,
        "batch_id": job.batch_id,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "attempts": job.attempts,
        "worker": job.worker,
        "cached": job.cached,
    }
