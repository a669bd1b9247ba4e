"""Losses over data: compile_with_data against hand-written NumPy, by rows.

    .venv/bin/python bench/bench_reductions.py [--repeats 200]

The mean squared error of a line, mean((w x + b - y)^2), and its gradient,
compiled once by ``reductions.compile_with_data`` and evaluated at a point,
for 10 to 100,000 rows. The baseline is the same formula written by hand in
NumPy, timed in the same run. Prints seconds per evaluation, nanoseconds per
row and the ratio to the baseline: the cost is linear in rows (nothing is
expanded into terms) and stays within a small factor of hand-written NumPy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sympy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.mathcore.parsing.parser import parse_expression  # noqa: E402
from shared.mathcore.reductions import compile_with_data, validate_data  # noqa: E402
from shared.mathcore.symbols import variable  # noqa: E402

ROWS = (10, 1_000, 10_000, 100_000)


def timed(fn, repeats: int) -> float:
    """Median seconds per call."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    w, b = variable("w"), variable("b")
    loss = parse_expression("mean((w x + b - y)^2)", data=["x", "y"])
    exprs = [loss, sympy.diff(loss, w), sympy.diff(loss, b)]
    rng = np.random.default_rng(0)
    print(f"{'rows':>8} {'ours s/eval':>12} {'numpy s/eval':>13} {'ns/row':>8} {'ratio':>6}")
    for n in ROWS:
        xs = rng.normal(size=n)
        ys = 3 * xs - 1 + rng.normal(scale=0.1, size=n)
        data = validate_data({"x": xs.tolist(), "y": ys.tolist()})
        compiled = compile_with_data([w, b], exprs, data)

        def baseline(xs=data["x"], ys=data["y"]):
            r = 0.7 * xs + 0.2 - ys
            return [np.mean(r**2), np.mean(2 * xs * r), np.mean(2 * r)]

        ours_value, base_value = compiled(0.7, 0.2), baseline()
        assert np.allclose(ours_value, base_value, rtol=1e-12), (ours_value, base_value)
        ours = timed(lambda c=compiled: c(0.7, 0.2), args.repeats)
        base = timed(baseline, args.repeats)
        print(f"{n:>8} {ours:>12.2e} {base:>13.2e} {1e9 * ours / n:>8.1f} {ours / base:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
