"""docker-compose.yml cannot rot: run each service's command as written.

No Docker engine runs here, so the test takes every service's command and
shared environment from the file, points the hosts at the local PostgreSQL
and Redis, runs the one-shot migration, starts the API and the worker, and
sees a job submitted over HTTP succeed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests import services

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

COMPOSE = services.ROOT / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_shape():
    text = COMPOSE.read_text()
    spec = compose()
    assert "&mlcalc-env" in text and text.count("*mlcalc-env") >= 3  # one anchor, shared
    assert {"postgres", "redis", "migrate", "api", "worker"} <= set(spec["services"])
    for name in ("postgres", "redis", "api", "worker"):
        assert "healthcheck" in spec["services"][name], name
    assert spec["services"]["migrate"]["restart"] == "no"
    for name in ("postgres", "redis", "api", "worker"):
        assert spec["services"][name]["restart"] == "unless-stopped", name
    assert "--appendonly" in spec["services"]["redis"]["command"]
    for name in ("api", "worker"):
        depends = spec["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert (services.ROOT / "Dockerfile").exists()


def local_env(service: dict, database_url: str, prefix: str, extra: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLCALC_")}
    env.update({k: str(v) for k, v in service["environment"].items()})
    env["MLCALC_DATABASE_URL"] = database_url
    env["MLCALC_BROKER_URL"] = env["MLCALC_BROKER_URL"].replace("redis:6379", "127.0.0.1:6379")
    if "MLCALC_RATE_LIMIT_REDIS_URL" in env:
        env["MLCALC_RATE_LIMIT_REDIS_URL"] = env["MLCALC_RATE_LIMIT_REDIS_URL"].replace(
            "redis:6379", "127.0.0.1:6379"
        )
    env["MLCALC_BROKER_KEY_PREFIX"] = prefix
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def test_compose_services_run_against_local_servers(tmp_path):
    services.check_redis()
    database_url = services.create_pg_database()
    prefix = f"mlcalc-compose-{uuid.uuid4().hex[:8]}:"
    spec = compose()["services"]
    port = services.free_port()
    extra = {"MLCALC_DATA_DIR": str(tmp_path)}
    started: list[subprocess.Popen] = []
    try:
        migrate = spec["migrate"]
        subprocess.run(
            migrate["command"],
            env=local_env(migrate, database_url, prefix, extra),
            cwd=services.ROOT,
            check=True,
            timeout=120,
        )

        key = create_key(spec["api"], database_url, prefix, extra)

        api_command = [
            arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for arg in spec["api"]["command"]
        ]
        worker_command = [
            arg.replace("/app/var/", f"{tmp_path}/") for arg in spec["worker"]["command"]
        ]
        for command, service in ((api_command, spec["api"]), (worker_command, spec["worker"])):
            log = open(tmp_path / f"{command[2]}.log", "ab")
            started.append(
                subprocess.Popen(
                    command,
                    env=local_env(service, database_url, prefix, extra),
                    cwd=services.ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            wait_http(f"{base}/readyz", timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{logs(tmp_path)}") from None
        response = httpx.post(
            f"{base}/v1/jobs",
            json={
                "kind": "derivative",
                "params": {"expression": "x^3", "variable": "x", "at": {"x": 2}},
            },
            headers={**headers, "Prefer": "wait=30"},
            timeout=40,
        )
        assert response.status_code == 200, (response.status_code, response.text, logs(tmp_path))
        job = response.json()
        assert job["status"] == "succeeded", job
        assert job["result"]["numeric"] == 12.0  # d/dx x^3 = 3x^2 = 12 at x = 2
        # The worker's healthcheck, as written, passes while its consumer is up.
        check = spec["worker"]["healthcheck"]["test"][1:]
        healthy = subprocess.run(
            check,
            env=local_env(spec["worker"], database_url, prefix, extra),
            cwd=services.ROOT,
            timeout=30,
            capture_output=True,
            text=True,
        )
        assert healthy.returncode == 0, (healthy.stdout, healthy.stderr)
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        services.clear_redis_prefix(prefix)
        services.drop_pg_database(database_url)


def create_key(service: dict, database_url: str, prefix: str, extra: dict) -> str | None:
    """Create an API key with the CLI when the deployment requires keys."""
    if service["environment"].get("MLCALC_REQUIRE_API_KEYS") not in ("1", "true"):
        return None
    output = subprocess.run(
        ["mlcalc", "keys", "create", "compose-test"],
        env=local_env(service, database_url, prefix, extra),
        cwd=services.ROOT,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1].split()[-1]


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=2)
            if last.status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready: {last}")


def logs(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("*.log"))
