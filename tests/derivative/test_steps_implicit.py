"""Implicit differentiation against dy/dx = -F_x/F_y, with every step checked."""

from __future__ import annotations

import pytest
import sympy
from sympy import cos, exp, log, sin

from shared.mathcore.derivative import implicit_derivative_trace, iter_checks
from shared.mathcore.printing import to_plain
from shared.mathcore.symbols import variable
from tests.derivative.steps_oracle import check_equal, check_step

x, y = variable("x"), variable("y")

EQUATIONS = [
    (x**2 + y**2, sympy.Integer(25)),
    (x**3 + y**3, 6 * x * y),
    (sin(x * y), x + y),
    (exp(y) + x * y, sympy.E),
    (y**2, x**3 - x),
    (x * log(y) + y**3, cos(x)),
    (sympy.sqrt(x + y), 3 * x),
    (y / (x + 1), x**2 + y**2),
]


@pytest.mark.parametrize(("lhs", "rhs"), EQUATIONS, ids=str)
def test_matches_the_implicit_function_formula(lhs, rhs):
    trace = implicit_derivative_trace(lhs, rhs, x, y)
    F = lhs - rhs
    reference = -sympy.diff(F, x) / sympy.diff(F, y)
    assert check_equal(trace.result, reference, domain=reference, main=x).status == "ok"
    for i, (before, after, var, kind) in enumerate(iter_checks(trace)):
        outcome = check_step(before, after, var, kind, seed=i)
        assert outcome.status == "ok", (kind, outcome.detail)


def test_circle_textbook_steps():
    trace = implicit_derivative_trace(x**2 + y**2, sympy.Integer(25), x, y)
    assert trace.result == -x / y
    rules = [step["rule"] for step in trace.steps]
    assert rules[:3] == ["differentiate_both_sides", "collect", "solve"]
    first = trace.steps[0]
    assert first["before"].endswith("= 25")
    assert "y'" in first["after"] and "y(x)" not in first["after"]
    assert "Derivative" not in str(trace.steps)
    assert trace.steps[-1]["after"] == to_plain(-x / y)


def test_equation_without_the_dependent_variable_is_refused():
    with pytest.raises(ValueError):
        implicit_derivative_trace(x**2, sympy.Integer(4), x, y)


def test_dependent_variable_named_like_the_chain_rule_name():
    u = variable("u")
    trace = implicit_derivative_trace(sympy.sin(u) + u**2, x**3, x, u)
    reference = 3 * x**2 / (sympy.cos(u) + 2 * u)
    assert check_equal(trace.result, reference, main=x).status == "ok"
    assert "Apply the chain rule with v = u" in str(trace.steps)
