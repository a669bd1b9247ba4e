"""One work budget per job: when it is spent, results are correct, unsimplified, and say so."""

from __future__ import annotations

import sympy

from shared.jobs.kinds.derivative import DerivativeParams, run_derivative
from shared.jobs.kinds.gradient import GradientParams, run_gradient
from shared.mathcore.budget import job_budget
from shared.mathcore.parsing.parser import parse_expression


def _flags(steps):
    for step in steps:
        yield step.get("simplified")
        yield from _flags(step["substeps"])


def test_a_spent_budget_leaves_the_derivative_unsimplified_and_says_so():
    params = DerivativeParams.model_validate({"expression": "x/(x + 1)", "variable": "x"})
    with job_budget(20.0, work_fraction=0.0):
        output = run_derivative(params)
    assert output.result["simplified"] is False
    assert False in _flags(output.steps)
    x = sympy.Symbol("x", real=True)
    got = parse_expression(output.result["expression"], ["x"])
    assert sympy.simplify(got - 1 / (x + 1) ** 2) == 0  # correct, if not the shortest


def test_with_budget_left_the_derivative_is_simplified():
    params = DerivativeParams.model_validate({"expression": "x/(x + 1)", "variable": "x"})
    with job_budget(20.0):
        output = run_derivative(params)
    assert output.result["simplified"] is True
    assert False not in _flags(output.steps)
    assert output.result["expression"] == "1/(x + 1)^2"


def test_a_spent_budget_leaves_the_gradient_unsimplified_and_says_so():
    params = GradientParams.model_validate(
        {"expression": "x/(x + y)", "at": {"x": 1, "y": 2}, "hessian": True}
    )
    with job_budget(20.0, work_fraction=0.0):
        output = run_gradient(params)
    assert output.result["simplified"] is False
    assert False in _flags(output.steps)
    assert output.result["at_numeric"] == [2 / 9, -1 / 9]
