"""The ``optimize`` kind: one optimizer run (or a multi-start) on an expression.

The full trajectory goes to ``JobOutput.extras["trajectory_csv_rows"]``: a list
of rows, the first the header ``["iter", <variables...>, "fun", "grad_norm"]``,
then one row per iteration (numbers; null where a value was not finite). With
``starts`` it is the best run's trajectory.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.data import check_not_variables, column_names, data_arrays, free_variables
from shared.jobs.fields import (
    DataColumns,
    ExpressionText,
    FiniteNumber,
    Syntax,
    VariableName,
    parse_field,
    parse_number_field,
)
from shared.jobs.optimizer_options import OptimizerOptions
from shared.jobs.registry import Download, JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.mlfunctions import KINK_CONVENTION, has_kink
from shared.mathcore.optimize import CompileError, run_multistart, run_optimizer
from shared.mathcore.optimize.runner import check_method
from shared.mathcore.optimize.scipy_methods import SCIPY_METHODS
from shared.mathcore.printing import to_float, to_latex, to_plain

MAX_VARIABLES = 50
MAX_STARTS = 10_000
# SciPy methods cannot be vectorised: each start is its own solve (~1–5 ms).
MAX_SCIPY_STARTS = 1_000
# Starts × iterations of a vectorised multi-start (~25 ns per start-iteration).
MAX_MULTISTART_WORK = 20_000_000

# Every start is evaluated on every row at once: keep the (rows, starts) arrays small.
MAX_ROWS_TIMES_STARTS = 5_000_000

Point = dict[VariableName, FiniteNumber]


def _rows(data: dict) -> int:
    return len(next(iter(data.values())))


def point_values(point: dict, names: list[str]) -> list[float]:
    """A start point as finite floats in the order of ``names`` (ValueError otherwise)."""
    unknown = sorted(set(point) - set(names))
    if unknown:
        raise ValueError(f"names variables not in 'variables': {', '.join(unknown)}")
    missing = [n for n in names if n not in point]
    if missing:
        raise ValueError(f"gives no value for: {', '.join(missing)}")
    values = []
    for name in names:
        value = point[name]
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)  # JSON numbers need no exact parse (10,000 starts)
        else:
            number = to_float(parse_number_field(value))
        if number is None or not math.isfinite(number):
            raise ValueError(f"the value of {name} must be a finite real number")
        values.append(number)
    return values


class OptimizeParams(OptimizerOptions):
    """Params of an optimize job, as in the contract (plus ``starts``, ``step_tol``)."""

    syntax: Syntax = "plain"
    variables: list[VariableName] = Field(min_length=1, max_length=MAX_VARIABLES)
    start: Point | None = Field(default=None, max_length=MAX_VARIABLES)
    starts: list[Point] | None = Field(default=None, min_length=1, max_length=MAX_STARTS)
    step_tol: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    line_search: bool | None = None
    data: DataColumns | None = Field(
        default=None, description="columns the expression's sum(...) and mean(...) run over"
    )
    expression: ExpressionText

    @field_validator("variables")
    @classmethod
    def _distinct(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError("variables must be distinct")
        return names

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str, info: ValidationInfo) -> str:
        names = info.data.get("variables")
        if names is None:
            return text  # 'variables' already failed; its own error says why
        data = info.data.get("data")
        check_not_variables(names, data)
        syntax = info.data.get("syntax", "plain")
        expr = parse_field(text, variables=names, syntax=syntax, data=column_names(data))
        extra = sorted(str(s) for s in free_variables(expr) if str(s) not in names)
        if extra:
            raise ValueError(f"the expression uses {', '.join(extra)}, not listed in 'variables'")
        return text

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.start is None) == (self.starts is None):
            raise ValueError("give either 'start' (one point) or 'starts' (a list of points)")
        for point in [self.start] if self.start is not None else self.starts:
            try:
                point_values(point, self.variables)
            except ValueError as exc:
                raise ValueError(f"a start point {exc}") from None
        check_method(self.method, bool(self.line_search), self.method_options())
        if self.starts is not None:
            if self.method in SCIPY_METHODS and len(self.starts) > MAX_SCIPY_STARTS:
                raise ValueError(
                    f"{self.method} runs each start separately: at most {MAX_SCIPY_STARTS} starts"
                )
            if self.data and len(self.starts) * _rows(self.data) > MAX_ROWS_TIMES_STARTS:
                raise ValueError(
                    f"starts x data rows may be at most {MAX_ROWS_TIMES_STARTS:,} per job"
                )
            if len(self.starts) * max(self.max_iter, 1) > MAX_MULTISTART_WORK:
                raise ValueError(
                    f"starts x max_iter may be at most {MAX_MULTISTART_WORK:,} per job"
                )
        return self


class TrajectoryPoint(KindResult):
    iter: int
    x: dict[str, float | None]
    fun: float | None
    grad_norm: float | None


class OptimizeResult(KindResult):
    """Where the run ended, why, and its path (with ``starts``: the best run's,
    plus ``runs``, ``best_index`` and ``minima``)."""

    x: dict[str, float | None]
    fun: float | None
    iterations: int = Field(description="the number of updates made")
    converged: bool
    stop_reason: str = Field(description="tol, max_iter or diverged (or step_tol, stalled)")
    trajectory: list[TrajectoryPoint] = Field(
        description="every iteration up to 1,000, evenly thinned beyond, first and last kept"
    )
    method: str
    grad_norm: float | None
    expression: str
    latex: str
    point_kind: str | None = Field(
        default=None,
        description="newton: minimum, maximum, saddle or inconclusive (the second-order "
        "test where it stopped on tol; converged only at a minimum)",
    )
    runs: list[dict[str, Any]] | None = Field(default=None, description="with 'starts'")
    subgradient: str | None = Field(
        default=None,
        description="present when the objective has a kink (relu, |x|, max, min): the "
        "value its derivative takes there, as torch.autograd does",
    )
    best_index: int | None = None
    minima: list[dict[str, Any]] | None = None


def trajectory_csv(extras: dict[str, Any]) -> str | None:
    """The full trajectory as CSV: a header, then one iteration a row."""
    rows = extras.get("trajectory_csv_rows")
    if not rows:
        return None
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


DOWNLOADS = {
    "trajectory.csv": Download(
        media_type="text/csv",
        description="the full optimizer trajectory, one iteration a row",
        render=trajectory_csv,
    )
}


@job_kind(
    "optimize",
    title="Run an optimizer",
    params=OptimizeParams,
    result=OptimizeResult,
    downloads=DOWNLOADS,
)
def run_optimize(params: OptimizeParams) -> JobOutput:
    """Minimise an expression with the chosen optimizer, recording its path."""
    expr = parse_field(
        params.expression,
        variables=params.variables,
        syntax=params.syntax,
        data=column_names(params.data),
    )
    data = data_arrays(params.data)
    try:
        if params.start is not None:
            run = run_optimizer(expr, params.variables, data=data, **optimizer_call(params))
            result, best = run.to_dict(), run
        else:
            options = optimizer_call(params)
            del options["start"]
            starts = [point_values(p, params.variables) for p in params.starts]
            multi = run_multistart(expr, params.variables, starts, data=data, **options)
            result, best = multi.to_dict(), multi.best
    except CompileError as exc:
        raise JobInputError("Cannot evaluate the expression numerically", str(exc)) from None
    result.update(expression_fields(expr))
    if has_kink(expr):
        result["subgradient"] = KINK_CONVENTION
    extras = {}
    if best is not None:
        extras["trajectory_csv_rows"] = best.full_trajectory.csv_rows(list(params.variables))
    return JobOutput(result=result, extras=extras)


def optimizer_call(params: OptimizeParams) -> dict[str, Any]:
    """The keyword arguments of ``run_optimizer`` for these params (a single start)."""
    return dict(
        start=point_values(params.start, params.variables) if params.start is not None else None,
        method=params.method,
        step_tol=params.step_tol,
        line_search=params.line_search,
        **params.run_options(),
    )


def expression_fields(expr) -> dict[str, str]:
    """The objective as the result shows it."""
    return {"expression": to_plain(expr), "latex": to_latex(expr)}
