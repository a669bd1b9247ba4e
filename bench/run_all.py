"""Run every benchmark in turn, each printing its ratios against a baseline
measured in the same run.

    .venv/bin/python bench/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ["bench_gradient.py", "--corpus", "300"],
    ["bench_steps.py", "--n", "300"],
    ["bench_optimize.py"],
    ["bench_compare.py"],
    ["bench_backprop.py", "--stack"],
    ["bench_data.py"],
    ["bench_pipeline.py", "--jobs", "1000"],
    ["bench_batch.py"],
    ["bench_worker_start.py"],
    ["load.py", "--clients", "50", "--seconds", "60"],
]
QUICK = [
    ["bench_gradient.py", "--corpus", "60", "--repeat", "1"],
    ["bench_steps.py", "--n", "100"],
    ["bench_optimize.py"],
    ["bench_compare.py"],
    ["bench_backprop.py", "--repeat", "5"],
    ["bench_data.py", "--iterations", "1000"],
    ["bench_pipeline.py", "--jobs", "200"],
    ["bench_batch.py", "--problems", "20", "--answers", "50"],
    ["load.py", "--clients", "20", "--seconds", "20"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes")
    args = parser.parse_args()
    failures = 0
    for script, *options in QUICK if args.quick else FULL:
        print(f"\n=== {script} {' '.join(options)}", flush=True)
        failures += subprocess.run([sys.executable, str(HERE / script), *options]).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
