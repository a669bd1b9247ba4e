"""Load: N concurrent clients of mixed jobs against a running stack.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--url URL] [--workers 2]

Without --url it starts its own stack (gunicorn API + Celery workers over the
local PostgreSQL and Redis, a throwaway database). Each client loops:
submit a job (mixed kinds), then poll it to the end. Prints throughput,
p50/p95/p99 latency of requests and of jobs (submit to finished), the count
of 5xx answers, and lost jobs (accepted but never finished) after a drain.
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
    def __init__(self, base: str, seconds: float, kinds: set[str]) -> None:
        self.base = base
        self.deadline = time.monotonic() + seconds
        self.mix = [m for m in MIX if m[0] in kinds]
        self.lock = threading.Lock()
        self.request_latencies: list[float] = []
        self.job_latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.accepted: list[str] = []
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

    def client_loop(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.base, timeout=30) as client:
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
                    self.accepted.append(job_id)
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
        pending = set(self.accepted)
        deadline = time.monotonic() + drain_seconds
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while pending and time.monotonic() < deadline:
                for job_id in list(pending):
                    job = client.get(f"/v1/jobs/{job_id}").json()
                    if job["status"] in ("succeeded", "failed", "canceled"):
                        pending.discard(job_id)
                if pending:
                    time.sleep(1)
        return len(pending)


def run(base: str, clients: int, seconds: float, kinds: set[str], drain: float) -> None:
    load = Load(base, seconds, kinds)
    started = time.monotonic()
    threads = [threading.Thread(target=load.client_loop, args=(i,)) for i in range(clients)]
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
    for name, values in (("request", load.request_latencies), ("job", load.job_latencies)):
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
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain", type=float, default=120)
    parser.add_argument("--kinds", default="derivative,check,optimize,gradient")
    args = parser.parse_args()
    kinds = set(args.kinds.split(","))
    if args.url:
        run(args.url, args.clients, args.seconds, kinds, args.drain)
        return
    with running_stack(workers=args.workers) as (base, _):
        run(base, args.clients, args.seconds, kinds, args.drain)


if __name__ == "__main__":
    main()
