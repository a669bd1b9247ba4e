"""What an optimizer run returns: its end point, why it stopped, and its path.

The contract's ``trajectory`` holds every iteration up to 1,000 and is evenly
thinned beyond, always keeping the first and the last point; the full path
stays in ``full_trajectory`` for the CSV download.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_TRAJECTORY_POINTS = 1001  # iterations 0..1000 are all kept

STOP_TOL = "tol"
STOP_MAX_ITER = "max_iter"
STOP_DIVERGED = "diverged"


def finite_or_none(value: float) -> float | None:
    """JSON has no inf/nan: a non-finite number is reported as null."""
    value = float(value)
    return value if math.isfinite(value) else None


def thin_indices(length: int, limit: int = MAX_TRAJECTORY_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` evenly spaced points of ``length``, first and last kept.

    >>> thin_indices(5).tolist()
    [0, 1, 2, 3, 4]
    >>> thin_indices(10, limit=4).tolist()
    [0, 3, 6, 9]
    """
    if length <= limit:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, limit).round().astype(np.int64))


@dataclass
class FullTrajectory:
    """Every point of a run: iteration numbers, x (k, n), f (k,), ‖∇f‖ (k,)."""

    iterations: np.ndarray
    x: np.ndarray
    fun: np.ndarray
    grad_norm: np.ndarray

    def csv_rows(self, variable_names: list[str]) -> list[list[Any]]:
        """Header plus one row per iteration: iter, each variable, fun, grad_norm."""
        rows: list[list[Any]] = [["iter", *variable_names, "fun", "grad_norm"]]
        for i in range(len(self.iterations)):
            rows.append(
                [
                    int(self.iterations[i]),
                    *(finite_or_none(v) for v in self.x[i]),
                    finite_or_none(self.fun[i]),
                    finite_or_none(self.grad_norm[i]),
                ]
            )
        return rows


@dataclass
class OptimizeResult:
    """One optimizer run, with the contract's field names."""

    variables: list[str]
    method: str
    x: np.ndarray
    fun: float
    grad_norm: float
    iterations: int
    converged: bool
    stop_reason: str
    full_trajectory: FullTrajectory
    stop_detail: str = ""
    diverged_at: int | None = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def trajectory(self) -> list[dict[str, Any]]:
        """The contract's thinned trajectory: [{iter, x, fun, grad_norm}]."""
        return self.thinned_trajectory(MAX_TRAJECTORY_POINTS)

    def thinned_trajectory(self, limit: int) -> list[dict[str, Any]]:
        """At most ``limit`` evenly spaced points of the path, first and last kept."""
        full = self.full_trajectory
        return [
            {
                "iter": int(full.iterations[i]),
                "x": {
                    name: finite_or_none(v)
                    for name, v in zip(self.variables, full.x[i], strict=True)
                },
                "fun": finite_or_none(full.fun[i]),
                "grad_norm": finite_or_none(full.grad_norm[i]),
            }
            for i in thin_indices(len(full.iterations), limit)
        ]

    def to_dict(self, trajectory_limit: int = MAX_TRAJECTORY_POINTS) -> dict[str, Any]:
        """The result object of an ``optimize`` job (JSON-ready), its
        trajectory thinned to at most ``trajectory_limit`` points."""
        out = {
            "x": {name: finite_or_none(v) for name, v in zip(self.variables, self.x, strict=True)},
            "fun": finite_or_none(self.fun),
            "iterations": int(self.iterations),
            "converged": bool(self.converged),
            "stop_reason": self.stop_reason,
            "trajectory": self.thinned_trajectory(trajectory_limit),
            "method": self.method,
            "grad_norm": finite_or_none(self.grad_norm),
            "stop_detail": self.stop_detail,
            "diverged_at": self.diverged_at,
            "trajectory_length": int(len(self.full_trajectory.iterations)),
        }
        if self.message:
            out["message"] = self.message
        out.update(self.extra)
        return out
