"""The ``check`` job kind: params validation and answers checked against solved problems."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.jobs.registry import get_kind


@pytest.fixture(scope="module")
def kind():
    found = get_kind("check")
    assert found is not None
    return found


def run(kind, params: dict) -> dict:
    return kind.run(kind.params_model.model_validate(params)).result


def test_expected_given(kind) -> None:
    result = run(kind, {"answer": "sin(2x)", "expected": "2sin(x)cos(x)"})
    assert result["correct"] is True and result["feedback"] == "Correct."
    assert result["test"] == "equivalent"


def test_unreadable_answer_is_a_result_not_a_refusal(kind) -> None:
    result = run(kind, {"answer": "x^2 +", "expected": "x^2"})
    assert result["correct"] is False and result["mistake"] == "unparseable"


def test_derivative_problem_names_the_mistake(kind) -> None:
    problem = {"kind": "derivative", "params": {"expression": "sin(3x)"}}
    result = run(kind, {"answer": "cos(3x)", "problem": problem})
    assert result["correct"] is False and result["mistake"] == "missing_chain_factor"
    assert result["problem_result"]["expression"]  # the solved derivative is shown
    assert run(kind, {"answer": "3cos(3x)", "problem": problem})["correct"] is True


def test_second_order_mistakes_refer_to_the_last_step(kind) -> None:
    problem = {"kind": "derivative", "params": {"expression": "sin(x^2)", "order": 2}}
    # d/dx[2x cos(x^2)] written as 2x * (-sin(x^2)) * 2x only: the product rule's other term.
    result = run(kind, {"answer": "-4x^2 sin(x^2)", "problem": problem})
    assert result["correct"] is False and result["mistake"] == "missing_term"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"answer": "x"}, "either"),
        ({"answer": "x", "expected": "x +"}, "expected"),
        (
            {"answer": "x", "problem": {"kind": "derivative", "params": {"expression": "x^^2"}}},
            "problem",
        ),
        ({"answer": "x", "problem": {"kind": "fit", "params": {}}}, "problem"),
        ({"answer": ["x"], "expected": "x"}, "one expression"),
        ({"answer": "x", "expected": "x", "test": "close_enough"}, "test"),
        ({"answer": "x", "expected": "x", "rtol": -1}, "rtol"),
    ],
)
def test_invalid_params_are_refused(kind, params, field) -> None:
    with pytest.raises(ValidationError) as caught:
        kind.params_model.model_validate(params)
    assert field in str(caught.value)


def test_gradient_problem_scores_entries(kind) -> None:
    if get_kind("gradient") is None:
        pytest.skip("the gradient kind is not registered yet")
    problem = {
        "kind": "gradient",
        "params": {"expression": "x^2 y + sin(y)", "variables": ["x", "y"]},
    }
    result = run(kind, {"answer": "[2x y, x^2 + cos(y)]", "problem": problem})
    assert result["correct"] is True and result["score"] == 1.0
    half = run(kind, {"answer": ["2x y", "x^2"], "problem": problem})
    assert half["score"] == 0.5


def test_extrema_problem_compares_point_sets(kind) -> None:
    if get_kind("extrema") is None:
        pytest.skip("the extrema kind is not registered yet")
    problem = {
        "kind": "extrema",
        "params": {"expression": "x^3 - 3x", "variable": "x", "interval": ["-oo", "oo"]},
    }
    result = run(kind, {"answer": "1, -1", "problem": problem})
    assert result["correct"] is True
    only_min = run(kind, {"answer": [1], "problem": problem, "points": "local_min"})
    assert only_min["correct"] is True
    half = run(kind, {"answer": "1", "problem": problem})
    assert half["score"] == 0.5


def test_a_long_answer_is_accepted(kind) -> None:
    # 40 terms, over 300 characters: a string answer has the expression limit, not 100.
    terms = " + ".join(f"{k}x^{k}" for k in range(1, 41))
    assert len(terms) > 300
    result = run(kind, {"answer": terms, "expected": terms})
    assert result["correct"] is True
    with pytest.raises(ValidationError):
        kind.params_model.model_validate(
            {"answer": ["x"] * 101, "problem": {"kind": "gradient", "params": {"expression": "x"}}}
        )
