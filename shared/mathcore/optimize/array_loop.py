"""The vectorised loop: m runs at once as (n, m) arrays, one evaluation per iteration.

Used for multi-start (up to 10,000 starts), for Newton, and for single runs
with many variables. Each column stops on its own; stopped columns are left
out of later evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import CompiledObjective
from .newton import armijo_along, modified_newton_direction
from .result import FullTrajectory
from .stopping import (
    DIVERGED,
    MAX_ITER,
    RUNNING,
    STALLED,
    TIME_LIMIT,
    TOL_GRAD,
    TOL_STEP,
    Stopping,
    diverged_mask,
    divergence_limits,
)


@dataclass
class ArrayRun:
    """End state of m runs: X (n, m), f, ‖∇f‖, iterations, status per column."""

    X: np.ndarray
    f: np.ndarray
    grad_norm: np.ndarray
    iterations: np.ndarray
    status: np.ndarray
    hessian_modified: np.ndarray
    trajectory: FullTrajectory | None = None


def run_array(
    obj: CompiledObjective,
    method: str,
    rule,
    X0: np.ndarray,
    stopping: Stopping,
    *,
    line_search: bool = False,
    learning_rate: float = 1.0,
    record: bool = False,
) -> ArrayRun:
    """Run ``rule`` (or Newton when ``method == "newton"``) from each column of X0.

    ``record`` keeps the full path of column 0 (single runs).
    """
    n, m = X0.shape
    X = np.array(X0, dtype=float)
    f, G = obj.fg_array(X)
    gn = np.sqrt(np.einsum("ij,ij->j", G, G))
    f_limit, x_limit = divergence_limits(stopping, f, X)
    status = np.zeros(m, dtype=np.int8)
    status[diverged_mask(f, G, X, f_limit, x_limit)] = DIVERGED
    iterations = np.zeros(m, dtype=np.int64)
    hess_modified = np.zeros(m, dtype=np.int64)
    state = [np.zeros((n, m)) for _ in range(getattr(rule, "n_state", 0))]
    path: list[tuple[np.ndarray, float, float]] = []
    if record:
        path.append((X[:, 0].copy(), f[0], gn[0]))
    t = 0
    while True:
        running = status == RUNNING
        status[running & (gn <= stopping.tol)] = TOL_GRAD
        if t >= stopping.max_iter:
            status[status == RUNNING] = MAX_ITER
        elif stopping.past_deadline():
            status[status == RUNNING] = TIME_LIMIT
        idx = np.flatnonzero(status == RUNNING)
        if idx.size == 0:
            break
        t += 1
        whole = idx.size == m
        Xa = X if whole else X[:, idx]
        Ga = G if whole else G[:, idx]
        if method == "newton":
            H = obj.hessian_array(Xa)
            D, modified = modified_newton_direction(H, Ga)
            hess_modified[idx] += modified
            fa = f if whole else f[idx]
            Xn, fn, Gn = armijo_along(obj, Xa, fa, Ga, D, learning_rate)
        elif line_search:
            fa = f if whole else f[idx]
            Xn, fn, Gn = armijo_along(obj, Xa, fa, Ga, -Ga, rule.lr)
        else:
            Sa = [s if whole else s[:, idx] for s in state]
            out = rule.step(Xa, Ga, t, *Sa)
            Xn = out[0]
            for s, s_new in zip(state, out[1:], strict=True):
                s[:, idx] = s_new
            fn, Gn = obj.fg_array(Xn)
        with np.errstate(invalid="ignore", over="ignore"):
            # Newton's full step ‖d‖ estimates the distance to the minimum; the
            # damped step may be tiny after backtracking far from it.
            moved = D if method == "newton" else Xn - Xa
            step = np.sqrt((moved**2).sum(axis=0))
        X[:, idx] = Xn
        f[idx] = fn
        G[:, idx] = Gn
        gn[idx] = np.sqrt(np.einsum("ij,ij->j", Gn, Gn))
        iterations[idx] = t
        bad = diverged_mask(fn, Gn, Xn, f_limit[idx], x_limit[idx])
        status[idx[bad]] = DIVERGED
        small_step = TOL_STEP if stopping.step_tol > 0 else STALLED
        status[idx[~bad & (step <= stopping.step_tol)]] = small_step
        if record:
            path.append((X[:, 0].copy(), f[0], gn[0]))
    trajectory = None
    if record:
        trajectory = FullTrajectory(
            iterations=np.arange(len(path)),
            x=np.array([p[0] for p in path]).reshape(len(path), n),
            fun=np.array([p[1] for p in path], dtype=float),
            grad_norm=np.array([p[2] for p in path], dtype=float),
        )
    return ArrayRun(X, f, gn, iterations, status, hess_modified, trajectory)


__all__ = ["ArrayRun", "run_array", "TOL_GRAD", "TOL_STEP", "MAX_ITER", "DIVERGED"]
