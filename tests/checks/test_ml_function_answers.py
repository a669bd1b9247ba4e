"""check with the ML functions: an answer in sigmoid/softplus/relu/... is graded by value."""

from __future__ import annotations

import pytest

from shared.jobs.registry import load_kinds


def check(answer: str, expected: str) -> dict:
    kind = load_kinds()["check"]
    return kind.run(kind.params_model(answer=answer, expected=expected)).result


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("sigmoid(x)(1 - sigmoid(x))", "e^(-x)/(1+e^(-x))^2"),
        ("σ(x)", "1/(1 + e^(-x))"),
        ("softplus(x)", "ln(1 + e^x)"),  # far left, 1 + e^x rounds to 1: no false "wrong"
        ("relu(x)", "max(0, x)"),
        ("logsumexp(x, y)", "ln(e^x + e^y)"),
        ("cbrt(x)", "x^(1/3)"),
        ("2xy", "2*x*y"),
        ("xsinx", "x*sin(x)"),
    ],
)
def test_equal_forms_are_correct(answer, expected):
    result = check(answer, expected)
    assert result["correct"] is True, result["feedback"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("sigmoid(x)", "e^(-x)/(1+e^(-x))^2"), ("softplus(x)", "sigmoid(x)"), ("relu(x)", "x")],
)
def test_different_functions_are_wrong(answer, expected):
    result = check(answer, expected)
    assert result["correct"] is False and result["decided"] is True
