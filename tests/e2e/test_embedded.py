"""The one-command run: SQLite and the file-system queue, no Redis, no PostgreSQL.

Starts ``mlcalc serve`` as ``make run`` does, in a fresh data folder, and
watches jobs go queued -> running -> done in a separate worker process, with
the time limit still enforced.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests import services
from tests.conftest import solve_over_http

pytestmark = [pytest.mark.e2e]


def start_serve(data: Path, extra_env: dict[str, str] | None = None, with_env: bool = False):
    """Start ``mlcalc serve`` as ``make run`` does, in ``data``; wait until ready.

    Returns (base URL, process), and the environment too when ``with_env``."""
    port = services.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLCALC_")}
    env.update(
        {
            "MLCALC_DATA_DIR": str(data),
            "MLCALC_KIND_PLUGINS": "tests.e2e.misbehaving_kinds",
            "MLCALC_SOFT_TIME_LIMIT": "2",
            "MLCALC_HARD_TIME_LIMIT": "4",
            "PORT": str(port),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            **(extra_env or {}),
        }
    )
    with open(data / "serve.log", "ab") as log:
        process = subprocess.Popen(
            ["mlcalc", "serve"],
            cwd=services.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return (base, process, env) if with_env else (base, process)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop_serve(process)
            raise AssertionError((data / "serve.log").read_text()[-4000:])
        time.sleep(0.3)


def stop_serve(process: subprocess.Popen) -> None:
    """SIGTERM the supervisor (it stops its children); SIGKILL if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    data = tmp_path_factory.mktemp("embedded")
    base, process = start_serve(data)
    yield base, data, process
    stop_serve(process)


def test_runs_on_sqlite_without_redis(embedded):
    base, data, _ = embedded
    assert (data / "mlcalc.db").exists()
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["checks"] == {
        "database": "ok",
        "broker": "ok",
        "workers": "ok",
        "validators": "ok",
    }


def test_job_is_seen_queued_then_running_then_done(embedded):
    base, _, _ = embedded
    job = httpx.post(
        f"{base}/v1/jobs", json={"kind": "test_sleep", "params": {"seconds": 1.5}}
    ).json()
    seen = [job["status"]]
    deadline = time.monotonic() + 30
    while seen[-1] not in ("succeeded", "failed") and time.monotonic() < deadline:
        status = httpx.get(f"{base}/v1/jobs/{job['id']}").json()["status"]
        if status != seen[-1]:
            seen.append(status)
        time.sleep(0.05)
    assert seen == ["queued", "running", "succeeded"]
    # The work ran in another process than the API's.
    done = httpx.get(f"{base}/v1/jobs/{job['id']}").json()
    assert done["result"]["pid"] != os.getpid()


def test_time_limit_holds_in_the_embedded_run(embedded):
    base, _, _ = embedded
    slow = httpx.post(
        f"{base}/v1/jobs",
        json={"kind": "test_sleep", "params": {"seconds": 20}},
        headers={"Prefer": "wait=15"},
        timeout=20,
    ).json()
    assert slow["status"] == "failed", slow
    assert slow["error"]["type"] == "time-limit"
    quick = httpx.post(
        f"{base}/v1/jobs",
        json={
            "kind": "derivative",
            "params": {"expression": "x^3", "variable": "x", "at": {"x": 2}},
        },
        headers={"Prefer": "wait=15"},
        timeout=20,
    ).json()
    assert quick["status"] == "succeeded" and quick["result"]["numeric"] == 12.0


def serve_child(serve: subprocess.Popen, role: str) -> psutil.Process:
    """The supervised child of ``mlcalc serve`` running ``role`` (worker, beat, gunicorn)."""
    for child in psutil.Process(serve.pid).children():
        try:
            if role in child.cmdline():
                return child
        except psutil.NoSuchProcess:
            continue
    raise AssertionError(f"no {role} process under mlcalc serve")


def test_serve_restarts_a_killed_worker_and_beat_and_keeps_the_api(embedded):
    base, data, serve = embedded
    api_pid = serve_child(serve, "services.api:create_app()").pid
    for role in ("worker", "beat"):
        doomed = serve_child(serve, role)
        doomed.kill()  # SIGKILL: nothing of it gets to say goodbye
        killed_at = time.monotonic()
        while True:
            # The API answers throughout.
            assert httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            try:
                replacement = serve_child(serve, role)
                if replacement.pid != doomed.pid:
                    break
            except AssertionError:
                pass
            assert time.monotonic() - killed_at < 10, f"{role} not restarted within 10 s"
            time.sleep(0.1)
        assert replacement.is_running()
    # The API was never restarted, and the new worker takes jobs.
    assert serve_child(serve, "services.api:create_app()").pid == api_pid
    job = solve_over_http(base, "derivative", {"expression": "x^4", "variable": "x"})
    assert job["status"] == "succeeded" and job["result"]["expression"] == "4*x^3"


def _wait_replaced(serve: subprocess.Popen, role: str, old_pid: int, within: float) -> float:
    """Seconds until ``serve`` runs a new ``role`` process in place of ``old_pid``."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            if serve_child(serve, role).pid != old_pid:
                return time.monotonic() - started
        except (AssertionError, psutil.NoSuchProcess):
            pass
        time.sleep(0.2)
    raise AssertionError(f"a hung {role} was not restarted within {within} s")


def test_serve_restarts_a_hung_worker_and_a_hung_api(embedded):
    """SIGSTOP keeps a process alive but hung: no exit for the supervisor to see.
    The worker stops touching its alive file (stale after 20 s, checked every
    5 s); the API stops answering /healthz (3 checks 10 s apart)."""
    base, data, serve = embedded
    worker = serve_child(serve, "worker")
    os.killpg(worker.pid, 19)  # SIGSTOP, the worker's whole group (its pool too)
    took = _wait_replaced(serve, "worker", worker.pid, within=45)
    print(f"hung worker replaced after {took:.1f} s")
    api = serve_child(serve, "services.api:create_app()")
    os.killpg(api.pid, 19)
    took = _wait_replaced(serve, "services.api:create_app()", api.pid, within=75)
    print(f"hung API replaced after {took:.1f} s")
    deadline = time.monotonic() + 60
    while True:  # the new API and worker take jobs
        try:
            job = solve_over_http(base, "derivative", {"expression": "x^5", "variable": "x"})
            if job["status"] == "succeeded":
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "no job ran after the restarts"
        time.sleep(0.5)
    assert job["result"]["expression"] == "5*x^4"
