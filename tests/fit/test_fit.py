"""Regression fits against references: lstsq, closed-form ridge, SciPy, hand loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from shared.mathcore.fit import fit_model


def linear_data(n=300, p=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.linspace(1.5, -2.0, p)
    y = X @ w + 0.7 + 0.1 * rng.normal(size=n)
    return X, y


def lstsq_solution(X, y):
    A = np.hstack([X, np.ones((len(y), 1))])
    return np.linalg.lstsq(A, y, rcond=None)[0]


@pytest.mark.parametrize(
    "method,options",
    [
        ("gd", {"learning_rate": 0.1}),
        ("momentum", {"learning_rate": 0.02}),
        ("adam", {"learning_rate": 0.05, "max_iter": 5000}),
        ("newton", {}),
        ("bfgs", {}),
        ("lbfgs", {}),
        ("cg", {}),
    ],
)
@pytest.mark.parametrize("p", [1, 4])
def test_linear_fit_converges_to_lstsq(method, options, p):
    X, y = linear_data(p=p)
    ref = lstsq_solution(X, y)
    res = fit_model("linear", X, y, method, **options)
    assert res.converged
    np.testing.assert_allclose(np.r_[res.coefficients, res.intercept], ref, atol=1e-4)
    # Metrics against their definitions.
    pred = X @ res.coefficients + res.intercept
    mse = np.mean((pred - y) ** 2)
    assert math.isclose(res.metrics["mse"], mse, rel_tol=1e-12)
    r2 = 1 - np.sum((pred - y) ** 2) / np.sum((y - y.mean()) ** 2)
    assert math.isclose(res.metrics["r2"], r2, rel_tol=1e-12)
    assert res.loss_history[0] == pytest.approx(np.mean(y**2))  # θ starts at 0


def test_ridge_matches_closed_form_and_shrinks():
    X, y = linear_data(p=3)
    n, l2 = len(y), 0.5
    A = np.hstack([X, np.ones((n, 1))])
    # ∇[(1/n)‖Aθ − y‖² + l2‖w‖²] = 0  ⇔  (AᵀA/n + l2·D)θ = Aᵀy/n, D = diag(1, 1, 1, 0).
    ref = np.linalg.solve(A.T @ A / n + l2 * np.diag([1.0, 1.0, 1.0, 0.0]), A.T @ y / n)
    plain = fit_model("linear", X, y, "gd", learning_rate=0.1)
    ridge = fit_model("linear", X, y, "gd", learning_rate=0.1, l2=l2)
    np.testing.assert_allclose(np.r_[ridge.coefficients, ridge.intercept], ref, atol=1e-5)
    assert np.linalg.norm(ridge.coefficients) < 0.8 * np.linalg.norm(plain.coefficients)


def test_l1_gives_exact_zeros_satisfying_the_optimality_conditions():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 5))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 0.05 * rng.normal(size=200)  # features 2..4 irrelevant
    l1 = 0.2
    res = fit_model("linear", X, y, "gd", learning_rate=0.1, l1=l1, max_iter=5000)
    assert res.converged
    w, b = res.coefficients, res.intercept
    assert np.all(w[2:] == 0.0) and np.all(w[:2] != 0.0)
    # KKT of (1/n)‖r‖² + l1‖w‖₁, written from scratch: g = (2/n)Xᵀr,
    # g_j = −l1·sign(w_j) where w_j ≠ 0 and |g_j| ≤ l1 where w_j = 0.
    g = 2 / len(y) * X.T @ (X @ w + b - y)
    np.testing.assert_allclose(g[:2], -l1 * np.sign(w[:2]), atol=1e-5)
    assert np.all(np.abs(g[2:]) <= l1 + 1e-9)


def logistic_reference(X, y, l2=0.0):
    """Minimise the mean log-loss (+ l2‖w‖²) with SciPy, tightly."""

    def loss(theta):
        z = X @ theta[:-1] + theta[-1]
        return np.mean(np.logaddexp(0, z) - y * z) + l2 * theta[:-1] @ theta[:-1]

    start = np.zeros(X.shape[1] + 1)
    return minimize(loss, start, method="BFGS", options={"gtol": 1e-10}).x


@pytest.mark.parametrize(
    "method,options",
    [("gd", {"learning_rate": 1.0, "max_iter": 5000}), ("newton", {}), ("lbfgs", {})],
)
def test_logistic_on_non_separable_data_matches_scipy_on_the_log_loss(method, options):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 2))
    p = 1 / (1 + np.exp(-(1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.3)))
    y = (rng.random(400) < p).astype(float)
    ref = logistic_reference(X, y)
    res = fit_model("logistic", X, y, method, **options)
    assert res.converged
    np.testing.assert_allclose(np.r_[res.coefficients, res.intercept], ref, atol=1e-4)
    z = X @ res.coefficients + res.intercept
    assert math.isclose(res.metrics["log_loss"], np.mean(np.logaddexp(0, z) - y * z), rel_tol=1e-12)
    assert 0.5 < res.metrics["accuracy"] < 1.0


def test_logistic_with_l2_matches_reference():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(float)
    ref = logistic_reference(X, y, l2=0.05)
    res = fit_model("logistic", X, y, "newton", l2=0.05)
    np.testing.assert_allclose(np.r_[res.coefficients, res.intercept], ref, atol=1e-5)


def test_logistic_on_separable_data_reaches_accuracy_one():
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = (X[:, 0] + 2 * X[:, 1] > 0.1).astype(float)
    res = fit_model("logistic", X, y, "gd", learning_rate=1.0, max_iter=3000)
    assert res.metrics["accuracy"] == 1.0
    assert res.metrics["precision"] == res.metrics["recall"] == res.metrics["f1"] == 1.0
    # The loss keeps falling toward 0 (no finite minimiser on separable data).
    assert np.all(np.diff(res.loss_history) < 0) and res.loss_history[-1] < 0.1


def test_logistic_metrics_against_hand_counts():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0], [0.5], [-0.5]])
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    res = fit_model("logistic", X, y, "gd", learning_rate=0.5, max_iter=200)
    pred = (X[:, 0] * res.coefficients[0] + res.intercept) >= 0
    tp = np.sum(pred & (y == 1))
    fp = np.sum(pred & (y == 0))
    fn = np.sum(~pred & (y == 1))
    assert res.metrics["precision"] == pytest.approx(tp / (tp + fp))
    assert res.metrics["recall"] == pytest.approx(tp / (tp + fn))
    assert res.metrics["accuracy"] == pytest.approx(np.mean(pred == (y == 1)))


def test_mini_batch_epoch_matches_a_hand_written_loop():
    X, y = linear_data(n=50, p=2)
    lr, bs, seed = 0.05, 8, 11
    res = fit_model("linear", X, y, "gd", learning_rate=lr, batch_size=bs, seed=seed, max_iter=2)
    rng = np.random.default_rng(seed)
    theta = np.zeros(3)
    for _ in range(2):
        perm = rng.permutation(len(y))
        for start in range(0, len(y), bs):
            rows = perm[start : start + bs]
            r = X[rows] @ theta[:2] + theta[2] - y[rows]
            theta = theta - lr * (2 / len(rows)) * np.r_[X[rows].T @ r, r.sum()]
    np.testing.assert_allclose(np.r_[res.coefficients, res.intercept], theta, rtol=1e-12)
    assert res.updates == 2 * math.ceil(50 / 8) and res.iterations == 2


def test_seeds_make_sgd_reproducible():
    X, y = linear_data(n=120, p=3)
    a = fit_model("linear", X, y, "adam", learning_rate=0.01, batch_size=1, seed=5, max_iter=5)
    b = fit_model("linear", X, y, "adam", learning_rate=0.01, batch_size=1, seed=5, max_iter=5)
    c = fit_model("linear", X, y, "adam", learning_rate=0.01, batch_size=1, seed=6, max_iter=5)
    np.testing.assert_array_equal(a.coefficients, b.coefficients)
    np.testing.assert_array_equal(a.loss_history, b.loss_history)
    assert not np.array_equal(a.coefficients, c.coefficients)


def test_held_out_split_reports_its_own_metrics():
    X, y = linear_data(n=200, p=2)
    res = fit_model("linear", X, y, "newton", test_fraction=0.25, seed=4)
    assert res.train_size == 150 and res.test_size == 50
    perm = np.random.default_rng(4).permutation(200)
    test_rows = np.sort(perm[:50])
    pred = X[test_rows] @ res.coefficients + res.intercept
    assert res.test_metrics["mse"] == pytest.approx(np.mean((pred - y[test_rows]) ** 2))
    assert "test_metrics" in res.to_dict()


def test_too_large_learning_rate_diverges():
    X, y = linear_data()
    res = fit_model("linear", X, y, "gd", learning_rate=5.0, max_iter=1000)
    assert res.stop_reason == "diverged" and not res.converged
    assert res.iterations < 1000 and res.to_dict()["diverged_at"] == res.iterations


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        fit_model("logistic", [[0.0], [1.0]], [0.0, 2.0])
    with pytest.raises(ValueError):
        fit_model("linear", [[0.0], [1.0]], [0.0])
    with pytest.raises(ValueError):
        fit_model("linear", [[0.0], [1.0]], [0.0, 1.0], "bfgs", batch_size=1)
    with pytest.raises(ValueError):
        fit_model("linear", [[0.0], [math.inf]], [0.0, 1.0])
