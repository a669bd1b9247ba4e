"""Field types and parsing hooks shared by the params models of every kind.

Expressions stay strings in params (stored as the user sent them) and are
parsed in validators, so a bad expression is a 422 naming the field and the
character position, before anything is queued.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Literal

import sympy
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from shared.mathcore.parsing.numbers import parse_number
from shared.mathcore.parsing.parser import ParseError, parse_equation, parse_expression

MAX_EXPRESSION_CHARS = 2000
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?$")

Syntax = Literal["plain", "latex"]


def _check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise PydanticCustomError(
            "variable_name",
            "{name!r} is not a variable name (letters, digits, w_1)",
            {"name": name},
        )
    return name


VariableName = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_check_name)]
ExpressionText = Annotated[str, Field(min_length=1, max_length=MAX_EXPRESSION_CHARS)]


def _check_number(value: str | int | float) -> str | int | float:
    parse_number_field(value)
    return value


ExactNumber = Annotated[
    int | float | Annotated[str, Field(min_length=1, max_length=200)], AfterValidator(_check_number)
]


class KindParams(BaseModel):
    """Base of every params model: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_field(
    text: str,
    *,
    variables: Sequence[str] | None = None,
    syntax: Syntax = "plain",
    evaluate: bool = True,
) -> sympy.Expr:
    """Parse an expression field, turning a ParseError into a pydantic error."""
    try:
        return parse_expression(text, variables, syntax=syntax, evaluate=evaluate)
    except ParseError as exc:
        raise PydanticCustomError(
            "parse_error", "{message}", {"message": str(exc), "position": exc.position}
        ) from None


def parse_equation_field(
    text: str, *, variables: Sequence[str] | None = None, syntax: Syntax = "plain"
) -> tuple[sympy.Expr, sympy.Expr]:
    """Parse ``lhs = rhs``, turning a ParseError into a pydantic error."""
    try:
        return parse_equation(text, variables, syntax=syntax)
    except ParseError as exc:
        raise PydanticCustomError(
            "parse_error", "{message}", {"message": str(exc), "position": exc.position}
        ) from None


def parse_number_field(value: str | int | float) -> sympy.Expr:
    """Parse an exact number (``"pi/2"``, ``"1/3"``, ``"-oo"``, ``0.5``)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number", "expected a number, not a boolean")
    try:
        return parse_number(value)
    except ParseError as exc:
        raise PydanticCustomError(
            "parse_error", "{message}", {"message": str(exc), "position": exc.position}
        ) from None
    except (ValueError, OverflowError) as exc:
        raise PydanticCustomError("number", "{message}", {"message": str(exc)}) from None
