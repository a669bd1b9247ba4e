"""The comparison engine: shared work once, one deadline, the summary's columns."""

from __future__ import annotations

import time

import numpy as np
import pytest

from shared.mathcore.compare import compare_fit, compare_optimize, iterations_to_within, summarize
from shared.mathcore.fit import prepare_data, train
from shared.mathcore.optimize import run_optimizer
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")


def test_iterations_to_within_one_percent():
    curve = np.array([10.0, 2.0, 1.02, 1.009, 1.0])
    assert iterations_to_within(curve, 1.0) == 3  # 1.009 <= 1.01; 1.02 is not
    assert iterations_to_within(curve, -5.0) is None
    # A best of 0 asks for the 1e-12 floor, not for exactly 0.
    assert iterations_to_within(np.array([1.0, 1e-13]), 0.0) == 1


def test_the_objective_is_compiled_once(monkeypatch):
    import shared.mathcore.optimize.runner as runner

    def refuse(*args, **kwargs):
        raise AssertionError("a run compiled the objective again")

    monkeypatch.setattr(runner, "compile_objective", refuse)
    runs = compare_optimize(
        (x - 1) ** 2 + y**2,
        [x, y],
        [{"start": [0.0, 1.0], "method": m, "learning_rate": 0.1} for m in ("gd", "adam")],
    )
    assert [r.outcome.method for r in runs] == ["gd", "adam"]


def test_each_run_equals_the_single_run():
    expr = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    options = [
        {"start": [-1.2, 1.0], "method": "gd", "learning_rate": 1e-3, "max_iter": 500},
        {"start": [-1.2, 1.0], "method": "newton"},
        {"start": [0.0, 0.0], "method": "bfgs"},
    ]
    for run, opts in zip(compare_optimize(expr, [x, y], options), options, strict=True):
        opts = dict(opts)
        single = run_optimizer(expr, [x, y], opts.pop("start"), opts.pop("method"), **opts)
        np.testing.assert_array_equal(run.outcome.x, single.x)
        assert run.outcome.iterations == single.iterations


def test_fit_runs_share_the_data_and_equal_single_fits():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    labels = (X @ [1.0, -1.0] + 0.3 * rng.normal(size=60) > 0).astype(float)
    data = prepare_data("logistic", X, labels)
    options = [
        {"method": "gd", "learning_rate": 0.5, "test_fraction": 0.25, "seed": s} for s in (1, 1, 2)
    ]
    runs = compare_fit(data, options)
    for run, opts in zip(runs, options, strict=True):
        opts = dict(opts)
        single = train(prepare_data("logistic", X, labels), opts.pop("method"), **opts)
        np.testing.assert_array_equal(run.outcome.coefficients, single.coefficients)
        assert run.outcome.test_metrics == single.test_metrics
    assert len(data._splits) == 2  # seeds 1 and 2: each split drawn once


def test_a_shared_deadline_cuts_runs_with_partial_curves():
    deadline = time.monotonic() + 0.3
    options = [
        {"start": [3.0], "method": "gd", "learning_rate": 1e-7, "max_iter": 100_000, "tol": 0.0}
    ] * 6
    began = time.monotonic()
    runs = compare_optimize(x**2, [x], options, deadline)
    assert time.monotonic() - began < 2.0
    reasons = [r.outcome.stop_reason for r in runs]
    assert "time-limit" in reasons
    for run in runs:
        if run.outcome.stop_reason == "time-limit":
            assert not run.outcome.converged
            assert run.curve[0] == 9.0 and len(run.curve) == run.outcome.iterations + 1


def test_best_skips_diverged_runs():
    options = [
        {"start": [1.0], "method": "gd", "learning_rate": lr, "max_iter": 200}
        for lr in (1.5, 0.1, 0.01)
    ]
    runs = compare_optimize(x**2 + 1, [x], options)
    rows, best = summarize(["wild", "good", "slow"], runs)
    assert [r["diverged"] for r in rows] == [True, False, False]
    assert best == "good"
    # Oracle: f_k - 1 = 0.8^(2k) for lr 0.1; within 1% of f = 1 means 0.64^k <= 0.01: k = 11.
    assert rows[1]["iterations_to_1pct"] == 11
    assert rows[0]["iterations_to_1pct"] is None


@pytest.mark.parametrize("limit", [200])
def test_thinned_curves_keep_first_and_last(limit):
    run = compare_optimize(x**2, [x], [{"start": [1.0], "method": "gd", "learning_rate": 1e-3}])[0]
    trajectory = run.outcome.to_dict(limit)["trajectory"]
    assert len(trajectory) <= limit
    assert trajectory[0]["iter"] == 0 and trajectory[-1]["iter"] == run.outcome.iterations
