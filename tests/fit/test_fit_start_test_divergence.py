"""fit: divergence is reported, ``start`` and an explicit ``test`` set are
honoured, the deadline stops a run; oracles are NumPy lstsq and hand values."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from pydantic import ValidationError

from shared.jobs.registry import get_kind
from shared.mathcore.fit import fit_model


def lstsq_theta(X, y):
    A = np.hstack([X, np.ones((len(y), 1))])
    return np.linalg.lstsq(A, y, rcond=None)[0]


def noisy_labels(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)) * 100, (rng.random(n) < 0.5).astype(float)


@pytest.mark.parametrize("lr", [1.0, 100.0])
def test_gd_at_too_large_a_learning_rate_diverges(lr):
    X, y = noisy_labels()
    r = fit_model("logistic", X, y, "gd", learning_rate=lr, max_iter=1000)
    assert r.stop_reason == "diverged" and not r.converged
    # Oracle: the loss at θ = 0 is ln 2; the run stops once past 1000 x max(1, ln 2).
    assert r.loss_history[0] == pytest.approx(math.log(2))
    assert r.loss_history[-1] > 1000 and r.iterations < 10
    assert r.to_dict()["diverged_at"] == r.iterations


def test_a_healthy_run_is_not_called_diverged():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 2))
    y = X @ [2.0, -1.0] + 0.5 + 0.1 * rng.normal(size=100)
    r = fit_model("linear", X, y, "momentum", learning_rate=0.05, max_iter=5000, tol=1e-9)
    assert r.stop_reason == "tol" and r.converged
    np.testing.assert_allclose([*r.coefficients, r.intercept], lstsq_theta(X, y), atol=1e-7)


def test_start_at_the_solution_stops_at_once():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 3))
    y = X @ [1.0, 2.0, 3.0] - 1.0 + 0.01 * rng.normal(size=50)
    theta = lstsq_theta(X, y)
    r = fit_model("linear", X, y, "gd", learning_rate=0.1, start=theta, tol=1e-8)
    assert r.iterations == 0 and r.stop_reason == "tol"
    np.testing.assert_array_equal([*r.coefficients, r.intercept], theta)


def test_start_is_the_first_point_of_the_path():
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 3.0, 5.0])
    r = fit_model("linear", X, y, "gd", learning_rate=0.1, start=[1.0, 0.0], max_iter=1)
    # Oracle by hand: residuals (w x + b - y) at w=1, b=0: (-1, -2, -3);
    # L = (1 + 4 + 9)/3; dL/dw = (2/3)(0 - 2 - 6) = -16/3; dL/db = (2/3)(-6) = -4.
    assert r.loss_history[0] == pytest.approx(14 / 3)
    assert r.coefficients[0] == pytest.approx(1 + 0.1 * 16 / 3)
    assert r.intercept == pytest.approx(0.4)


def test_explicit_test_set_metrics():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 2))
    y = X @ [1.0, -1.0] + 0.3 + 0.2 * rng.normal(size=80)
    X_test = rng.normal(size=(20, 2))
    y_test = X_test @ [1.0, -1.0] + 0.3 + 0.2 * rng.normal(size=20)
    r = fit_model("linear", X, y, "newton", X_test=X_test, y_test=y_test)
    theta = lstsq_theta(X, y)  # trained on the training rows only
    predicted = X_test @ theta[:-1] + theta[-1]
    assert r.train_size == 80 and r.test_size == 20
    assert r.test_metrics["mse"] == pytest.approx(np.mean((predicted - y_test) ** 2), rel=1e-9)


def test_explicit_test_set_logistic_accuracy():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0], [0.5], [-0.5]])
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    X_test = np.array([[-3.0], [3.0], [0.1], [-0.1]])
    y_test = np.array([0.0, 1.0, 0.0, 0.0])
    r = fit_model("logistic", X, y, "newton", l2=0.1, X_test=X_test, y_test=y_test)
    z = X_test[:, 0] * r.coefficients[0] + r.intercept
    accuracy = np.mean((z > 0) == (y_test == 1))
    assert r.test_metrics["accuracy"] == pytest.approx(accuracy)


def test_a_past_deadline_stops_with_time_limit():
    X, y = noisy_labels()
    r = fit_model("logistic", X, y, "gd", learning_rate=1e-5, deadline=time.monotonic() - 1)
    assert r.stop_reason == "time-limit" and not r.converged and r.iterations == 0


def test_fit_params_take_start_and_test():
    model = get_kind("fit").params_model
    base = {"model": "linear", "X": [[0], [1], [2]], "y": [1, 3, 5]}
    model.model_validate(
        {**base, "start": {"coefficients": [2], "intercept": 1}, "test": {"X": [[3]], "y": [7]}}
    )
    bad = [
        {"start": {"coefficients": [1, 2]}},
        {"test": {"X": [[1, 2]], "y": [1]}},
        {"test": {"X": [[1]], "y": [1]}, "test_fraction": 0.3},
    ]
    for extra in bad:
        with pytest.raises(ValidationError):
            model.model_validate({**base, **extra})


def test_fit_job_with_start_and_test_set():
    kind = get_kind("fit")
    params = kind.params_model.model_validate(
        {
            "model": "linear",
            "X": [[0], [1], [2], [3]],
            "y": [1, 3, 5, 7],
            "optimizer": "newton",
            "start": {"coefficients": [0.5], "intercept": 0.5},
            "test": {"X": [[10]], "y": [20]},
        }
    )
    result = kind.run(params).result
    # Oracle: y = 2x + 1 exactly; at x = 10 it predicts 21, so the test MSE is 1.
    assert result["coefficients"][0] == pytest.approx(2) and result["intercept"] == pytest.approx(1)
    assert result["test_metrics"]["mse"] == pytest.approx(1.0)
    assert result["loss_history"][0] == pytest.approx(
        np.mean((0.5 * np.arange(4) + 0.5 - [1, 3, 5, 7]) ** 2)
    )
