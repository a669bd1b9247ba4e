"""The one give-up rule and the recovery pass, on SQLite without a broker server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from shared.db import heartbeats, repository
from shared.db.batches import batch_jobs_after
from shared.db.models import utcnow
from shared.jobs.submit import JobSpec
from shared.submission import submit_batch, submit_job
from tests.workers.conftest import queued_ids
from workers import lifecycle
from workers.recovery import MARKER_QUEUE, recover_jobs, set_marker

STALE = timedelta(seconds=60)


def spec(n: int) -> JobSpec:
    return JobSpec("derivative", {"expression": f"x^{n} cos(x)", "variable": "x"})


def lose_run(sessions, job_id: str, worker: str = "ghost:1") -> int:
    """Claim the job as ``worker`` and let its lease end, as a killed worker leaves it."""
    with sessions() as session:
        attempt = repository.claim_job(session, job_id, worker, 60)
        session.execute(
            text("UPDATE jobs SET lease_expires_at = :past WHERE id = :id"),
            {"past": "2000-01-01 00:00:00.000000", "id": job_id},
        )
        session.commit()
    return attempt


def status(sessions, job_id: str):
    with sessions() as session:
        return repository.get_job(session, job_id, full=False)


def test_a_lost_run_runs_again_until_max_attempts_then_fails(settings, sessions, producer):
    job = submit_job(sessions, producer, spec(2)).job
    queued_ids(producer)
    for attempt in range(1, settings.max_attempts + 1):
        assert lose_run(sessions, job.id) == attempt
        with sessions() as session:
            row = repository.get_job(session, job.id, full=False)
            sent = lifecycle.settle_lost_run(session, row, settings.max_attempts, "test")
            session.commit()
        if attempt < settings.max_attempts:
            assert sent == [job.id] and status(sessions, job.id).status == "queued"
    failed = status(sessions, job.id)
    assert failed.status == "failed" and failed.error["type"] == "attempts-exhausted"
    assert f"each of {settings.max_attempts} attempts" in failed.error["detail"]
    # A second observer of the same loss changes nothing.
    with sessions() as session:
        row = repository.get_job(session, job.id, full=False)
        assert lifecycle.settle_lost_run(session, row, settings.max_attempts, "late") == []


def test_recovery_resends_lost_runs_and_messages_and_gives_up_after_max_attempts(
    settings, sessions, producer
):
    names = ["exhausted", "lost_worker", "live_lease", "lost_message", "fresh"]
    ids = {name: submit_job(sessions, producer, spec(n)).job.id for n, name in enumerate(names, 2)}
    queued_ids(producer)  # as after a broker restart: every message is gone
    lose_run(sessions, ids["lost_worker"])
    lose_run(sessions, ids["exhausted"])
    with sessions() as session:  # as if each earlier run was lost too
        session.execute(
            text("UPDATE jobs SET attempts = :n WHERE id = :id"),
            {"n": settings.max_attempts, "id": ids["exhausted"]},
        )
        session.commit()
    with sessions() as session:
        repository.claim_job(session, ids["live_lease"], "alive:1", 3600)
        session.execute(
            text("UPDATE jobs SET enqueued_at = :past WHERE id = :id"),
            {"past": "2000-01-01 00:00:00.000000", "id": ids["lost_message"]},
        )
        session.commit()

    set_marker(producer)  # the broker kept its messages (the queue is just empty)
    assert recover_jobs(settings, producer, stale_after=STALE) == 2
    assert sorted(queued_ids(producer)) == sorted([ids["lost_worker"], ids["lost_message"]])
    exhausted = status(sessions, ids["exhausted"])
    assert exhausted.status == "failed" and exhausted.error["type"] == "attempts-exhausted"
    assert status(sessions, ids["lost_worker"]).status == "queued"
    assert status(sessions, ids["live_lease"]).status == "running"
    assert status(sessions, ids["fresh"]).status == "queued"
    # A second pass right away sends nothing: the lost ones were just sent.
    assert recover_jobs(settings, producer, stale_after=STALE) == 0


def test_copies_of_a_job_given_up_are_sent_on_their_own(settings, sessions, producer):
    batch = submit_batch(sessions, producer, [spec(9), spec(9), spec(9)])
    (leader,) = queued_ids(producer)
    for _ in range(settings.max_attempts):
        lose_run(sessions, leader)
        with sessions() as session:
            row = repository.get_job(session, leader, full=False)
            sent = lifecycle.settle_lost_run(session, row, settings.max_attempts, "test")
            session.commit()
    with sessions() as session:
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    assert jobs[0].status == "failed"
    assert sent == [job.id for job in jobs[1:]]


def test_a_broker_that_lost_its_messages_gets_every_queued_job_again(settings, sessions, producer):
    ids = [submit_job(sessions, producer, spec(n)).job.id for n in range(20, 23)]
    set_marker(producer)
    queued_ids(producer)  # consumed: the marker stays
    assert recover_jobs(settings, producer, stale_after=STALE) == 0
    with producer.connection_for_write() as connection:  # as a Redis restarted empty
        connection.default_channel.queue_purge(MARKER_QUEUE)
    assert recover_jobs(settings, producer, stale_after=STALE) == 3
    assert sorted(queued_ids(producer)) == sorted(ids)
    assert recover_jobs(settings, producer, stale_after=STALE) == 0  # the marker is back


def test_a_worker_that_stops_beating_loses_its_runs_at_once(settings, sessions, producer):
    long_ago = utcnow() - timedelta(minutes=5)
    running = {
        name: submit_job(sessions, producer, spec(n)).job.id
        for n, name in enumerate(["dead", "alive", "restarted"], 30)
    }
    waiting = submit_job(sessions, producer, spec(40)).job.id  # the dead one had taken it
    queued_ids(producer)
    set_marker(producer)
    with sessions() as session:
        for name, job_id in running.items():
            repository.claim_job(session, job_id, f"{name}@host:7", 3600)
        session.execute(
            text("UPDATE jobs SET started_at = :t WHERE status = 'running'"), {"t": long_ago}
        )
        session.execute(
            text("UPDATE jobs SET enqueued_at = :t WHERE id = :id"), {"t": long_ago, "id": waiting}
        )
        heartbeats.beat(session, "dead@host", 1, 1, long_ago)
        heartbeats.beat(session, "alive@host", 2, 1, long_ago)
        heartbeats.beat(session, "restarted@host", 3, 1, utcnow())
        session.execute(
            text("UPDATE worker_heartbeats SET beat_at = :t WHERE name = 'dead@host'"),
            {"t": long_ago + timedelta(seconds=30)},
        )
        session.commit()

    assert recover_jobs(settings, producer, stale_after=STALE) == 3
    assert sorted(queued_ids(producer)) == sorted([running["dead"], running["restarted"], waiting])
    assert status(sessions, running["alive"]).status == "running"
    with sessions() as session:
        assert {w.name for w in heartbeats.all_workers(session)} == {
            "alive@host",
            "restarted@host",
        }


def test_jobs_never_sent_go_out_once_per_group_of_identical_jobs(settings, sessions, producer):
    # As after a batch accepted while the broker was down: no job has a message.
    batch = submit_batch(sessions, producer, [spec(50), spec(51), spec(50), spec(50)])
    queued_ids(producer)
    long_ago = utcnow() - timedelta(minutes=1)
    with sessions() as session:
        session.execute(
            text("UPDATE jobs SET enqueued_at = NULL, created_at = :t"), {"t": long_ago}
        )
        session.commit()
        jobs = batch_jobs_after(session, batch.id, -1, 10)
    set_marker(producer)
    assert recover_jobs(settings, producer, stale_after=STALE) == 2
    sent = queued_ids(producer)
    assert jobs[1].id in sent and len({jobs[0].id, jobs[2].id, jobs[3].id} & set(sent)) == 1
    assert recover_jobs(settings, producer, stale_after=STALE) == 0  # the copies wait


def test_a_broker_that_lost_everything_gets_every_queued_job_however_many(
    settings, sessions, producer
):
    batch = submit_batch(sessions, producer, [spec(n) for n in range(100, 700)])
    queued_ids(producer)  # gone, and the marker with them
    assert recover_jobs(settings, producer, stale_after=STALE) == 600
    assert len(set(queued_ids(producer))) == 600
    assert batch.total == 600
