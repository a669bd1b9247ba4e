"""Fixtures: a migrated PostgreSQL database, Redis, the API and real workers."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from shared.settings import Settings
from tests import services


@pytest.fixture(scope="session")
def pg_url():
    url = services.create_pg_database()
    from shared.db.migrate import upgrade

    upgrade(url)
    yield url
    from shared.db.session import dispose_engines

    dispose_engines()
    services.drop_pg_database(url)


@pytest.fixture(scope="session")
def redis_prefix():
    services.check_redis()
    prefix = f"mlcalc-test-{uuid.uuid4().hex[:8]}:"
    yield prefix
    services.clear_redis_prefix(prefix)


@pytest.fixture(scope="session")
def pg_settings(pg_url, redis_prefix, tmp_path_factory) -> Settings:
    """Production-shaped settings: PostgreSQL and Redis, short time limits."""
    return Settings(
        database_url=pg_url,
        broker_url=services.REDIS_URL,
        broker_key_prefix=redis_prefix,
        data_dir=tmp_path_factory.mktemp("data"),
        soft_time_limit=3.0,
        hard_time_limit=6.0,
        max_attempts=2,
        recovery_interval=2.0,
        kind_plugins=("tests.e2e.misbehaving_kinds",),
        # Tests poll fast; rate limits have their own test (test_access.py).
        rate_limit_per_minute=0,
    )


@pytest.fixture(scope="session")
def app(pg_settings):
    from services.api import create_app

    return create_app(pg_settings, {"TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def worker(pg_settings, tmp_path_factory):
    """One real worker process over the real Redis, for the whole session."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = services.WorkerProcess(pg_settings, log, concurrency=1)
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def wait_finished(client, job_id: str, timeout: float = 60.0) -> dict:
    """Poll GET /v1/jobs/{id} until the job finishes; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").get_json()
        if job["status"] in ("succeeded", "failed", "canceled"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {job}")


def run_job(client, kind: str, params: dict) -> dict:
    """Submit a job, wait for it, assert it succeeded; return it."""
    response = client.post("/v1/jobs", json={"kind": kind, "params": params})
    assert response.status_code == 202, response.get_json()
    job = wait_finished(client, response.get_json()["id"])
    assert job["status"] == "succeeded", job
    return job


def solve_over_http(base: str, kind: str, params: dict, wait: float = 25) -> dict:
    """POST a job to a running server with ``Prefer: wait``; return the job as answered."""
    return httpx.post(
        f"{base}/v1/jobs",
        json={"kind": kind, "params": params},
        headers={"Prefer": f"wait={wait:g}"},
        timeout=wait + 40,
    ).json()
