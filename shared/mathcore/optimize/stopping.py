"""When a run stops: gradient tolerance, step tolerance, iteration cap, divergence.

A run has *diverged* when f, ∇f or x stops being finite, or when |f| or
‖x‖∞ grows past ``divergence_factor`` times its size at the start (at least 1):
values exploding by twelve orders of magnitude are not a slow approach to a
minimum.  Divergence is an answer ("this learning rate diverges at iteration
k"), not an error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

DEFAULT_TOL = 1e-6
DEFAULT_MAX_ITER = 1000
DEFAULT_DIVERGENCE_FACTOR = 1e12

# Status codes of a run (array form keeps one per start).
RUNNING = 0
TOL_GRAD = 1
TOL_STEP = 2
MAX_ITER = 3
DIVERGED = 4
STALLED = 5  # could make no further progress with ‖∇f‖ > tol: "tol", not converged
TIME_LIMIT = 6  # the caller's deadline passed: a partial run, not converged

STOP_REASONS = {
    TOL_GRAD: "tol",
    TOL_STEP: "tol",
    MAX_ITER: "max_iter",
    DIVERGED: "diverged",
    STALLED: "tol",
    TIME_LIMIT: "time-limit",
}
CONVERGED = frozenset({TOL_GRAD, TOL_STEP})
STOP_DETAILS = {
    TOL_GRAD: "gradient norm <= tol",
    TOL_STEP: "step size <= step_tol",
    MAX_ITER: "reached max_iter",
    DIVERGED: "values became non-finite or exploded",
    STALLED: "no further progress possible (line search failed) with gradient norm > tol",
    TIME_LIMIT: "stopped at the time limit before any other rule fired",
}


@dataclass(frozen=True)
class Stopping:
    """The stopping rules of one run.

    ``step_tol`` stops when ‖x_{k+1} − x_k‖ ≤ step_tol; it defaults to 0 for
    first-order rules (only a stalled run, whose step no longer changes x,
    stops on it: their step is lr·g, so a step test would just be a looser
    gradient test) and to ``tol`` for Newton, whose step estimates the
    distance to the minimum. ``deadline`` (a ``time.monotonic()`` value, or
    None) stops a run with ``TIME_LIMIT`` when it passes.
    """

    tol: float = DEFAULT_TOL
    max_iter: int = DEFAULT_MAX_ITER
    step_tol: float = 0.0
    divergence_factor: float = DEFAULT_DIVERGENCE_FACTOR
    deadline: float | None = None

    def past_deadline(self) -> bool:
        """Whether the deadline has passed (never, without one)."""
        return self.deadline is not None and time.monotonic() > self.deadline


def divergence_limits(
    stopping: Stopping, f0: np.ndarray, X0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """|f| and ‖x‖∞ limits per start, from the values at the start points (n, m)."""
    with np.errstate(all="ignore"):
        f_scale = np.where(np.isfinite(f0), np.maximum(1.0, np.abs(f0)), 1.0)
        x_scale = np.maximum(1.0, np.abs(X0).max(axis=0))
    return stopping.divergence_factor * f_scale, stopping.divergence_factor * x_scale


def diverged_mask(
    f: np.ndarray, G: np.ndarray, X: np.ndarray, f_limit: np.ndarray, x_limit: np.ndarray
) -> np.ndarray:
    """True for each column whose f, ∇f or x is non-finite or past its limit."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(f) & np.isfinite(G).all(axis=0) & np.isfinite(X).all(axis=0)
        exploded = (np.abs(f) > f_limit) | (np.abs(X).max(axis=0) > x_limit)
    return ~finite | exploded
