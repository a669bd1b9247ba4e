"""A worker lives through Redis dying under a running job, every time.

Celery 5.7 / kombu 5.7 killed the worker's main process on such a disconnect
(``AttributeError: 'NoneType' object has no attribute 'hostname'`` while the
broken connection was closed; see ``shared/transports/redis.py``) in most
trials. Here a throwaway redis-server is killed 1.5 s into a 4 s job and
started again (empty) 5 s later, ten times over one worker started with the
production command line (``mlcalc worker --beat``: broker heartbeats on);
the worker must live, finish the job, pick up new work after each outage,
and show its consumer gone while Redis is down (the compose healthcheck).
"""

from __future__ import annotations

import itertools
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from services.cli import worker_command
from shared.settings import Settings
from tests.conftest import wait_finished
from tests.e2e.servers import RedisServer
from tests.services import ROOT, settings_env
from workers.liveness import is_alive

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.timeout(600),
]

TRIALS = 10
JOB_SECONDS = 4.0
_unique = itertools.count(1)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def settings(pg_url, redis_server, tmp_path_factory) -> Settings:
    return Settings(
        database_url=pg_url,
        broker_url=redis_server.url,
        data_dir=tmp_path_factory.mktemp("broker-loss"),
        soft_time_limit=20,
        hard_time_limit=25,
        recovery_interval=1.0,
        rate_limit_per_minute=0,
        kind_plugins=("tests.e2e.misbehaving_kinds",),
    )


@pytest.fixture(scope="module")
def api(settings):
    from services.api import create_app

    return create_app(settings, {"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def worker(settings) -> Iterator[subprocess.Popen]:
    """``mlcalc worker --beat`` exactly as deployed (no test-only flags)."""
    log_path = settings.data_dir / "worker.log"
    command = worker_command(settings, 2, beat=True, schedule=settings.data_dir / "beat")
    command += ["--hostname", f"brokerloss-{uuid.uuid4().hex[:6]}@%h"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=settings_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while b" ready." not in log_path.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.2)
    process.log_path = log_path
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _status(api, job_id: str) -> str:
    return api.get(f"/v1/jobs/{job_id}").get_json()["status"]


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _log_tail(worker) -> str:
    return worker.log_path.read_text(errors="replace")[-6000:]


def test_worker_survives_redis_killed_mid_job_ten_times(api, settings, worker, redis_server):
    _wait_for(lambda: is_alive(settings), 30, "the consumer never reported itself alive")
    settle_times = []
    for trial in range(TRIALS):
        seconds = round(JOB_SECONDS + next(_unique) / 1000, 3)
        job = api.post("/v1/jobs", json={"kind": "test_sleep", "params": {"seconds": seconds}})
        job_id = job.get_json()["id"]
        _wait_for(lambda: _status(api, job_id) == "running", 30, f"trial {trial}: never ran")  # noqa: B023
        time.sleep(1.5)

        redis_server.stop()
        down_at = time.monotonic()
        # The consumer is gone while Redis is: the healthcheck must say so.
        _wait_for(lambda: not is_alive(settings, max_age=60), 10, "consumer still 'alive'")
        time.sleep(max(0.0, 5.0 - (time.monotonic() - down_at)))
        redis_server.start()
        back_at = time.monotonic()

        done = wait_finished(api, job_id, timeout=60)
        assert worker.poll() is None, f"trial {trial}: the worker died\n{_log_tail(worker)}"
        assert done["status"] == "succeeded", (trial, done)
        assert done["result"]["slept"] == seconds
        # New work after the outage is consumed: the worker reconnected.
        params = {"expression": f"x^{trial + 2}", "variable": "x"}
        fresh = api.post("/v1/jobs", json={"kind": "derivative", "params": params}).get_json()
        after = wait_finished(api, fresh["id"], timeout=60)
        assert after["status"] == "succeeded", (trial, after, _log_tail(worker))
        settle_times.append(time.monotonic() - back_at)
        _wait_for(lambda: is_alive(settings), 15, "the consumer never came back alive")
    assert worker.poll() is None
    assert "Unrecoverable error" not in worker.log_path.read_text(errors="replace")
    print(f"settled after Redis returned: max {max(settle_times):.1f} s over {TRIALS} trials")
