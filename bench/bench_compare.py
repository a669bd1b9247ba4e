"""Benchmark a 9-run comparison against the 9 single jobs it replaces, in one run.

    .venv/bin/python bench/bench_compare.py

A 3 x 3 grid (learning rate x l2) of logistic regressions on 1,000 rows with
a held-out set, timed as a worker spends it: validate the params, run the
kind, serialise the result. The 9 single ``fit`` jobs are timed the same way,
and so is their shared setup (validating and converting the data, which a
comparison does once). The target (issue 15): the comparison costs at most
1.5x the sum of the single jobs minus the setup the comparison shares.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from shared.jobs.kinds.fit import fit_data  # noqa: E402
from shared.jobs.registry import get_kind  # noqa: E402

ROWS, FEATURES, MAX_ITER, REPEAT = 1000, 10, 500, 5
GRID = {"learning_rate": [0.01, 0.1, 1.0], "l2": [0.0, 0.01, 0.1]}


def problem() -> dict:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(ROWS + 250, FEATURES))
    w = rng.normal(size=FEATURES)
    y = (X @ w + rng.normal(size=len(X)) > 0).astype(float)
    return {
        "model": "logistic",
        "X": X[:ROWS].tolist(),
        "y": y[:ROWS].tolist(),
        "test": {"X": X[ROWS:].tolist(), "y": y[ROWS:].tolist()},
        "optimizer": {"method": "gd", "max_iter": MAX_ITER, "tol": 1e-9},
    }


def as_worker(kind_name: str, params: dict) -> dict:
    """What the worker does with a job: validate, run, serialise."""
    kind = get_kind(kind_name)
    result = kind.run(kind.params_model.model_validate(params)).result
    json.dumps(result)
    return result


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    base = problem()
    singles = [
        {**base, "l2": l2, "optimizer": {**base["optimizer"], "learning_rate": lr}}
        for lr in GRID["learning_rate"]
        for l2 in GRID["l2"]
    ]
    compare = {"base": {"kind": "fit", "params": base}, "variants": {"grid": GRID}}
    fit_params = get_kind("fit").params_model

    def setup():
        fit_data(fit_params.model_validate(base))

    as_worker("compare", compare)  # warm up imports and caches
    # Interleaved, so both sides meet the same load; the least disturbed of
    # REPEAT rounds counts for each.
    totals, setups, compares = [], [], []
    for _ in range(REPEAT):
        totals.append(sum(timed(lambda p=p: as_worker("fit", p)) for p in singles))
        setups.append(timed(setup))
        compares.append(timed(lambda: as_worker("compare", compare)))
    total, setup_time, compare_time = min(totals), min(setups), min(compares)
    shared = (len(singles) - 1) * setup_time  # done once instead of 9 times
    budget = total - shared
    print(f"9-run grid, logistic fit: {ROWS} rows x {FEATURES} features, {MAX_ITER} epochs max")
    print(f"  9 single fit jobs, in a row:  {total * 1e3:8.1f} ms  (best of {REPEAT} rounds)")
    print(f"    of which data setup:        {setup_time * 1e3:8.1f} ms each")
    print(f"  sum minus the shared setup:   {budget * 1e3:8.1f} ms  (8 setups saved)")
    print(f"  one compare job:              {compare_time * 1e3:8.1f} ms")
    print(f"  ratio compare / (sum - shared): {compare_time / budget:.2f}x  (target <= 1.5x)")
    print(f"  ratio compare / sum:            {compare_time / total:.2f}x")


if __name__ == "__main__":
    main()
