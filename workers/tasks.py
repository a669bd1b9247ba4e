"""Celery tasks: thin shells that hand a job id to the executor."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import timedelta

from billiard.exceptions import WorkerLostError
from celery.worker.request import Request

from shared.db import repository
from shared.db.models import JobStatus
from shared.db.session import session_factory, session_scope
from shared.logs import job_context
from shared.queue import RECOVER_TASK, RUN_JOB_TASK
from shared.submission import enqueue
from workers import heartbeat, lifecycle  # noqa: F401 (heartbeat: its signal hooks)
from workers.celery_app import app
from workers.executor import execute_job
from workers.failures import time_limit_error
from workers.recovery import recover_jobs

logger = logging.getLogger(__name__)

CHILD_DIED = "its worker process died (it may need more memory than a job may use)"


def _settings():
    return app.conf.mlcalc_settings


def _worker_name(hostname: str | None, pid: int | None) -> str:
    return f"{hostname or socket.gethostname()}:{pid}"


def send_jobs(job_ids: Sequence[str]) -> object:
    """Send run messages for stored jobs (never raises; recovery covers failures)."""
    return enqueue(session_factory(_settings().database_url), app, job_ids)


class JobRequest(Request):
    """Runs in the worker's parent process: settles jobs whose child died."""

    def on_timeout(self, soft: bool, timeout: float) -> None:
        super().on_timeout(soft, timeout)
        if not soft:
            self._settle_lost_child(
                time_limit_error(f"it was stopped at its hard time limit of {timeout:g} s")
            )

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        exc = exc_info.exception
        exc = getattr(exc, "exc", exc)  # billiard wraps it in ExceptionWithTraceback
        if isinstance(exc, WorkerLostError):
            self._settle_lost_child(None)
        return super().on_failure(
            exc_info, send_failed_event=send_failed_event, return_ok=return_ok
        )

    def _settle_lost_child(self, error: dict | None) -> None:
        """Fail the child's job with ``error``, or apply the lost-run rule."""
        job_id = (self.args or [None])[0]
        if not job_id:
            return
        settings = _settings()
        worker = _worker_name(self.hostname, self.worker_pid)
        to_send: list[str] = []
        try:
            with session_scope(settings.database_url) as session:
                job = repository.get_job(session, job_id, full=False)
                if job is None or job.status != JobStatus.RUNNING or job.worker != worker:
                    return
                if error is not None:
                    lifecycle.fail_run(session, job, error)
                else:
                    to_send = lifecycle.settle_lost_run(
                        session, job, settings.max_attempts, CHILD_DIED
                    )
        except Exception:  # the message is requeued anyway; recovery settles the row
            logger.exception("could not settle job %s after its worker was lost", job_id)
        # The job's own message comes back by itself (task_reject_on_worker_lost).
        to_send = [other for other in to_send if other != job_id]
        if to_send:
            send_jobs(to_send)


@app.task(name=RUN_JOB_TASK, Request=JobRequest, acks_late=True, ignore_result=True)
def run_job(job_id: str) -> str | None:
    """Run the job with this id."""
    request = run_job.request
    with job_context(job_id):
        name = _worker_name(request.hostname, os.getpid())
        return execute_job(_settings(), job_id, name, send=send_jobs)


@app.task(name=RECOVER_TASK, ignore_result=True, soft_time_limit=60, time_limit=90)
def recover_jobs_task() -> int:
    """Resend jobs the broker lost and fail those out of attempts."""
    settings = _settings()
    # Four passes without a message: 60 s at the default 15 s interval, and
    # seconds when a deployment (or a test) runs the loop more often.
    stale_after = timedelta(seconds=max(2.0, 4 * settings.recovery_interval))
    return recover_jobs(settings, app, stale_after=stale_after)
