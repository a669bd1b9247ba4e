"""Run each variant of one problem with the shared work done once."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..fit import FitData, FitResult, train
from ..optimize import OptimizeResult, compile_objective, run_optimizer
from ..optimize.runner import as_symbols


@dataclass
class Run:
    """One run of a comparison: its outcome, objective curve and wall time."""

    outcome: OptimizeResult | FitResult
    seconds: float

    @property
    def curve(self) -> np.ndarray:
        """The objective after each iteration (epoch for a fit), the start first."""
        if isinstance(self.outcome, FitResult):
            return np.asarray(self.outcome.loss_history, dtype=float)
        return np.asarray(self.outcome.full_trajectory.fun, dtype=float)


def compare_optimize(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol | str],
    runs: Sequence[dict[str, Any]],
    deadline: float | None = None,
    data: Mapping[str, np.ndarray] | None = None,
) -> list[Run]:
    """Minimise ``expr`` once per entry of ``runs`` (``start``, ``method`` and
    the keyword options of ``run_optimizer``), compiling it once (with ``data``,
    the columns its sums and means run over).

    ``deadline`` (``time.monotonic()``) is shared: a run still going when it
    passes stops with ``stop_reason`` "time-limit", and later runs stop at once.
    """
    symbols = as_symbols(variables)
    objective = compile_objective(expr, symbols, data)  # once, for every run
    out = []
    for options in runs:
        options = dict(options)
        start, method = options.pop("start"), options.pop("method")
        began = time.perf_counter()
        result = run_optimizer(
            expr, symbols, start, method, objective=objective, deadline=deadline, **options
        )
        out.append(Run(result, time.perf_counter() - began))
    return out


def compare_fit(
    data: FitData, runs: Sequence[dict[str, Any]], deadline: float | None = None
) -> list[Run]:
    """Train once per entry of ``runs`` (``method`` and the keyword options of
    ``train``) on ``data``, validated once; ``deadline`` as in compare_optimize."""
    out = []
    for options in runs:
        options = dict(options)
        method = options.pop("method")
        began = time.perf_counter()
        result = train(data, method, deadline=deadline, **options)
        out.append(Run(result, time.perf_counter() - began))
    return out
