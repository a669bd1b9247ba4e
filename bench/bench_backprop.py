"""Benchmark the backprop job on the course's 13-parameter network, in one run.

    .venv/bin/python bench/bench_backprop.py [--repeat N] [--stack] [--gradient]

Times, on a cold SymPy cache each time, (a) the ``backprop`` job as the
worker runs it (validate the params, parse, build the graph, forward and
backward pass, result and steps), (b) the baseline: ``sympy.diff`` of the
parsed loss in every parameter and ``evalf`` of each partial at the point,
and (c) with ``--gradient``, for reference, the ``gradient`` job with ``at``
on the same loss (one run: it takes minutes today).
Prints medians, the ratio to the baseline, and the graph's node and step
counts. ``--stack`` also submits the job to a real API + worker (throwaway
PostgreSQL database and Redis prefix) and prints the worker time
(``finished_at - started_at``).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time
from datetime import datetime

import sympy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.cold import cold  # noqa: E402
from shared.jobs.registry import get_kind  # noqa: E402
from shared.mathcore.parsing.parser import parse_expression  # noqa: E402
from shared.mathcore.symbols import variable  # noqa: E402
from tests.backprop import network as net  # noqa: E402

POINT = dict(zip(net.PARAMS, net.VALUES, strict=True))


def timed(fn) -> tuple[float, object]:
    """Wall time of one call started cold (bench.cold), and its result."""
    cold()
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def run_kind(name: str, params: dict):
    kind = get_kind(name)
    return kind.run(kind.params_model.model_validate(params))


def sympy_baseline() -> list[float]:
    """Every partial by sympy.diff, then evalf at the point."""
    expr = parse_expression(net.TEXT, net.PARAMS)
    subs = {variable(n): sympy.Rational(repr(v)) for n, v in POINT.items()}
    return [float(sympy.diff(expr, variable(n)).evalf(subs=subs)) for n in net.PARAMS]


def count(steps: list[dict]) -> int:
    return sum(1 + count(s["substeps"]) for s in steps)


def worker_time(repeat: int) -> list[float]:
    """Submit the job to a real stack; return each run's finished_at - started_at."""
    import httpx

    from bench.stack import running_stack

    times = []
    with running_stack(workers=1, api_workers=1, reuse_results=False) as (base, _):
        for k in range(repeat):
            at = {n: v + 1e-6 * k for n, v in POINT.items()}  # distinct jobs
            body = {"kind": "backprop", "params": {"expression": net.TEXT, "at": at}}
            job = httpx.post(
                f"{base}/v1/jobs", json=body, headers={"Prefer": "wait=30"}, timeout=60
            ).json()
            assert job["status"] == "succeeded", job
            started = datetime.fromisoformat(job["started_at"])
            finished = datetime.fromisoformat(job["finished_at"])
            times.append((finished - started).total_seconds())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--stack", action="store_true", help="also time a real worker")
    parser.add_argument("--gradient", action="store_true", help="also time the gradient job")
    args = parser.parse_args()

    params = {"expression": net.TEXT, "at": POINT}
    gradient_params = {"expression": net.TEXT, "variables": net.PARAMS, "at": POINT}
    run_kind("backprop", params)  # imports and first-call set-up, not timed
    job_times, base_times, gradient_times = [], [], []
    for _ in range(args.repeat):
        seconds, output = timed(lambda: run_kind("backprop", params))
        job_times.append(seconds)
        base_times.append(timed(sympy_baseline)[0])
    if args.gradient:
        gradient_times.append(timed(lambda: run_kind("gradient", gradient_params))[0])

    result = output.result
    print(f"network: 2 inputs, 3 tanh hidden units, sigmoid output; {len(net.PARAMS)} parameters")
    print(f"graph: {result['node_count']} nodes; steps: {count(output.steps)} (with substeps)")
    print(f"{'':44}{'median':>10}")
    rows = [
        ("backprop job (validate + run, cold cache)", job_times),
        ("baseline: sympy.diff + evalf of 13 partials", base_times),
        ("gradient job with 'at' (reference)", gradient_times),
    ]
    for name, values in filter(lambda row: row[1], rows):
        print(f"{name:44}{1000 * statistics.median(values):8.1f} ms")
    ratio = statistics.median(base_times) / statistics.median(job_times)
    print(f"backprop job is {ratio:.1f}x faster than the baseline")
    if args.stack:
        times = worker_time(args.repeat)
        print(
            f"worker time (finished_at - started_at) over {len(times)} jobs: "
            f"median {1000 * statistics.median(times):.0f} ms, max {1000 * max(times):.0f} ms"
        )


if __name__ == "__main__":
    main()
