"""Whole runs: convergence of the SciPy methods, stopping, divergence, thinning, multi-start."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest
import sympy

from shared.mathcore.optimize import (
    compile_objective,
    run_multistart,
    run_optimizer,
)
from shared.mathcore.optimize.result import thin_indices
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")
ROSENBROCK = (1 - x) ** 2 + 100 * (y - x**2) ** 2
HIMMELBLAU = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
# Himmelblau's four minima (textbook values, f = 0 at each).
HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118, 3.131312],
        [-3.779310, -3.283186],
        [3.584428, -1.848126],
    ]
)


@pytest.mark.parametrize("method", ["bfgs", "cg", "lbfgs", "nelder_mead", "newton"])
def test_scipy_methods_and_newton_reach_rosenbrock_minimum(method):
    res = run_optimizer(ROSENBROCK, [x, y], {"x": -1.2, "y": 1.0}, method, max_iter=5000)
    assert res.converged and res.stop_reason == "tol"
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-4)
    traj = res.full_trajectory
    np.testing.assert_allclose(traj.x[0], [-1.2, 1.0])
    np.testing.assert_allclose(traj.x[-1], res.x)
    # The recorded f values are Rosenbrock's at the recorded points.
    fx = (1 - traj.x[:, 0]) ** 2 + 100 * (traj.x[:, 1] - traj.x[:, 0] ** 2) ** 2
    np.testing.assert_allclose(traj.fun, fx, rtol=1e-12, atol=1e-300)


def test_scipy_bfgs_path_matches_scipy_called_directly():
    from scipy.optimize import minimize, rosen, rosen_der

    direct = minimize(rosen, [-1.2, 1.0], jac=rosen_der, method="BFGS", options={"gtol": 1e-6})
    ours = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "bfgs")
    np.testing.assert_allclose(ours.x, direct.x, atol=1e-6)
    assert abs(ours.iterations - direct.nit) <= 3


def test_gd_with_too_large_learning_rate_diverges_at_the_right_iteration():
    # GD on x² with lr 1.5: x_k = (1 − 2·1.5)^k = (−2)^k, f_k = 4^k. The stated
    # rule flags |f| > 1e12·max(1, |f_0|): the first such k is 20 (4^20 ≈ 1.1e12).
    res = run_optimizer(x**2, [x], {"x": 1.0}, "gd", learning_rate=1.5, max_iter=1000)
    expected_k = next(k for k in range(100) if 4.0**k > 1e12)
    assert res.stop_reason == "diverged" and not res.converged
    assert res.diverged_at == res.iterations == expected_k
    assert res.x[0] == (-2.0) ** expected_k
    assert res.to_dict()["stop_reason"] == "diverged"


def test_leaving_the_domain_is_divergence_not_an_error():
    # log x from x = 1 with lr 1: x_1 = 1 − 1/1 = 0, where log is undefined.
    res = run_optimizer(sympy.log(x), [x], {"x": 1.0}, "gd", learning_rate=1.0)
    assert res.stop_reason == "diverged" and res.diverged_at == 1
    out = res.to_dict()
    json.dumps(out, allow_nan=False)  # non-finite values are reported as null
    assert out["fun"] is None


def test_non_finite_start_is_diverged_at_zero():
    res = run_optimizer(1 / x, [x], {"x": 0.0}, "adam")
    assert res.stop_reason == "diverged" and res.iterations == 0


def test_tol_stop_reports_gradient_norm_below_tol():
    res = run_optimizer(x**2 + 3 * y**2, [x, y], [1.0, 1.0], "gd", learning_rate=0.1, tol=1e-8)
    assert res.stop_reason == "tol" and res.converged
    assert res.grad_norm <= 1e-8
    # One update before the stop the gradient was still above tol.
    assert res.full_trajectory.grad_norm[-2] > 1e-8


def test_max_iter_stop():
    res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "gd", max_iter=50)
    assert res.stop_reason == "max_iter" and not res.converged and res.iterations == 50
    assert len(res.full_trajectory.iterations) == 51


def test_trajectory_thinning_keeps_first_last_and_at_most_1001_points():
    res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "gd", max_iter=4321)
    traj = res.trajectory
    assert len(traj) <= 1001
    assert traj[0]["iter"] == 0 and traj[-1]["iter"] == 4321
    assert traj[-1]["x"] == {"x": res.x[0], "y": res.x[1]}
    steps = np.diff([p["iter"] for p in traj])
    assert steps.min() >= 4 and steps.max() <= 5  # evenly spaced
    short = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "gd", max_iter=1000).trajectory
    assert [p["iter"] for p in short] == list(range(1001))  # every iteration up to 1,000


def test_thin_indices_edges():
    for length in (1, 2, 1001, 1002, 10**5):
        idx = thin_indices(length)
        assert idx[0] == 0 and idx[-1] == length - 1 and len(idx) <= 1001
        assert np.all(np.diff(idx) > 0)


def test_csv_rows_hold_the_full_trajectory():
    res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "adam", max_iter=1500, learning_rate=0.01)
    rows = res.full_trajectory.csv_rows(["x", "y"])
    assert rows[0] == ["iter", "x", "y", "fun", "grad_norm"]
    assert len(rows) == res.iterations + 2
    assert rows[-1][1:3] == res.x.tolist()


def test_multistart_finds_all_four_himmelblau_minima():
    grid = np.linspace(-5, 5, 12)
    starts = [[a, b] for a in grid for b in grid]
    res = run_multistart(HIMMELBLAU, [x, y], starts, "gd", learning_rate=0.01, max_iter=3000)
    ends = res.x[res.converged]
    assert res.converged.mean() > 0.95
    for minimum in HIMMELBLAU_MINIMA:
        assert np.linalg.norm(ends - minimum, axis=1).min() < 1e-4
    assert len(res.minima) == 4
    assert res.best is not None and res.best.fun < 1e-10
    np.testing.assert_allclose(res.best.x, res.x[res.best_index], atol=1e-9)
    # Each start's end agrees with a single run from it.
    k = 37
    single = run_optimizer(HIMMELBLAU, [x, y], starts[k], "gd", learning_rate=0.01, max_iter=3000)
    np.testing.assert_allclose(res.x[k], single.x, rtol=1e-9, atol=1e-12)
    assert res.iterations[k] == single.iterations
    json.dumps(res.to_dict(), allow_nan=False)


def test_multistart_newton_and_scipy_paths():
    starts = [[-4.0, -4.0], [4.0, 4.0], [-3.0, 3.0], [3.5, -2.0]]
    for method in ("newton", "lbfgs"):
        res = run_multistart(HIMMELBLAU, [x, y], starts, method, best_trajectory=False)
        assert res.converged.all()
        assert len(res.minima) == 4


def test_multistart_columns_stop_independently():
    # Start 0 is at the minimum already, start 1 is not a number, start 2 runs on.
    res = run_multistart(
        x**2, [x], [[0.0], [math.nan], [1.0]], "gd", learning_rate=0.9, max_iter=10,
        best_trajectory=False,
    )  # fmt: skip
    assert res.iterations[0] == 0 and res.runs()[0]["stop_reason"] == "tol"
    assert res.iterations[1] == 0 and res.runs()[1]["stop_reason"] == "diverged"
    assert res.runs()[2]["stop_reason"] == "max_iter" and res.iterations[2] == 10


def test_compiled_objectives_are_cached_and_cheap_to_find():
    expr = sympy.sin(x) * y + x**3
    first = compile_objective(expr, (x, y))
    again = compile_objective(sympy.sin(x) * y + x**3, (x, y))  # equal, not identical
    assert again is first
    started = time.perf_counter()
    for _ in range(1000):
        compile_objective(expr, (x, y))
    assert (time.perf_counter() - started) / 1000 < 50e-6
    f, *g = first.fg_float(0.3, 2.0)
    assert math.isclose(f, math.sin(0.3) * 2 + 0.027)
    assert math.isclose(g[0], math.cos(0.3) * 2 + 3 * 0.09)


def test_constant_gradient_entries_broadcast_in_array_mode():
    obj = compile_objective(x**2 + 3 * y, (x, y))
    f, G = obj.fg_array(np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]))
    np.testing.assert_allclose(G, [[2, 4, 6], [3, 3, 3]])
    np.testing.assert_allclose(f, [1, 7, 15])


def test_unknown_method_or_option_is_refused():
    with pytest.raises(ValueError):
        run_optimizer(x**2, [x], [1.0], "sgd9")
    with pytest.raises(ValueError):
        run_optimizer(x**2, [x], [1.0], "adam", momentum=0.9)
    with pytest.raises(ValueError):
        run_optimizer(x**2, [x], {"y": 1.0}, "gd")


def test_many_variables_take_the_array_path():
    n = 20
    xs = [variable(f"w{i}") for i in range(n)]
    expr = sum((i + 1) * (v - 1) ** 2 for i, v in enumerate(xs))
    res = run_optimizer(expr, xs, [0.0] * n, "gd", learning_rate=0.02, max_iter=3)
    # Reference: w ← w − lr·2(i+1)(w − 1), coordinate by coordinate.
    w = np.zeros(n)
    for _ in range(3):
        w = w - 0.02 * 2 * np.arange(1, n + 1) * (w - 1)
    np.testing.assert_allclose(res.x, w, rtol=1e-12)


def test_kinks_compile_and_underivable_functions_are_refused():
    from shared.mathcore.optimize import CompileError

    # d²|x|/dx² = 2·DiracDelta(x): zero away from the kink, so Newton still runs.
    res = run_optimizer(sympy.Abs(x) + (y - 1) ** 2, [x, y], [0.5, 0.0], "newton")
    assert abs(res.x[1] - 1) < 1e-6 and abs(res.x[0]) < 1e-3
    with pytest.raises(CompileError):
        run_optimizer(sympy.floor(x), [x], [0.5], "gd")
