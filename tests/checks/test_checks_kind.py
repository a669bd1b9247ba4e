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


# ---- problems at a point expect values. Oracle, by hand: the gradient of
# x^2 + 2xy + 3y^2 is (2x + 2y, 2x + 6y), which is (10, 22) at (2, 3).
GRADIENT_AT = {
    "kind": "gradient",
    "params": {"expression": "x^2 + 2xy + 3y^2", "at": {"x": 2, "y": 3}},
}


@pytest.mark.parametrize("answer", ["[10, 22]", "10, 22", [10, 22], ["10.0", "22"], "[20/2, 2*11]"])
def test_gradient_at_a_point_expects_its_values(kind, answer) -> None:
    result = run(kind, {"answer": answer, "problem": GRADIENT_AT})
    assert result["correct"] is True and result["score"] == 1.0, result
    assert result["expected"] == ["10", "22"]


def test_gradient_at_a_point_grades_each_value(kind) -> None:
    result = run(kind, {"answer": "[10, 21]", "problem": GRADIENT_AT})
    assert result["correct"] is False and result["score"] == 0.5
    assert "derivative" not in result["feedback"]  # no talk of a second derivative
    formula = run(kind, {"answer": "[2x + 2y, 2x + 6y]", "problem": GRADIENT_AT})
    assert formula["correct"] is False  # the formula is not the value at the point


def test_derivative_at_a_point_expects_its_value(kind) -> None:
    problem = {"kind": "derivative", "params": {"expression": "x^3", "at": {"x": 2}}}
    assert run(kind, {"answer": "12", "problem": problem})["correct"] is True  # 3 * 2^2
    formula = run(kind, {"answer": "3x^2", "problem": problem})
    assert formula["correct"] is False and formula["mistake"] == "expected_a_value"
    assert run(kind, {"answer": "11", "problem": problem})["correct"] is False


def test_derivative_undefined_at_the_point_is_undecided(kind) -> None:
    problem = {"kind": "derivative", "params": {"expression": "1/x", "at": {"x": 0}}}
    result = run(kind, {"answer": "1", "problem": problem})
    assert result["correct"] is False and result["decided"] is False


# x^3 - 3x on [-2, 3]: f(-2) = -8 + 6 = -2, f(1) = 1 - 3 = -2, f(-1) = 2, f(3) = 18:
# the global minimum -2 is attained at x = -2 and at x = 1 (by hand).
TIES = {
    "kind": "extrema",
    "params": {"expression": "x^3 - 3x", "variable": "x", "interval": [-2, 3]},
}


@pytest.mark.parametrize(
    "answer, ties, correct, score",
    [
        ("-2, 1", "all", True, 1.0),
        ([1, -2], "all", True, 1.0),
        ("-2", "all", False, 0.5),
        ("1", "all", False, 0.5),
        ("-2", "any", True, 1.0),
        ("1", "any", True, 1.0),
        ("-2, 1", "any", True, 1.0),
        ("-1", "any", False, 0.0),
        ("3", "all", False, 0.0),
    ],
)
def test_a_tied_global_minimum(kind, answer, ties, correct, score) -> None:
    params = {"answer": answer, "problem": TIES, "points": "global_min", "ties": ties}
    result = run(kind, params)
    assert result["correct"] is correct and result["score"] == score, result
    assert sorted(p["x"] for p in result["expected"]) == ["-2", "1"]


def test_a_single_global_maximum(kind) -> None:
    result = run(kind, {"answer": "3", "problem": TIES, "points": "global_max"})
    assert result["correct"] is True  # f(3) = 18 is the only maximum


# ---- unreadable answers are results
def test_an_unreadable_answer_says_where(kind) -> None:
    result = run(kind, {"answer": "x^2 + (3x", "expected": "x^2 + 3x"})
    assert result["correct"] is False and result["valid"] is False
    assert result["mistake"] == "unparseable"
    assert result["details"]["position"] == 9  # the end: the bracket at 6 is never closed
    assert "position" in result["feedback"]


def test_an_unknown_function_is_unreadable_at_its_position(kind) -> None:
    result = run(kind, {"answer": "2x + gelu(x)", "expected": "2x"})
    assert result["valid"] is False and result["details"]["position"] == 5


def test_a_name_the_problem_does_not_have_is_not_understood(kind) -> None:
    result = run(kind, {"answer": "2*x*z", "expected": "2xy"})
    assert result["correct"] is False and result["valid"] is False
    assert result["mistake"] == "unknown_name" and "not understood" in result["feedback"]
    assert "not equivalent" not in result["feedback"]
    assert result["details"]["unknown_names"] == ["z"]
    # Read as the contract says: 2xy is 2*x*y, whichever way the answer writes it.
    assert run(kind, {"answer": "2*x*y", "expected": "2xy"})["correct"] is True
    assert run(kind, {"answer": "2yx", "expected": "2*x*y"})["correct"] is True


def test_an_extra_name_in_a_right_answer_is_fine(kind) -> None:
    assert run(kind, {"answer": "x + y - y", "expected": "x"})["correct"] is True
    # An antiderivative's constant is not a stranger.
    result = run(kind, {"answer": "sin(x) + C", "expected": "sin(x)", "test": "up_to_constant"})
    assert result["correct"] is True and result["valid"] is True


def test_a_value_with_no_closed_form_is_compared_within_a_tolerance() -> None:
    from types import SimpleNamespace

    from shared.jobs.answers import check_values_at_point

    # value null, numeric given (no closed form within the job's time): sqrt(2) by hand.
    check = SimpleNamespace(
        answer="sqrt(2)", test="equivalent", rtol=None, atol=None, syntax="plain"
    )
    numeric = 1.4142135623730951
    assert check_values_at_point(check, [None], [numeric], "derivative", single=True)["correct"]
    check.answer = "1.4142"
    assert not check_values_at_point(check, [None], [numeric], "derivative", single=True)["correct"]
    check.answer = "[1, 2]"
    undefined = check_values_at_point(check, [None, "2"], [None, 2.0], "gradient", single=False)
    assert undefined["decided"] is False and undefined["correct"] is False


def test_run_together_letters_are_read_as_a_reader_reads_them(kind) -> None:
    # d/dx x^2 sin(x) = 2x sin(x) + x^2 cos(x), by hand; "xsinx" is x*sin(x).
    result = run(kind, {"answer": "2xsinx + x^2cosx", "expected": "2x sin(x) + x^2 cos(x)"})
    assert result["correct"] is True and result["valid"] is True
    typo = run(kind, {"answer": "2x sinn(x)", "expected": "2x sin(x)"})
    assert typo["valid"] is False and typo["details"]["position"] == 3
    assert "not equivalent" not in typo["feedback"]
