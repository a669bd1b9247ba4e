"""Start a production-shaped stack for benchmarks: gunicorn API + Celery workers
over the local PostgreSQL and Redis, in a throwaway database and key prefix."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.settings import Settings  # noqa: E402
from tests import services  # noqa: E402


@contextmanager
def running_stack(workers: int = 2, concurrency: int = 1, api_workers: int = 2, **overrides):
    """Yield (base_url, settings) of a fresh stack; tear everything down after."""
    services.check_redis()
    database_url = services.create_pg_database()
    from shared.db.migrate import upgrade

    upgrade(database_url)
    prefix = f"mlcalc-bench-{uuid.uuid4().hex[:8]}:"
    logs = Path(os.environ.get("BENCH_LOG_DIR", "/tmp")) / f"mlcalc-bench-{uuid.uuid4().hex[:6]}"
    logs.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database_url=database_url,
        broker_url=services.REDIS_URL,
        broker_key_prefix=prefix,
        data_dir=logs,
        rate_limit_per_minute=0,
        **overrides,
    )
    port = services.free_port()
    env = services.settings_env(settings)
    env["MLCALC_RATE_LIMIT_PER_MINUTE"] = "0"
    api_log = open(logs / "api.log", "ab")
    api = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "services.api:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(api_workers),
            "--threads",
            "8",
            "--worker-class",
            "gthread",
        ],
        cwd=ROOT,
        env=env,
        stdout=api_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker_processes = [
        services.WorkerProcess(
            settings, logs / f"worker-{i}.log", concurrency=concurrency, beat=(i == 0)
        )
        for i in range(workers)
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        for worker in worker_processes:
            worker.wait_ready(timeout=120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        yield base, settings
    finally:
        for worker in worker_processes:
            worker.stop()
        if api.poll() is None:
            os.killpg(api.pid, 15)
            api.wait(timeout=20)
        api_log.close()
        services.clear_redis_prefix(prefix)
        services.drop_pg_database(database_url)
