"""Values of derivatives at a point: domain, kinks, real roots, and no hangs.

Oracles: hand-derived one-sided derivatives, and mpmath's numerical
differentiation at high precision for the generated corpus.
"""

from __future__ import annotations

import time

import mpmath
import pytest
import sympy
from sympy import Abs, Max, Min, Rational, log, real_root, sign, sqrt, tanh

from shared.jobs.kinds.derivative import DerivativeParams, run_derivative
from shared.jobs.kinds.gradient import GradientParams, run_gradient
from shared.mathcore.at_point import derivative_value, numeric_values
from shared.mathcore.budget import job_budget
from shared.mathcore.mlfunctions import relu
from shared.mathcore.symbols import variable
from tests.derivative.corpus import X, corpus

x, y = variable("x"), variable("y")


def first(f, point):
    return derivative_value([f, sympy.diff(f, x)], [x], {x: sympy.sympify(point)})


# (f, point, f'(point) by hand, or None where f is not differentiable there)
HAND = [
    (log(x), -1, None),  # ln is undefined at -1 (1/x would say -1)
    (log(x), 2, Rational(1, 2)),
    (Max(0, x), 0, None),  # one-sided derivatives 0 and 1: never Heaviside(0) = 1/2
    (Max(0, x), 1, 1),
    (Max(0, x), -1, 0),
    (relu(x), 0, None),
    (relu(x), 2, 1),
    (Min(x, 1 - x), Rational(1, 2), None),  # 1 from the left, -1 from the right
    (Min(x, 1 - x), Rational(1, 4), 1),
    (x * Abs(x), 0, 0),  # 2|x| -> 0 from both sides
    (x * Abs(x), -3, 6),
    (Abs(x), 0, None),
    (Abs(x) ** 3, 0, 0),
    (sign(x) * x**2, 0, 0),
    (sign(x), 0, None),  # not even continuous
    (real_root(x, 3), -8, Rational(1, 12)),  # the real cube root: (1/3)(-8)^(-2/3)
    (real_root(x, 3), 8, Rational(1, 12)),
    (real_root(x, 3), 0, None),  # vertical tangent
    (sqrt(x), 0, None),  # one-sided only, and infinite
    (sqrt(x), -1, None),
    (Abs(sympy.acosh(x)), Rational(84, 100), None),  # acosh is complex below 1; abs hides it
    (Abs(x - 1) * (x - 1), 1, 0),
    (Max(x, x**2), 1, None),  # 1 from the left, 2 from the right
    (Max(x, x**2), 0, None),  # x^2 wins on the left (slope 0), x on the right (slope 1)
    (sympy.Piecewise((x**2, x < 0), (x, True)), 0, None),
    (sympy.Piecewise((x**2, x < 0), (x**3, True)), 0, 0),
    (sympy.Piecewise((x**2, x < 0), (x**3, True)), -2, -4),
]


@pytest.mark.parametrize(("f", "point", "expected"), HAND)
def test_value_at_a_point_against_hand_derived(f, point, expected):
    found = first(f, point)
    if expected is None:
        assert found.defined is False
        assert found.value is None and found.numeric is None
        assert found.reason
    else:
        assert found.defined is True
        assert found.numeric == pytest.approx(float(expected), rel=1e-14, abs=1e-300)
        if found.value is not None:
            assert sympy.simplify(found.value - expected) == 0


def test_second_derivative_of_x_abs_x_is_undefined_at_0():
    f = x * Abs(x)
    d1 = sympy.diff(f, x)
    assert derivative_value([f, d1, sympy.diff(d1, x)], [x, x], {x: 0}).defined is False


def test_partial_on_a_kink_is_decided_along_its_variable():
    f = Abs(x) * y + x * Abs(y)  # at (0, 1): f_x has one-sided values -1 + 1, 1 + 1
    assert derivative_value([f, sympy.diff(f, x)], [x], {x: 0, y: 1}).defined is False
    found = derivative_value([f, sympy.diff(f, y)], [y], {x: 0, y: 1})
    assert found.defined is True and found.numeric == 0.0


def test_numeric_values_share_one_compiled_evaluation():
    values = numeric_values([tanh(x + y), tanh(x + y) ** 2, 1 / (x - 1)], {x: 1, y: 0})
    assert values[0] == pytest.approx(float(mpmath.tanh(1)), rel=1e-15)
    assert values[1] == pytest.approx(float(mpmath.tanh(1) ** 2), rel=1e-15)
    assert values[2] is None  # a pole


def run(kind, model, params):
    with job_budget(20.0):
        return kind(model.model_validate(params)).result


def test_derivative_job_at_a_point_outside_the_domain():
    result = run(run_derivative, DerivativeParams, {"expression": "ln(x)", "at": {"x": -1}})
    assert result["value"] is None and result["numeric"] is None
    assert result["defined_at_point"] is False


def test_derivative_job_at_a_kink():
    result = run(run_derivative, DerivativeParams, {"expression": "max(0, x)", "at": {"x": 0}})
    assert result["defined_at_point"] is False and result["value"] is None
    result = run(run_derivative, DerivativeParams, {"expression": "x*|x|", "at": {"x": 0}})
    assert result["defined_at_point"] is True and result["value"] == "0"


def test_gradient_job_at_a_kink_and_outside_the_domain():
    result = run(
        run_gradient, GradientParams, {"expression": "|x| + ln(y)", "at": {"x": 0, "y": 2}}
    )
    assert result["at_defined"] == [False, True]
    assert result["at_numeric"] == [None, 0.5]
    assert result["norm"] is None
    result = run(run_gradient, GradientParams, {"expression": "x + ln(y)", "at": {"x": 0, "y": -2}})
    assert result["at_numeric"] == [None, None]


def test_a_value_at_a_decimal_never_hangs():
    # exp/tanh compositions at decimals: 17 s before (an unbudgeted simplify).
    for order in (1, 2, 3):
        started = time.monotonic()
        result = run(
            run_derivative,
            DerivativeParams,
            {"expression": "exp(tanh(exp(x) - x^2))", "order": order, "at": {"x": "0.37"}},
        )
        assert time.monotonic() - started < 10
        f = lambda t: mpmath.exp(mpmath.tanh(mpmath.exp(t) - t**2))  # noqa: E731
        with mpmath.workdps(40):
            expected = mpmath.diff(f, mpmath.mpf("0.37"), order)
        assert result["numeric"] == pytest.approx(float(expected), rel=1e-12)


def _mp(expr):
    return sympy.lambdify(X, expr, modules="mpmath")


@pytest.mark.parametrize("chunk", range(2))
def test_values_on_the_generated_corpus_against_mpmath(chunk):
    """Every defined value agrees with mpmath's derivative; undefined ones are off the domain."""
    exprs = [e for e in corpus(120)[chunk::2] if e.free_symbols == {X}]
    point = Rational(37, 100)
    checked = 0
    for expr in exprs:
        found = first(expr, point)
        fn = _mp(expr)
        with mpmath.workdps(50):
            try:
                expected = mpmath.diff(fn, mpmath.mpf(point))
                value = fn(mpmath.mpf(point))
            except (ValueError, ZeroDivisionError):
                expected = value = None
        # lambdify writes some inverse functions with complex logarithms:
        # a real value may come back as an mpc with a zero imaginary part.
        real = (
            expected is not None
            and mpmath.isfinite(value)
            and mpmath.isfinite(expected)
            and abs(mpmath.im(value)) < 1e-40
            and abs(mpmath.im(expected)) < 1e-30
        )
        expected = mpmath.re(expected) if real else expected
        if found.defined:
            assert real, f"{expr}: a value where f is not real-differentiable"
            assert found.numeric == pytest.approx(float(expected), rel=1e-9, abs=1e-12), expr
            checked += 1
        elif found.defined is False:
            assert not real or abs(expected) > 1e30, f"{expr}: undefined, mpmath says {expected}"
    assert checked >= len(exprs) // 2


# Odd real roots other than the cube root (sign(u)·|u|^(p/q)) of functions that are
# real only on part of the line: the derivative is taken for any u, and off the
# domain the value is undefined. Oracle: the hand-derived derivative of the
# real root, (p/q)·|u|^(p/q - 1)·u′ (times sign(u) when p is even).
ODD_ROOTS = [
    ("asin(3*x)^(1/5)", "0.1", lambda t: mpmath.asin(3 * t), 1, 5),
    ("asin(3*x)^(1/5)", "-0.2", lambda t: mpmath.asin(3 * t), 1, 5),
    ("acos(x)^(3/7)", "0.5", lambda t: mpmath.acos(t), 3, 7),
    ("log(x)^(2/5)", "0.5", lambda t: mpmath.log(t), 2, 5),
    ("1/asin(3*x)^(1/5)", "-0.1", lambda t: mpmath.asin(3 * t), -1, 5),
]


@pytest.mark.parametrize(("text", "at", "inner", "p", "q"), ODD_ROOTS)
def test_odd_real_roots_of_partial_domain_functions(text, at, inner, p, q):
    result = run(run_derivative, DerivativeParams, {"expression": text, "at": {"x": at}})
    with mpmath.workdps(40):
        t = mpmath.mpf(at)
        u, du = inner(t), mpmath.diff(inner, t)
        slope = mpmath.mpf(p) / q * abs(u) ** (mpmath.mpf(p) / q - 1) * du
        # p odd: sign(u)·|u|^(p/q), so the two signs cancel; p even: |u|^(p/q).
        expected = slope * mpmath.sign(u) if p % 2 == 0 else slope
    assert result["defined_at_point"] is True
    assert result["numeric"] == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("text", ["asin(3*x)^(1/5)", "1/asin(3*x)^(1/5)", "acos(x)^(3/7)"])
def test_odd_real_roots_off_the_domain_are_undefined(text):
    result = run(run_derivative, DerivativeParams, {"expression": text, "at": {"x": "0.84"}})
    if text.startswith("acos"):
        assert result["defined_at_point"] is True  # acos(0.84) is real: a control
        return
    assert result["defined_at_point"] is False and result["numeric"] is None


def test_values_beyond_a_float_are_defined_and_say_so():
    result = run(run_derivative, DerivativeParams, {"expression": "exp(x)", "at": {"x": 1000}})
    assert result["defined_at_point"] is True
    assert result["value"] == "exp(1000)" and result["numeric"] is None
    assert "beyond a float's range" in result["reason"]
    # x^(x^8) at 9.9: about 10^(10^8); written out exactly it would never finish.
    started = time.monotonic()
    result = run(run_derivative, DerivativeParams, {"expression": "x^(x^8)", "at": {"x": "9.9"}})
    assert time.monotonic() - started < 10  # a hang guard, not a speed claim
    assert result["defined_at_point"] is True and result["numeric"] is None
    assert result["value"] is None and "beyond a float's range" in result["reason"]


def test_exact_values_too_long_to_write_are_null_with_the_number():
    # 2^(1/3)·(x·x^(-x^4))^(1/3) at 2.32: the exact substitution has a power of
    # a 50-digit rational; SymPy's printer refused its 4,300-digit integers.
    text = "2^(1/3)*(x*x^(-x^4))^(1/3)"
    result = run(run_derivative, DerivativeParams, {"expression": text, "at": {"x": "2.32"}})

    def f(t):
        return mpmath.cbrt(2) * mpmath.cbrt(t * t ** (-(t**4)))

    with mpmath.workdps(40):
        expected = mpmath.diff(f, mpmath.mpf("2.32"))
    assert result["defined_at_point"] is True and result["value"] is None
    assert result["numeric"] == pytest.approx(float(expected), rel=1e-12)


def _read_back(text):
    """The job's reading of a text as an mpmath function of x (real odd roots, ...)."""
    from shared.mathcore.parsing.parser import parse_expression

    return sympy.lambdify(X, parse_expression(text, ["x"]).xreplace({variable("x"): X}), "mpmath")


@pytest.mark.parametrize("chunk", range(3))
def test_derivative_jobs_on_the_corpus_at_decimals(chunk):
    """Every derivative job with ``at`` on the generated corpus finishes and agrees with mpmath.

    The points are the benchmark's (bench/bench_gradient.py): 0.1 + 0.37·(k mod 7).
    """
    from shared.mathcore.printing import to_plain

    checked = 0
    for k, expr in enumerate(corpus(300)):
        if k % 3 != chunk or expr.free_symbols != {X}:
            continue
        text, at = to_plain(expr), f"{0.1 + 0.37 * (k % 7):g}"
        try:
            DerivativeParams.model_validate({"expression": text, "at": {"x": at}})
        except ValueError:
            continue  # a function with no plain syntax (loggamma, ...)
        result = run(run_derivative, DerivativeParams, {"expression": text, "at": {"x": at}})
        if not result["defined_at_point"] or result["numeric"] is None:
            continue
        fn = _read_back(text)
        with mpmath.workdps(50):
            try:
                expected = mpmath.diff(fn, mpmath.mpf(at))
            except (ValueError, ZeroDivisionError):
                continue  # lambdify's reading fails where ours is decided (a kink)
        if abs(mpmath.im(expected)) > 1e-30:
            pytest.fail(f"{text} at {at}: a value where mpmath finds none ({expected})")
        expected = float(mpmath.re(expected))
        assert result["numeric"] == pytest.approx(expected, rel=1e-8, abs=1e-12), (text, at)
        checked += 1
    assert checked >= 50


def test_values_with_generic_functions_stay_in_their_terms():
    """f is unknown: at a point the value is f(1) + f'(1), neither a number nor 'undefined'."""
    from shared.mathcore.parsing.parser import parse_expression

    result = run(run_derivative, DerivativeParams, {"expression": "x*f(x)", "at": {"x": 1}})
    assert result["defined_at_point"] is None and result["numeric"] is None
    assert parse_expression(result["value"]) == parse_expression("f(1) + f'(1)")
    assert "f is a generic function" in result["reason"]
    result = run(
        run_gradient,
        GradientParams,
        {"expression": "phi(x*y) + x", "functions": ["phi"], "at": {"x": 1, "y": 2}},
    )
    assert result["gradient"] == ["y*phi'(x*y) + 1", "x*phi'(x*y)"]
    back = [parse_expression(v, functions=["phi"]) for v in result["at_value"]]
    assert back == [
        parse_expression("2 phi'(2) + 1", functions=["phi"]),
        parse_expression("phi'(2)", functions=["phi"]),
    ]
    assert result["at_numeric"] == [None, None] and result["norm"] is None
    # Partials by argument index, at a point.
    result = run(
        run_gradient, GradientParams, {"expression": "f(x, y) + x y", "at": {"x": 1, "y": 2}}
    )
    assert [parse_expression(v) for v in result["at_value"]] == [
        parse_expression("f_1(1, 2) + 2"),
        parse_expression("f_2(1, 2) + 1"),
    ]


@pytest.mark.parametrize(
    ("n", "at", "value"),
    [(334, "1", "334"), (40, "2", str(40 * 2**39)), (3, "-1/2", "3/4"), (500, "-1", "-500")],
)
def test_exact_values_of_long_powers_of_short_numbers(n, at, value):
    """1^333 and 2^39 are short to write: the digits guard looks at the digits, not the exponent."""
    result = run(run_derivative, DerivativeParams, {"expression": f"x^{n}", "at": {"x": at}})
    assert result["value"] == value
