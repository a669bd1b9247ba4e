"""First-job latency of a fresh worker, warmed before fork versus not.

    .venv/bin/python bench/bench_worker_start.py

Starts a worker (the production command line, one child) on a
throwaway PostgreSQL database and Redis prefix, waits for it to say ready,
then submits one small job of each kind, one after another, and reads each
job's run time (started_at -> finished_at) and latency (created_at ->
finished_at) from its row; then the same kinds again (now warm in any
case). Done twice: with the warm-up (the default) and with MLCALC_WARM_UP=0.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.settings import Settings  # noqa: E402
from tests import services  # noqa: E402

# Other params than the warm-up's own (a reused result would not run at all).
JOBS = {
    "derivative": {"expression": "x^3 e^(2x) cos(x)", "variable": "x", "at": {"x": "1/3"}},
    "gradient": {"expression": "x y^2 + exp(x y)", "at": {"x": 1, "y": 1}},
    "extrema": {"expression": "x^4 - 2x^2", "variable": "x", "interval": [-3, 3]},
    "optimize": {
        "expression": "(x - 2)^2 + (y - 3)^2",
        "variables": ["x", "y"],
        "start": {"x": 0, "y": 0},
        "method": "bfgs",
    },
    "check": {
        "answer": "3x^2",
        "problem": {"kind": "derivative", "params": {"expression": "x^3", "variable": "x"}},
    },
    "fit": {"model": "linear", "X": [[0.0], [1.0], [2.0]], "y": [1.0, 3.0, 5.0]},
}


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def run_round(api, jobs: dict[str, dict], salt: str) -> dict[str, tuple[float, float]]:
    """Submit each job in turn and wait for it: kind -> (latency, run time)."""
    out = {}
    for kind, params in jobs.items():
        body = {"kind": kind, "params": params, "label": salt}
        job = api.post("/v1/jobs", json=body).get_json()
        deadline = time.monotonic() + 120
        while job["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.02)
            job = api.get(f"/v1/jobs/{job['id']}").get_json()
        assert job["status"] == "succeeded", job
        out[kind] = (
            _ts(job["finished_at"]) - _ts(job["created_at"]),
            _ts(job["finished_at"]) - _ts(job["started_at"]),
        )
    return out


def measure(warm_up: bool) -> tuple[float, dict, dict]:
    database_url = services.create_pg_database()
    from shared.db.migrate import upgrade

    upgrade(database_url)
    prefix = f"mlcalc-bench-{uuid.uuid4().hex[:8]}:"
    logs = Path("/tmp") / f"mlcalc-start-{uuid.uuid4().hex[:6]}"
    logs.mkdir()
    settings = Settings(
        database_url=database_url,
        broker_url=services.REDIS_URL,
        broker_key_prefix=prefix,
        data_dir=logs,
        rate_limit_per_minute=0,
        reuse_results=False,
        warm_up=warm_up,
    )
    from services.api import create_app

    api = create_app(settings, {"TESTING": True}).test_client()
    started = time.monotonic()
    worker = services.WorkerProcess(settings, logs / "worker.log", concurrency=1)
    try:
        worker.wait_ready(timeout=300)
        ready = time.monotonic() - started
        first = run_round(api, JOBS, "first")
        second = run_round(api, JOBS, "second")
    finally:
        worker.stop()
        services.clear_redis_prefix(prefix)
        services.drop_pg_database(database_url)
    return ready, first, second


def main() -> None:
    services.check_redis()
    for warm_up in (True, False):
        ready, first, second = measure(warm_up)
        print(f"warm-up {'on' if warm_up else 'off'}: worker ready {ready:.1f} s after start")
        print(
            f"  {'kind':11s} {'1st latency':>12s} {'1st run':>9s} {'2nd run':>9s} {'1st/2nd':>8s}"
        )
        for kind in JOBS:
            (lat1, run1), (_, run2) = first[kind], second[kind]
            ratio = run1 / run2 if run2 else float("inf")
            print(
                f"  {kind:11s} {lat1 * 1000:10.0f}ms {run1 * 1000:7.0f}ms "
                f"{run2 * 1000:7.0f}ms {ratio:7.1f}x"
            )
        total1 = sum(first[k][0] for k in JOBS)
        print(f"  all six first jobs, submit -> done: {total1:.2f} s")


if __name__ == "__main__":
    main()
