"""Exact numbers from requests: JSON numbers and strings such as ``"pi/2"``."""

from __future__ import annotations

import math

import sympy

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.expr_builder import ExprBuilder
from shared.mathcore.parsing.limits import ParseLimits
from shared.mathcore.parsing.parser import parse_expression


def parse_number(value: str | int | float, **limits: int) -> sympy.Expr:
    """Return the exact constant a request sent.

    A JSON float becomes the exact rational of its shortest decimal form
    (0.1 is 1/10, not 3602879701896397/36028797018963968); a string is
    parsed as an expression that must be constant (``"pi/2"``, ``"1/3"``,
    ``"-oo"``, ``"sqrt(2)"``, ``"e"``). Raises ParseError.

    >>> parse_number(0.1), parse_number("pi/2"), parse_number("-oo")
    (1/10, pi/2, -oo)
    """
    bounds = ParseLimits.with_overrides(limits)
    if isinstance(value, bool):  # a bool is an int to Python, never a number to us
        raise ParseError("not a number", 0, expected="a number or a string such as 'pi/2'")
    if isinstance(value, int):
        if value.bit_length() > bounds.max_literal_digits * math.log2(10) + 1:
            raise ParseError(
                "number too long",
                0,
                reason=f"a number may have at most {bounds.max_literal_digits} digits",
            )
        return sympy.Integer(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise ParseError("not a number", 0, expected="a finite number, 'oo' or '-oo'")
        if math.isinf(value):
            return sympy.oo if value > 0 else -sympy.oo
        text = repr(abs(value))
        number = ExprBuilder(bounds).number(text, 0)
        return -number if value < 0 else number
    if not isinstance(value, str):
        raise ParseError("not a number", 0, expected="a number or a string such as 'pi/2'")
    expr = parse_expression(value, **limits)
    if expr.free_symbols:
        name = sorted(s.name for s in expr.free_symbols)[0]
        position = max(value.find(name), 0)
        raise ParseError(
            f"'{name}' is not a number",
            position,
            expected="a constant such as 2, 1/3, pi/2, sqrt(2), e or -oo",
        )
    return expr
