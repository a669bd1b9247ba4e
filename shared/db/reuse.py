"""Work once: jobs with the same kind and canonical params share one solution.

A batch enqueues only the first job of each group of identical jobs; when
that one finishes (run, or answered from a stored result), its outcome is
copied to the others still queued, in a few statements. A copy whose
leader failed by no fault of its input, or was given up, is sent on its own
(``workers.executor``, ``workers.lifecycle``); one left without any message
is sent by the recovery loop.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, insert, update
from sqlalchemy.orm import Session

from shared.db.models import Job, JobResult, JobStatus, JobStep, utcnow


def fan_out(
    session: Session,
    leader: Job,
    *,
    result: dict[str, Any] | None,
    steps: list[dict[str, Any]] | None,
    extras: dict[str, Any] | None,
    error: dict[str, Any] | None = None,
) -> int:
    """Finish the queued jobs identical to ``leader`` like it; return how many."""
    now = utcnow()
    status = JobStatus.SUCCEEDED.value if error is None else JobStatus.FAILED.value
    followers = [
        row[0]
        for row in session.execute(
            update(Job)
            .where(
                Job.kind == leader.kind,
                Job.params_hash == leader.params_hash,
                Job.status == JobStatus.QUEUED.value,
                Job.id != leader.id,
            )
            .values(
                status=status,
                # Shown as a reuse only to the key that asked first.
                cached=case((Job.owner_key == leader.owner_key, True), else_=False),
                error=error,
                started_at=now,
                finished_at=now,
            )
            .returning(Job.id)
        )
    ]
    if followers and error is None:
        session.execute(
            insert(JobResult),
            [
                {"job_id": job_id, "result": result, "extras": extras, "created_at": now}
                for job_id in followers
            ],
        )
        step_rows = [
            {"job_id": job_id, "position": i, "rule": str(step.get("rule", ""))[:64], "step": step}
            for job_id in followers
            for i, step in enumerate(steps or ())
        ]
        if step_rows:
            session.execute(insert(JobStep), step_rows)
    return len(followers)
