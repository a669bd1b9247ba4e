"""Benchmark the step-by-step derivative tracer against sympy.diff, in one run.

    .venv/bin/python bench/bench_steps.py [--n N] [--thorough]

For the first N expressions of the test corpus (tests/derivative/corpus.py),
times per expression (a) ``derivative_trace``: build the rule tree, choose the
simplified form and render every step to text and LaTeX, as a derivative job
does, and (b) ``sympy.diff`` alone. Every measurement starts cold
(``bench.cold``: SymPy's cache and the engine's caches by expression) so
neither side profits from earlier work. Prints medians,
90th percentiles, the ratio of medians and the operation count of the chosen
forms (sympy.count_ops, summed); ``--thorough`` adds simplify and the slow
rewriters, as the tracer did by default before.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import sympy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.cold import cold  # noqa: E402
from shared.mathcore.derivative import derivative_trace  # noqa: E402
from tests.derivative.corpus import X, corpus  # noqa: E402


def timed(fn) -> float:
    """Wall time of one call, started cold (bench.cold: SymPy's cache and the engine's)."""
    cold()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="expressions to time (default 300)")
    parser.add_argument("--thorough", action="store_true", help="thorough simplification")
    args = parser.parse_args()

    exprs = corpus(max(args.n, 1))[: args.n]
    full = args.thorough
    trace_times, diff_times, steps = [], [], []
    for expr in exprs:
        diff_times.append(timed(lambda e=expr: sympy.diff(e, X)))
        trace_times.append(
            timed(lambda e=expr: steps.append(derivative_trace(e, [X], thorough=full)))
        )

    def ms(v: float) -> str:
        return f"{1000 * v:8.2f} ms"

    node_counts = [_count(t.steps) for t in steps]
    mode = "thorough (simplify + trigsimp under budget)" if full else "default rewriters"
    print(f"corpus expressions: {len(exprs)}   simplification: {mode}")
    print(f"steps per trace: median {statistics.median(node_counts):.0f}, max {max(node_counts)}")
    print(f"{'':24}{'median':>12}{'p90':>12}{'max':>12}")
    for name, values in (("derivative_trace", trace_times), ("sympy.diff", diff_times)):
        median, p90 = statistics.median(values), percentile(values, 0.9)
        print(f"{name:24}{ms(median)}{ms(p90)}{ms(max(values))}")
    ratio = statistics.median(trace_times) / statistics.median(diff_times)
    print(f"ratio of medians (trace / diff): {ratio:.1f}x")
    print(f"total: trace {sum(trace_times):.1f} s, diff {sum(diff_times):.2f} s")
    chosen = sum(sympy.count_ops(t.result) for t in steps)
    raw = sum(sympy.count_ops(t.raw) for t in steps)
    print(f"operations of the chosen forms: {chosen} (raw forms: {raw})")


def _count(steps: list[dict]) -> int:
    return sum(1 + _count(s["substeps"]) for s in steps)


if __name__ == "__main__":
    main()
