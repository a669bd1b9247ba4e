"""Benchmark losses over data: an optimize job's cost against the number of rows.

    .venv/bin/python bench/bench_data.py [--iterations N]

Runs the ``optimize`` job on the mean squared error of a line,
``mean((w x + b - y)^2)`` with ``data``, for 10, 1,000, 10,000 and 100,000
rows, up to a fixed number of gradient-descent updates each (``tol`` 0: a run
stops early only where an update no longer changes the point), and as the
baseline the same loss over 10 rows typed out term by term (what a user had
to write before ``data``). Prints each job's time per update and its ratio to
the 10-row ``data`` job: the compiled objective runs every reduction in one
NumPy pass, so the cost grows with the rows only through that pass.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from shared.jobs.registry import get_kind  # noqa: E402
from shared.mathcore.optimize.compile import clear_cache  # noqa: E402

ROWS = (10, 1_000, 10_000, 100_000)


def job_seconds(params: dict) -> tuple[float, dict]:
    """Wall time of one optimize job (validate + run), with a cold objective cache."""
    kind = get_kind("optimize")
    clear_cache()
    started = time.perf_counter()
    out = kind.run(kind.params_model.model_validate(params))
    return time.perf_counter() - started, out.result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    common = {
        "variables": ["w", "b"],
        "start": {"w": 0.0, "b": 0.0},
        "method": "gd",
        "learning_rate": 0.01,
        "max_iter": args.iterations,
        "tol": 0,
    }
    x10, y10 = rng.normal(size=10), rng.normal(size=10)
    typed = " + ".join(f"(w*({a:.6f}) + b - ({c:.6f}))^2" for a, c in zip(x10, y10, strict=True))
    baseline, result = job_seconds({**common, "expression": f"({typed})/10"})
    print(f"up to {args.iterations} gradient-descent updates of the MSE of a line (job time)")
    print(f"{'':32}{'updates':>9}{'job':>10}{'per update':>13}{'vs 10 rows':>12}")

    def show(label: str, seconds: float, updates: int, ratio: str) -> None:
        per_update = 1e6 * seconds / max(updates, 1)
        print(f"{label:32}{updates:9}{seconds:9.3f}s{per_update:10.1f} us{ratio:>12}")

    show("10 rows typed out term by term", baseline, result["iterations"], "")
    first = None
    for rows in ROWS:
        x, y = rng.normal(size=rows), rng.normal(size=rows)
        data = {"x": x.tolist(), "y": y.tolist()}
        seconds, result = job_seconds(
            {**common, "expression": "mean((w x + b - y)^2)", "data": data}
        )
        first = first or seconds
        show(f"{rows:,} rows with data", seconds, result["iterations"], f"{seconds / first:.1f}x")


if __name__ == "__main__":
    main()
