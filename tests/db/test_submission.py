"""Submitting without Flask: shared.submission on a real SQLite file and an
in-memory kombu broker (what the command line and tests can call)."""

from __future__ import annotations

import pytest

from shared.db import batches, repository
from shared.db.migrate import upgrade
from shared.db.session import session_factory
from shared.jobs.submit import IdempotencyConflict, InvalidBatch, InvalidJob, JobSpec
from shared.queue import queue_depth
from shared.submission import submit_batch, submit_job
from tests.workers.conftest import memory_producer

DERIVATIVE = JobSpec("derivative", {"expression": "x^2 sin(x)", "variable": "x"})


@pytest.fixture()
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'submit.db'}"
    upgrade(url)
    return session_factory(url)


@pytest.fixture()
def producer():
    return memory_producer()


def test_submit_job_stores_the_row_then_sends_one_message(sessions, producer):
    submitted = submit_job(sessions, producer, DERIVATIVE)
    assert submitted.created and submitted.job.status == "queued"
    with sessions() as session:
        row = repository.get_job(session, submitted.job.id)
        assert row.params == DERIVATIVE.params and row.enqueued_at is not None
    assert queue_depth(producer) == 1


def test_invalid_params_raise_field_errors_and_store_nothing(sessions, producer):
    with pytest.raises(InvalidJob) as raised:
        submit_job(sessions, producer, JobSpec("derivative", {"expression": "x^2 + (3x"}))
    (error,) = [e for e in raised.value.errors if e["field"] == "params.expression"]
    assert isinstance(error["position"], int)
    with pytest.raises(InvalidJob) as unknown:
        submit_job(sessions, producer, JobSpec("nope", {}))
    assert unknown.value.errors[0]["field"] == "kind"
    with sessions() as session:
        assert repository.list_jobs(session, owner_id=None)[0] == []
    assert queue_depth(producer) == 0


def test_idempotency_key_returns_the_first_job_and_refuses_another_body(sessions, producer):
    body = {"kind": DERIVATIVE.kind, "params": DERIVATIVE.params}
    first = submit_job(sessions, producer, DERIVATIVE, idempotency_key="k", request_body=body)
    again = submit_job(sessions, producer, DERIVATIVE, idempotency_key="k", request_body=body)
    assert (again.job.id, again.created) == (first.job.id, False)
    assert queue_depth(producer) == 1
    with pytest.raises(IdempotencyConflict):
        submit_job(sessions, producer, DERIVATIVE, idempotency_key="k", request_body={"x": 1})


def test_batch_sends_one_message_per_group_of_identical_jobs(sessions, producer):
    other = JobSpec("derivative", {"expression": "cos(x)", "variable": "x"}, label="b")
    submitted = submit_batch(sessions, producer, [DERIVATIVE, other, DERIVATIVE])
    assert submitted.total == 3
    assert queue_depth(producer) == 2
    with sessions() as session:
        jobs = batches.batch_jobs_after(session, submitted.id, -1, 10)
        assert [job.label for job in jobs] == [None, "b", None]
        assert batches.status_counts(session, submitted.id)["queued"] == 3


def test_invalid_batch_names_each_bad_index(sessions, producer):
    bad = JobSpec("derivative", {"expression": "sin(", "variable": "x"})
    with pytest.raises(InvalidBatch) as raised:
        submit_batch(sessions, producer, [DERIVATIVE, bad, JobSpec("nope", {})])
    fields = {e["field"] for e in raised.value.errors}
    assert "jobs.1.params.expression" in fields and "jobs.2.kind" in fields
    assert queue_depth(producer) == 0


def test_a_broker_failure_leaves_jobs_to_recovery_for_a_moment(sessions, producer, monkeypatch):
    import shared.submission as submission

    def broker_down(app, job_id, **_):
        raise ConnectionError("broker down")

    real_send = submission.send_job
    monkeypatch.setattr(submission, "_broker_paused_until", 0.0)  # restored afterwards
    monkeypatch.setattr(submission, "send_job", broker_down)
    first = submit_job(sessions, producer, DERIVATIVE)
    monkeypatch.setattr(submission, "send_job", real_send)
    # Stored and accepted; while the pause lasts no POST waits for the broker.
    other = JobSpec("derivative", {"expression": "tan(x)", "variable": "x"})
    second = submit_job(sessions, producer, other)
    assert queue_depth(producer) == 0
    with sessions() as session:
        for job in (first.job, second.job):
            row = repository.get_job(session, job.id, full=False)
            assert row.status == "queued" and row.enqueued_at is None
    submission._broker_paused_until = 0.0  # the pause is over
    submit_job(sessions, producer, JobSpec("derivative", {"expression": "cot(x)", "variable": "x"}))
    assert queue_depth(producer) == 1


@pytest.mark.redis
def test_a_batch_on_redis_sends_every_message_in_chunks_and_marks_each_job(
    sessions, pg_settings, tmp_path
):
    from dataclasses import replace

    from shared.queue import make_producer
    from tests import services
    from tests.workers.conftest import queued_ids

    services.check_redis()
    prefix = f"mlcalc-test-{tmp_path.name[-8:]}-chunks:"
    producer = make_producer(replace(pg_settings, broker_key_prefix=prefix))
    try:
        specs = [
            JobSpec("derivative", {"expression": f"x^{n}", "variable": "x"}) for n in range(1100)
        ]
        submitted = submit_batch(sessions, producer, specs + specs[:50])  # 50 copies: not sent
        assert queue_depth(producer) == 1100
        with sessions() as session:
            jobs = batches.batch_jobs_after(session, submitted.id, -1, 2000)
        assert [job.enqueued_at is not None for job in jobs] == [True] * 1100 + [False] * 50
        assert queued_ids(producer) == [job.id for job in jobs[:1100]]
    finally:
        services.clear_redis_prefix(prefix)
