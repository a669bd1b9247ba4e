"""/v1/parse: how the service reads an expression, for previews as a user types.

Cheap by design: no job and no queue, only the bounded parser and the
printers. A parse error answers 422 with the 0-based ``position``.
"""

from __future__ import annotations

import sympy
from flask import json
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from services.api.problems import ApiProblem, problem_response
from services.api.responses import json_response
from services.api.spec import error_responses
from services.api.validation import budgeted
from shared.jobs.fields import DataColumns, ExpressionText, FunctionNames, Syntax, VariableName
from shared.mathcore.parsing.parser import ParseError, parse_expression
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.reductions import DataColumn
from shared.mathcore.symbols import generic_order

bp = APIBlueprint("parse", __name__, url_prefix="/v1", abp_tags=[Tag(name="parse")])


class ParseRequest(BaseModel):
    """An expression and the names it is read with, as in a job's params."""

    model_config = ConfigDict(extra="forbid")

    expression: ExpressionText
    syntax: Syntax = "plain"
    variables: list[VariableName] | None = Field(
        default=None, max_length=50, description="declared variables (lr stays whole)"
    )
    functions: FunctionNames | None = Field(
        default=None, description="generic function names besides f, g, h"
    )
    data: DataColumns | None = Field(
        default=None, description="data columns {name: [numbers]}; only their names matter here"
    )


class ParseResult(BaseModel):
    """How the service reads the expression."""

    expression: str = Field(description="canonical plain form; parses back to the same value")
    latex: str
    variables: list[str] = Field(description="the variables (symbols) it contains, sorted")
    functions: list[str] = Field(description="the generic functions it applies, sorted")
    data: list[str] = Field(description="the data columns it uses, sorted")


@bp.post(
    "/parse",
    responses={200: ParseResult, **error_responses(400, 401, 413, 415, 422, 429)},
)
def parse(body: ParseRequest):
    """Read an expression the way jobs read it."""
    try:
        # Read in a validator process under the budget, as job params are.
        reading = budgeted(
            read_expression,
            body.expression,
            body.variables,
            body.syntax,
            body.functions,
            list(body.data or ()),
        )
    except ParseError as exc:
        return parse_problem(exc)
    return json_response(reading)


def read_expression(expression, variables, syntax, functions, data) -> dict:
    """Parse ``expression`` and describe the reading (runs in a validator)."""
    expr = parse_expression(expression, variables, syntax=syntax, functions=functions, data=data)
    return reading_of(expr)


def reading_of(expr: sympy.Expr) -> dict:
    """The response body for a parsed expression."""
    symbols = expr.free_symbols
    generic = {
        generic_order(type(call))[0]
        for call in expr.atoms(sympy.Function)
        if generic_order(type(call)) is not None
    }
    return {
        "expression": to_plain(expr),
        "latex": to_latex(expr),
        "variables": sorted(s.name for s in symbols if not isinstance(s, DataColumn)),
        "functions": sorted(generic),
        "data": sorted(s.name for s in symbols if isinstance(s, DataColumn)),
    }


def parse_problem(exc: ParseError):
    """422 with the error's position, in the errors entry and at the top level."""
    response = problem_response(
        ApiProblem(
            422,
            "Invalid expression",
            str(exc),
            type_="parse-error",
            errors=[{"field": "expression", "message": str(exc), "position": exc.position}],
        )
    )
    body = json.loads(response.get_data())
    body["position"] = exc.position
    response.set_data(json.dumps(body))
    return response
