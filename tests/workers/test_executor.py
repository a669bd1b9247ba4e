"""The executor on SQLite: claim, run, store, and finish identical copies."""

from __future__ import annotations

from shared.db import repository
from shared.db.batches import batch_jobs_after
from shared.jobs.submit import JobSpec
from shared.submission import submit_batch, submit_job
from tests.workers.conftest import queued_ids
from workers.executor import execute_job

DERIVATIVE = JobSpec("derivative", {"expression": "x^3", "variable": "x"})


def load(sessions, job_id):
    with sessions() as session:
        return repository.get_job(session, job_id)


def test_runs_a_job_once_and_a_duplicate_message_changes_nothing(settings, sessions, producer):
    job = submit_job(sessions, producer, DERIVATIVE).job
    assert execute_job(settings, job.id, "w:1") == "succeeded"
    done = load(sessions, job.id)
    # Oracle: d/dx x^3 = 3x^2.
    assert done.result.result["expression"] == "3*x^2"
    assert (done.attempts, done.worker, done.cached) == (1, "w:1", False)
    assert execute_job(settings, job.id, "w:2") is None
    again = load(sessions, job.id)
    assert (again.attempts, again.worker, again.finished_at) == (1, "w:1", done.finished_at)


def test_a_job_answered_from_a_stored_result_finishes_its_copies_at_once(
    settings, sessions, producer
):
    first = submit_job(sessions, producer, DERIVATIVE).job
    execute_job(settings, first.id, "w:1")
    batch = submit_batch(sessions, producer, [DERIVATIVE, DERIVATIVE, DERIVATIVE])
    sent = queued_ids(producer)
    assert len(sent) == 2  # the single job, then only the batch's first copy
    leader = sent[1]
    assert execute_job(settings, leader, "w:1") == "succeeded"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert [job.status for job in jobs] == ["succeeded"] * 3
    assert all(job.cached for job in jobs)
    assert {job.result.result["expression"] for job in jobs} == {"3*x^2"}


def test_a_job_that_runs_finishes_its_copies_and_a_lone_job_finishes_alone(
    settings, sessions, producer
):
    lone = submit_job(sessions, producer, JobSpec("derivative", {"expression": "x^4"})).job
    batch = submit_batch(sessions, producer, [DERIVATIVE, DERIVATIVE, DERIVATIVE])
    lone_id, leader = queued_ids(producer)
    assert lone_id == lone.id
    # The lone job's UPDATE sees no queued copy of it (x^4 is not x^3).
    assert execute_job(settings, lone.id, "w:1") == "succeeded"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert [job.status for job in jobs] == ["queued"] * 3
    assert execute_job(settings, leader, "w:1") == "succeeded"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert [job.status for job in jobs] == ["succeeded"] * 3
    assert [job.cached for job in jobs] == [False, True, True]
    assert {job.result.result["expression"] for job in jobs} == {"3*x^2"}


def test_an_input_failure_is_shared_by_the_copies(settings, sessions, producer):
    spec = JobSpec("test_fail", {"how": "input", "n": 1})
    batch = submit_batch(sessions, producer, [spec, spec])
    (leader,) = queued_ids(producer)
    assert execute_job(settings, leader, "w:1") == "failed"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert [job.status for job in jobs] == ["failed", "failed"]
    assert jobs[1].error["detail"] == "input 1 is wrong on purpose"


def test_a_run_failure_sends_the_copies_on_their_own(settings, sessions, producer):
    spec = JobSpec("test_fail", {"how": "memory", "n": 2})
    batch = submit_batch(sessions, producer, [spec, spec, spec])
    (leader,) = queued_ids(producer)
    sent: list[str] = []
    assert execute_job(settings, leader, "w:1", send=sent.extend) == "failed"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert jobs[0].error["type"] == "memory-limit"
    assert [job.status for job in jobs[1:]] == ["queued", "queued"]
    assert sent == [job.id for job in jobs[1:]]


def test_a_stored_result_is_copied_with_its_steps_in_order(settings, sessions, producer):
    spec = JobSpec("derivative", {"expression": "x^2 sin(x)", "variable": "x"})
    first = submit_job(sessions, producer, spec).job
    assert execute_job(settings, first.id, "w:1") == "succeeded"
    source = load(sessions, first.id)
    assert len(source.steps) > 1
    batch = submit_batch(sessions, producer, [spec, spec])
    leader = queued_ids(producer)[-1]
    assert execute_job(settings, leader, "w:2") == "succeeded"
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    for job in jobs:
        assert job.result.result == source.result.result
        assert [step.step for step in job.steps] == [step.step for step in source.steps]
        assert [step.position for step in job.steps] == list(range(len(source.steps)))
