"""Unit tests of the answer checker: evaluator, pointwise comparison, each test, each mistake.

Oracles: hand-decided verdicts, sympy.diff for the correct derivative, and
values worked out by hand. Expressions are built with SymPy objects so these
tests do not depend on the parser.
"""

from __future__ import annotations

import time

import mpmath
import pytest
import sympy

from shared.mathcore.checks import check_answer, check_list, check_points, faulty_diff, mistakes
from shared.mathcore.checks.evaluate import OutsideDomain, RealEvaluator
from shared.mathcore.checks.forms import reducible_factor, unexpanded_part
from shared.mathcore.checks.formtree import written_form
from shared.mathcore.checks.lists import points_from_text, split_top_level
from shared.mathcore.checks.pointwise import compare_pointwise
from shared.mathcore.symbols import variable

x, y, C = variable("x"), variable("y"), variable("C")
E = sympy.E


def unevaluated(build):
    with sympy.evaluate(False):
        return build()


# ---- evaluator: the real domain, exactly
@pytest.mark.parametrize(
    "expr, at",
    [
        (sympy.sqrt(x), -1),
        (sympy.log(x), 0),
        (sympy.log(x), -2),
        (sympy.asin(x), 2),
        (1 / x, 0),
        (x ** sympy.Rational(1, 3), -8),  # SymPy's principal root is complex there
        (sympy.acosh(x), 0.5),
        (sympy.exp(sympy.exp(sympy.exp(x))), 10),  # refused, not computed for hours
    ],
)
def test_evaluator_refuses_points_outside_the_real_domain(expr, at) -> None:
    with pytest.raises(OutsideDomain):
        RealEvaluator(30).value(expr, {x: at})


def test_evaluator_values_against_hand_computed_ones() -> None:
    ev = RealEvaluator(40)
    assert ev.value(sympy.sqrt(x), {x: 4}) == 2
    with mpmath.workdps(50):
        assert abs(ev.value(sympy.pi * x, {x: 1}) - mpmath.pi) < mpmath.mpf(10) ** -35
    assert ev.value(sympy.Abs(x) + sympy.sign(x), {x: -3}) == 2
    assert ev.value(sympy.Piecewise((x, x > 0), (-x, True)), {x: -2}) == 2
    # (x**2)**(1/3) is real for negative x although x**(2/3) is not.
    assert abs(ev.value((x**2) ** sympy.Rational(1, 3), {x: -8}) - 4) < 1e-30


# ---- pointwise comparison
def test_relative_tolerance_rejects_webwork_false_positive() -> None:
    """e^(-10x) + c is not e^(-10x), however small c: compared relative at large x."""
    for c in (sympy.Rational(1, 10**6), sympy.Rational(1, 10**12), sympy.exp(-100)):
        result = compare_pointwise(sympy.exp(-10 * x) + c, sympy.exp(-10 * x))
        assert result.verdict == "different"


def test_sampling_avoids_integer_coincidences() -> None:
    assert compare_pointwise(sympy.sin(sympy.pi * x), sympy.Integer(0)).verdict == "different"
    assert compare_pointwise(x * (x - 1) * (x - 2), sympy.Integer(0)).verdict == "different"


def test_points_span_several_scales() -> None:
    result = compare_pointwise(sympy.sin(x) ** 2, 1 - sympy.cos(x) ** 2)
    assert result.verdict == "equal"
    magnitudes = {int(mpmath.floor(mpmath.log10(abs(e)))) for _, e in result.samples if e != 0}
    assert len(magnitudes) >= 3


def test_cancellation_does_not_decide() -> None:
    """(e^x + 1)^2 - e^(2x) - 2e^x is 1, but loses every digit at x ~ 100: skipped, not failed."""
    messy = (sympy.exp(x) + 1) ** 2 - sympy.exp(2 * x) - 2 * sympy.exp(x)
    assert compare_pointwise(messy, sympy.Integer(1)).verdict == "equal"


def test_cancellation_to_exact_zero_is_not_trusted() -> None:
    """1 + tanh(-139) rounds to 0 at 30 and at 45 digits; the true value is 2e-121."""
    shifted_tanh = (1 + sympy.tanh(x / 2)) / 2
    result = compare_pointwise(shifted_tanh, 1 / (1 + sympy.exp(-x)))
    assert result.verdict == "equal"
    assert (
        check_answer(
            1 - sympy.cos(sympy.Rational(1, 10**40)), sympy.Integer(0), "numeric", rtol=0, atol=0
        ).correct
        is False
    )


def test_tiny_common_domain_is_undecided() -> None:
    result = compare_pointwise(sympy.asin(x - 5000), sympy.pi / 2 - sympy.acos(x - 5000))
    assert result.verdict == "undecided"


def test_disjoint_domains_are_different() -> None:
    assert compare_pointwise(sympy.log(-x), sympy.log(x)).verdict == "different"


# ---- the answer tests
def test_equivalent_symbolic_and_numeric_paths() -> None:
    sigma = 1 / (1 + sympy.exp(-x))
    outcome = check_answer(sigma * (1 - sigma), sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2)
    assert outcome.correct and outcome.decided and outcome.score == 1.0
    # log(x^2) = 2 log(x) where both are defined; simplify cannot show it for real x.
    outcome = check_answer(sympy.log(x**2), 2 * sympy.log(x))
    assert outcome.correct and outcome.method == "numeric"
    wrong = check_answer(sympy.sqrt(x**2), x)
    assert not wrong.correct and wrong.decided and wrong.details["counterexample"]["x"] < 0


def test_numeric_tolerances() -> None:
    third = sympy.Rational(1, 3)
    assert check_answer(sympy.Rational(3333, 10**4), third, "numeric").correct
    assert not check_answer(sympy.Rational(33, 100), third, "numeric").correct
    assert check_answer(sympy.Rational(33, 100), third, "numeric", rtol=0, atol=0.01).correct
    assert check_answer(
        sympy.Rational(1, 2), sympy.sin(sympy.pi / 6), "numeric", rtol=0, atol=0
    ).correct
    assert not check_answer(
        sympy.Rational(1, 10**13) + third, third, "numeric", rtol=0, atol=0
    ).correct
    outcome = check_answer(x, sympy.Integer(2), "numeric")
    assert outcome.mistake == "expected_a_number"
    assert check_answer(sympy.I, sympy.Integer(1), "numeric").correct is False


@pytest.mark.parametrize(
    "left, right",
    [
        ("(a + b) + c", "c + (b + a)"),
        ("x*2", "2x"),
        ("-(2x)", "-2x"),
        ("exp(x)", "e^x"),
        ("(a*b)/c", "a*(b/c)"),
        ("x*(-y)", "-(x*y)"),
        ("(-x)/y", "-(x/y)"),
        ("-1*2 + 3*4", "3*4 - 1*2"),
        ("sin^-1 x", "asin(x)"),
    ],
)
def test_written_forms_that_agree(left: str, right: str) -> None:
    assert written_form(left) == written_form(right)


@pytest.mark.parametrize(
    "left, right",
    [
        ("2/4", "1/2"),
        ("1*x", "x"),
        ("x + 0", "x"),
        ("x*x", "x^2"),
        ("-(x - y)", "y - x"),
        ("a^2/b^3", "a^2*b^(-3)"),  # division and a negative power are two forms
        ("1/2*1/x", "1/(2x)"),  # two reciprocals are not the reciprocal of a product
        ("x/(-y)", "-(x/y)"),
        ("4.0", "4"),
        ("0.5", "1/2"),
        ("sqrt(3)", "3^(1/2)"),
        ("(1/2)(a + b)", "(a + b)/2"),
    ],
)
def test_written_forms_that_differ(left: str, right: str) -> None:
    assert written_form(left) != written_form(right)


def test_identical_form_outcomes() -> None:
    outcome = check_answer("2/4", sympy.Rational(1, 2), "identical_form")
    assert not outcome.correct and outcome.mistake == "not_identical_form"
    # A SymPy expected answer has the form the service prints for it.
    assert check_answer("1 + x", x + 1, "identical_form").correct
    assert check_answer("x/2", x / 2, "identical_form").correct
    assert not check_answer("a^2*b^(-3)", "a^2/b^3", "identical_form").correct
    assert not check_answer("1/2*1/x", "1/(2x)", "identical_form").correct


def test_expanded_and_factored_forms() -> None:
    assert unexpanded_part(unevaluated(lambda: 2 * (x + 3))) is not None
    assert unexpanded_part(unevaluated(lambda: (x + 1) ** 2)) is not None
    assert unexpanded_part(x**2 + 2 * x + 1) is None
    assert unexpanded_part(unevaluated(lambda: (x + 1) / x)) is None
    assert reducible_factor(unevaluated(lambda: (x - 1) * (x + 1))) is None
    assert reducible_factor(x**2 - 1) is not None
    assert reducible_factor(unevaluated(lambda: 2 * x + 2)) is not None
    assert reducible_factor(x**2 - 2) is None  # irreducible over Q
    factored = unevaluated(lambda: x * (x**2 - 1))
    outcome = check_answer(factored, x**3 - x, "factored")
    assert outcome.mistake == "not_factored" and "x^2 - 1" in outcome.feedback.replace("**", "^")


def test_up_to_constant() -> None:
    assert check_answer(x**3 / 3 + C, x**3 / 3, "up_to_constant", variables=["x"]).correct
    assert check_answer(-sympy.cos(2 * x) / 4, sympy.sin(x) ** 2 / 2, "up_to_constant").correct
    near = -sympy.exp(-10 * x) / 10 + x / 1000
    assert not check_answer(near, -sympy.exp(-10 * x) / 10, "up_to_constant").correct
    outcome = check_answer(x**3, x**3 / 3, "up_to_constant")
    assert outcome.mistake == "constant_factor"


# ---- every mistake code, from a case built by hand
DERIVATIVE_MISTAKES = [
    # (f, wrong answer, code)
    (sympy.sin(3 * x), sympy.cos(3 * x), "missing_chain_factor"),
    (x**2 * sympy.sin(x), 2 * x * sympy.cos(x), "product_rule_as_product"),
    (x**3, 3 * x**3, "power_rule_exponent_not_lowered"),
    (sympy.sin(x) / x, (x * sympy.cos(x) - sympy.sin(x)) / x, "quotient_rule_denominator"),
    (sympy.sin(x) / x, sympy.cos(x), "quotient_rule_as_quotient"),
    (sympy.sin(x) / x, (sympy.sin(x) - x * sympy.cos(x)) / x**2, "quotient_rule_order"),
    (2**x, x * 2 ** (x - 1), "power_rule_on_exponential"),
    (sympy.cos(x), sympy.sin(x), "trig_derivative_sign"),
    (x**3, x**3, "unchanged_function"),
    (x**3, x**4 / 4, "integral_instead_of_derivative"),
    (x**3, 6 * x, "second_derivative"),
    (x**3, -3 * x**2, "sign_error"),
    (x**3, x**2, "constant_factor"),
    (x**3 + 5, 3 * x**2 + 5, "off_by_constant"),
    (3 * x**4 - 2 * x, 12 * x**3 + 2, "term_sign_error"),
    (3 * x**4 - 2 * x, 12 * x**3, "missing_term"),
]


@pytest.mark.parametrize(
    "f, answer, code", DERIVATIVE_MISTAKES, ids=[c for *_, c in DERIVATIVE_MISTAKES]
)
def test_each_derivative_mistake_is_named(f, answer, code) -> None:
    outcome = check_answer(answer, sympy.diff(f, x), original=f)
    assert not outcome.correct and outcome.decided
    assert outcome.mistake == code
    assert outcome.feedback == mistakes.FEEDBACK[code].format(k="1/3", v="y", x="x")


def test_wrong_variable_and_antiderivative_mistakes() -> None:
    f = x**2 * y
    outcome = check_answer(x**2, 2 * x * y, original=f, wrt="x", variables=["x", "y"])
    assert outcome.mistake == "wrong_variable"
    expected = x**3 / 3
    assert check_answer(x**2, expected, "up_to_constant").mistake == "integrand_returned"
    assert (
        check_answer(2 * x, expected, "up_to_constant").mistake == "derivative_instead_of_integral"
    )


def test_every_feedback_code_is_exercised() -> None:
    tested = {code for *_, code in DERIVATIVE_MISTAKES} | {
        "wrong_variable",
        "integrand_returned",
        "derivative_instead_of_integral",
    }
    assert set(mistakes.FEEDBACK) == tested


def test_correct_answer_gets_no_mistake() -> None:
    f = sympy.exp(x**2) * sympy.cos(x)
    outcome = check_answer(sympy.diff(f, x).expand(), sympy.diff(f, x), original=f)
    assert outcome.correct and outcome.mistake is None


def test_faulty_differentiator_without_a_fault_is_sympy_diff() -> None:
    """Oracle: sympy.diff. With no fault to make, the faulty walk is the true derivative."""
    functions = [
        sympy.sin(x**2) * sympy.exp(3 * x),
        sympy.sqrt(x) * sympy.tan(x) / (x + 1),
        2**x * sympy.log(x**2 + 1),
        sympy.acos(x) + sympy.cot(2 * x),
    ]
    for f in functions:
        walk = faulty_diff._Walk(x=x, fault="none", at=None)
        assert sympy.simplify(faulty_diff._d(f, (), walk) - sympy.diff(f, x)) == 0


# ---- lists and point sets
def test_check_list_partial_credit() -> None:
    outcome = check_list([2 * x, 3 * y], [2 * x, 2 * y])
    assert outcome.score == 0.5 and not outcome.correct
    assert check_list([2 * x], [2 * x, 2 * y]).score == 0.5
    assert check_list([2 * x, 2 * y], [2 * x, 2 * y]).correct


def test_gradient_entries_name_their_mistakes() -> None:
    f = sympy.sin(x * y)
    expected = [sympy.diff(f, x), sympy.diff(f, y)]
    outcome = check_list(
        [sympy.cos(x * y), x * sympy.cos(x * y)],
        expected,
        original=f,
        wrts=["x", "y"],
        variables=["x", "y"],
    )
    assert outcome.score == 0.5
    assert outcome.items[0].mistake == "missing_chain_factor"


def test_check_points_as_sets() -> None:
    expected = [{"x": sympy.pi / 4}, {"x": 5 * sympy.pi / 4}]
    answers = [{"x": sympy.Rational(39270, 10000) * 1}, {"x": sympy.Rational(7854, 10000)}]
    assert check_points(answers, expected, ["x"]).correct  # any order
    twice = [{"x": sympy.pi / 4}, {"x": sympy.pi / 4}]
    assert check_points(twice, expected, ["x"]).score == 0.5  # one match cannot count twice
    extra = [{"x": sympy.pi / 4}, {"x": 5 * sympy.pi / 4}, {"x": sympy.Integer(0)}]
    outcome = check_points(extra, expected, ["x"])
    assert not outcome.correct and outcome.score == pytest.approx(2 / 3)
    assert check_points([], [], ["x"]).correct


def test_list_text_splitting() -> None:
    assert split_top_level("[2x, f(a, b)]") == ["2x", "f(a, b)"]
    assert split_top_level("(x+1)(x-1)") == ["(x+1)(x-1)"]
    assert points_from_text("(1, 2), (3, 4)", 2) == [["1", "2"], ["3", "4"]]
    assert points_from_text("(1, 2)", 2) == [["1", "2"]]
    assert points_from_text("pi/4, 5pi/4", 1) == [["pi/4"], ["5pi/4"]]


# ---- hang safety: every check returns within its budget
HOSTILE = [
    # (answer, expected, right up to a constant?) - none is equivalent.
    (sympy.sin(x) ** 1000 - sympy.cos(x) ** 1000 + 1, sympy.sin(x) ** 1000, False),
    (sympy.Pow(x + 1, 10**6) + 1, sympy.Pow(x + 1, 10**6), True),
    (sympy.Add(*[sympy.sin(k * x) ** k for k in range(1, 300)]), sympy.sin(x), False),
    (sympy.exp(sympy.exp(sympy.exp(x))) + x, sympy.exp(sympy.exp(sympy.exp(x))), False),
]


@pytest.mark.parametrize("test", ["equivalent", "up_to_constant"])
@pytest.mark.parametrize("answer, expected, up_to_c", HOSTILE)
def test_hostile_answers_return_within_budget(answer, expected, up_to_c, test) -> None:
    started = time.monotonic()
    outcome = check_answer(answer, expected, test, seconds=2.0)
    # One SymPy call past the deadline may finish before the loops notice.
    assert time.monotonic() - started < 5.0
    if outcome.decided:
        assert outcome.correct == (up_to_c and test == "up_to_constant")


# ---- exact numbers are compared exactly (hand-derived: 99999999/10^8 - 99999998/99999999
# = 1/(10^8 * 99999999), not 0)
@pytest.mark.parametrize(
    "answer, expected, correct",
    [
        ("99999999/10^8", "99999998/99999999", False),
        ("x + 99999999/10^8", "x + 99999998/99999999", False),
        ("0.5", "1/2", True),
        ("5.1e-2", "51/1000", True),
        ("0.333333333333333", "1/3", False),
        ("sqrt(12)", "2sqrt(3)", True),
        ("sqrt(11 + 6sqrt(2))", "3 + sqrt(2)", True),  # (3 + sqrt 2)^2 = 11 + 6 sqrt 2
        ("pi + 10^-30", "pi", False),
        ("e^1 - e^(-1)", "2sinh(1)", True),
    ],
)
def test_exact_numbers_are_compared_exactly(answer: str, expected: str, correct: bool) -> None:
    outcome = check_answer(answer, expected)
    assert outcome.decided and outcome.correct is correct, outcome


def test_a_tolerance_asked_for_is_a_tolerance() -> None:
    assert check_answer("99999999/10^8", "99999998/99999999", rtol=1e-10).correct
    assert check_answer("3.14159265358979", "pi", rtol=1e-10).correct


def test_the_answer_is_read_with_the_expected_answers_variables() -> None:
    lr, w = variable("lr"), variable("w")
    # "2lr w" with lr a variable of the expected answer is 2*lr*w, not 2*l*r*w.
    assert check_answer("2lr w", 2 * lr * w).correct
    assert check_answer("2xy", "2*x*y").correct and check_answer("2*x*y", "2xy").correct
    assert check_answer("lr^2", "lr^2", variables=["lr"]).correct
