"""Fit linear and logistic regression with any of the optimizers.

Batch GD and its family take one full-data step per iteration; with
``batch_size`` they take mini-batch (or, with 1, stochastic) steps over a
fresh shuffle each epoch, drawn from ``numpy.random.default_rng(seed)`` so a
seed reproduces a run exactly. An "iteration" is one epoch: the loss history,
the tolerance test (on the minimum-norm subgradient of the full loss) and the
divergence test are taken after each. Newton and the SciPy methods work on
the full data.

L1 with plain GD is applied as a proximal (soft-threshold) step, ISTA, which
gives exact zeros; the other methods use the subgradient l1·sign(w).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..optimize.blas_threads import single_blas_thread
from ..optimize.newton import modified_newton_direction
from ..optimize.result import finite_or_none, thin_indices
from ..optimize.rules import RULES, make_rule
from ..optimize.scipy_methods import SCIPY_METHODS
from ..optimize.stopping import (
    CONVERGED,
    DEFAULT_DIVERGENCE_FACTOR,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    DIVERGED,
    MAX_ITER,
    RUNNING,
    STALLED,
    STOP_REASONS,
    TOL_GRAD,
)
from .losses import MODELS, Loss, soft_threshold
from .metrics import linear_metrics, logistic_metrics

FIT_METHODS = (*RULES, "newton", *SCIPY_METHODS)


@dataclass
class FitResult:
    """A fitted model: coefficients, intercept, loss_history, metrics (contract names)."""

    model: str
    method: str
    coefficients: np.ndarray
    intercept: float
    loss_history: np.ndarray
    metrics: dict[str, float]
    iterations: int
    updates: int
    status: int
    grad_norm: float
    train_size: int
    test_metrics: dict[str, float] | None = None
    test_size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        return self.status in CONVERGED

    @property
    def stop_reason(self) -> str:
        return STOP_REASONS[self.status]

    def to_dict(self) -> dict[str, Any]:
        """The result object of a ``fit`` job (JSON-ready; loss history thinned past 1,001)."""
        idx = thin_indices(len(self.loss_history))
        out: dict[str, Any] = {
            "coefficients": [finite_or_none(c) for c in self.coefficients],
            "intercept": finite_or_none(self.intercept),
            "loss_history": [finite_or_none(v) for v in self.loss_history[idx]],
            "metrics": {k: finite_or_none(v) for k, v in self.metrics.items()},
            "model": self.model,
            "method": self.method,
            "iterations": self.iterations,
            "updates": self.updates,
            "converged": self.converged,
            "stop_reason": self.stop_reason,
            "grad_norm": finite_or_none(self.grad_norm),
            "train_size": self.train_size,
            "diverged_at": self.iterations if self.status == DIVERGED else None,
        }
        if len(idx) < len(self.loss_history):
            out["loss_history_iter"] = idx.tolist()
        if self.test_metrics is not None:
            out["test_metrics"] = {k: finite_or_none(v) for k, v in self.test_metrics.items()}
            out["test_size"] = self.test_size
        out.update(self.extra)
        return out


def _check_data(model: str, X, y) -> tuple[np.ndarray, np.ndarray]:
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError("X must be a list of rows and y a list with one value per row")
    if len(y) < 2 or X.shape[1] < 1:
        raise ValueError("a fit needs at least 2 rows and 1 feature")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite numbers")
    if model == "logistic" and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("logistic regression needs labels y in {0, 1}")
    return X, y


def _split(n: int, test_fraction: float, rng: np.random.Generator):
    if not 0 <= test_fraction < 1:
        raise ValueError("test_fraction must be in [0, 1)")
    if test_fraction == 0:
        return np.arange(n), None
    n_test = max(1, round(n * test_fraction))
    if n - n_test < 2:
        raise ValueError("the held-out split leaves fewer than 2 training rows")
    perm = rng.permutation(n)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def _metrics(model: str, loss: Loss, theta: np.ndarray, X, y) -> dict[str, float]:
    z = X @ theta[:-1] + theta[-1]
    return linear_metrics(y, z) if model == "linear" else logistic_metrics(y, z)


def fit_model(
    model: str,
    X,
    y,
    method: str = "gd",
    *,
    learning_rate: float | None = None,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    batch_size: int | None = None,
    seed: int = 0,
    l1: float = 0.0,
    l2: float = 0.0,
    test_fraction: float = 0.0,
    divergence_factor: float = DEFAULT_DIVERGENCE_FACTOR,
    **method_options: float | None,
) -> FitResult:
    """Fit ``model`` ("linear" or "logistic") to rows X and targets y with ``method``.

    >>> r = fit_model("linear", [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], "newton")
    >>> r.coefficients.round(9).tolist(), round(r.intercept, 9)
    ([2.0], 1.0)
    """
    X, y = _check_data(model, X, y)
    if method not in FIT_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(FIT_METHODS)}")
    if l1 < 0 or l2 < 0 or max_iter < 0 or tol < 0:
        raise ValueError("l1, l2, max_iter and tol must be >= 0")
    if batch_size is not None and (method not in RULES or batch_size < 1):
        raise ValueError(
            "batch_size (>= 1) applies to gd, momentum, nesterov, adagrad, rmsprop, adam"
        )
    given = {k: v for k, v in method_options.items() if v is not None}
    if method not in RULES and given:
        raise ValueError(f"{method} takes no option {', '.join(sorted(given))}")
    rng = np.random.default_rng(seed)
    train, test = _split(len(y), test_fraction, rng)
    loss = Loss(model, X[train], y[train], float(l1), float(l2))
    theta = np.zeros(X.shape[1] + 1)
    args = (loss, theta, int(max_iter), float(tol), float(divergence_factor))
    extra: dict[str, Any] = {}
    if method in RULES:
        rule = make_rule(method, learning_rate, **given)
        theta, history, status, updates = _run_rule(*args, rule, method, batch_size, rng)
    elif method == "newton":
        lr = 1.0 if learning_rate is None else float(learning_rate)
        theta, history, status, updates = _run_newton(*args, lr)
    else:
        theta, history, status, updates, message = _run_scipy(*args, method)
        extra["message"] = message
    grad_norm = float(np.linalg.norm(loss.optimality(theta)))
    result = FitResult(
        model=model,
        method=method,
        coefficients=theta[:-1].copy(),
        intercept=float(theta[-1]),
        loss_history=np.asarray(history, dtype=float),
        metrics=_metrics(model, loss, theta, X[train], y[train]),
        iterations=len(history) - 1,
        updates=updates,
        status=status,
        grad_norm=grad_norm,
        train_size=len(train),
        extra=extra,
    )
    if test is not None:
        result.test_metrics = _metrics(model, loss, theta, X[test], y[test])
        result.test_size = len(test)
    return result


class _Monitor:
    """Loss history, tolerance and divergence tests, taken after each epoch."""

    def __init__(self, loss: Loss, theta: np.ndarray, max_iter, tol, divergence_factor) -> None:
        self.loss = loss
        self.max_iter = max_iter
        self.tol = tol
        value = loss.value(theta)
        self.history = [value]
        self.limit = divergence_factor * (max(1.0, abs(value)) if math.isfinite(value) else 1.0)
        self.status = RUNNING if math.isfinite(value) else DIVERGED
        self.measure = float(np.linalg.norm(loss.optimality(theta)))

    def before_step(self) -> bool:
        """Decide whether another epoch runs; False once a stopping rule fired."""
        if self.status != RUNNING:
            return False
        if self.measure <= self.tol:
            self.status = TOL_GRAD
        elif len(self.history) - 1 >= self.max_iter:
            self.status = MAX_ITER
        return self.status == RUNNING

    def after_step(self, theta: np.ndarray) -> None:
        value = self.loss.value(theta)
        self.history.append(value)
        self.measure = float(np.linalg.norm(self.loss.optimality(theta)))
        if not (math.isfinite(value) and np.isfinite(theta).all() and math.isfinite(self.measure)):
            self.status = DIVERGED
        elif abs(value) > self.limit:
            self.status = DIVERGED


def _run_rule(loss, theta, max_iter, tol, divergence_factor, rule, method, batch_size, rng):
    monitor = _Monitor(loss, theta, max_iter, tol, divergence_factor)
    n = len(loss.y)
    state = [np.zeros_like(theta) for _ in range(rule.n_state)]
    proximal = method == "gd" and loss.l1 > 0
    t = 0
    with np.errstate(all="ignore"):
        while monitor.before_step():
            if batch_size is None or batch_size >= n:
                batches = [None]
            else:
                perm = rng.permutation(n)
                batches = [perm[i : i + batch_size] for i in range(0, n, batch_size)]
            for rows in batches:
                t += 1
                if proximal:
                    g = loss.smooth_gradient(theta, rows)
                    theta = theta - rule.lr * g
                    theta[:-1] = soft_threshold(theta[:-1], rule.lr * loss.l1)
                else:
                    g = loss.subgradient(theta, rows)
                    out = rule.step(theta, g, t, *state)
                    theta, state = out[0], list(out[1:])
            monitor.after_step(theta)
    return theta, monitor.history, monitor.status, t


def _run_newton(loss, theta, max_iter, tol, divergence_factor, lr):
    monitor = _Monitor(loss, theta, max_iter, tol, divergence_factor)
    t = 0
    with np.errstate(all="ignore"):
        while monitor.before_step():
            t += 1
            g = loss.subgradient(theta)
            D, _ = modified_newton_direction(loss.hessian(theta)[None], g[:, None])
            d = D[:, 0]
            f0 = monitor.history[-1]
            slope = float(g @ d)
            alpha = lr
            for _ in range(60):  # Armijo backtracking from the damping factor
                if loss.value(theta + alpha * d) <= f0 + 1e-4 * alpha * slope:
                    break
                alpha *= 0.5
            step = alpha * d
            theta = theta + step
            monitor.after_step(theta)
            if monitor.status == RUNNING and not np.any(step):
                monitor.status = STALLED
    return theta, monitor.history, monitor.status, t


def _run_scipy(loss, theta, max_iter, tol, divergence_factor, method):
    from scipy.optimize import minimize

    monitor = _Monitor(loss, theta, max_iter, tol, divergence_factor)
    if monitor.status != RUNNING or monitor.measure <= tol:
        monitor.before_step()
        return theta, monitor.history, monitor.status, 0, ""

    def fg(th):
        return loss.value(th), loss.subgradient(th)

    def callback(intermediate_result):
        monitor.after_step(np.asarray(intermediate_result.x))
        if monitor.status == DIVERGED:
            raise StopIteration

    options: dict = {"maxiter": max_iter}
    if method == "nelder_mead":
        options.update(xatol=tol, fatol=tol)
        fun, jac = loss.value, None
    else:
        options["gtol"] = tol
        fun, jac = fg, True
    with single_blas_thread(), np.errstate(all="ignore"):
        res = minimize(
            fun, theta, jac=jac, method=SCIPY_METHODS[method], callback=callback, options=options
        )
    theta = np.asarray(res.x, dtype=float)
    if monitor.status != DIVERGED:
        if res.success or monitor.measure <= tol:
            monitor.status = TOL_GRAD
        elif len(monitor.history) - 1 >= max_iter:
            monitor.status = MAX_ITER
        else:
            monitor.status = STALLED
    return theta, monitor.history, monitor.status, int(getattr(res, "nit", 0)), str(res.message)
