"""The embedded run under load and under kill -9: no crash, nothing stuck, nothing lost.

``mlcalc serve`` on SQLite and the embedded file queue takes 3,000 mixed
jobs (single, batched, duplicates of both, cancels) from concurrent clients;
every job must end, each with the result d/dx x^n = n x^(n-1) gives at
x = 1 (n, checked by hand, not by the code), and neither the worker nor the
API may have been restarted. Then the worker's main process is killed with
SIGKILL in the middle of a batch: /healthz answers throughout and every job
of the batch still ends ``succeeded``.
"""

from __future__ import annotations

import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.test_embedded import serve_child, start_serve, stop_serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

DONE = ("succeeded", "failed", "canceled")


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    data = tmp_path_factory.mktemp("soak")
    base, process = start_serve(
        data, {"MLCALC_SOFT_TIME_LIMIT": "10", "MLCALC_HARD_TIME_LIMIT": "15"}
    )
    yield base, data, process
    stop_serve(process)


def power(n: int) -> dict:
    """d/dx x^n at x = 1: the answer is n."""
    return {
        "kind": "derivative",
        "params": {"expression": f"x^{n}", "variable": "x", "at": {"x": 1}},
    }


def wait_all(client: httpx.Client, ids: list[str], timeout: float) -> dict[str, dict]:
    """Poll until every job has ended (or the time is up); return the last view of each."""
    jobs: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    open_ids = list(ids)
    while open_ids and time.monotonic() < deadline:
        still = []
        for job_id in open_ids:
            job = client.get(f"/v1/jobs/{job_id}").json()
            jobs[job_id] = job
            if job["status"] not in DONE:
                still.append(job_id)
        open_ids = still
        if open_ids:
            time.sleep(0.5)
    return jobs


def test_3000_mixed_jobs_all_end_with_checked_results(serve):
    base, data, process = serve
    worker_pid = serve_child(process, "worker").pid
    api_pid = serve_child(process, "services.api:create_app()").pid
    fresh = itertools.count(3)
    expected: dict[str, int] = {}  # job id -> n
    cancels: dict[str, int] = {}  # job id -> DELETE status

    def submit(body: dict) -> str:
        with httpx.Client(base_url=base, timeout=30) as client:
            response = client.post("/v1/jobs", json=body)
            assert response.status_code == 202, response.text
            return response.json()["id"]

    singles = [next(fresh) for _ in range(1000)]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        # 1,000 single jobs, then the same 1,000 again (duplicates: reused results).
        for n, job_id in zip(
            singles * 2, pool.map(submit, [power(n) for n in singles * 2]), strict=True
        ):
            expected[job_id] = n
    with httpx.Client(base_url=base, timeout=60) as client:
        # 8 batches of 100: half new problems, half repeats within the batch.
        for _ in range(8):
            ns = [next(fresh) for _ in range(50)]
            ns = ns + ns
            response = client.post("/v1/batches", json={"jobs": [power(n) for n in ns]})
            assert response.status_code == 202, response.text
            batch_id = response.json()["id"]
            ids = _batch_job_ids(client, batch_id)
            assert len(ids) == 100
            for n, job_id in zip(ns, ids, strict=True):
                expected[job_id] = n
        # 200 jobs canceled right after submission (some will have started).
        for _ in range(200):
            n = next(fresh)
            job_id = client.post("/v1/jobs", json=power(n)).json()["id"]
            cancels[job_id] = client.delete(f"/v1/jobs/{job_id}").status_code
            expected[job_id] = n
        assert len(expected) == 3000
        jobs = wait_all(client, list(expected), timeout=600)
    elapsed = time.monotonic() - started

    stuck = [j for j in jobs.values() if j["status"] not in DONE]
    assert not stuck, f"{len(stuck)} job(s) never ended, e.g. {stuck[:2]}"
    wrong = []
    for job_id, n in expected.items():
        job = jobs[job_id]
        if job_id in cancels and cancels[job_id] == 200:
            ok = job["status"] == "canceled"
        else:
            ok = job["status"] == "succeeded" and job["result"]["numeric"] == float(n)
            ok = ok and job["result"]["value"] == str(n)
            if job_id in cancels:
                ok = ok and cancels[job_id] == 409  # it had started: refused
        if not ok:
            wrong.append(job)
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:2]}"
    # Nothing crashed: the same worker and API processes served it all.
    assert serve_child(process, "worker").pid == worker_pid
    assert serve_child(process, "services.api:create_app()").pid == api_pid
    log = (data / "serve.log").read_text(errors="replace")
    assert "Unrecoverable error" not in log and "exited with code" not in log
    canceled = sum(1 for code in cancels.values() if code == 200)
    print(f"3000 jobs in {elapsed:.0f} s, {canceled} canceled before they started")


def _batch_job_ids(client: httpx.Client, batch_id: str) -> list[str]:
    """The batch's job ids in submission order (from its NDJSON results)."""
    response = client.get(f"/v1/batches/{batch_id}/results")
    assert response.status_code == 200, response.text
    return [json.loads(line)["id"] for line in response.text.splitlines() if line]


def test_kill_9_of_the_worker_mid_batch_loses_nothing(serve):
    base, data, process = serve
    ns = list(range(5000, 5300))
    healthz: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        response = client.post("/v1/batches", json={"jobs": [power(n) for n in ns]})
        assert response.status_code == 202, response.text
        batch_id = response.json()["id"]
        # Let the worker get into the batch, then kill its main process.
        deadline = time.monotonic() + 60
        while client.get(f"/v1/batches/{batch_id}").json()["counts"].get("succeeded", 0) < 20:
            assert time.monotonic() < deadline, "the batch never started"
            time.sleep(0.1)
        serve_child(process, "worker").kill()
        deadline = time.monotonic() + 240
        while True:
            before = time.monotonic()
            assert client.get("/healthz").status_code == 200
            healthz.append(time.monotonic() - before)
            batch = client.get(f"/v1/batches/{batch_id}").json()
            if batch["done"]:
                break
            assert time.monotonic() < deadline, f"batch not done after the kill: {batch}"
            time.sleep(0.25)
        ids = _batch_job_ids(client, batch_id)
        jobs = wait_all(client, ids, timeout=5)
    for n, job_id in zip(ns, ids, strict=True):
        job = jobs[job_id]
        assert job["status"] == "succeeded", job
        assert job["result"]["numeric"] == float(n)
    print(f"/healthz during the kill: max {max(healthz) * 1000:.0f} ms over {len(healthz)} calls")
