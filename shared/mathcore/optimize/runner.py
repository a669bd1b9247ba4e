"""Run one optimizer on one expression: the engine's entry point for ``optimize`` jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy

from ..symbols import variable
from .array_loop import run_array
from .compile import CompiledObjective, compile_objective
from .float_loop import run_rule_float
from .point_kind import point_kind
from .result import OptimizeResult
from .rules import RULES, make_rule
from .scipy_methods import SCIPY_METHODS, run_scipy
from .stopping import (
    CONVERGED,
    DEFAULT_DIVERGENCE_FACTOR,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    DIVERGED,
    STOP_DETAILS,
    STOP_REASONS,
    Stopping,
)

# Every optimizer method, spelled once: optimize, fit and compare take these.
METHODS = (*RULES, "newton", *SCIPY_METHODS)
# Past this many variables a Python loop over coordinates loses to NumPy.
FLOAT_PATH_MAX_VARIABLES = 16


def as_symbols(variables: Sequence[sympy.Symbol | str]) -> tuple[sympy.Symbol, ...]:
    """Variables as the engine's real symbols (names are turned into symbols)."""
    return tuple(v if isinstance(v, sympy.Symbol) else variable(str(v)) for v in variables)


def start_vector(start: Mapping[str, float] | Sequence[float], names: Sequence[str]) -> np.ndarray:
    """A start point as a float vector in the order of ``names``."""
    if isinstance(start, Mapping):
        missing = [n for n in names if n not in start]
        if missing:
            raise ValueError(f"start has no value for {', '.join(missing)}")
        extra = sorted(set(map(str, start)) - set(names))
        if extra:
            raise ValueError(f"start names unknown variables: {', '.join(extra)}")
        values = [start[n] for n in names]
    else:
        values = list(start)
        if len(values) != len(names):
            raise ValueError(f"start has {len(values)} values for {len(names)} variables")
    return np.array([float(v) for v in values], dtype=float)


def make_stopping(
    method: str,
    max_iter: int,
    tol: float,
    step_tol: float | None,
    divergence_factor: float,
    deadline: float | None = None,
) -> Stopping:
    """Stopping rules; ``step_tol`` defaults to ``tol`` for Newton and 0 otherwise."""
    if step_tol is None:
        step_tol = tol if method == "newton" else 0.0
    if max_iter < 0 or tol < 0 or step_tol < 0 or divergence_factor <= 1:
        raise ValueError("max_iter, tol and step_tol must be >= 0, divergence_factor > 1")
    return Stopping(
        tol=float(tol),
        max_iter=int(max_iter),
        step_tol=float(step_tol),
        divergence_factor=float(divergence_factor),
        deadline=deadline,
    )


def check_method(method: str, line_search: bool, options: Mapping[str, float | None]) -> None:
    """Refuse an unknown method or an option the method does not take."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    given = {k for k, v in options.items() if v is not None}
    if method in RULES:
        make_rule(method, None, **{k: options[k] for k in given})  # raises on unknown
    elif given:
        raise ValueError(f"{method} takes no option {', '.join(sorted(given))}")
    if line_search and method not in ("gd", "newton"):
        raise ValueError("line_search applies to gd (and newton, where it is on by default)")


def make_step_rule(
    method: str,
    learning_rate: float | None,
    line_search: bool | None,
    options: Mapping[str, float | None],
):
    """The update rule of ``method``; with ``line_search`` its ``lr`` is the
    step backtracking starts from, by default 1 (Armijo's unit step, not
    torch's 1e-3, from which backtracking could only shrink)."""
    if line_search and learning_rate is None:
        learning_rate = 1.0
    return make_rule(method, learning_rate, **options)


def run_optimizer(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol | str],
    start: Mapping[str, float] | Sequence[float],
    method: str = "gd",
    *,
    learning_rate: float | None = None,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    step_tol: float | None = None,
    line_search: bool | None = None,
    divergence_factor: float = DEFAULT_DIVERGENCE_FACTOR,
    deadline: float | None = None,
    objective: CompiledObjective | None = None,
    data: Mapping[str, np.ndarray] | None = None,
    **method_options: float | None,
) -> OptimizeResult:
    """Minimise ``expr`` over ``variables`` from ``start`` with ``method``.

    ``method_options`` are the rule's own (``momentum``, ``eps``, ``alpha``,
    ``beta1``, ``beta2``), PyTorch's defaults where unset. With
    ``line_search`` (gd) each step backtracks from ``learning_rate``, by
    default 1 (Armijo's unit step). ``deadline`` (``time.monotonic()``) stops
    the run with ``stop_reason`` "time-limit" and its path so far;
    ``objective`` is ``expr`` already compiled (runs that share it); ``data``
    the columns its ``sum``/``mean`` run over (see ``compile_objective``). Newton
    reports ``point_kind`` (see ``point_kind.py``) and counts as converged
    only at a point the second-order test shows to be a minimum.

    >>> from shared.mathcore.symbols import variable
    >>> x = variable("x")
    >>> r = run_optimizer(x**2, [x], {"x": 1.0}, "gd", learning_rate=0.25)
    >>> r.stop_reason, r.iterations, r.x.tolist()
    ('tol', 21, [4.76837158203125e-07])

    (``r.fun`` etc. follow; ``r.to_dict()`` is the job result.)
    """
    symbols = as_symbols(variables)
    names = [str(s) for s in symbols]
    x0 = start_vector(start, names)
    check_method(method, bool(line_search), method_options)
    stopping = make_stopping(method, max_iter, tol, step_tol, divergence_factor, deadline)
    obj = objective if objective is not None else compile_objective(expr, symbols, data)
    extra: dict = {}
    message = ""
    if method in RULES:
        rule = make_step_rule(method, learning_rate, line_search, method_options)
        if obj.n <= FLOAT_PATH_MAX_VARIABLES:
            run = run_rule_float(obj.fg_float, rule, x0.tolist(), stopping, bool(line_search))
            x, f, gn, iterations, status = (
                np.array(run.x, dtype=float),
                run.f,
                run.grad_norm,
                run.iterations,
                run.status,
            )
            trajectory = run.trajectory
        else:
            arr = run_array(
                obj, method, rule, x0[:, None], stopping,
                line_search=bool(line_search), record=True,
            )  # fmt: skip
            x, f, gn = arr.X[:, 0], float(arr.f[0]), float(arr.grad_norm[0])
            iterations, status = int(arr.iterations[0]), int(arr.status[0])
            trajectory = arr.trajectory
    elif method == "newton":
        lr = 1.0 if learning_rate is None else float(learning_rate)
        arr = run_array(
            obj, method, None, x0[:, None], stopping,
            line_search=line_search is not False, learning_rate=lr, record=True,
        )  # fmt: skip
        x, f, gn = arr.X[:, 0], float(arr.f[0]), float(arr.grad_norm[0])
        iterations, status = int(arr.iterations[0]), int(arr.status[0])
        trajectory = arr.trajectory
        extra["hessian_modified_iterations"] = int(arr.hessian_modified[0])
        extra["point_kind"] = None
        if status in CONVERGED:
            _, g_end = obj.fg_array(x[:, None])
            extra["point_kind"] = point_kind(obj, x, g_end[:, 0])
    else:
        srun = run_scipy(obj, method, x0, stopping)
        x, f, gn, iterations, status = srun.x, srun.f, srun.grad_norm, srun.iterations, srun.status
        trajectory = srun.trajectory
        message = srun.message
        extra["evaluations"] = srun.evaluations
    converged = status in CONVERGED
    detail = STOP_DETAILS[status]
    if converged and extra.get("point_kind", "minimum") != "minimum":
        converged = False
        detail += f", but not shown to be a minimum (second-order test: {extra['point_kind']})"
    return OptimizeResult(
        variables=names,
        method=method,
        x=np.asarray(x, dtype=float),
        fun=float(f),
        grad_norm=float(gn),
        iterations=int(iterations),
        converged=converged,
        stop_reason=STOP_REASONS[status],
        stop_detail=detail,
        diverged_at=int(iterations) if status == DIVERGED else None,
        message=message,
        full_trajectory=trajectory,
        extra=extra,
    )
