"""The summary of a comparison: one row per run and the best run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..fit import FitResult
from ..optimize.result import finite_or_none
from .runs import Run

CURVE_POINTS = 200  # each run's curve is thinned to at most this many points
WITHIN = 0.01  # "within 1% of the best final objective"
# The 1% band never narrows below this: a best objective of 0 (a minimum
# at 0, reached to rounding) would otherwise ask for exactly 0.
WITHIN_FLOOR = 1e-12


def iterations_to_within(curve: np.ndarray, best: float) -> int | None:
    """The first iteration whose objective is within 1% of ``best``, or None.

    Within means f ≤ best + max(0.01·|best|, 1e-12).

    >>> iterations_to_within(np.array([10.0, 3.0, 1.005, 1.0]), 1.0)
    2
    >>> iterations_to_within(np.array([10.0, 3.0]), 1.0) is None
    True
    """
    if not math.isfinite(best):
        return None
    target = best + max(WITHIN * abs(best), WITHIN_FLOOR)
    with np.errstate(invalid="ignore"):
        hits = np.flatnonzero(curve <= target)
    return int(hits[0]) if hits.size else None


def _metrics(values: dict[str, float] | None) -> dict[str, float | None] | None:
    return None if values is None else {k: finite_or_none(v) for k, v in values.items()}


def summarize(labels: Sequence[str], runs: Sequence[Run]) -> tuple[list[dict[str, Any]], Any]:
    """Summary rows (in run order) and the label of the best run.

    The best run has the lowest final objective among runs that did not
    diverge (None when every run diverged); iterations to 1% are measured
    against that same best value.
    """
    finals = [_final(run) for run in runs]
    usable = [
        (f, i)
        for i, (f, run) in enumerate(zip(finals, runs, strict=True))
        if run.outcome.stop_reason != "diverged" and math.isfinite(f)
    ]
    best_value, best_index = min(usable) if usable else (math.nan, None)
    rows = []
    for label, run, final in zip(labels, runs, finals, strict=True):
        outcome = run.outcome
        is_fit = isinstance(outcome, FitResult)
        rows.append(
            {
                "label": label,
                "fun": finite_or_none(final),
                "iterations": int(outcome.iterations),
                "converged": bool(outcome.converged),
                "stop_reason": outcome.stop_reason,
                "test_metrics": _metrics(outcome.test_metrics) if is_fit else None,
                "train_metrics": _metrics(outcome.metrics) if is_fit else None,
                "iterations_to_1pct": iterations_to_within(run.curve, best_value),
                "diverged": outcome.stop_reason == "diverged",
                "seconds": round(run.seconds, 6),
            }
        )
    return rows, (labels[best_index] if best_index is not None else None)


def _final(run: Run) -> float:
    outcome = run.outcome
    if isinstance(outcome, FitResult):
        return float(outcome.loss_history[-1])
    return float(outcome.fun)
