"""Every job kind through HTTP, the real worker and PostgreSQL, against oracles."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

from tests.conftest import run_job as run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_latex_mixed_partial_at_a_point(client, worker):
    job = run(
        client,
        "derivative",
        {
            "expression": r"x^{2} \sin y + \frac{x}{y}",
            "syntax": "latex",
            "variables": ["x", "y"],
            "at": {"x": 1, "y": "pi/2"},
        },
    )
    # Oracle: f_xy = 2x cos y - 1/y^2; at (1, pi/2): -4/pi^2.
    assert math.isclose(job["result"]["numeric"], -4 / math.pi**2, rel_tol=1e-12)
    assert len(job["steps"]) >= 2


def test_second_order_derivative_value(client, worker):
    job = run(
        client,
        "derivative",
        {"expression": "e^(2x) x", "variable": "x", "order": 2, "at": {"x": 0}},
    )
    # Oracle: (x e^{2x})'' = (4 + 4x) e^{2x} -> 4 at 0.
    assert job["result"]["value"] == "4"


def test_implicit_circle(client, worker):
    job = run(
        client,
        "derivative",
        {
            "expression": "x^2 + y^2 = 25",
            "variable": "x",
            "implicit": {"dependent": "y"},
            "at": {"x": 3, "y": 4},
        },
    )
    assert math.isclose(job["result"]["numeric"], -3 / 4)  # dy/dx = -x/y


def test_optimize_with_trajectory_csv(client, worker):
    job = run(
        client,
        "optimize",
        {
            "expression": "(x - 3)^2 + 2(y + 1)^2",
            "variables": ["x", "y"],
            "start": {"x": 0, "y": 0},
            "method": "gd",
            "learning_rate": 0.1,
            "max_iter": 500,
            "tol": 1e-8,
        },
    )
    result = job["result"]
    assert result["converged"] and result["stop_reason"] == "tol"
    assert math.isclose(result["x"]["x"], 3, abs_tol=1e-6)
    assert math.isclose(result["x"]["y"], -1, abs_tol=1e-6)
    response = client.get(f"/v1/jobs/{job['id']}/trajectory.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows[0][:3] == ["iter", "x", "y"]
    assert len(rows) - 1 == result["iterations"] + 1  # the start and every update
    # Oracle: plain GD on this quadratic, x_{k+1} = x_k - 0.1 * 2 (x_k - 3).
    assert math.isclose(float(rows[2][1]), 0 - 0.1 * 2 * (0 - 3))


def test_gd_diverges_honestly(client, worker):
    job = run(
        client,
        "optimize",
        {
            "expression": "x^2",
            "variables": ["x"],
            "start": {"x": 1},
            "method": "gd",
            "learning_rate": 1.5,
            "max_iter": 1000,
        },
    )
    assert job["result"]["stop_reason"] == "diverged"
    assert not job["result"]["converged"]


def test_linear_fit_matches_lstsq(client, worker):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0 + rng.normal(scale=0.1, size=200)
    job = run(
        client,
        "fit",
        {
            "model": "linear",
            "X": X.tolist(),
            "y": y.tolist(),
            "optimizer": {"method": "bfgs", "max_iter": 500},
        },
    )
    design = np.hstack([X, np.ones((200, 1))])
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    assert np.allclose(job["result"]["coefficients"], expected[:3], atol=1e-4)
    assert math.isclose(job["result"]["intercept"], expected[3], abs_tol=1e-4)
    assert job["result"]["metrics"]["r2"] > 0.99


def test_textbook_gradient_with_hessian(client, worker):
    job = run(
        client,
        "gradient",
        {
            "expression": "x^2 + 2xy + 3y^2",
            "variables": ["x", "y"],
            "at": {"x": 2, "y": 3},
            "hessian": True,
        },
    )
    assert job["result"]["at_numeric"] == [10.0, 22.0]
    assert math.isclose(job["result"]["norm"], math.hypot(10, 22))
    assert job["result"]["hessian"] == [["2", "2"], ["2", "6"]]


def test_extrema_on_a_closed_interval(client, worker):
    job = run(
        client,
        "extrema",
        {"expression": "sin(x) + cos(x)", "variable": "x", "interval": [0, "2*pi"]},
    )
    points = sorted(p["point_numeric"]["x"] for p in job["result"]["critical_points"])
    # Oracle: both pi/4 and 5pi/4 (solve() alone misses the second).
    assert np.allclose(points, [math.pi / 4, 5 * math.pi / 4])
    assert math.isclose(job["result"]["global_max"]["numeric"], math.sqrt(2))
    assert math.isclose(job["result"]["global_min"]["numeric"], -math.sqrt(2))


def test_check_against_a_problem_names_the_mistake(client, worker):
    job = run(
        client,
        "check",
        {
            "answer": "cos(x^2)",
            "problem": {
                "kind": "derivative",
                "params": {"expression": "sin(x^2)", "variable": "x"},
            },
        },
    )
    assert job["result"]["correct"] is False
    assert job["result"]["mistake"] == "missing_chain_factor"
