"""The ``gradient`` kind: gradient (each partial traced), value, norm and
steepest descent at a point, Hessian with eigenvalues; a Jacobian for a list."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.answers import answer_list
from shared.jobs.fields import (
    ExpressionText,
    FiniteNumber,
    KindParams,
    Syntax,
    VariableName,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.checks import check_list
from shared.mathcore.gradient import gradient_result, jacobian_result
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
    expressions: list[ExpressionText] | None = Field(
        default=None, min_length=1, max_length=MAX_VARIABLES
    )
    expression: ExpressionText | None = None

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is not None:
            parse_field(text, variables=_names(info.data), syntax=info.data.get("syntax", "plain"))
        return text

    @field_validator("expressions")
    @classmethod
    def _each_parses(cls, texts: list[str] | None, info: ValidationInfo) -> list[str] | None:
        for text in texts or []:
            parse_field(text, variables=_names(info.data), syntax=info.data.get("syntax", "plain"))
        return texts

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.expression is None) == (self.expressions is None):
            raise ValueError("give either 'expression' (gradient) or 'expressions' (Jacobian)")
        if self.expressions is not None and self.hessian:
            raise ValueError("'hessian' goes with a single 'expression'")
        return self


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


def check_gradient_answer(check, problem_params: GradientParams, result: dict) -> dict:
    """Grade an answer to a gradient problem: entry i against the i-th partial."""
    names = list(result["variables"])
    f = parse_field(problem_params.expression, variables=names, syntax=problem_params.syntax)
    outcome = check_list(
        answer_list(check.answer),
        list(result["gradient"]),
        check.test,
        variables=names,
        rtol=check.rtol,
        atol=check.atol,
        original=f,
        wrts=names,
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
    names = _names(dict(params))
    texts = [params.expression] if params.expression is not None else params.expressions
    exprs = [parse_field(t, variables=names, syntax=params.syntax) for t in texts]
    if params.variables is not None:
        variables = [variable(name) for name in params.variables]
    else:
        free = set().union(*(e.free_symbols for e in exprs))
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
    else:
        result, steps = gradient_result(exprs[0], variables, at, hessian=params.hessian)
    return JobOutput(result=result, steps=steps)
