"""The ``derivative`` kind: traced derivatives, orders, partials, implicit, at a point."""

from __future__ import annotations

from typing import Self

import sympy
from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.answers import check_values_at_point, problem_names
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
    parse_equation_field,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.at_point import derivative_value
from shared.mathcore.checks import check_answer
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
    at: dict[VariableName, FiniteNumber] | None = Field(default=None, max_length=20)
    implicit: ImplicitSpec | None = None
    data: DataColumns | None = Field(
        default=None, description="columns the expression's sum(...) and mean(...) run over"
    )
    functions: FunctionNames | None = Field(
        default=None, description="generic function names besides f, g, h, e.g. ['phi']"
    )
    expression: ExpressionText

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str, info: ValidationInfo) -> str:
        data = info.data
        names = declared_names(data)
        syntax = data.get("syntax", "plain")
        check_not_variables(names, data.get("data"))
        if data.get("implicit") is not None:
            if data.get("data"):
                raise ValueError("'data' does not go with 'implicit'")
            parse_equation_field(
                text, variables=names, syntax=syntax, functions=data.get("functions")
            )
            return text
        expr = parse_field(
            text,
            variables=names,
            syntax=syntax,
            data=column_names(data.get("data")),
            functions=data.get("functions"),
        )
        if data.get("variable") is None and data.get("variables") is None:
            if len(free_variables(expr)) > 1:
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


def _value_over_rows(expr: sympy.Expr, at: dict, arrays: dict) -> dict:
    """The derivative at ``at`` with its sums and means taken over every row (floats)."""
    point = {variable(name): parse_number_field(value) for name, value in at.items()}
    missing = sorted(str(s) for s in free_variables(expr) - set(point))
    if missing:
        raise JobInputError(
            "The point is incomplete", f"'at' gives no value for: {', '.join(missing)}"
        )
    (numeric,) = values_over_rows([expr], point, arrays)
    rows = len(next(iter(arrays.values())))
    # No exact value: a sum over the rows in floating point.
    return {
        "value": None,
        "numeric": numeric,
        "defined_at_point": numeric is not None,
        "rows": rows,
    }


class DerivativeResult(KindResult):
    """The derivative, and with ``at`` its value there."""

    expression: str = Field(description="the derivative, in canonical plain form")
    latex: str
    value: str | None = Field(default=None, description="exact value at 'at' (null: undefined)")
    numeric: float | None = None
    defined_at_point: bool | None = None


def check_derivative_answer(check, problem_params: DerivativeParams, result: dict) -> dict:
    """Grade an answer to a derivative problem: the expected answer is the
    derivative, and mistakes are named on its last differentiation."""
    if problem_params.at and "numeric" in result:
        return check_values_at_point(
            check, [result.get("value")], [result.get("numeric")], "derivative", single=True
        )
    if not isinstance(check.answer, str):
        raise JobInputError("Answer of the wrong shape", "a derivative answer is one expression")
    names = problem_names(problem_params)
    original, wrt = None, None
    if problem_params.implicit is None:
        f = parse_field(
            problem_params.expression,
            variables=names,
            syntax=problem_params.syntax,
            functions=problem_params.functions,
        )
        sequence = [variable(v) for v in (problem_params.variables or [])]
        if not sequence:
            name = problem_params.variable or (
                str(min(f.free_symbols, key=str)) if f.free_symbols else "x"
            )
            sequence = [variable(name)] * problem_params.order
        # Mistakes are named on the last differentiation: d/dx of the one before.
        original = sympy.diff(f, *sequence[:-1]) if len(sequence) > 1 else f
        wrt = sequence[-1]
    outcome = check_answer(
        check.answer,
        result["expression"],
        check.test,
        variables=names or None,
        rtol=check.rtol,
        atol=check.atol,
        original=original,
        wrt=wrt,
        syntax=check.syntax,
        functions=problem_params.functions,
    )
    return outcome.to_dict()


@job_kind(
    "derivative",
    title="Derivative with steps",
    params=DerivativeParams,
    result=DerivativeResult,
    check_problem=check_derivative_answer,
)
def run_derivative(params: DerivativeParams) -> JobOutput:
    """Differentiate with a rule-by-rule trace."""
    names = declared_names(dict(params))
    if params.implicit is not None:
        lhs, rhs = parse_equation_field(
            params.expression, variables=names, syntax=params.syntax, functions=params.functions
        )
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
        columns = column_names(params.data)
        expr = parse_field(
            params.expression,
            variables=names,
            syntax=params.syntax,
            data=columns,
            functions=params.functions,
        )
        if params.variables is not None:
            sequence = [variable(name) for name in params.variables]
        else:
            name = params.variable
            if name is None:
                free = sorted(free_variables(expr), key=str)
                name = str(free[0]) if free else "x"
            sequence = [variable(name)] * params.order
        trace = derivative_trace(expr, sequence)
    result = {
        "expression": to_plain(trace.result),
        "latex": to_latex(trace.result),
        "simplified": trace.simplified,
    }
    if params.at and params.data:
        result.update(_value_over_rows(trace.result, params.at, data_arrays(params.data)))
    elif params.at:
        result.update(_value_at(trace, params.at))
    return JobOutput(result=result, steps=trace.steps)
