"""Each method's first iterations against a hand-written loop of its update rule.

The references use hand-coded gradients and the formulas of torch.optim's
documentation written out plainly; nothing here calls the engine's rules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shared.mathcore.optimize import run_multistart, run_optimizer
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")
STEPS = 5


def quad_f(p):
    return 3 * p[0] ** 2 + p[0] * p[1] + 2 * p[1] ** 2 - p[0] + 4 * p[1]


def quad_g(p):
    return np.array([6 * p[0] + p[1] - 1, p[0] + 4 * p[1] + 4])


def quad_h(p):
    return np.array([[6.0, 1.0], [1.0, 4.0]])


def rosen_f(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def rosen_g(p):
    return np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])


def rosen_h(p):
    return np.array([[2 - 400 * p[1] + 1200 * p[0] ** 2, -400 * p[0]], [-400 * p[0], 200.0]])


PROBLEMS = {
    "quadratic": (
        3 * x**2 + x * y + 2 * y**2 - x + 4 * y,
        quad_f,
        quad_g,
        quad_h,
        np.array([2.0, -1.5]),
    ),
    "rosenbrock": (
        (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        rosen_f,
        rosen_g,
        rosen_h,
        np.array([-1.2, 1.0]),
    ),
}


def reference_path(method, grad, p0, steps, **h):
    """x_1..x_steps by the torch.optim formulas, one line each."""
    p = p0.copy()
    b = np.zeros_like(p)  # momentum buffer / accumulator / first moment
    v = np.zeros_like(p)  # second moment
    path = []
    for t in range(1, steps + 1):
        g = grad(p)
        lr = h["lr"]
        if method == "gd":
            p = p - lr * g
        elif method == "momentum":
            b = h["mu"] * b + g
            p = p - lr * b
        elif method == "nesterov":
            b = h["mu"] * b + g
            p = p - lr * (g + h["mu"] * b)
        elif method == "adagrad":
            b = b + g**2
            p = p - lr * g / (np.sqrt(b) + h["eps"])
        elif method == "rmsprop":
            v = h["alpha"] * v + (1 - h["alpha"]) * g**2
            p = p - lr * g / (np.sqrt(v) + h["eps"])
        elif method == "adam":
            b = h["b1"] * b + (1 - h["b1"]) * g
            v = h["b2"] * v + (1 - h["b2"]) * g**2
            m_hat = b / (1 - h["b1"] ** t)
            v_hat = v / (1 - h["b2"] ** t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + h["eps"])
        path.append(p.copy())
    return np.array(path)


# Method, its options for the engine, the reference's hyperparameters.
CASES = [
    ("gd", {"learning_rate": 1e-3}, {"lr": 1e-3}),
    ("momentum", {"learning_rate": 1e-3, "momentum": 0.8}, {"lr": 1e-3, "mu": 0.8}),
    ("momentum", {}, {"lr": 1e-3, "mu": 0.9}),  # defaults
    ("nesterov", {"learning_rate": 1e-3, "momentum": 0.7}, {"lr": 1e-3, "mu": 0.7}),
    ("adagrad", {}, {"lr": 1e-2, "eps": 1e-10}),  # torch defaults
    ("adagrad", {"learning_rate": 0.5, "eps": 1e-6}, {"lr": 0.5, "eps": 1e-6}),
    ("rmsprop", {}, {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8}),
    ("rmsprop", {"learning_rate": 0.1, "alpha": 0.9}, {"lr": 0.1, "alpha": 0.9, "eps": 1e-8}),
    ("adam", {}, {"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-8}),
    (
        "adam",
        {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        {"lr": 0.05, "b1": 0.8, "b2": 0.99, "eps": 1e-6},
    ),
]


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("method,options,hyper", CASES)
def test_first_iterations_match_reference(problem, method, options, hyper):
    expr, _f, grad, _h, p0 = PROBLEMS[problem]
    ref = reference_path(method, grad, p0, STEPS, **hyper)
    result = run_optimizer(expr, [x, y], p0.tolist(), method, max_iter=STEPS, **options)
    assert result.iterations == STEPS
    got = result.full_trajectory.x[1:]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.full_trajectory.x[0], p0)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("method,options,hyper", CASES[:3] + CASES[-2:])
def test_vectorised_multistart_matches_reference(problem, method, options, hyper):
    expr, _f, grad, _h, p0 = PROBLEMS[problem]
    starts = [p0, p0 + 0.25, p0 - 0.5]
    res = run_multistart(
        expr, [x, y], starts, method, max_iter=STEPS, best_trajectory=False, **options
    )
    for k, s in enumerate(starts):
        ref = reference_path(method, grad, s, STEPS, **hyper)[-1]
        np.testing.assert_allclose(res.x[k], ref, rtol=1e-9, atol=1e-12)


def reference_armijo_gd(f, grad, p0, lr, steps):
    p = p0.copy()
    path = []
    for _ in range(steps):
        g = grad(p)
        alpha = lr
        while f(p - alpha * g) > f(p) - 1e-4 * alpha * (g @ g):
            alpha /= 2
        p = p - alpha * g
        path.append(p.copy())
    return np.array(path)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_gd_armijo_line_search_matches_reference(problem):
    expr, f, grad, _h, p0 = PROBLEMS[problem]
    ref = reference_armijo_gd(f, grad, p0, 1.0, STEPS)
    res = run_optimizer(
        expr, [x, y], p0.tolist(), "gd", learning_rate=1.0, line_search=True, max_iter=STEPS
    )
    np.testing.assert_allclose(res.full_trajectory.x[1:], ref, rtol=1e-9, atol=1e-12)


def reference_newton(f, grad, hess, p0, steps):
    """Newton with |eigenvalue| modification and Armijo backtracking from α = 1."""
    p = p0.copy()
    path = []
    for _ in range(steps):
        g = grad(p)
        if np.linalg.norm(g) <= 1e-6:
            break
        w, V = np.linalg.eigh(hess(p))
        big = max(1.0, np.abs(w).max())
        w = np.where(np.abs(w) < 1e-8 * big, big, np.abs(w))
        d = -V @ ((V.T @ g) / w)
        alpha = 1.0
        while f(p + alpha * d) > f(p) + 1e-4 * alpha * (g @ d):
            alpha /= 2
        p = p + alpha * d
        path.append(p.copy())
    return np.array(path)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_newton_matches_reference(problem):
    expr, f, grad, hess, p0 = PROBLEMS[problem]
    ref = reference_newton(f, grad, hess, p0, STEPS)
    res = run_optimizer(expr, [x, y], p0.tolist(), "newton", max_iter=STEPS)
    np.testing.assert_allclose(res.full_trajectory.x[1 : len(ref) + 1], ref, rtol=1e-9)


def test_newton_solves_a_quadratic_in_one_step():
    expr, _f, _g, hess, p0 = PROBLEMS["quadratic"]
    exact = np.linalg.solve(hess(p0), [1.0, -4.0])
    res = run_optimizer(expr, [x, y], p0.tolist(), "newton")
    assert res.converged
    np.testing.assert_allclose(res.full_trajectory.x[1], exact, rtol=1e-12)
    assert res.iterations <= 2


@pytest.mark.parametrize("start", [0.1, -0.05, 1e-3])
def test_newton_on_a_nonconvex_function_goes_downhill(start):
    # f = x⁴ − 2x²: a maximum at 0 (f'' < 0 near it), minima at ±1. Raw Newton
    # from 0.1 jumps to the maximum; the safe step must never increase f.
    res = run_optimizer(x**4 - 2 * x**2, [x], {"x": start}, "newton")
    assert res.converged
    assert math.isclose(abs(res.x[0]), 1.0, abs_tol=1e-6)  # |f'| ≤ tol, f''(1) = 8
    assert np.all(np.diff(res.full_trajectory.fun) <= 1e-15)
    assert res.extra["hessian_modified_iterations"] >= 1


def test_newton_at_a_saddle_escapes_downhill():
    # x² − y² + y⁴/4 has a saddle at the origin and minima at (0, ±√2).
    res = run_optimizer(x**2 - y**2 + y**4 / 4, [x, y], {"x": 0.3, "y": 0.01}, "newton")
    assert res.converged
    np.testing.assert_allclose(np.abs(res.x), [0.0, math.sqrt(2)], atol=1e-7)
