"""Inputs that are slow to read cannot freeze the API.

A product of six ``sqrt(10^499+k)`` is 89 characters and took SymPy 12 s to
build in the request thread; sixteen of them took every API thread until the
API was restarted. Here the one-command run (keys on) gets 32 such POSTs at
once from one key while another key submits ordinary jobs and ``/healthz``
is polled: every hostile request ends in a clear 422 ("too expensive to
read") or 429 (its key's share of validators is busy) — never a 5xx, never
a hang — and the other key and ``/healthz`` keep answering throughout.
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.test_embedded import start_serve, stop_serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

HOSTILE = 32


def hostile_expression(k: int) -> str:
    return "*".join(f"sqrt(10^499+{k * 10 + i})" for i in range(1, 7))


def create_key(env_data, name: str) -> str:
    output = subprocess.run(
        ["mlcalc", "keys", "create", name],
        env=env_data,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return output.strip().splitlines()[-1].split()[-1]


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    data = tmp_path_factory.mktemp("validation")
    base, process, env = start_serve(data, {"MLCALC_REQUIRE_API_KEYS": "1"}, with_env=True)
    try:
        keys = {name: create_key(env, name) for name in ("attacker", "student")}
        yield base, keys
    finally:
        stop_serve(process)


def test_32_hostile_inputs_at_once_leave_other_keys_and_healthz_served(serve):
    base, keys = serve
    attacker = {"Authorization": f"Bearer {keys['attacker']}"}
    student = {"Authorization": f"Bearer {keys['student']}"}
    stop = threading.Event()
    healthz_ms: list[float] = []
    healthy_ms: list[float] = []
    healthy_status: list[int] = []

    def watch() -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            n = 0
            while not stop.is_set():
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                healthz_ms.append((time.monotonic() - started) * 1000)
                started = time.monotonic()
                body = {
                    "kind": "derivative",
                    "params": {"expression": f"x^{n + 2} sin(x)", "variable": "x"},
                }
                response = client.post("/v1/jobs", json=body, headers=student)
                healthy_ms.append((time.monotonic() - started) * 1000)
                healthy_status.append(response.status_code)
                n += 1
                time.sleep(0.05)

    def attack(k: int) -> tuple[int, dict, float]:
        body = {"kind": "derivative", "params": {"expression": hostile_expression(k)}}
        body["params"]["variable"] = "x"
        started = time.monotonic()
        with httpx.Client(base_url=base, timeout=60) as client:
            response = client.post("/v1/jobs", json=body, headers=attacker)
        return response.status_code, response.json(), time.monotonic() - started

    # The validators start warming with the API; let them finish first.
    first = {"kind": "derivative", "params": {"expression": "x^2", "variable": "x"}}
    assert httpx.post(f"{base}/v1/jobs", json=first, headers=student, timeout=60).status_code == 202
    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(3.0)  # a baseline before the attack
    baseline = len(healthy_ms)
    try:
        with ThreadPoolExecutor(HOSTILE) as pool:
            outcomes = list(pool.map(attack, range(HOSTILE)))
    finally:
        stop.set()
        watcher.join(timeout=30)

    codes = [code for code, _, _ in outcomes]
    assert set(codes) <= {422, 429}, outcomes
    for code, body, _ in outcomes:
        if code == 422:
            assert body["type"].endswith("too-expensive"), body
            assert "too expensive to read" in body["detail"]
    assert 422 in codes  # the budget, not only the per-key share, was exercised
    assert healthy_status and set(healthy_status) == {202}, healthy_status
    during = healthy_ms[baseline:]
    assert during, "no healthy request completed during the attack"
    slowest = max(seconds for _, _, seconds in outcomes)
    print(
        f"\n{HOSTILE} hostile POSTs: {codes.count(422)} x 422, {codes.count(429)} x 429, "
        f"slowest answer {slowest:.1f} s; another key's POST during the attack: "
        f"median {statistics.median(during):.0f} ms, max {max(during):.0f} ms "
        f"({len(during)} requests; before the attack: median "
        f"{statistics.median(healthy_ms[1:baseline] or [0]):.0f} ms, "
        f"max {max(healthy_ms[1:baseline] or [0]):.0f} ms); "
        f"/healthz max {max(healthz_ms):.0f} ms"
    )
