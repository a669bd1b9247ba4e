"""The ``compare`` kind: several runs of one ``optimize`` or ``fit`` problem side by side.

``base`` is the problem (``{"kind", "params"}``); ``variants`` are 1 to 50
objects merged into its params (for ``fit`` an ``optimizer`` object merges
into the base's), or ``{"grid": {param: [values, ...]}}``, every combination
of the values, labelled by them. Each run's result is the single job's (its
curve thinned to 200 points); the summary lines them up. A variant may not
change the problem itself (the expression and its variables, or the data):
that work is done once for all runs.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Literal, Self

from pydantic import (
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from shared.jobs.data import column_names, data_arrays
from shared.jobs.fields import KindParams, parse_field
from shared.jobs.kinds.fit import (
    MAX_WORK,
    FitParams,
    OptimizerSpec,
    TestFraction,
    check_test_fraction,
    fit_data,
    train_options,
)
from shared.jobs.kinds.optimize import (
    OptimizeParams,
    expression_fields,
    optimizer_call,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.budget import current_job
from shared.mathcore.compare import CURVE_POINTS, compare_fit, compare_optimize, summarize
from shared.mathcore.optimize import CompileError

MAX_RUNS = 50
MAX_LABEL = 100
# Params that define the problem: shared by every run, so no variant changes them.
FIXED = {
    "optimize": ("expression", "variables", "syntax", "starts", "data"),
    "fit": ("model", "X", "y", "test"),
}
# The data fields: validated once (runs are checked on a two-row stand-in) and
# left out of each run's reported params (they are the base's).
DATA_FIELDS = {"optimize": ("data",), "fit": ("X", "y", "test")}
_FRACTION = TypeAdapter(TestFraction)
# The time a comparison keeps, out of what is left, to build and store its result.
RESERVE_FRACTION = 0.1
RESERVE_MAX_SECONDS = 2.0


class BaseProblem(KindParams):
    """The problem every run solves: an ``optimize`` or ``fit`` job's kind and params."""

    kind: Literal["optimize", "fit"]
    params: dict[str, Any]


class Grid(KindParams):
    """Every combination of the listed values (at most 50 runs)."""

    grid: dict[str, list[Any]] = Field(min_length=1, max_length=8)


class CompareParams(KindParams):
    """Params of a compare job, as in the contract."""

    base: BaseProblem
    variants: list[dict[str, Any]] | Grid = Field(
        description="1 to 50 objects merged into the base params, or {'grid': {...}}"
    )
    labels: list[str] | None = Field(default=None, max_length=MAX_RUNS)
    # Validated once here: the base (with fit's data) and each run's params.
    _base: OptimizeParams | FitParams | None = PrivateAttr(default=None)
    _runs: list[tuple[str, dict[str, Any], Any]] = PrivateAttr(default_factory=list)

    @field_validator("variants")
    @classmethod
    def _count(cls, variants):
        count = len(variants) if isinstance(variants, list) else _grid_size(variants)
        if not 1 <= count <= MAX_RUNS:
            raise ValueError(f"a comparison has 1 to {MAX_RUNS} runs, not {count}")
        return variants

    @model_validator(mode="after")
    def _runs_valid(self) -> Self:
        runs = expand(self)
        if self.labels is not None and len(self.labels) != len(runs):
            raise ValueError(f"give one label per run ({len(runs)}), not {len(self.labels)}")
        labels = [label for label, _ in runs]
        if len(set(labels)) != len(labels) or any(len(lb) > MAX_LABEL for lb in labels):
            raise ValueError(f"labels must be distinct, at most {MAX_LABEL} characters")
        self._base = validated_base(self.base)
        self._runs = [
            (label, merged, run_params(self.base.kind, self._base, merged, f"variants[{index}]"))
            for index, (label, merged) in enumerate(runs)
        ]
        return self


def _grid_size(grid: Grid) -> int:
    size = 1
    for values in grid.grid.values():
        if not values:
            raise ValueError("each grid entry lists at least one value")
        size *= len(values)
    return size


def _label(changes: dict[str, Any]) -> str:
    parts = []
    for key, value in changes.items():
        if isinstance(value, dict):
            parts.extend(f"{k}={v}" for k, v in value.items())
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts) or "base"


def _place(kind: str, key: str, value: Any) -> dict[str, Any]:
    """A grid entry as a variant: for fit, optimizer options go under 'optimizer'."""
    if kind == "fit" and key not in FitParams.model_fields and key in OptimizerSpec.model_fields:
        return {"optimizer": {key: value}}
    return {key: value}


def _merge(kind: str, params: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    fixed = sorted(set(variant) & set(FIXED[kind]))
    if fixed:
        raise ValueError(f"a variant may not change {', '.join(fixed)}: it is the problem itself")
    merged = {**params, **variant}
    if kind == "fit" and "optimizer" in variant:
        base_opt, var_opt = params.get("optimizer") or {}, variant["optimizer"]
        base_opt = {"method": base_opt} if isinstance(base_opt, str) else base_opt
        var_opt = {"method": var_opt} if isinstance(var_opt, str) else var_opt
        merged["optimizer"] = {**base_opt, **var_opt}
    return merged


def expand(params: CompareParams) -> list[tuple[str, dict[str, Any]]]:
    """Every run as (label, merged params), in order."""
    kind, base = params.base.kind, params.base.params
    if isinstance(params.variants, Grid):
        keys = list(params.variants.grid)
        variants = []
        for values in itertools.product(*params.variants.grid.values()):
            variant: dict[str, Any] = {}
            for key, value in zip(keys, values, strict=True):
                for k, v in _place(kind, key, value).items():
                    variant[k] = {**variant.get(k, {}), **v} if isinstance(v, dict) else v
            variants.append(variant)
    else:
        variants = params.variants
    runs = []
    for index, variant in enumerate(variants):
        if params.labels is not None and index < len(params.labels):
            label = params.labels[index]
        else:
            label = _label(variant)
        runs.append((label, _merge(kind, base, variant)))
    return runs


def validated_base(base: BaseProblem) -> OptimizeParams | FitParams:
    """The base params, validated once (fit's data is checked here only)."""
    model = OptimizeParams if base.kind == "optimize" else FitParams
    try:
        params = model.model_validate(base.params)
    except ValidationError as exc:
        raise ValueError(f"base.params: {_first_error(exc)}") from None
    if base.kind == "optimize" and params.starts is not None:
        raise ValueError("base.params: a comparison runs from one 'start' (vary it per run)")
    return params


def run_params(kind: str, base, merged: dict[str, Any], where: str):
    """One run's params, validated; for fit without re-validating the base's data."""
    try:
        if kind == "optimize":
            if base.data:
                merged = {**merged, "data": {k: v[:2] for k, v in base.data.items()}}
            params = OptimizeParams.model_validate(merged)
            if params.starts is not None:
                raise ValueError("a comparison runs from one 'start'")
            return params
        # The data is the base's, validated once: check the run's own fields on
        # a two-row stand-in (50 runs over 100,000 rows would re-read the rows
        # 50 times), then what depends on the rows on the real row count.
        fraction = _FRACTION.validate_python(merged.get("test_fraction", 0.0))
        stand_in = {**merged, "X": base.X[:2], "y": base.y[:2], "test": None, "test_fraction": 0}
        params = FitParams.model_validate(stand_in)
        rows, features = len(base.X), len(base.X[0])
        if rows * features * max(params.optimizer.max_iter, 1) > MAX_WORK:
            raise ValueError(f"rows x features x max_iter may be at most {MAX_WORK:,}")
        if fraction and base.test is not None:
            raise ValueError("give either 'test' or 'test_fraction', not both")
        check_test_fraction(rows, fraction)
        return params.model_copy(update={"test_fraction": fraction})
    except ValidationError as exc:
        raise ValueError(f"{where}: {_first_error(exc)}") from None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


class SummaryRow(KindResult):
    label: str
    fun: float | None = Field(description="final objective (fit: final training loss)")
    iterations: int
    converged: bool
    stop_reason: str = Field(description="tol, max_iter, diverged or time-limit")
    test_metrics: dict[str, float | None] | None
    train_metrics: dict[str, float | None] | None
    iterations_to_1pct: int | None = Field(
        description="first iteration within 1% of the best final objective of all runs"
    )
    diverged: bool
    seconds: float = Field(description="wall time of the run")


class RunResult(KindResult):
    label: str
    params: dict[str, Any] = Field(description="the merged params, without the base's data")
    result: dict[str, Any] = Field(description="the single job's result, curve thinned to 200")


class CompareResult(KindResult):
    """Every run's result, a summary row per run and the best run's label."""

    kind: str
    runs: list[RunResult]
    summary: list[SummaryRow]
    best: str | None = Field(description="lowest final objective among runs that did not diverge")


def _deadline() -> float | None:
    """The job's deadline, less a reserve to build and store the result."""
    job = current_job()
    deadline = None if job is None else job.deadline
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    return deadline - min(RESERVE_MAX_SECONDS, RESERVE_FRACTION * max(left, 0.0))


@job_kind(
    "compare",
    title="Compare optimizer runs",
    params=CompareParams,
    result=CompareResult,
    reusable=False,  # wall times, and runs cut by the time limit, differ between runs
)
def run_compare(params: CompareParams) -> JobOutput:
    """Run every variant of the base problem and line the runs up."""
    kind, base = params.base.kind, params._base
    labels = [label for label, _, _ in params._runs]
    runs = [run for _, _, run in params._runs]
    deadline = _deadline()
    if kind == "optimize":
        columns = column_names(base.data)
        expr = parse_field(
            base.expression, variables=base.variables, syntax=base.syntax, data=columns
        )
        try:
            outcomes = compare_optimize(
                expr,
                base.variables,
                [optimizer_call(p) for p in runs],
                deadline,
                data=data_arrays(base.data),
            )
        except CompileError as exc:
            raise JobInputError("Cannot evaluate the expression numerically", str(exc)) from None
        shown = expression_fields(expr)
        results = [{**o.outcome.to_dict(CURVE_POINTS), **shown} for o in outcomes]
    else:
        options = []
        for p in runs:
            call = train_options(p)
            call["method"] = p.optimizer.method
            options.append(call)
        outcomes = compare_fit(fit_data(base), options, deadline)
        results = [o.outcome.to_dict(CURVE_POINTS) for o in outcomes]
    summary, best = summarize(labels, outcomes)
    shown_params = [
        {k: v for k, v in merged.items() if k not in DATA_FIELDS[kind]}
        for _, merged, _ in params._runs
    ]
    return JobOutput(
        result={
            "kind": kind,
            "runs": [
                {"label": label, "params": p, "result": r}
                for label, p, r in zip(labels, shown_params, results, strict=True)
            ],
            "summary": summary,
            "best": best,
        }
    )
