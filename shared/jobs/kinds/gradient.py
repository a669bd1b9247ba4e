"""The ``gradient`` kind: gradient (each partial traced), value, norm and
steepest descent at a point, Hessian with eigenvalues; a Jacobian for a list."""

from __future__ import annotations

import math
from typing import Any, Self

import sympy
from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.answers import answer_list, check_values_at_point
from shared.jobs.data import (
    check_not_variables,
    column_names,
    data_arrays,
    free_variables,
    values_over_rows,
)
from shared.jobs.fields import (
    DataColumns,
    ExpressionText,
    FiniteNumber,
    FunctionNames,
    KindParams,
    Syntax,
    VariableName,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.checks import check_list
from shared.mathcore.gradient import gradient_result, jacobian_result
from shared.mathcore.steps import make_step
from shared.mathcore.symbols import variable

MAX_VARIABLES = 20


class GradientParams(KindParams):
    """Params of a gradient job, as in the contract; ``expressions`` (a list)
    asks for the Jacobian instead."""

    syntax: Syntax = "plain"
    variables: list[VariableName] | None = Field(
        default=None, min_length=1, max_length=MAX_VARIABLES
    )
    at: dict[VariableName, FiniteNumber] | None = Field(default=None, max_length=MAX_VARIABLES)
    hessian: bool = False
    data: DataColumns | None = Field(
        default=None, description="columns the expression's sum(...) and mean(...) run over"
    )
    functions: FunctionNames | None = Field(
        default=None, description="generic function names besides f, g, h, e.g. ['phi']"
    )
    expressions: list[ExpressionText] | None = Field(
        default=None, min_length=1, max_length=MAX_VARIABLES
    )
    expression: ExpressionText | None = None

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is not None:
            _parse(text, info.data)
        return text

    @field_validator("expressions")
    @classmethod
    def _each_parses(cls, texts: list[str] | None, info: ValidationInfo) -> list[str] | None:
        for text in texts or []:
            _parse(text, info.data)
        return texts

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.expression is None) == (self.expressions is None):
            raise ValueError("give either 'expression' (gradient) or 'expressions' (Jacobian)")
        if self.expressions is not None and self.hessian:
            raise ValueError("'hessian' goes with a single 'expression'")
        if self.expressions is not None and self.data:
            raise ValueError("'data' goes with a single 'expression'")
        return self


def _parse(text: str, data: dict):
    """Parse an expression of these params: declared names, syntax and data columns."""
    names = _names(data)
    check_not_variables(names, data.get("data"))
    columns = column_names(data.get("data"))
    return parse_field(
        text,
        variables=names,
        syntax=data.get("syntax", "plain"),
        data=columns,
        functions=data.get("functions"),
    )


def _names(data: dict) -> list[str]:
    names = list(data.get("variables") or [])
    names.extend(name for name in (data.get("at") or {}) if name not in names)
    return names


class GradientResult(KindResult):
    """The gradient (or, for ``expressions``, the Jacobian), its value at a
    point, and the Hessian when asked."""

    variables: list[str]
    gradient: list[str] | None = Field(default=None, description="each partial derivative")
    gradient_latex: list[str] | None = None
    jacobian: list[list[str]] | None = Field(default=None, description="with 'expressions'")
    at_value: list[Any] | None = Field(default=None, description="exact values at 'at'")
    at_numeric: list[Any] | None = None
    norm: float | None = Field(default=None, description="the gradient's norm at 'at'")
    hessian: list[list[str]] | None = None


def _at_over_rows(result: dict, expr, variables: list, at: dict, arrays: dict) -> dict:
    """Fill the at-point fields with every sum and mean taken over all rows (floats)."""
    partials = [sympy.diff(expr, v) for v in variables]
    numeric = values_over_rows(partials, at, arrays)
    rows = len(next(iter(arrays.values())))
    result.update(at_value=[None] * len(numeric), at_numeric=numeric, rows=rows)
    result["at_defined"] = [n is not None for n in numeric]
    defined = all(n is not None for n in numeric)
    norm = math.sqrt(math.fsum(n * n for n in numeric)) if defined else None
    result["norm"] = norm
    result["descent_direction"] = [-n / norm for n in numeric] if norm else None
    if result.get("hessian") is not None:
        entries = [sympy.diff(p, v) for p in partials for v in variables]
        flat, n = values_over_rows(entries, at, arrays), len(variables)
        result["hessian_at_numeric"] = [flat[i * n : (i + 1) * n] for i in range(n)]
    shown = ", ".join("undefined" if v is None else f"{v:.6g}" for v in numeric)
    return make_step(
        "evaluate_over_rows",
        f"Evaluate each partial derivative at the point, every sum and mean running over "
        f"all {rows} rows of the data: ({shown}).",
        before="(" + ", ".join(result["gradient"]) + ")",
        after="(" + ", ".join("undefined" if v is None else repr(v) for v in numeric) + ")",
    )


def check_gradient_answer(check, problem_params: GradientParams, result: dict) -> dict:
    """Grade an answer to a gradient problem: entry i against the i-th partial,
    or, with ``at``, against its value there (``[10, 22]``)."""
    if problem_params.at and result.get("at_numeric") is not None:
        return check_values_at_point(
            check, result["at_value"], result["at_numeric"], "gradient", single=False
        )
    names = list(result["variables"])
    f = _parse(problem_params.expression, dict(problem_params))
    outcome = check_list(
        answer_list(check.answer),
        list(result["gradient"]),
        check.test,
        variables=names,
        rtol=check.rtol,
        atol=check.atol,
        original=f,
        wrts=names,
        functions=problem_params.functions,
    )
    return outcome.to_dict()


@job_kind(
    "gradient",
    title="Gradient, Hessian, Jacobian",
    params=GradientParams,
    result=GradientResult,
    check_problem=check_gradient_answer,
)
def run_gradient(params: GradientParams) -> JobOutput:
    """Compute the gradient (or Jacobian) with traced partial derivatives."""
    texts = [params.expression] if params.expression is not None else params.expressions
    exprs = [_parse(t, dict(params)) for t in texts]
    if params.variables is not None:
        variables = [variable(name) for name in params.variables]
    else:
        free = set().union(*(free_variables(e) for e in exprs))
        variables = sorted(free, key=lambda s: s.name)
    if not variables:
        raise JobInputError(
            "No variables", "the expression has no variables: name them in 'variables'"
        )
    at = None
    if params.at is not None:
        at = {variable(name): parse_number_field(value) for name, value in params.at.items()}
        missing = [str(v) for v in variables if v not in at]
        if missing:
            raise JobInputError(
                "The point is incomplete", f"'at' gives no value for: {', '.join(missing)}"
            )
        if any(value.is_finite is not True for value in at.values()):
            raise JobInputError(
                "The point is not finite", "every coordinate in 'at' must be a finite number"
            )
    if params.expressions is not None:
        result, steps = jacobian_result(exprs, variables, at)
    elif params.data:
        result, steps = gradient_result(exprs[0], variables, None, hessian=params.hessian)
        if at is not None:
            steps.append(_at_over_rows(result, exprs[0], variables, at, data_arrays(params.data)))
    else:
        result, steps = gradient_result(exprs[0], variables, at, hessian=params.hessian)
    return JobOutput(result=result, steps=steps)
