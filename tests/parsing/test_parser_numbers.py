"""Exact numbers from requests (``parse_number``)."""

from __future__ import annotations

import pytest
import sympy as sp

from shared.mathcore.parsing.numbers import parse_number
from shared.mathcore.parsing.parser import ParseError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, sp.Integer(3)),
        (-7, sp.Integer(-7)),
        (0.1, sp.Rational(1, 10)),
        (-2.5, sp.Rational(-5, 2)),
        (1e-7, sp.Rational(1, 10**7)),
        (2.5e10, sp.Integer(25_000_000_000)),
        (1 / 3, sp.Rational(3333333333333333, 10**16)),  # the shortest repr, exactly
        (float("inf"), sp.oo),
        (float("-inf"), -sp.oo),
        ("pi/2", sp.pi / 2),
        ("1/3", sp.Rational(1, 3)),
        ("-oo", -sp.oo),
        ("oo", sp.oo),
        ("sqrt(2)", sp.sqrt(2)),
        ("e", sp.E),
        ("2e-3", sp.Rational(1, 500)),
        (" -3.25 ", sp.Rational(-13, 4)),
        ("ln 2", sp.log(2)),
        ("π/4", sp.pi / 4),
    ],
)
def test_exact_values(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("x", "'x' is not a number"),
        ("2 + y", "'y' is not a number"),
        ("", "empty expression"),
        ("1/0", "division by zero"),
        ("9^9^9", "number too large"),
        (True, "not a number"),
        (None, "not a number"),
        ([1], "not a number"),
        (float("nan"), "not a number"),
        (10**101, "number too long"),
        ("1" * 101, "number too long"),
        ("__import__('os')", "unexpected character"),
    ],
)
def test_refused(value, fragment):
    with pytest.raises(ParseError) as info:
        parse_number(value)
    assert fragment in str(info.value)


def test_position_of_a_free_symbol():
    with pytest.raises(ParseError) as info:
        parse_number("2 + y")
    assert info.value.position == 4


def test_huge_float_is_exact_and_bounded():
    assert parse_number(1e300) == sp.Integer(10) ** 300
    assert parse_number(5e-324) == sp.Rational(5, 10**324)
