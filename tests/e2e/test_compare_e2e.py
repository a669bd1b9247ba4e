"""The compare kind through HTTP, the real worker and PostgreSQL: the course's
experiments, each run checked against its single job or a hand-written loop."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

ROSENBROCK = {
    "expression": "(1 - x)^2 + 100(y - x^2)^2",
    "variables": ["x", "y"],
    "start": {"x": -1.2, "y": 1},
    "learning_rate": 1e-3,
    "max_iter": 5000,
}


def submit(client, kind: str, params: dict) -> str:
    response = client.post("/v1/jobs", json={"kind": kind, "params": params})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def results(client, ids: list[str]) -> list[dict]:
    jobs = [wait_finished(client, job_id) for job_id in ids]
    for job in jobs:
        assert job["status"] == "succeeded", job
    return [job["result"] for job in jobs]


def test_optimizers_on_rosenbrock_equal_their_single_jobs(client, worker):
    methods = ["gd", "momentum", "nesterov", "adam"]
    compare_id = submit(
        client,
        "compare",
        {
            "base": {"kind": "optimize", "params": ROSENBROCK},
            "variants": [{"method": m} for m in methods],
        },
    )
    single_ids = [submit(client, "optimize", {**ROSENBROCK, "method": m}) for m in methods]
    compared, *singles = results(client, [compare_id, *single_ids])
    for run, single, row in zip(compared["runs"], singles, compared["summary"], strict=True):
        for name in ("x", "y"):
            assert abs(run["result"]["x"][name] - single["x"][name]) <= 1e-12
        assert run["result"]["iterations"] == single["iterations"] == row["iterations"]
        assert row["stop_reason"] == single["stop_reason"]
        assert len(run["result"]["trajectory"]) <= 200
        assert run["result"]["trajectory"][-1]["iter"] == single["iterations"]
    finals = {row["label"]: row["fun"] for row in compared["summary"]}
    assert compared["best"] == min(finals, key=finals.get)


def _epoch_losses(X, y, lr, epochs, batch_size=None, momentum=None, seed=0):
    """Mini-batch SGD (torch.optim.SGD semantics) written out by hand: the loss
    after each epoch, a fresh permutation of the rows from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    n = len(y)
    A = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(A.shape[1])
    buffer = np.zeros_like(theta)
    losses = [np.mean((A @ theta - y) ** 2)]
    for _ in range(epochs):
        if batch_size is None:
            batches = [np.arange(n)]
        else:
            order = rng.permutation(n)
            batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        for rows in batches:
            grad = 2 / len(rows) * A[rows].T @ (A[rows] @ theta - y[rows])
            if momentum is None:
                theta = theta - lr * grad
            else:
                buffer = momentum * buffer + grad
                theta = theta - lr * buffer
        losses.append(np.mean((A @ theta - y) ** 2))
    return np.array(losses)


def test_sgd_minibatch_gd_momentum_on_a_linear_fit(client, worker):
    # Small enough that SGD's 7,500 single-row steps finish well inside the
    # tests' 3 s soft limit on a loaded machine.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 2))
    y = X @ [1.5, -2.0] + 0.5 + 0.3 * rng.normal(size=50)
    epochs, lr, seed = 150, 0.03, 3
    base = {
        "model": "linear",
        "X": X.tolist(),
        "y": y.tolist(),
        "optimizer": {"method": "gd", "learning_rate": lr, "max_iter": epochs, "tol": 1e-8},
    }
    variants = [
        {"optimizer": {"batch_size": 1, "seed": seed}},
        {"optimizer": {"batch_size": 5, "seed": seed}},
        {},
        {"optimizer": {"method": "momentum", "momentum": 0.9}},
    ]
    labels = ["sgd", "mini-batch", "gd", "momentum"]
    params = {"base": {"kind": "fit", "params": base}, "variants": variants, "labels": labels}
    (compared,) = results(client, [submit(client, "compare", params)])
    # Oracle: the four runs written out by hand, and 1% of the best final loss.
    curves = [
        _epoch_losses(X, y, lr, epochs, batch_size=1, seed=seed),
        _epoch_losses(X, y, lr, epochs, batch_size=5, seed=seed),
        _epoch_losses(X, y, lr, epochs),
        _epoch_losses(X, y, lr, epochs, momentum=0.9),
    ]
    best = min(curve[-1] for curve in curves)
    expected = [int(np.flatnonzero(c <= best * 1.01)[0]) for c in curves]
    rows = {row["label"]: row for row in compared["summary"]}
    assert {row["stop_reason"] for row in rows.values()} == {"max_iter"}, rows
    assert [rows[label]["iterations_to_1pct"] for label in labels] == expected
    order = sorted(labels, key=lambda label: rows[label]["iterations_to_1pct"])
    assert order == ["sgd", "mini-batch", "momentum", "gd"]
    for run, curve in zip(compared["runs"], curves, strict=True):
        assert abs(run["result"]["loss_history"][-1] - curve[-1]) <= 1e-9 * curve[-1]
        assert len(run["result"]["loss_history"]) == epochs + 1  # one loss per epoch


def test_logistic_grid_with_a_test_set_matches_single_fits(client, worker):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(160, 3))
    labels = (X @ [1.0, -2.0, 0.5] + 0.8 * rng.normal(size=160) > 0).astype(float)
    train = {"X": X[:120].tolist(), "y": labels[:120].tolist()}
    test = {"X": X[120:].tolist(), "y": labels[120:].tolist()}
    base = {"model": "logistic", **train, "test": test, "optimizer": {"max_iter": 300}}
    grid = {"learning_rate": [0.01, 0.1, 1.0], "l2": [0, 0.01, 0.1]}
    compare_id = submit(
        client, "compare", {"base": {"kind": "fit", "params": base}, "variants": {"grid": grid}}
    )
    combos = [(lr, l2) for lr in grid["learning_rate"] for l2 in grid["l2"]]
    single_ids = [
        submit(
            client, "fit", {**base, "l2": l2, "optimizer": {"max_iter": 300, "learning_rate": lr}}
        )
        for lr, l2 in combos
    ]
    compared, *singles = results(client, [compare_id, *single_ids])
    assert [row["label"] for row in compared["summary"]] == [
        f"learning_rate={lr}, l2={l2}" for lr, l2 in combos
    ]
    for row, run, single in zip(compared["summary"], compared["runs"], singles, strict=True):
        assert row["test_metrics"] == single["test_metrics"]
        assert row["train_metrics"] == single["metrics"]
        assert np.allclose(
            run["result"]["coefficients"], single["coefficients"], rtol=0, atol=1e-12
        )
        assert set(single["test_metrics"]) >= {"accuracy", "precision", "recall", "f1"}
        history = run["result"]["loss_history"]
        assert len(history) <= 200 and history[-1] == single["loss_history"][-1]
        if len(single["loss_history"]) > 200:  # thinned: the epochs kept are given
            assert run["result"]["loss_history_iter"][-1] == single["iterations"]
    assert compared["best"] is not None


def test_the_time_limit_cuts_runs_not_the_job(client, worker, pg_settings):
    # 50 runs of 100,000 slow GD steps: several seconds, past the 3 s soft limit.
    params = {
        "base": {
            "kind": "optimize",
            "params": {
                "expression": "x^2 + y^2",
                "variables": ["x", "y"],
                "start": {"x": 1, "y": 1},
                "tol": 0,
                "max_iter": 100_000,
            },
        },
        "variants": {"grid": {"learning_rate": [1e-9 * (k + 1) for k in range(50)]}},
    }
    assert pg_settings.soft_time_limit == 3.0
    job = wait_finished(client, submit(client, "compare", params))
    assert job["status"] == "succeeded", job["error"]
    summary = job["result"]["summary"]
    cut = [row for row in summary if row["stop_reason"] == "time-limit"]
    assert cut and summary[0]["stop_reason"] == "max_iter"
    for row, run in zip(summary, job["result"]["runs"], strict=True):
        if row["stop_reason"] == "time-limit":
            assert not row["converged"]
            assert run["result"]["trajectory"][0]["x"] == {"x": 1.0, "y": 1.0}
