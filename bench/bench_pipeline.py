"""1,000 derivative jobs over HTTP through the workers, beside direct SymPy.

    .venv/bin/python bench/bench_pipeline.py [--jobs 1000] [--workers 2] [--clients 8]

Prints throughput and p50/p99 from submission to result (from the rows'
created_at and finished_at), then the same derivatives by direct
``sympy.diff`` calls in one process, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import running_stack  # noqa: E402

FUNCTIONS = ["sin", "cos", "exp", "ln", "sqrt", "tanh", "atan"]


def expressions(count: int) -> list[str]:
    """Distinct expressions (so no result is reused) of everyday difficulty."""
    out = []
    for i in range(count):
        f = FUNCTIONS[i % len(FUNCTIONS)]
        g = FUNCTIONS[(i // len(FUNCTIONS)) % len(FUNCTIONS)]
        out.append(f"x^{i % 5 + 2} {f}({i + 1}x) + {g}(x^2 + {i})")
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_http(base: str, exprs: list[str], clients: int) -> tuple[float, list[float]]:
    client = httpx.Client(timeout=30)

    def submit(expr: str) -> str:
        body = {"kind": "derivative", "params": {"expression": expr, "variable": "x"}}
        response = client.post(f"{base}/v1/jobs", json=body)
        response.raise_for_status()
        return response.json()["id"]

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        ids = list(pool.map(submit, exprs))
    # Wait for the jobs in submission order, one GET at a time: polling every
    # pending job each round cost the API (on the workers' cores) seconds a round.
    finished: dict[str, dict] = {}
    for job_id in ids:
        while True:
            job = client.get(f"{base}/v1/jobs/{job_id}").json()
            if job["status"] in ("succeeded", "failed"):
                finished[job_id] = job
                break
            time.sleep(0.05)
    elapsed = time.monotonic() - started

    def ts(value: str) -> float:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()

    latencies = [ts(j["finished_at"]) - ts(j["created_at"]) for j in finished.values()]
    failed = sum(1 for j in finished.values() if j["status"] != "succeeded")
    if failed:
        print(f"WARNING: {failed} jobs failed")
    return elapsed, latencies, breakdown(list(finished.values()), ts)


def breakdown(jobs: list[dict], ts) -> dict[str, float]:
    """Where a worker's time went, from the rows: in a job (claim to stored
    result) and between jobs (ack, queue, dispatch to the child)."""
    by_worker: dict[str, list[tuple[float, float]]] = {}
    for job in jobs:
        key = (job.get("worker") or "?").rsplit(":", 1)[0]
        by_worker.setdefault(key, []).append((ts(job["started_at"]), ts(job["finished_at"])))
    in_job, gaps = [], []
    for spans in by_worker.values():
        spans.sort()
        in_job += [end - start for start, end in spans]
        gaps += [max(0.0, b[0] - a[1]) for a, b in zip(spans, spans[1:], strict=False)]
    return {
        "workers": len(by_worker),
        "in_job_ms": statistics.mean(in_job) * 1000,
        "gap_ms": statistics.mean(gaps) * 1000 if gaps else 0.0,
    }


PHASE = re.compile(r"([a-z-]+) ([0-9.]+) ms")
TASK = re.compile(r"mlcalc\.run_job\[.*\] succeeded in ([0-9.]+)s")


def worker_phases(log_dir: Path) -> dict[str, float]:
    """Mean ms per job in each phase the executor logs (claim, validate, run,
    serialize, store), the task around it, and a pool child's idle time between
    two tasks (ack, fetch from the broker, handoff from the parent)."""
    spent: dict[str, list[float]] = {}
    for path in sorted(log_dir.glob("worker-*.log")):
        last_end: dict[str, float] = {}
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            message, process = record.get("message", ""), record.get("process", "")
            if record.get("logger") == "workers.executor" and "finished in" in message:
                for phase, ms in PHASE.findall(message):
                    spent.setdefault(phase, []).append(float(ms))
            elif (task := TASK.search(message)) and process.startswith("ForkPoolWorker"):
                end = datetime.fromisoformat(record["ts"]).timestamp()
                took = float(task.group(1))
                spent.setdefault("task", []).append(took * 1000)
                if process in last_end:
                    idle = (end - took - last_end[process]) * 1000
                    spent.setdefault("between tasks", []).append(idle)
                last_end[process] = end
    return {phase: statistics.mean(values) for phase, values in spent.items()}


def run_direct(exprs: list[str]) -> float:
    import sympy

    from shared.mathcore.parsing.parser import parse_expression
    from shared.mathcore.symbols import variable

    x = variable("x")
    parsed = [parse_expression(e, ["x"]) for e in exprs]
    started = time.monotonic()
    for expr in parsed:
        sympy.diff(expr, x)
    return time.monotonic() - started


def run_engine(exprs: list[str], sample: int = 100) -> float:
    """Seconds per job for the derivative kind itself (trace, simplify,
    render) in this process, on an even sample: the pipeline's floor."""
    from bench.cold import cold
    from shared.jobs.registry import get_kind
    from shared.mathcore.budget import job_budget
    from shared.settings import Settings

    settings = Settings()
    kind = get_kind("derivative")
    chosen = exprs[:: max(1, len(exprs) // sample)][:sample]
    # run_direct has just differentiated these very expressions: a worker meets
    # them cold. And as the worker runs a job: validated inside the job's budget.
    cold()
    started = time.monotonic()
    for expr in chosen:
        with job_budget(settings.soft_time_limit, settings.work_budget_fraction):
            kind.run(kind.params_model.model_validate({"expression": expr, "variable": "x"}))
    return (time.monotonic() - started) / len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    exprs = expressions(args.jobs)
    with running_stack(workers=args.workers) as (base, settings):
        elapsed, latencies, spent = run_http(base, exprs, args.clients)
    phases = worker_phases(settings.data_dir)
    direct = run_direct(exprs)
    engine = run_engine(exprs)
    rate = len(exprs) / elapsed
    print(f"pipeline: {len(exprs)} derivative jobs over HTTP, {args.workers} worker process(es)")
    print(f"  throughput        {rate:8.1f} jobs/s  ({elapsed:.2f} s total)")
    print(f"  p50 submit->done  {percentile(latencies, 0.50) * 1000:8.1f} ms")
    print(f"  p99 submit->done  {percentile(latencies, 0.99) * 1000:8.1f} ms")
    print(f"  mean              {statistics.mean(latencies) * 1000:8.1f} ms")
    print(
        f"direct sympy.diff in one process: {len(exprs) / direct:8.1f} derivatives/s "
        f"({direct:.2f} s)"
    )
    print(f"ratio direct/pipeline throughput: {(len(exprs) / direct) / rate:.1f}x")
    floor = args.workers / engine
    print(
        f"derivative kind in one process (steps, simplify, render): {engine * 1000:.1f} ms/job, "
        f"so {args.workers} worker(s) could do at most {floor:.1f} jobs/s; "
        f"the pipeline reached {rate / floor:.0%} of that"
    )
    print(
        f"target ratio: pipeline / the kind in one process = {rate * engine:.2f}x (ideal "
        f"{args.workers:.1f}x)"
    )
    print(
        f"where a worker's time went: {spent['in_job_ms']:.1f} ms a job from claim to stored "
        f"result (the kind alone: {engine * 1000:.1f} ms in one process), "
        f"{spent['gap_ms']:.1f} ms between jobs (ack, queue, dispatch), "
        f"{spent['workers']} worker process(es) seen"
    )
    if phases:
        print(
            "in a worker, mean ms a job (from its logs): "
            + ", ".join(f"{phase} {ms:.1f}" for phase, ms in phases.items())
        )


if __name__ == "__main__":
    main()
