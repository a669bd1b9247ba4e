"""Real PostgreSQL, Redis and worker processes for the tests.

Each test session gets its own PostgreSQL database and its own Redis key
prefix on the machine's servers, so concurrent runs never meet. When a
server is missing the tests that need it skip locally and FAIL on CI
(``CI=true`` or ``MLCALC_REQUIRE_SERVICES=1``): CI must never pass by skipping.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
import redis

from services.cli import worker_command

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("MLCALC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("MLCALC_TEST_REDIS", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return (
        os.environ.get("CI", "").lower() == "true"
        or os.environ.get("MLCALC_REQUIRE_SERVICES") == "1"
    )


def missing(service: str, error: Exception) -> None:
    message = f"{service} is not reachable: {error}"
    if services_required():
        pytest.fail(f"{message} (required on CI)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_pg_database() -> str:
    """Create an empty database for this session; return its URL."""
    name = f"mlcalc_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        missing("PostgreSQL", exc)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_redis(url: str = REDIS_URL) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing("Redis", exc)


def clear_redis_prefix(prefix: str, url: str = REDIS_URL) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def settings_env(settings) -> dict[str, str]:
    """Environment that makes a child process load ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLCALC_")}
    env.update(
        {
            "MLCALC_DATABASE_URL": settings.database_url,
            "MLCALC_BROKER_URL": settings.broker_url,
            "MLCALC_BROKER_KEY_PREFIX": settings.broker_key_prefix,
            "MLCALC_DATA_DIR": str(settings.data_dir),
            "MLCALC_SOFT_TIME_LIMIT": str(settings.soft_time_limit),
            "MLCALC_HARD_TIME_LIMIT": str(settings.hard_time_limit),
            "MLCALC_MAX_ATTEMPTS": str(settings.max_attempts),
            "MLCALC_MEMORY_LIMIT_MB": str(settings.memory_limit_mb),
            "MLCALC_RECOVERY_INTERVAL": str(settings.recovery_interval),
            "MLCALC_REQUIRE_API_KEYS": "1" if settings.require_api_keys else "0",
            "MLCALC_KIND_PLUGINS": ",".join(settings.kind_plugins),
            "MLCALC_REUSE_RESULTS": "1" if settings.reuse_results else "0",
            "MLCALC_WARM_UP": "1" if settings.warm_up else "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class WorkerProcess:
    """A real ``celery worker`` child process for the given settings."""

    def __init__(
        self,
        settings,
        log_path: Path,
        concurrency: int = 1,
        beat: bool = False,
        hostname: str | None = None,
    ) -> None:
        self.settings = settings
        self.log_path = log_path
        command = worker_command(
            settings, concurrency, beat, schedule=log_path.with_suffix(".beat")
        ) + ["--without-heartbeat", "--hostname", hostname or f"test-{uuid.uuid4().hex[:6]}@%h"]
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=settings_env(settings),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log()}")

    def log(self, tail: int | None = 5000) -> str:
        text = self.log_path.read_text(errors="replace")
        return text if tail is None else text[-tail:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        self._log.close()
