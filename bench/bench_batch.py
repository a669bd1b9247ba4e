"""A class-sized batch of answer checks, with and without result reuse, in one run.

    .venv/bin/python bench/bench_batch.py [--problems 200] [--answers 50] [--workers 2]

200 derivative problems, 50 student answers each (right in several forms,
and the usual slips), submitted as one batch of check jobs with `problem`.
Prints time to accept the batch, time to finish, checks per second, then the
same batch on a stack with reuse switched off, and the ratio. Reuse cannot do
better than (checks / distinct checks) when checks cost alike; the distinct
ones are the slower answers (the slips, whose mistake is named), so less.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import httpx
import sympy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import running_stack  # noqa: E402
from shared.mathcore.parsing.parser import parse_expression  # noqa: E402
from shared.mathcore.printing import to_plain  # noqa: E402
from shared.mathcore.symbols import variable  # noqa: E402

TEMPLATES = [
    "sin({a}x^2 + {b})",
    "x^{n} e^({a}x)",
    "ln({a}x^2 + {b})",
    "({a}x + 1)/(x^2 + {b})",
    "sqrt({a}x + {b})",
    "cos(x)^{n}",
    "x^{n} ln(x)",
    "tanh({a}x) + x^{n}",
]


def problems(count: int, rng: random.Random) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        text = rng.choice(TEMPLATES).format(
            a=rng.randint(2, 9), b=rng.randint(1, 9), n=rng.randint(2, 6)
        )
        if text not in out:
            out.append(text)
    return out


def answers(problem: str, count: int, rng: random.Random) -> list[str]:
    """A class's answers: mostly right in a few forms, and the common slips."""
    x = variable("x")
    f = parse_expression(problem, ["x"])
    d = sympy.diff(f, x)
    pool = [
        to_plain(d),
        to_plain(sympy.expand(d)),
        to_plain(sympy.factor(d)),
        to_plain(-d),
        to_plain(2 * d),
        to_plain(d + 1),
        to_plain(f),
    ]
    weights = [40, 15, 10, 10, 10, 5, 10]
    return rng.choices(pool, weights=weights, k=count)


def build_batch(n_problems: int, n_answers: int) -> list[dict]:
    rng = random.Random(7)
    jobs = []
    for problem in problems(n_problems, rng):
        spec = {"kind": "derivative", "params": {"expression": problem, "variable": "x"}}
        for answer in answers(problem, n_answers, rng):
            jobs.append({"kind": "check", "params": {"answer": answer, "problem": spec}})
    return jobs


def run_batch(base: str, jobs: list[dict]) -> tuple[float, float, dict]:
    with httpx.Client(base_url=base, timeout=600) as client:
        started = time.monotonic()
        response = client.post("/v1/batches", json={"jobs": jobs})
        response.raise_for_status()
        accepted = time.monotonic() - started
        batch_id = response.json()["id"]
        while True:
            status = client.get(f"/v1/batches/{batch_id}").json()
            if status["done"]:
                break
            time.sleep(0.5)
        finished = time.monotonic() - started
    return accepted, finished, status["counts"]


def report(name: str, jobs: int, accepted: float, finished: float, counts: dict) -> float:
    rate = jobs / finished
    print(f"{name}: {jobs} checks")
    print(f"  accepted in   {accepted:8.2f} s")
    print(f"  finished in   {finished:8.2f} s   {rate:8.1f} checks/s   counts {counts}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=200)
    parser.add_argument("--answers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-reuse-jobs",
        type=int,
        default=0,
        help="run only the first N checks of the batch (whole problems, 50 answers each) "
        "without reuse; 0 = all of it (about 2 minutes on 2 cores)",
    )
    args = parser.parse_args()
    jobs = build_batch(args.problems, args.answers)
    distinct = len(
        {(j["params"]["answer"], j["params"]["problem"]["params"]["expression"]) for j in jobs}
    )
    print(
        f"batch: {len(jobs)} checks, {args.problems} problems, "
        f"{distinct} distinct (problem, answer); reuse computes each distinct check once, "
        f"so {len(jobs) / distinct:.1f}x is its bound if every check cost the same"
    )
    with running_stack(workers=args.workers) as (base, _):
        with_reuse = report("with reuse", len(jobs), *run_batch(base, jobs))
    plain = jobs[: args.no_reuse_jobs] if args.no_reuse_jobs else jobs
    with running_stack(workers=args.workers, reuse_results=False) as (base, _):
        without = report("without reuse", len(plain), *run_batch(base, plain))
    print(f"ratio: reuse makes checking {with_reuse / without:.1f}x faster (checks per second)")


if __name__ == "__main__":
    main()
