"""'data' in derivative, gradient and optimize: NumPy computations of the same formulas
as the oracle, results that keep the reduction, and input errors as 422s."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from shared.jobs.registry import get_kind

RNG = np.random.default_rng(7)
X = RNG.normal(size=40)
Y = 2.5 * X - 1.0 + RNG.normal(scale=0.2, size=40)
DATA = {"x": X.tolist(), "y": Y.tolist()}
MSE = "mean((w x + b - y)^2)"


def run(kind: str, params: dict):
    k = get_kind(kind)
    return k.run(k.params_model.model_validate(params))


def test_derivative_keeps_the_mean_and_its_value_runs_over_every_row():
    out = run(
        "derivative", {"expression": MSE, "variable": "w", "at": {"w": 1.5, "b": 0.5}, "data": DATA}
    )
    assert out.result["expression"] == "mean(2*x*(b + w*x - y))"
    oracle = np.mean(2 * X * (1.5 * X + 0.5 - Y))
    assert out.result["numeric"] == pytest.approx(oracle, rel=1e-12)
    assert out.result["defined_at_point"] is True and out.result["rows"] == 40
    reduction = [s for s in _walk(out.steps) if s["rule"] == "reduction"]
    assert reduction and "mean of the derivatives" in reduction[0]["text"]
    assert reduction[0]["after"].startswith("mean(")


def _walk(steps):
    for step in steps:
        yield step
        yield from _walk(step["substeps"])


def test_gradient_at_a_point_over_the_rows():
    out = run(
        "gradient",
        {
            "expression": "sum(log(1 + exp(-y (w x + b))))",
            "at": {"w": 0.3, "b": -0.2},
            "data": DATA,
        },
    )
    result = out.result
    assert result["variables"] == ["b", "w"]
    assert all(g.startswith("sum(") for g in result["gradient"])
    # the logistic loss's gradient, by NumPy: d/dz log(1 + e^(-y z)) = -y σ(-y z)
    z = 0.3 * X - 0.2
    slope = -Y / (1 + np.exp(Y * z))
    assert result["at_numeric"] == pytest.approx([slope.sum(), (slope * X).sum()], rel=1e-12)
    assert result["norm"] == pytest.approx(np.hypot(slope.sum(), (slope * X).sum()))
    assert out.steps[-1]["rule"] == "evaluate_over_rows"


def test_optimize_mse_matches_least_squares():
    out = run(
        "optimize",
        {
            "expression": MSE,
            "variables": ["w", "b"],
            "start": {"w": -3.1, "b": 4.2},
            "method": "gd",
            "learning_rate": 0.1,
            "max_iter": 5000,
            "tol": 1e-12,
            "data": DATA,
        },
    )
    w, b = np.linalg.lstsq(np.c_[X, np.ones_like(X)], Y, rcond=None)[0]
    assert out.result["converged"]
    assert out.result["x"]["w"] == pytest.approx(w, abs=1e-6)
    assert out.result["x"]["b"] == pytest.approx(b, abs=1e-6)
    assert out.result["fun"] == pytest.approx(np.mean((w * X + b - Y) ** 2), rel=1e-9)


def test_newton_and_multistart_with_data():
    common = {"expression": MSE, "variables": ["w", "b"], "data": DATA, "max_iter": 50}
    newton = run("optimize", {**common, "start": {"w": 0, "b": 0}, "method": "newton"}).result
    w, b = np.linalg.lstsq(np.c_[X, np.ones_like(X)], Y, rcond=None)[0]
    assert newton["x"]["w"] == pytest.approx(w, abs=1e-8)
    multi = run(
        "optimize",
        {**common, "starts": [{"w": 0, "b": 0}, {"w": 5, "b": -5}], "method": "bfgs"},
    ).result
    assert multi["x"]["b"] == pytest.approx(b, abs=1e-5)
    assert multi["starts_count"] == 2


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("derivative", {"expression": "w x", "variable": "w", "data": DATA}, "sum"),
        ("gradient", {"expression": MSE, "variables": ["x", "w"], "data": DATA}, "data column"),
        ("optimize", {"expression": MSE, "variables": ["w"], "start": {"w": 0}, "data": DATA}, "b"),
        (
            "derivative",
            {"expression": MSE, "variable": "w", "data": {"x": [1, 2], "y": [1]}},
            "same",
        ),
    ],
)
def test_bad_data_input_is_refused_with_a_reason(kind, params, message):
    with pytest.raises(ValidationError, match=message):
        get_kind(kind).params_model.model_validate(params)


def test_compare_runs_share_the_data():
    base = {
        "expression": MSE,
        "variables": ["w", "b"],
        "start": {"w": 0, "b": 0},
        "max_iter": 3000,
        "tol": 1e-10,
        "data": DATA,
    }
    out = run(
        "compare",
        {
            "base": {"kind": "optimize", "params": base},
            "variants": [{"learning_rate": 0.05}, {"method": "adam", "learning_rate": 0.05}],
        },
    )
    w, _ = np.linalg.lstsq(np.c_[X, np.ones_like(X)], Y, rcond=None)[0]
    for entry in out.result["runs"]:
        assert entry["result"]["x"]["w"] == pytest.approx(w, abs=1e-3)
