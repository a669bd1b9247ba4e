"""Faults on the real services: a killed worker, an emptied Redis, a restarted
PostgreSQL and a memory blow-up. No accepted job may be lost or finished twice.

The module starts its own redis-server (no persistence, so a restart comes
back empty) and its own PostgreSQL cluster on free ports, and stops and
restarts them under a live API (in this process) and live worker processes.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from shared.db.session import dispose_engines, session_scope
from shared.settings import Settings
from tests.conftest import wait_finished
from tests.e2e.servers import PostgresServer, RedisServer
from tests.services import WorkerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e, pytest.mark.timeout(240)]

SLEEP = 8.0  # the long job a worker is killed in


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.init()
        from shared.db.migrate import upgrade

        upgrade(server.url)
        yield server
    finally:
        dispose_engines()
        server.remove()


@pytest.fixture(scope="module")
def settings(pg_server, redis_server, tmp_path_factory) -> Settings:
    """Short limits and a one-second recovery loop, so faults heal in seconds."""
    return Settings(
        database_url=pg_server.url,
        broker_url=redis_server.url,
        data_dir=tmp_path_factory.mktemp("fault-data"),
        soft_time_limit=SLEEP + 4,
        hard_time_limit=SLEEP + 6,
        max_attempts=3,
        recovery_interval=1.0,
        rate_limit_per_minute=100_000,
        kind_plugins=("tests.e2e.misbehaving_kinds",),
    )


@pytest.fixture(scope="module")
def api(settings):
    """The API, built once: it lives through every fault without a restart."""
    from services.api import create_app

    return create_app(settings, {"TESTING": True}).test_client()


@pytest.fixture()
def workers(settings, tmp_path) -> Iterator:
    """Start workers on demand; every one still alive is stopped afterwards."""
    started: list[WorkerProcess] = []

    def start(name: str, *, beat: bool = False, concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(
            settings,
            tmp_path / f"{name}.log",
            concurrency=concurrency,
            beat=beat,
            hostname=f"{name}-{uuid.uuid4().hex[:4]}@%h",
        )
        started.append(worker)
        worker.wait_ready(timeout=120)
        return worker

    yield start
    for worker in started:
        worker.stop()


def submit(api, kind: str, params: dict) -> dict:
    response = api.post("/v1/jobs", json={"kind": kind, "params": params})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def sleep_job(api, seconds: float) -> dict:
    """A test_sleep job with params no earlier job had (equal params reuse a result)."""
    return submit(api, "test_sleep", {"seconds": round(seconds + next(_unique) / 1000, 3)})


_unique = itertools.count(1)


def wait_status(api, job_id: str, status: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/v1/jobs/{job_id}").get_json()
        if job["status"] == status:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never {status}: {job}")


def db_count(settings: Settings, table: str, job_id: str, where: str = "") -> int:
    with session_scope(settings.database_url) as session:
        query = f"SELECT count(*) FROM {table} WHERE job_id = :id {where}"
        return int(session.execute(text(query), {"id": job_id}).scalar_one())


def worker_log(*workers: WorkerProcess) -> str:
    return "\n".join(worker.log() for worker in workers)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_kill_9_of_a_worker_settles_every_job_within_20s_of_a_replacement(api, settings, workers):
    doomed = workers("doomed", beat=True)
    job = sleep_job(api, SLEEP)
    running = wait_status(api, job["id"], "running", timeout=60)
    assert running["worker"].startswith("doomed-"), running
    behind = [
        submit(api, "derivative", {"expression": f"x^{n} e^x + {n}", "variable": "x"})
        for n in range(2, 6)
    ]
    time.sleep(2)  # well inside the job
    os.kill(doomed.process.pid, signal.SIGKILL)  # the main process only
    doomed.process.wait(timeout=10)
    # Its pool child and its beat die with it: no orphan runs jobs or recovery.
    deadline = time.monotonic() + 10
    while group_alive(doomed.process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(doomed.process.pid), "children outlived the killed worker"

    # Nothing of the first worker survived to say it died: its heartbeat stops.
    survivor = workers("survivor", beat=True)
    ready = time.monotonic()
    settled = {}
    for each in [job, *behind]:
        done = wait_finished(api, each["id"], timeout=60)
        settled[each["id"]] = time.monotonic() - ready
        assert done["status"] == "succeeded", (done, worker_log(survivor))
    print(f"kill -9: settled {max(settled.values()):.1f} s after the replacement was ready")
    assert max(settled.values()) <= 20, settled

    done = api.get(f"/v1/jobs/{job['id']}").get_json()
    assert done["worker"].startswith("survivor-"), done
    assert done["attempts"] == 2
    assert done["result"]["slept"] == job["params"]["seconds"]
    assert not done["cached"]
    assert str(done["result"]["pid"]) == done["worker"].rsplit(":", 1)[1]
    assert db_count(settings, "job_results", job["id"]) == 1
    assert db_count(settings, "job_events", job["id"], "AND event = 'worker-lost'") == 1
    assert db_count(settings, "job_events", job["id"], "AND event = 'started'") == 2

    # A later redelivery of the dead worker's message must change nothing.
    from shared.queue import make_producer, send_job

    send_job(make_producer(settings), job["id"])
    quick = submit(api, "derivative", {"expression": "x^5", "variable": "x"})
    assert wait_finished(api, quick["id"])["status"] == "succeeded"
    again = api.get(f"/v1/jobs/{job['id']}").get_json()
    assert (again["attempts"], again["finished_at"]) == (2, done["finished_at"])
    assert db_count(settings, "job_results", job["id"]) == 1


class Traffic:
    """A client submitting short jobs steadily, faster than one worker runs them."""

    def __init__(self, app, per_second: float, seconds: float) -> None:
        self.client = app.test_client()
        self.pause = 1 / per_second
        self.seconds = seconds
        self.ids: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Traffic:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.pause):
            seconds = round(self.seconds + next(_unique) / 10_000, 4)
            response = self.client.post(
                "/v1/jobs", json={"kind": "test_sleep", "params": {"seconds": seconds}}
            )
            if response.status_code == 202:
                self.ids.append(response.get_json()["id"])

    def stop(self) -> None:
        """Stop, and cancel what is still queued so later tests find an empty queue."""
        self._stop.set()
        self._thread.join(timeout=30)
        for job_id in self.ids:
            self.client.delete(f"/v1/jobs/{job_id}")


def test_redis_restarted_empty_under_traffic_loses_no_job(api, settings, workers, redis_server):
    worker = workers("steady", beat=True)
    # The worker is busy with a long job, so the next jobs wait in Redis.
    blocker = sleep_job(api, 3.0)
    wait_status(api, blocker["id"], "running")
    waiting = [
        submit(api, "derivative", {"expression": f"x^{n} + sin(x)", "variable": "x"})
        for n in range(2, 5)
    ]
    assert redis_server.client().dbsize() >= 1  # the messages are in Redis
    # Traffic at twice what the worker can run: the queue never empties.
    traffic = Traffic(api.application, per_second=8, seconds=0.05).start()
    try:
        time.sleep(2)
        redis_server.stop()
        started = time.monotonic()
        while_down = [
            submit(api, "derivative", {"expression": f"cos({n}x)", "variable": "x"})
            for n in range(2, 5)
        ]
        assert time.monotonic() - started < 20, "POST must not hang while the broker is down"
        ready = api.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["broker"] != "ok"
        for job in while_down:
            assert api.get(f"/v1/jobs/{job['id']}").get_json()["status"] == "queued"
        time.sleep(3)
        lost = [blocker, *waiting, *while_down]
        lost += [{"id": job_id} for job_id in traffic.ids]  # every message is gone

        redis_server.start()  # empty
        back = time.monotonic()
        finished_after = {}
        for job in lost:
            done = wait_finished(api, job["id"], timeout=60)
            finished_after[job["id"]] = time.monotonic() - back
            assert done["status"] == "succeeded", (done, worker.log())
            assert db_count(settings, "job_results", job["id"]) == 1
        print(
            f"Redis restarted empty: {len(lost)} lost jobs finished at most "
            f"{max(finished_after.values()):.1f} s after it returned"
        )
        assert max(finished_after.values()) <= 20, sorted(finished_after.values())
        assert redis_server.client().dbsize() > 0  # new traffic still waiting
    finally:
        traffic.stop()
    assert worker.process.poll() is None, "the worker must survive the broker's restart"
    assert api.get("/readyz").status_code == 200


def test_postgres_restart_answers_503_then_recovers(api, settings, workers, pg_server):
    worker = workers("pgfault", beat=True)
    before = submit(api, "derivative", {"expression": "x ln(x)", "variable": "x"})
    assert wait_finished(api, before["id"])["status"] == "succeeded"
    # A job that runs through the outage and stores its result after it.
    through = sleep_job(api, SLEEP + 2)
    wait_status(api, through["id"], "running")
    # A POST waiting for its job when the database goes: its row is stored,
    # so it answers 202 with the job, never a 503 for a job that will run.
    waited: list = []
    waiting = threading.Thread(
        target=lambda: waited.append(
            api.application.test_client().post(
                "/v1/jobs",
                json={"kind": "derivative", "params": {"expression": "x^9 - 1", "variable": "x"}},
                headers={"Prefer": "wait=20"},
            )
        )
    )
    waiting.start()
    time.sleep(1.5)  # stored, and waiting (the worker is busy with `through`)

    pg_server.stop()
    waiting.join(timeout=30)
    assert waited and waited[0].status_code == 202, waited and waited[0].get_json()
    phantom = waited[0].get_json()
    try:
        ready = api.get("/readyz")
        assert ready.status_code == 503
        body = ready.get_json()
        assert body["status"] == "not ready" and body["checks"]["database"] != "ok", body
        assert body["checks"]["broker"] == "ok"
        for response in (
            api.get(f"/v1/jobs/{before['id']}"),
            api.get("/v1/jobs"),
            api.post("/v1/jobs", json={"kind": "derivative", "params": {"expression": "x"}}),
            api.post(
                "/v1/jobs",
                json={"kind": "derivative", "params": {"expression": "x^2", "variable": "x"}},
            ),
            api.delete(f"/v1/jobs/{before['id']}"),
        ):
            assert response.status_code in (503, 422), response.get_data(as_text=True)
            assert response.mimetype == "application/problem+json"
            if response.status_code == 503:
                assert response.headers.get("Retry-After")
                assert response.get_json()["status"] == 503
        assert api.get("/healthz").status_code == 200
        time.sleep(2)  # recovery passes fail meanwhile; the worker must shrug them off
    finally:
        pg_server.start()

    assert api.get("/readyz").status_code == 200
    assert wait_finished(api, phantom["id"], timeout=60)["status"] == "succeeded"
    done = wait_finished(api, through["id"], timeout=60)
    assert done["status"] == "succeeded", (done, worker.log())
    assert done["attempts"] == 1
    after = submit(api, "derivative", {"expression": "tanh(x)", "variable": "x"})
    assert wait_finished(api, after["id"])["status"] == "succeeded", worker.log()
    assert worker.process.poll() is None


def test_memory_blowup_fails_alone_beside_a_running_job(api, settings, workers):
    workers("memory", concurrency=2)
    neighbour = sleep_job(api, 10.0)
    wait_status(api, neighbour["id"], "running")
    hog = submit(api, "test_allocate", {"megabytes": settings.memory_limit_mb * 4})
    failed = wait_finished(api, hog["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["type"] == "memory-limit", failed["error"]
    assert failed["attempts"] == 1
    # The neighbour still holds the other child, so the next job goes to the
    # very child that hit the cap: it carries on and succeeds.
    after = submit(api, "derivative", {"expression": "sqrt(x) e^x", "variable": "x"})
    done = wait_finished(api, after["id"])
    assert done["status"] == "succeeded"
    assert done["worker"] == failed["worker"]
    assert wait_finished(api, neighbour["id"])["status"] == "succeeded"


def test_recovery_pass_resends_lost_jobs_and_gives_up_after_max_attempts(
    api, settings, redis_server
):
    """One recovery pass over rows set up as each fault leaves them."""
    from shared.db import heartbeats
    from shared.db.models import utcnow
    from shared.queue import QUEUE, make_producer
    from workers.recovery import recover_jobs, set_marker

    ids = {
        name: submit(api, "derivative", {"expression": f"x^{n} cos(x)", "variable": "x"})["id"]
        for n, name in enumerate(["exhausted", "lost_worker", "live_lease", "lost_message"], 2)
    }
    redis = redis_server.client()
    # As after a lost message: the queue (every priority's list) is empty,
    # but the broker kept its marker, so it did not lose everything.
    redis.delete(*redis.keys(f"{QUEUE}*"))
    producer = make_producer(settings)
    set_marker(producer)
    expired = "started_at = now() - interval '1 min', lease_expires_at = now() - interval '1 s'"
    rows = {
        "exhausted": f"status = 'running', attempts = 3, {expired}",
        "lost_worker": f"status = 'running', attempts = 1, {expired}",
        "live_lease": "status = 'running', attempts = 1, started_at = now() - interval '1 min', "
        "lease_expires_at = now() + interval '1 h'",
        "lost_message": "enqueued_at = now() - interval '2 min'",
    }
    with session_scope(settings.database_url) as session:
        # Alive since long before: only the leases tell.
        heartbeats.beat(session, "ghost", 1, 1, utcnow() - timedelta(hours=1))
        for name, change in rows.items():
            session.execute(
                text(f"UPDATE jobs SET {change}, worker = 'ghost:1' WHERE id = :id"),
                {"id": ids[name]},
            )

    sent = recover_jobs(settings, producer, stale_after=timedelta(seconds=60))

    assert sent == 2
    messages = [m.decode() for m in redis.lrange(QUEUE, 0, -1)]
    for name in ("lost_worker", "lost_message"):
        assert sum(ids[name] in m for m in messages) == 1, name
    exhausted = api.get(f"/v1/jobs/{ids['exhausted']}").get_json()
    assert exhausted["status"] == "failed"
    assert exhausted["error"]["type"] == "attempts-exhausted"
    assert "3 attempts" in exhausted["error"]["detail"]
    assert api.get(f"/v1/jobs/{ids['lost_worker']}").get_json()["status"] == "queued"
    assert db_count(settings, "job_events", ids["lost_worker"], "AND event = 'worker-lost'") == 1
    assert api.get(f"/v1/jobs/{ids['live_lease']}").get_json()["status"] == "running"
    # A second pass right away sends nothing: the queue holds their messages.
    assert recover_jobs(settings, producer, timedelta(seconds=60)) == 0
    redis.delete(QUEUE)
    with session_scope(settings.database_url) as session:
        heartbeats.forget(session, "ghost")
