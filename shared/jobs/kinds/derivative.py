"""The ``derivative`` kind: traced derivatives, orders, partials, implicit, at a point."""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.fields import (
    ExactNumber,
    ExpressionText,
    KindParams,
    Syntax,
    VariableName,
    parse_equation_field,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, job_kind
from shared.mathcore.at_point import derivative_value
from shared.mathcore.derivative import DerivativeTrace, derivative_trace
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.symbols import variable

MAX_ORDER = 10


class ImplicitSpec(KindParams):
    dependent: VariableName = Field(description="the variable that depends on the other, e.g. y")


class DerivativeParams(KindParams):
    """Params of a derivative job, as in the contract."""

    # Declared before `expression`: its validator reads them to parse it.
    syntax: Syntax = "plain"
    variable: VariableName | None = None
    variables: list[VariableName] | None = Field(default=None, min_length=1, max_length=MAX_ORDER)
    order: int = Field(default=1, ge=1, le=MAX_ORDER)
    at: dict[VariableName, ExactNumber] | None = Field(default=None, max_length=20)
    implicit: ImplicitSpec | None = None
    expression: ExpressionText

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str, info: ValidationInfo) -> str:
        data = info.data
        names = declared_names(data)
        syntax = data.get("syntax", "plain")
        if data.get("implicit") is not None:
            parse_equation_field(text, variables=names, syntax=syntax)
            return text
        expr = parse_field(text, variables=names, syntax=syntax)
        if data.get("variable") is None and data.get("variables") is None:
            if len(expr.free_symbols) > 1:
                raise ValueError(
                    "the expression has several variables: say which with 'variable' or 'variables'"
                )
        return text

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.variable is not None and self.variables is not None:
            raise ValueError("give either 'variable' or 'variables', not both")
        if self.variables is not None and self.order != 1:
            raise ValueError("'order' goes with 'variable'; list a mixed partial in 'variables'")
        return self


def declared_names(data: dict) -> list[str]:
    """Every variable name the params declare (for splitting ``xy``)."""
    names = list(data.get("variables") or [])
    implicit = data.get("implicit")
    for extra in (data.get("variable"), implicit.dependent if implicit else None):
        if extra is not None:
            names.append(extra)
    names.extend(name for name in (data.get("at") or {}) if name not in names)
    return names


def _value_at(trace: DerivativeTrace, at: dict[str, str | int | float]) -> dict:
    point = {variable(name): parse_number_field(value) for name, value in at.items()}
    missing = sorted(str(s) for s in trace.result.free_symbols - set(point))
    if missing:
        raise JobInputError(
            "The point is incomplete", f"'at' gives no value for: {', '.join(missing)}"
        )
    stages = trace.stages or (trace.result,)  # implicit: the formula for dy/dx alone
    found = derivative_value(stages, trace.variables if trace.stages else (), point)
    out = {
        "value": None if found.value is None else to_plain(found.value),
        "numeric": found.numeric,
        "defined_at_point": found.defined,
    }
    if found.reason:
        out["reason"] = found.reason
    if not found.simplified:
        out["simplified"] = False  # the exact value was left as substituted
    return out


@job_kind("derivative", params=DerivativeParams)
def run_derivative(params: DerivativeParams) -> JobOutput:
    """Differentiate with a rule-by-rule trace."""
    names = declared_names(dict(params))
    if params.implicit is not None:
        lhs, rhs = parse_equation_field(params.expression, variables=names, syntax=params.syntax)
        y = variable(params.implicit.dependent)
        others = sorted((lhs - rhs).free_symbols - {y}, key=str)
        x = variable(params.variable) if params.variable else (others[0] if others else None)
        if x is None:
            raise JobInputError("No independent variable", "the equation has no other variable")
        from shared.mathcore.derivative import implicit_derivative_trace

        try:
            trace = implicit_derivative_trace(lhs, rhs, x, y)
        except ValueError as exc:  # y absent, or dy/dx drops out of the equation
            raise JobInputError("No implicit derivative", str(exc)) from None
    else:
        expr = parse_field(params.expression, variables=names, syntax=params.syntax)
        if params.variables is not None:
            sequence = [variable(name) for name in params.variables]
        else:
            name = params.variable
            if name is None:
                free = sorted(expr.free_symbols, key=str)
                name = str(free[0]) if free else "x"
            sequence = [variable(name)] * params.order
        trace = derivative_trace(expr, sequence)
    result = {
        "expression": to_plain(trace.result),
        "latex": to_latex(trace.result),
        "simplified": trace.simplified,
    }
    if params.at:
        result.update(_value_at(trace, params.at))
    return JobOutput(result=result, steps=trace.steps)
