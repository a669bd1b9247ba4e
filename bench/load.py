"""Load: N concurrent clients of mixed jobs against a running stack.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--url URL --key KEY] [--workers 2]

Without --url it starts its own stack (gunicorn API + Celery workers over the
local PostgreSQL and Redis, a throwaway database) with API keys required, as
deployed, and gives each client one of ten keys. Each client loops: submit a
job (mixed kinds), then poll it to the end; a prober reads /healthz every
0.2 s. Prints throughput, p50/p95/p99 latency of requests, of jobs (submit
to finished) and of /healthz, the count of 5xx answers, and lost jobs
(accepted but never finished) after a drain.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import running_stack  # noqa: E402

MIX = [
    (
        "derivative",
        lambda r: {"expression": f"x^{r.randint(2, 9)} sin({r.randint(1, 9)}x)", "variable": "x"},
    ),
    (
        "derivative",
        lambda r: {
            "expression": f"e^({r.randint(1, 5)}x) ln(x + {r.randint(1, 9)})",
            "variable": "x",
            "at": {"x": r.randint(1, 5)},
        },
    ),
    ("check", lambda r: {"expected": f"{r.randint(2, 9)}x", "answer": f"{r.randint(2, 9)}*x"}),
    (
        "optimize",
        lambda r: {
            "expression": "(1-x)^2 + 100(y-x^2)^2",
            "variables": ["x", "y"],
            "start": {"x": r.uniform(-2, 2), "y": r.uniform(-1, 3)},
            "method": "bfgs",
        },
    ),
    (
        "gradient",
        lambda r: {
            "expression": f"x^2 + {r.randint(1, 9)}xy + y^3",
            "variables": ["x", "y"],
            "at": {"x": 1, "y": 2},
        },
    ),
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Load:
    def __init__(self, base: str, seconds: float, kinds: set[str], keys: list[str]) -> None:
        self.base = base
        self.keys = keys or [""]
        self.healthz_latencies: list[float] = []
        self.deadline = time.monotonic() + seconds
        self.mix = [m for m in MIX if m[0] in kinds]
        self.lock = threading.Lock()
        self.request_latencies: list[float] = []
        self.job_latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.accepted: list[tuple[str, str]] = []
        self.errors: Counter[str] = Counter()

    def _request(self, client: httpx.Client, method: str, url: str, **kw) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors[type(exc).__name__] += 1
            return None
        with self.lock:
            self.request_latencies.append(time.monotonic() - started)
            self.statuses[response.status_code] += 1
        return response

    def healthz_loop(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while time.monotonic() < self.deadline:
                started = time.monotonic()
                try:
                    ok = client.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                with self.lock:
                    if ok:
                        self.healthz_latencies.append(time.monotonic() - started)
                    else:
                        self.errors["healthz"] += 1
                time.sleep(0.2)

    def client_loop(self, seed: int) -> None:
        rng = random.Random(seed)
        key = self.keys[seed % len(self.keys)]
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        with httpx.Client(base_url=self.base, timeout=30, headers=headers) as client:
            while time.monotonic() < self.deadline:
                kind, make = rng.choice(self.mix)
                submitted = time.monotonic()
                response = self._request(
                    client, "POST", "/v1/jobs", json={"kind": kind, "params": make(rng)}
                )
                if response is None or response.status_code != 202:
                    continue
                job_id = response.json()["id"]
                with self.lock:
                    self.accepted.append((job_id, key))
                while time.monotonic() < self.deadline + 60:
                    time.sleep(0.2)
                    poll = self._request(client, "GET", f"/v1/jobs/{job_id}")
                    if poll is not None and poll.status_code == 200:
                        status = poll.json()["status"]
                        if status in ("succeeded", "failed", "canceled"):
                            with self.lock:
                                self.job_latencies.append(time.monotonic() - submitted)
                                self.outcomes[status] += 1
                            break

    def lost_jobs(self, drain_seconds: float) -> int:
        """Accepted jobs still unfinished after waiting ``drain_seconds``."""
        pending = dict(self.accepted)  # job id -> the key that owns it
        deadline = time.monotonic() + drain_seconds
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while pending and time.monotonic() < deadline:
                for job_id, key in list(pending.items()):
                    headers = {"Authorization": f"Bearer {key}"} if key else {}
                    response = client.get(f"/v1/jobs/{job_id}", headers=headers)
                    if response.status_code == 200 and response.json()["status"] in (
                        "succeeded",
                        "failed",
                        "canceled",
                    ):
                        del pending[job_id]
                if pending:
                    time.sleep(1)
        return len(pending)


def run(
    base: str, clients: int, seconds: float, kinds: set[str], drain: float, keys: list[str]
) -> None:
    load = Load(base, seconds, kinds, keys)
    started = time.monotonic()
    threads = [threading.Thread(target=load.client_loop, args=(i,)) for i in range(clients)]
    threads.append(threading.Thread(target=load.healthz_loop))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    lost = load.lost_jobs(drain)
    five = sum(n for code, n in load.statuses.items() if code >= 500)
    print(f"load: {clients} clients for {seconds:.0f} s against {base}")
    print(
        f"  jobs accepted      {len(load.accepted)}  finished {sum(load.outcomes.values())} "
        f"{dict(load.outcomes)}"
    )
    print(f"  job throughput     {sum(load.outcomes.values()) / elapsed:.1f} jobs/s")
    print(f"  request throughput {sum(load.statuses.values()) / elapsed:.1f} req/s")
    print(f"  API keys           {'on' if keys and keys[0] else 'off'} ({len(keys)} keys)")
    for name, values in (
        ("request", load.request_latencies),
        ("job", load.job_latencies),
        ("healthz", load.healthz_latencies),
    ):
        print(
            f"  {name:7s} latency    p50 {percentile(values, 0.5) * 1000:7.1f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:7.1f} ms  "
            f"p99 {percentile(values, 0.99) * 1000:7.1f} ms"
        )
    print(f"  HTTP statuses      {dict(sorted(load.statuses.items()))}")
    print(f"  5xx answers        {five}")
    print(f"  transport errors   {dict(load.errors)}")
    print(f"  lost jobs          {lost}")
    if five or lost:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url")
    parser.add_argument("--key", action="append", default=[], help="API key(s) for --url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain", type=float, default=120)
    parser.add_argument("--kinds", default="derivative,check,optimize,gradient")
    args = parser.parse_args()
    kinds = set(args.kinds.split(","))
    if args.url:
        run(args.url, args.clients, args.seconds, kinds, args.drain, args.key)
        return
    with running_stack(workers=args.workers, require_api_keys=True) as (base, settings):
        from shared.db import keys as api_keys
        from shared.db.session import session_scope

        with session_scope(settings.database_url) as session:
            made = [api_keys.create_key(session, f"load-{i}")[1] for i in range(10)]
        run(base, args.clients, args.seconds, kinds, args.drain, made)


if __name__ == "__main__":
    main()
