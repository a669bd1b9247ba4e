"""The plain syntax: every construct against a hand-built SymPy expression."""

from __future__ import annotations

import pytest
import sympy as sp

from shared.mathcore.mlfunctions import logsumexp, relu, sigmoid, softplus, step
from shared.mathcore.parsing.parser import ParseError, parse_expression
from shared.mathcore.realroot import cbrt

x, y, z, t, w = sp.symbols("x y z t w", real=True)
theta, alpha, lam, gamma_sym = sp.symbols("theta alpha lambda gamma", real=True)
w_1, w1, x12 = sp.symbols("w_1 w1 x12", real=True)
XY = ["x", "y"]


def parse(text: str, variables=XY, **kw):
    return parse_expression(text, variables=variables, **kw)


CASES = [
    # powers: both spellings, right-associative, tighter than a sign
    ("x^2", x**2),
    ("x**2", x**2),
    ("x^2^3", x**8),
    ("2^3^2", sp.Integer(512)),
    ("-x^2", -(x**2)),
    ("-2^2", sp.Integer(-4)),
    ("(-2)^2", sp.Integer(4)),
    ("2^-1", sp.Rational(1, 2)),
    ("x^-2", x**-2),
    ("2^-x^2", 2 ** (-(x**2))),
    ("e^-x", sp.exp(-x)),
    ("x^(1/2)", sp.sqrt(x)),
    ("2^3!", sp.Integer(64)),
    # arithmetic and precedence
    ("+1 - 2", sp.Integer(-1)),
    ("1 - 2 - 3", sp.Integer(-4)),
    ("8/4/2", sp.Integer(1)),
    ("2*3+4", sp.Integer(10)),
    ("2+3*4", sp.Integer(14)),
    ("x*-y", -x * y),
    ("--x", x),
    # implicit multiplication
    ("2x", 2 * x),
    ("2(x+1)", 2 * x + 2),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x(x+1)", x * (x + 1)),
    ("2 sin x", 2 * sp.sin(x)),
    ("sin x cos x", sp.sin(x) * sp.cos(x)),
    ("1/2x", x / 2),
    ("2x^2", 2 * x**2),
    ("2|x|", 2 * sp.Abs(x)),
    ("(x)(y)", x * y),
    ("3(x)2", 6 * x),
    ("x^2 + 2xy + 3y^2", x**2 + 2 * x * y + 3 * y**2),
    # function application without brackets
    ("sin x", sp.sin(x)),
    ("sin 2x", sp.sin(2 * x)),
    ("ln x", sp.log(x)),
    ("sin x^2", sp.sin(x**2)),
    ("sin(x)^2", sp.sin(x) ** 2),
    ("sin x + 1", sp.sin(x) + 1),
    ("sin x * y", sp.sin(x) * y),
    ("sin x/2", sp.sin(x) / 2),
    ("sin -x", -sp.sin(x)),
    ("sin x y", sp.sin(x * y)),
    ("sqrt x + 1", sp.sqrt(x) + 1),
    ("e^x sin x", sp.exp(x) * sp.sin(x)),
    ("ln(x) y", sp.log(x) * y),
    # powers and inverses of function names
    ("sin^2 x", sp.sin(x) ** 2),
    ("sin^2(x)", sp.sin(x) ** 2),
    ("cos^3 2x", sp.cos(2 * x) ** 3),
    ("sin^-1 x", sp.asin(x)),
    ("tan^-1(x)", sp.atan(x)),
    ("cosh^-1 x", sp.acosh(x)),
    ("sin^(-1) x", sp.asin(x)),
    # absolute values
    ("|x|", sp.Abs(x)),
    ("abs(x)", sp.Abs(x)),
    ("Abs(x)", sp.Abs(x)),
    ("||x|-1|", sp.Abs(sp.Abs(x) - 1)),
    ("|x||y|", sp.Abs(x) * sp.Abs(y)),
    ("|x|y|x|", sp.Abs(x) * y * sp.Abs(x)),
    ("|(x|y|)|", sp.Abs(x * sp.Abs(y))),
    ("|sin x|", sp.Abs(sp.sin(x))),
    ("|x-y|^2", sp.Abs(x - y) ** 2),
    # brackets
    ("[x+1]*2", 2 * x + 2),
    ("{x+1}^2", (x + 1) ** 2),
    # constants and names
    ("pi", sp.pi),
    ("e", sp.E),
    ("E", sp.E),
    ("e^x", sp.exp(x)),
    ("2e", 2 * sp.E),
    ("oo", sp.oo),
    ("-oo", -sp.oo),
    ("inf", sp.oo),
    ("theta", theta),
    ("alpha x", alpha * x),
    ("lambda", lam),
    ("gamma", gamma_sym),
    ("gamma x", gamma_sym * x),
    ("w_1", w_1),
    ("w1", w1),
    ("x12", x12),
    ("w_1 x + w1", w_1 * x + w1),
    ("pi x", sp.pi * x),
    ("2pi", 2 * sp.pi),
    # numbers
    ("0.1", sp.Rational(1, 10)),
    (".5", sp.Rational(1, 2)),
    ("3.", sp.Integer(3)),
    ("1e-3", sp.Rational(1, 1000)),
    ("2.5E4", sp.Integer(25000)),
    ("1.5e+2", sp.Integer(150)),
    ("2e-3x", x / 500),
    ("2e^x", 2 * sp.exp(x)),
    ("2e x", 2 * sp.E * x),
    # unicode
    ("3·x", 3 * x),
    ("3×x", 3 * x),
    ("x − 1", x - 1),
    ("π", sp.pi),
    ("θ", theta),
    ("√x", sp.sqrt(x)),
    ("√(x+1)", sp.sqrt(x + 1)),
    ("x²", x**2),
    ("x³+1", x**3 + 1),
    ("6÷3", sp.Integer(2)),
    ("∞", sp.oo),
    # whitespace anywhere
    ("  x  ^  2  ", x**2),
    ("s i n x", None),  # placeholder, replaced below: letters apart are separate names
]
CASES = [c for c in CASES if c[1] is not None]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plain_syntax(text, expected):
    assert parse(text) == expected


FUNCTIONS = [
    ("sin(x)", sp.sin(x)), ("cos(x)", sp.cos(x)), ("tan(x)", sp.tan(x)),
    ("cot(x)", sp.cot(x)), ("sec(x)", sp.sec(x)), ("csc(x)", sp.csc(x)),
    ("asin(x)", sp.asin(x)), ("arcsin(x)", sp.asin(x)), ("acos(x)", sp.acos(x)),
    ("arccos(x)", sp.acos(x)), ("atan(x)", sp.atan(x)), ("arctan(x)", sp.atan(x)),
    ("acot(x)", sp.acot(x)), ("arccot(x)", sp.acot(x)), ("asec(x)", sp.asec(x)),
    ("acsc(x)", sp.acsc(x)), ("sinh(x)", sp.sinh(x)), ("cosh(x)", sp.cosh(x)),
    ("tanh(x)", sp.tanh(x)), ("coth(x)", sp.coth(x)), ("sech(x)", sp.sech(x)),
    ("csch(x)", sp.csch(x)), ("asinh(x)", sp.asinh(x)), ("arsinh(x)", sp.asinh(x)),
    ("arcsinh(x)", sp.asinh(x)), ("acosh(x)", sp.acosh(x)), ("atanh(x)", sp.atanh(x)),
    ("acoth(x)", sp.acoth(x)), ("asech(x)", sp.asech(x)), ("acsch(x)", sp.acsch(x)),
    ("exp(x)", sp.exp(x)), ("ln(x)", sp.log(x)), ("log(x)", sp.log(x)),
    ("log(x, 2)", sp.log(x) / sp.log(2)), ("log(8, 2)", sp.Integer(3)),
    ("log10(x)", sp.log(x) / sp.log(10)), ("log10(1000)", sp.Integer(3)),
    ("log2(x)", sp.log(x) / sp.log(2)), ("log_2 x", sp.log(x) / sp.log(2)),
    ("log_10(100)", sp.Integer(2)), ("log_y x", sp.log(x) / sp.log(y)),
    ("sqrt(x)", sp.sqrt(x)), ("cbrt(x)", cbrt(x)), ("cbrt(-8)", sp.Integer(-2)),
    ("root(x, 4)", x ** sp.Rational(1, 4)), ("root(8, 3)", sp.Integer(2)),
    ("root(-8, 3)", sp.Integer(-2)), ("x^(1/3)", cbrt(x)), ("x^(2/3)", cbrt(x) ** 2),
    ("sign(x)", sp.sign(x)), ("floor(x)", sp.floor(x)), ("ceil(x)", sp.ceiling(x)),
    ("factorial(x)", sp.factorial(x)), ("x!", sp.factorial(x)), ("5!", sp.Integer(120)),
    ("3!!", sp.Integer(720)), ("gamma(x)", sp.gamma(x)), ("gamma(5)", sp.Integer(24)),
    ("erf(x)", sp.erf(x)),
    ("sigmoid(x)", sigmoid(x)), ("softplus(x)", softplus(x)), ("sigma(x)", sigmoid(x)),
    ("σ(x)", sigmoid(x)), ("relu(x)", relu(x)), ("ReLU(x)", relu(x)),
    ("logsumexp(x, y)", logsumexp(x, y)), ("step(x)", step(x)),
    ("min(x, y)", sp.Min(x, y)), ("max(x, y, 1)", sp.Max(x, y, 1)),
    ("atan2(y, x)", sp.atan2(y, x)), ("Max(x, 0)", sp.Max(x, 0)), ("E^x", sp.exp(x)),
    ("ceiling(x)", sp.ceiling(x)), ("Heaviside(x)", sp.Heaviside(x)),
    ("polygamma(0, x)", sp.polygamma(0, x)), ("sgn(x)", sp.sign(x)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_functions_and_aliases(text, expected):
    assert parse(text) == expected


def test_symbols_are_real_and_shared_with_the_engine():
    expr = parse("x + theta + w_1")
    assert all(s.is_real for s in expr.free_symbols)
    assert expr.free_symbols == {x, theta, w_1}


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("xy", ["x", "y"], x * y),
        ("xy", None, x * y),
        ("xy", ["x"], x * y),
        ("xyz", ["x", "y", "z"], x * y * z),
        ("xy^2", ["x", "y"], x * y**2),  # the split keeps precedence: x*(y^2)
        ("2xy", ["x", "y"], 2 * x * y),
        ("xy", ["x", "y", "xy"], sp.Symbol("xy", real=True)),  # a declared name wins
        ("sinx", ["x"], sp.sin(x)),
        ("sinx", None, sp.sin(x)),
        ("sinxy", ["x", "y"], sp.sin(x * y)),
        ("sinhx", ["x", "h"], sp.sinh(x)),  # longest function name first
        ("sin2x", None, sp.sin(2 * x)),
        ("cos2t", ["t"], sp.cos(2 * t)),
        ("ln2", None, sp.log(2)),
        ("cost", None, sp.cos(t)),
        ("e", ["e"], sp.Symbol("e", real=True)),  # a declared e is a variable
        ("e^x", ["e", "x"], sp.Symbol("e", real=True) ** x),
        ("pi", ["pi"], sp.Symbol("pi", real=True)),
        ("gamma2", None, sp.Symbol("gamma2", real=True)),
        ("beta1 + beta2", None, sp.Symbol("beta1", real=True) + sp.Symbol("beta2", real=True)),
        (
            "theta_0 + theta_1 x",
            ["x"],
            sp.Symbol("theta_0", real=True) + sp.Symbol("theta_1", real=True) * x,
        ),
    ],
)
def test_splitting_rule(text, variables, expected):
    assert parse_expression(text, variables=variables) == expected


def test_unevaluated_keeps_the_written_form():
    expr = parse_expression("2/4", evaluate=False)
    assert expr != sp.Rational(1, 2)
    assert expr.doit() == sp.Rational(1, 2)
    expr = parse_expression("1*x", variables=["x"], evaluate=False)
    assert expr != x and expr.args == (1, x)
    expr = parse_expression("x + x", variables=["x"], evaluate=False)
    assert expr != 2 * x and sp.simplify(expr - 2 * x) == 0
    assert parse_expression("-2", evaluate=False) == sp.Integer(-2)


def test_evaluate_context_does_not_leak():
    parse_expression("2/4", evaluate=False)
    assert sp.Add(x, x) == 2 * x


def test_constants_letters_apart():
    # 's i n x' is four names multiplied, not a function
    s, i, n = sp.symbols("s i n", real=True)
    assert parse_expression("s i n x") == s * i * n * x


def test_unknown_multi_letter_name_before_bracket_is_an_error():
    with pytest.raises(ParseError) as err:
        parse_expression("sine(x)")
    assert err.value.position == 0 and "unknown function 'sine'" in str(err.value)
    # with a space it is a product, and a declared split is a product
    a, b = sp.symbols("a b", real=True)
    assert parse_expression("ab (x)", ["x"]) == a * b * x
    assert parse_expression("xy(x+1)", XY) == x * y * (x + 1)


def test_variables_may_be_a_tuple_or_empty():
    assert parse_expression("xy", ("x", "y")) == x * y
    assert parse_expression("xy", []) == x * y


def test_parse_equation():
    from shared.mathcore.parsing.parser import parse_equation

    assert parse_equation("x^2 + y^2 = 25", XY) == (x**2 + y**2, 25)
    assert parse_equation("y = 2x", XY) == (y, 2 * x)
    with pytest.raises(ParseError) as err:
        parse_equation("x^2 + y^2", XY)
    assert err.value.position == 9 and err.value.expected.startswith("'='")
    with pytest.raises(ParseError):
        parse_equation("x = y = 1", XY)
    with pytest.raises(ParseError) as err:
        parse_expression("x = 1", XY)
    assert err.value.position == 2


def test_e_to_a_power_is_exp_also_unevaluated():
    expr = parse_expression("e^x", ["x"], evaluate=False)
    assert expr == sp.exp(x) and expr.func is sp.exp
    assert parse_expression("exp(x)", ["x"], evaluate=False) == expr
