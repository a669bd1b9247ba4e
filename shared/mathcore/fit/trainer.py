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
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..optimize.blas_threads import single_blas_thread
from ..optimize.newton import modified_newton_direction
from ..optimize.result import MAX_TRAJECTORY_POINTS, finite_or_none, thin_indices
from ..optimize.rules import RULES, make_rule
from ..optimize.runner import METHODS
from ..optimize.scipy_methods import SCIPY_METHODS
from ..optimize.stopping import (
    CONVERGED,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    DIVERGED,
    MAX_ITER,
    RUNNING,
    STALLED,
    STOP_REASONS,
    TIME_LIMIT,
    TOL_GRAD,
)
from .losses import MODELS, Loss, soft_threshold
from .metrics import linear_metrics, logistic_metrics

# Training loss above this many times max(1, L(0), L(start)) has diverged.
FIT_DIVERGENCE_FACTOR = 1e3
SPLITS_KEPT = 4  # random splits a FitData keeps (each a copy of the rows)


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

    def to_dict(self, history_limit: int = MAX_TRAJECTORY_POINTS) -> dict[str, Any]:
        """The result object of a ``fit`` job (JSON-ready); the loss history is
        thinned to at most ``history_limit`` points (``loss_history_iter``
        then gives the epochs kept)."""
        idx = thin_indices(len(self.loss_history), history_limit)
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


@dataclass(frozen=True)
class FitData:
    """A validated data set: rows X (n, p), targets y, and an optional
    explicit held-out set. Built once by :func:`prepare_data`, trained on by
    any number of runs (a comparison validates its data once)."""

    model: str
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    # (test_fraction, seed) -> the split's arrays and the generator's state
    # after drawing it: runs that share a seed share the split.
    _splits: dict = field(default_factory=dict, compare=False, repr=False)

    def split(self, test_fraction: float, seed: int):
        """Training and held-out arrays, and the seeded generator as a run
        drawing the split itself would have it (mini-batches draw from it next)."""
        key = (float(test_fraction), int(seed))
        hit = self._splits.get(key)
        if hit is None:
            rng = np.random.default_rng(seed)
            train_rows, test_rows = _split(len(self.y), test_fraction, rng)
            if train_rows is None:
                arrays = (self.X, self.y, self.X_test, self.y_test)
            else:
                arrays = (
                    self.X[train_rows], self.y[train_rows], self.X[test_rows], self.y[test_rows],
                )  # fmt: skip
            if len(self._splits) >= SPLITS_KEPT:
                self._splits.pop(next(iter(self._splits)))
            hit = self._splits[key] = (*arrays, rng.bit_generator.state)
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = hit[-1]
        return (*hit[:4], rng)


def _as_rows(model: str, X, y, what: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"{what}: X must be a list of rows and y a list with one value per row")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError(f"{what}: X and y must be finite numbers")
    if model == "logistic" and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{what}: logistic regression needs labels y in {{0, 1}}")
    return X, y


def prepare_data(model: str, X, y, X_test=None, y_test=None) -> FitData:
    """Validate the training rows (and the held-out set, if given) once."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}")
    X, y = _as_rows(model, X, y, "training data")
    if len(y) < 2 or X.shape[1] < 1:
        raise ValueError("a fit needs at least 2 rows and 1 feature")
    if (X_test is None) != (y_test is None):
        raise ValueError("a test set needs both X and y")
    if X_test is not None:
        X_test, y_test = _as_rows(model, X_test, y_test, "test set")
        if len(y_test) < 1 or X_test.shape[1] != X.shape[1]:
            raise ValueError(f"the test set needs rows of {X.shape[1]} features")
    return FitData(model, X, y, X_test, y_test)


def _split(n: int, test_fraction: float, rng: np.random.Generator):
    if not 0 <= test_fraction < 1:
        raise ValueError("test_fraction must be in [0, 1)")
    if test_fraction == 0:
        return None, None
    n_test = max(1, round(n * test_fraction))
    if n - n_test < 2:
        raise ValueError("the held-out split leaves fewer than 2 training rows")
    perm = rng.permutation(n)
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def _metrics(model: str, theta: np.ndarray, X, y) -> dict[str, float]:
    z = X @ theta[:-1] + theta[-1]
    return linear_metrics(y, z) if model == "linear" else logistic_metrics(y, z)


def _start_vector(start, p: int) -> np.ndarray:
    if start is None:
        return np.zeros(p + 1)
    theta = np.asarray(start, dtype=float).reshape(-1)
    if theta.size != p + 1 or not np.isfinite(theta).all():
        raise ValueError(f"start needs {p} finite coefficients and a finite intercept")
    return theta


def fit_model(
    model: str,
    X,
    y,
    method: str = "gd",
    *,
    X_test=None,
    y_test=None,
    **options: Any,
) -> FitResult:
    """Fit ``model`` ("linear" or "logistic") to rows X and targets y with ``method``.

    ``X_test``/``y_test`` is an explicit held-out set; ``options`` are those
    of :func:`train`.

    >>> r = fit_model("linear", [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], "newton")
    >>> r.coefficients.round(9).tolist(), round(r.intercept, 9)
    ([2.0], 1.0)
    """
    return train(prepare_data(model, X, y, X_test, y_test), method, **options)


def train(
    data: FitData,
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
    start=None,
    divergence_factor: float = FIT_DIVERGENCE_FACTOR,
    deadline: float | None = None,
    **method_options: float | None,
) -> FitResult:
    """Train one run on prepared ``data``.

    ``start`` is the initial (w₁..w_p, b), zeros by default. ``test_fraction``
    holds out a random share of the rows (drawn from ``seed``) unless ``data``
    has an explicit test set. The run stops ``"diverged"`` when the training
    loss passes ``divergence_factor`` × max(1, L(0), L(start)) or stops being
    finite, and ``"time-limit"`` at ``deadline`` (``time.monotonic()``).
    """
    model = data.model
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if l1 < 0 or l2 < 0 or max_iter < 0 or tol < 0:
        raise ValueError("l1, l2, max_iter and tol must be >= 0")
    if batch_size is not None and (method not in RULES or batch_size < 1):
        raise ValueError(f"batch_size (>= 1) applies to {', '.join(RULES)}")
    if data.X_test is not None and test_fraction:
        raise ValueError("give either a test set or test_fraction, not both")
    given = {k: v for k, v in method_options.items() if v is not None}
    if method not in RULES and given:
        raise ValueError(f"{method} takes no option {', '.join(sorted(given))}")
    theta = _start_vector(start, data.X.shape[1])
    X, y, X_test, y_test, rng = data.split(test_fraction, seed)
    loss = Loss(model, X, y, float(l1), float(l2))
    monitor = _Monitor(loss, theta, int(max_iter), float(tol), float(divergence_factor), deadline)
    extra: dict[str, Any] = {}
    if method in RULES:
        rule = make_rule(method, learning_rate, **given)
        theta, updates = _run_rule(monitor, theta, rule, method, batch_size, rng)
    elif method == "newton":
        lr = 1.0 if learning_rate is None else float(learning_rate)
        theta, updates = _run_newton(monitor, theta, lr)
    else:
        theta, updates, message = _run_scipy(monitor, theta, method)
        extra["message"] = message
    grad_norm = float(np.linalg.norm(loss.optimality(theta)))
    history = monitor.history
    result = FitResult(
        model=model,
        method=method,
        coefficients=theta[:-1].copy(),
        intercept=float(theta[-1]),
        loss_history=np.asarray(history, dtype=float),
        metrics=_metrics(model, theta, X, y),
        iterations=len(history) - 1,
        updates=updates,
        status=monitor.status,
        grad_norm=grad_norm,
        train_size=len(y),
        extra=extra,
    )
    if X_test is not None:
        result.test_metrics = _metrics(model, theta, X_test, y_test)
        result.test_size = len(y_test)
    return result


class _Monitor:
    """Loss history, tolerance and divergence tests, taken after each epoch."""

    def __init__(
        self, loss: Loss, theta: np.ndarray, max_iter, tol, divergence_factor, deadline=None
    ) -> None:
        self.loss = loss
        self.max_iter = max_iter
        self.tol = tol
        self.deadline = deadline
        value = loss.value(theta)
        self.history = [value]
        # The scale is the larger of the loss at the start and that of the
        # all-zero model: a run that climbs a thousand times above both is
        # not converging (logistic loss grows only linearly in ‖w‖, so an
        # "explodes by 1e12" test would never fire there).
        null_loss = loss.value(np.zeros_like(theta))
        scales = [abs(v) for v in (value, null_loss) if math.isfinite(v)]
        self.limit = divergence_factor * max([1.0, *scales])
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
        elif self.deadline is not None and time.monotonic() > self.deadline:
            self.status = TIME_LIMIT
        return self.status == RUNNING

    def after_step(self, theta: np.ndarray) -> None:
        value = self.loss.value(theta)
        self.history.append(value)
        self.measure = float(np.linalg.norm(self.loss.optimality(theta)))
        if not (math.isfinite(value) and np.isfinite(theta).all() and math.isfinite(self.measure)):
            self.status = DIVERGED
        elif abs(value) > self.limit:
            self.status = DIVERGED


def _run_rule(monitor: _Monitor, theta, rule, method, batch_size, rng):
    loss = monitor.loss
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
    return theta, t


def _run_newton(monitor: _Monitor, theta, lr):
    loss = monitor.loss
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
    return theta, t


def _run_scipy(monitor: _Monitor, theta, method):
    from scipy.optimize import minimize

    loss, max_iter, tol = monitor.loss, monitor.max_iter, monitor.tol
    if monitor.status != RUNNING or monitor.measure <= tol:
        monitor.before_step()
        return theta, 0, ""

    def fg(th):
        return loss.value(th), loss.subgradient(th)

    def callback(intermediate_result):
        monitor.after_step(np.asarray(intermediate_result.x))
        if monitor.status == DIVERGED:
            raise StopIteration
        if monitor.deadline is not None and time.monotonic() > monitor.deadline:
            monitor.status = TIME_LIMIT
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
    if monitor.status == RUNNING:
        if res.success or monitor.measure <= tol:
            monitor.status = TOL_GRAD
        elif len(monitor.history) - 1 >= max_iter:
            monitor.status = MAX_ITER
        else:
            monitor.status = STALLED
    return theta, int(getattr(res, "nit", 0)), str(res.message)
