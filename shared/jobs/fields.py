"""Field types and parsing hooks shared by the params models of every kind.

Expressions stay strings in params (stored as the user sent them) and are
parsed in validators, so a bad expression is a 422 naming the field and the
character position, before anything is queued.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Annotated, Literal

import sympy
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from shared.mathcore.parsing.numbers import parse_number
from shared.mathcore.parsing.parser import ParseError, parse_equation, parse_expression
from shared.mathcore.parsing.tokenizer import GREEK_CHARS
from shared.mathcore.reductions import MAX_ROWS, DataError, validate_data

MAX_EXPRESSION_CHARS = 2000
MAX_DATA_COLUMNS = 50
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)?$")

Syntax = Literal["plain", "latex"]


def _check_name(name: str) -> str:
    # A Greek letter is its name, as in expressions: "θ" is theta, "θ_1" is theta_1.
    if name[:1] in GREEK_CHARS and GREEK_CHARS[name[0]] != "oo":
        name = GREEK_CHARS[name[0]] + name[1:]
    if not NAME_PATTERN.match(name):
        raise PydanticCustomError(
            "variable_name",
            "'{name}' is not a variable name (letters, digits, w_1, θ)",
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


def _check_finite(value: str | int | float) -> str | int | float:
    number = parse_number_field(value)
    if not (number.is_real and number.is_finite):
        raise PydanticCustomError(
            "finite_number",
            "expected a finite real number here, not {value}",
            {"value": str(value)},
        )
    return value


FiniteNumber = Annotated[
    int | float | Annotated[str, Field(min_length=1, max_length=200)], AfterValidator(_check_finite)
]
"""A coordinate of a point (``at``, ``start``): NaN, Infinity, ``"nan"``, ``"oo"`` are a 422."""

FunctionNames = Annotated[list[VariableName], Field(max_length=20)]
"""Generic function names a job declares (``["phi"]``), besides ``f``, ``g``, ``h``."""


def _check_data(data: dict[str, list[float]]) -> dict[str, list[float]]:
    try:
        validate_data(data)
    except DataError as exc:
        raise PydanticCustomError("data", "{message}", {"message": str(exc)}) from None
    return data


DataColumns = Annotated[
    dict[VariableName, Annotated[list[float], Field(min_length=1, max_length=MAX_ROWS)]],
    Field(min_length=1, max_length=MAX_DATA_COLUMNS),
    AfterValidator(_check_data),
]
"""``"data": {name: [numbers]}``: equal-length finite columns of 1 to 100,000 rows.
Turn into arrays for the engine with ``reductions.validate_data``."""


class KindParams(BaseModel):
    """Base of every params model: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_field(
    text: str,
    *,
    variables: Sequence[str] | None = None,
    syntax: Syntax = "plain",
    evaluate: bool = True,
    functions: Sequence[str] | None = None,
    data: Collection[str] | None = None,
) -> sympy.Expr:
    """Parse an expression field, turning a ParseError into a pydantic error.

    ``functions``: declared generic function names; ``data``: the names of the
    job's data columns (usable only inside ``sum``/``mean``).
    """
    try:
        return parse_expression(
            text, variables, syntax=syntax, evaluate=evaluate, functions=functions, data=data
        )
    except ParseError as exc:
        raise PydanticCustomError(
            "parse_error", "{message}", {"message": str(exc), "position": exc.position}
        ) from None


def parse_equation_field(
    text: str,
    *,
    variables: Sequence[str] | None = None,
    syntax: Syntax = "plain",
    functions: Sequence[str] | None = None,
) -> tuple[sympy.Expr, sympy.Expr]:
    """Parse ``lhs = rhs``, turning a ParseError into a pydantic error."""
    try:
        return parse_equation(text, variables, syntax=syntax, functions=functions)
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
