"""Losses over data through HTTP, the real worker and PostgreSQL, against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import run_job as run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

RNG = np.random.default_rng(11)
X = RNG.uniform(-2, 2, size=500)
Y = -1.7 * X + 0.4 + RNG.normal(scale=0.3, size=500)
DATA = {"x": X.tolist(), "y": Y.tolist()}


def test_linear_regression_by_gradient_descent_matches_least_squares(client, worker):
    start = RNG.normal(size=2)  # the exercise's random start
    job = run(
        client,
        "optimize",
        {
            "expression": "mean((w x + b - y)^2)",
            "variables": ["w", "b"],
            "start": {"w": start[0], "b": start[1]},
            "method": "gd",
            "learning_rate": 0.1,
            "max_iter": 10_000,
            "tol": 1e-10,
            "data": DATA,
        },
    )
    w, b = np.linalg.lstsq(np.c_[X, np.ones_like(X)], Y, rcond=None)[0]
    result = job["result"]
    assert result["converged"] and result["stop_reason"] == "tol"
    assert result["x"]["w"] == pytest.approx(w, abs=1e-6)
    assert result["x"]["b"] == pytest.approx(b, abs=1e-6)
    assert result["expression"] == "mean((b + w*x - y)^2)"


def test_gradient_with_data_at_a_point(client, worker):
    job = run(
        client,
        "gradient",
        {
            "expression": "mean((w x + b - y)^2) + 0.1 w^2",
            "variables": ["w", "b"],
            "at": {"w": 0.5, "b": -0.25},
            "data": DATA,
        },
    )
    result = job["result"]
    residual = 0.5 * X - 0.25 - Y
    expected = [np.mean(2 * residual * X) + 0.2 * 0.5, np.mean(2 * residual)]
    assert result["at_numeric"] == pytest.approx(expected, rel=1e-12)
    assert all("mean(" in g for g in result["gradient"])
    assert result["rows"] == 500
