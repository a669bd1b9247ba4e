"""BFGS, CG, L-BFGS-B and Nelder–Mead through ``scipy.optimize.minimize``.

f and ∇f come from the compiled objective in one call (``jac=True``); a
callback records each iteration and stops a run whose values explode
(raising ``StopIteration``, which SciPy ≥ 1.11 turns into a clean stop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .blas_threads import single_blas_thread
from .compile import CompiledObjective
from .result import FullTrajectory
from .stopping import DIVERGED, MAX_ITER, STALLED, TIME_LIMIT, TOL_GRAD, Stopping

SCIPY_METHODS = {"bfgs": "BFGS", "cg": "CG", "lbfgs": "L-BFGS-B", "nelder_mead": "Nelder-Mead"}


@dataclass
class ScipyRun:
    x: np.ndarray
    f: float
    grad_norm: float
    iterations: int
    status: int
    message: str
    trajectory: FullTrajectory
    evaluations: int


class _Diverged(Exception):
    pass


def run_scipy(obj: CompiledObjective, method: str, x0: np.ndarray, stopping: Stopping) -> ScipyRun:
    """Minimise with SciPy's ``method`` from x0, recording every iteration."""
    from scipy.optimize import minimize  # deferred: importing scipy.optimize costs ~0.2 s

    x0 = np.asarray(x0, dtype=float)
    last = {"x": None, "f": math.nan, "g": None}
    evaluations = 0

    def fg(x: np.ndarray):
        nonlocal evaluations
        evaluations += 1
        f, g = obj.fg_point(x)
        last["x"], last["f"], last["g"] = x.copy(), f, g
        # SciPy's line searches cope with inf but not with nan.
        return (f if not math.isnan(f) else math.inf), np.nan_to_num(g, nan=0.0)

    def f_only(x: np.ndarray) -> float:
        return fg(x)[0]

    f0, g0 = obj.fg_point(x0)
    gn0 = float(np.linalg.norm(g0))
    f_limit = stopping.divergence_factor * (max(1.0, abs(f0)) if math.isfinite(f0) else 1.0)
    x_limit = stopping.divergence_factor * max(1.0, float(np.abs(x0).max(initial=0.0)))
    xs, fs, gns = [x0.copy()], [f0], [gn0]
    diverged = timed_out = False

    def callback(intermediate_result):
        nonlocal diverged, timed_out
        x = np.asarray(intermediate_result.x, dtype=float)
        if last["x"] is not None and np.array_equal(last["x"], x):
            f, g = last["f"], last["g"]
        else:
            f, g = obj.fg_point(x)
        gn = float(np.linalg.norm(g))
        xs.append(x.copy())
        fs.append(f)
        gns.append(gn)
        if (
            not (math.isfinite(f) and math.isfinite(gn) and np.isfinite(x).all())
            or abs(f) > f_limit
            or float(np.abs(x).max()) > x_limit
        ):
            diverged = True
            raise StopIteration
        if stopping.past_deadline():
            timed_out = True
            raise StopIteration

    options: dict = {"maxiter": int(stopping.max_iter)}
    scipy_name = SCIPY_METHODS[method]
    if method == "nelder_mead":
        options.update(xatol=stopping.tol, fatol=stopping.tol)
        fun, jac = f_only, None
    else:
        options["gtol"] = stopping.tol
        if method in ("bfgs", "cg"):
            options["norm"] = 2.0  # the same ‖∇f‖₂ our own methods test
        fun, jac = fg, True
    if not (math.isfinite(f0) and math.isfinite(gn0)):
        res = None
        diverged = True
    else:
        # L-BFGS-B slows 100x with many OpenBLAS threads on a loaded machine.
        with single_blas_thread():
            res = minimize(fun, x0, jac=jac, method=scipy_name, callback=callback, options=options)
    x_end, f_end, gn_end = xs[-1], fs[-1], gns[-1]
    if res is not None and not diverged:
        x_end = np.asarray(res.x, dtype=float)
        f_end, g_end = obj.fg_point(x_end)
        gn_end = float(np.linalg.norm(g_end))
        if not np.array_equal(x_end, xs[-1]):
            xs.append(x_end.copy())
            fs.append(f_end)
            gns.append(gn_end)
    iterations = len(xs) - 1
    if res is not None and getattr(res, "nit", None) is not None:
        iterations = int(res.nit)
    if diverged:
        status = DIVERGED
    elif timed_out:
        status = TIME_LIMIT
    elif res.success or gn_end <= stopping.tol:
        status = TOL_GRAD
    elif iterations >= stopping.max_iter:
        status = MAX_ITER
    else:
        # SciPy gave up early ("precision loss" in a line search): no progress left.
        status = STALLED
    message = "" if res is None else str(res.message)
    trajectory = FullTrajectory(
        iterations=np.arange(len(xs)),
        x=np.array(xs, dtype=float).reshape(len(xs), obj.n),
        fun=np.array(fs, dtype=float),
        grad_norm=np.array(gns, dtype=float),
    )
    return ScipyRun(x_end, f_end, gn_end, iterations, status, message, trajectory, evaluations)
