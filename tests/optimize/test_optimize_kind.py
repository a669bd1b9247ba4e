"""The optimize and fit job kinds: params validation (422 material) and results."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shared.jobs.kinds.fit import FitParams, run_fit
from shared.jobs.kinds.optimize import OptimizeParams, run_optimize


def optimize(**params):
    return run_optimize(OptimizeParams(**params))


def test_optimize_job_result_has_the_contract_fields():
    out = optimize(
        expression="(1-x)^2 + 100(y-x^2)^2",
        variables=["x", "y"],
        start={"x": "-6/5", "y": 1},
        method="bfgs",
    )
    r = out.result
    for name in ("x", "fun", "iterations", "converged", "stop_reason", "trajectory"):
        assert name in r
    assert r["converged"] and r["stop_reason"] == "tol"
    assert abs(r["x"]["x"] - 1) < 1e-5 and abs(r["x"]["y"] - 1) < 1e-5
    assert set(r["trajectory"][0]) == {"iter", "x", "fun", "grad_norm"}
    assert r["trajectory"][0]["x"] == {"x": -1.2, "y": 1.0}
    rows = out.extras["trajectory_csv_rows"]
    assert rows[0] == ["iter", "x", "y", "fun", "grad_norm"]
    assert len(rows) == len(r["trajectory"]) + 1
    json.dumps(r, allow_nan=False)


def test_diverging_run_is_a_successful_job():
    r = optimize(expression="x^2", variables=["x"], start={"x": 1}, learning_rate=1.5).result
    assert r["stop_reason"] == "diverged" and r["diverged_at"] == r["iterations"] == 20


def test_multistart_job_reports_runs_and_best():
    starts = [{"x": a, "y": b} for a in (-4, 4) for b in (-4, 4)]
    r = optimize(
        expression="(x^2+y-11)^2 + (x+y^2-7)^2",
        variables=["x", "y"],
        starts=starts,
        method="newton",
    ).result
    assert len(r["runs"]) == 4 and len(r["minima"]) == 4
    assert r["fun"] < 1e-12 and r["converged"]


@pytest.mark.parametrize(
    "params",
    [
        {"expression": "x^2", "variables": ["x"], "start": {"x": 1}, "max_iter": 100_001},
        {"expression": "x^2 + y", "variables": ["x"], "start": {"x": 1}},  # y undeclared
        {"expression": "x^2", "variables": ["x"]},  # no start
        {"expression": "x^2", "variables": ["x"], "start": {"x": 1}, "starts": [{"x": 2}]},
        {"expression": "x^2", "variables": ["x"], "start": {"y": 1}},
        {"expression": "x^2", "variables": ["x"], "start": {"x": "oo"}},
        {"expression": "x^2", "variables": ["x"], "start": {"x": 1}, "method": "sgd"},
        {"expression": "x^2", "variables": ["x"], "start": {"x": 1}, "method": "adam",
         "momentum": 0.9},
        {"expression": "x^2", "variables": ["x"], "start": {"x": 1}, "learning_rate": 0},
        {"expression": "x^2", "variables": ["x"], "starts": [{"x": 1}] * 10_001},
        {"expression": "x^2", "variables": ["x"], "starts": [{"x": 1}] * 1001,
         "method": "bfgs"},
        {"expression": "x^2", "variables": ["x"], "starts": [{"x": 1}] * 10_000,
         "max_iter": 5000},
        {"expression": "x^2 +", "variables": ["x"], "start": {"x": 1}},
    ],
)  # fmt: skip
def test_optimize_params_refuse_bad_or_oversized_input(params):
    with pytest.raises(ValidationError):
        OptimizeParams(**params)


def test_fit_job_result_has_the_contract_fields():
    X = [[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0], [4.0, 2.0]]
    y = [1.0 + 2 * a - b for a, b in X]
    out = run_fit(FitParams(model="linear", X=X, y=y, optimizer="newton"))
    r = out.result
    for name in ("coefficients", "intercept", "loss_history", "metrics"):
        assert name in r
    assert r["coefficients"] == pytest.approx([2.0, -1.0]) and r["intercept"] == pytest.approx(1)
    assert r["metrics"]["r2"] == pytest.approx(1.0)
    json.dumps(r, allow_nan=False)
    out = run_fit(
        FitParams(
            model="logistic",
            X=[[-2.0], [-1.0], [1.0], [2.0]],
            y=[0, 0, 1, 1],
            optimizer={"method": "adam", "learning_rate": 0.1, "batch_size": 2, "seed": 3},
        )
    )
    assert out.result["metrics"]["accuracy"] == 1.0
    assert set(out.result["metrics"]) >= {"accuracy", "precision", "recall", "f1", "log_loss"}


@pytest.mark.parametrize(
    "params",
    [
        {"model": "linear", "X": [[0.0], [1.0, 2.0]], "y": [0, 1]},
        {"model": "linear", "X": [[0.0], [1.0]], "y": [0]},
        {"model": "logistic", "X": [[0.0], [1.0]], "y": [0, 2]},
        {"model": "linear", "X": [[0.0]] * 100_001, "y": [0.0] * 100_001},
        {"model": "linear", "X": [[0.0] * 20] * 60_000, "y": [0.0] * 60_000},
        {"model": "linear", "X": [[0.0] * 10] * 50_000, "y": [0.0] * 50_000,
         "optimizer": {"max_iter": 10_000}},
        {"model": "linear", "X": [[0.0], [1.0]], "y": [0, 1],
         "optimizer": {"method": "bfgs", "batch_size": 1}},
        {"model": "linear", "X": [[0.0], [1.0]], "y": [0, 1],
         "optimizer": {"method": "gd", "beta1": 0.9}},
        {"model": "cubic", "X": [[0.0], [1.0]], "y": [0, 1]},
    ],
)  # fmt: skip
def test_fit_params_refuse_bad_or_oversized_input(params):
    with pytest.raises(ValidationError):
        FitParams(**params)
