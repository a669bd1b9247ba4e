"""LaTeX input: each construct against a hand-built SymPy expression, and the bounds."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from shared.mathcore.mlfunctions import logsumexp, relu, sigmoid, softplus
from shared.mathcore.parsing.parser import ParseError, parse_expression
from shared.mathcore.realroot import cbrt
from shared.mathcore.symbols import generic_function

x, y, z, n = sp.symbols("x y z n", real=True)
theta, alpha, w_1, w_12 = sp.symbols("theta alpha w_1 w_12", real=True)
f, g, f1 = generic_function("f"), generic_function("g"), generic_function("f'")


def latex(text: str, variables=("x", "y"), **kw):
    return parse_expression(text, variables=list(variables), syntax="latex", **kw)


CASES = [
    (r"\frac{a}{b}", sp.Symbol("a", real=True) / sp.Symbol("b", real=True)),
    (r"\frac{1}{1+e^{-z}}", 1 / (1 + sp.exp(-z))),
    (r"\dfrac{x}{y}", x / y),
    (r"\tfrac{1}{2}x", x / 2),
    (r"\frac12", sp.Rational(1, 2)),
    (r"\frac{x+1}{2}", (x + 1) / 2),
    (r"\frac{\frac{1}{x}}{y}", 1 / (x * y)),
    (r"\sqrt{x}", sp.sqrt(x)),
    (r"\sqrt x", sp.sqrt(x)),
    (r"\sqrt[3]{x}", cbrt(x)),
    (r"\sqrt[n]{x}", x ** (1 / n)),
    (r"\sqrt{x}^2", x),
    (r"\sin^2 x", sp.sin(x) ** 2),
    (r"\sin^{2}(x)", sp.sin(x) ** 2),
    (r"\sin^{-1} x", sp.asin(x)),
    (r"\cos^{-1}(x)", sp.acos(x)),
    (r"\arcsin x", sp.asin(x)),
    (r"\arctan(x)", sp.atan(x)),
    (r"\tanh x", sp.tanh(x)),
    (r"e^{x}", sp.exp(x)),
    (r"e^{-x^2}", sp.exp(-(x**2))),
    (r"e^x", sp.exp(x)),
    (r"x^{2}", x**2),
    (r"x^2", x**2),
    (r"x^{10}", x**10),
    (r"x^23", 3 * x**2),  # TeX: a bare superscript is one character
    (r"x^{y^{2}}", x ** (y**2)),
    (r"\ln x", sp.log(x)),
    (r"\ln(x+1)", sp.log(x + 1)),
    (r"\log x", sp.log(x)),
    (r"\log_b x", sp.log(x) / sp.log(sp.Symbol("b", real=True))),
    (r"\log_2 x", sp.log(x) / sp.log(2)),
    (r"\log_{10} x", sp.log(x) / sp.log(10)),
    (r"\log_{10}(1000)", sp.Integer(3)),
    (r"\exp(x)", sp.exp(x)),
    (r"\exp x", sp.exp(x)),
    (r"2 \cdot x", 2 * x),
    (r"2 \times 3", sp.Integer(6)),
    (r"6 \div 3", sp.Integer(2)),
    (r"\left( x + 1 \right)^2", (x + 1) ** 2),
    (r"\left[ x \right]", x),
    (r"\bigl( x \bigr)", x),
    (r"\left| x \right|", sp.Abs(x)),
    (r"\left|x - \left|y\right|\right|", sp.Abs(x - sp.Abs(y))),
    (r"\lvert x \rvert", sp.Abs(x)),
    (r"|x|", sp.Abs(x)),
    (r"||x|-1|", sp.Abs(sp.Abs(x) - 1)),
    (r"\{x + 1\}^2", (x + 1) ** 2),
    (r"{x + 1}^2", (x + 1) ** 2),
    (r"\left\{ x \right\}", x),
    (r"\left. x \right|", None),
    (r"2x", 2 * x),
    (r"2(x+1)", 2 * x + 2),
    (r"(x+1)(x-1)", (x + 1) * (x - 1)),
    (r"xy", x * y),
    (r"2\sin x \cos x", 2 * sp.sin(x) * sp.cos(x)),
    (r"x\sqrt{x}", x ** sp.Rational(3, 2)),
    (r"\theta", theta),
    (r"\alpha x", alpha * x),
    (r"\varphi", sp.Symbol("phi", real=True)),
    (r"\pi", sp.pi),
    (r"2\pi x", 2 * sp.pi * x),
    (r"\infty", sp.oo),
    (r"-\infty", -sp.oo),
    (r"w_1", w_1),
    (r"w_{12}", w_12),
    (r"w_{1 2}", w_12),
    (r"\theta_0", sp.Symbol("theta_0", real=True)),
    (r"\operatorname{sigmoid}(x)", sigmoid(x)),
    (r"\operatorname{relu}(x)", relu(x)),
    (r"\sigma(x)", sigmoid(x)),
    (r"\sigma x", sp.Symbol("sigma", real=True) * x),
    (r"f'(x) + g^{2}", f1(x) + sp.Symbol("g", real=True) ** 2),
    (r"\mathrm{e}^{x}", sp.exp(x)),
    (r"\max(x, y)", sp.Max(x, y)),
    (r"\lfloor x \rfloor", sp.floor(x)),
    (r"\lceil x \rceil", sp.ceiling(x)),
    (r"x \, y", x * y),
    (r"x\!\cdot\!y", x * y),
    (r"\displaystyle \frac{1}{x}", 1 / x),
    (r"5!", sp.Integer(120)),
    (r"\pi r^2", sp.pi * sp.Symbol("r", real=True) ** 2),
    (r"0.5x", x / 2),
]
CASES = [c for c in CASES if c[1] is not None]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_latex_syntax(text, expected):
    assert latex(text) == expected


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        (r"\frac{1}{", 9, "expected an expression"),
        (r"\frac{1}", 8, "an argument for '\\frac'"),
        (r"x + \foo", 4, "unknown command '\\foo'"),
        (r"\left( x", 8, "expected ')'"),
        (r"\left| x", 8, "'\\right|'"),
        (r"x \right)", 2, "unmatched ')'"),
        (r"\sqrt[3{x}", 10, "expected ']' to close the '[' at position 5"),
        (r"w_{i+1}", 1, "unsupported subscript"),
        (r"\operatorname{foo}(x)", 0, "unknown function 'foo'"),
        (r"x & y", 2, "unexpected character '&'"),
        ("x \\", 2, "lone backslash"),
        (r"\sin", 4, "an argument for 'sin'"),
        (r"\left x", 6, "unsupported delimiter"),
        (r"x^{}", 3, "expected an expression"),
    ],
)
def test_latex_errors_point_into_the_source(text, position, fragment):
    with pytest.raises(ParseError) as info:
        latex(text)
    assert info.value.position == position, str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (r"x^{9^{9^{9}}}", "number too large"),
        (r"9^{9^{9}}", "number too large"),
        (r"10^{10^{10}}", "number too large"),
        (r"\left(10^{6}\right)!", "argument too large"),
        (r"\sqrt{10^{999}+1}", "number too large for a root"),
        (r"e^{10^{6}\ln 2}", "number too large"),
        (r"x^{10^{9}}", "exponent too large"),
    ],
)
def test_latex_keeps_the_plain_bounds(text, fragment):
    started = time.perf_counter()
    with pytest.raises(ParseError) as info:
        latex(text)
    assert time.perf_counter() - started < 1.0
    assert fragment in str(info.value)


def test_latex_nesting_and_length_bounds():
    deep = r"\frac{1}{" * 3000 + "x" + "}" * 3000
    with pytest.raises(ParseError, match="nested too deeply"):
        latex(deep, max_length=100_000)
    with pytest.raises(ParseError, match="input too long"):
        latex("x+" * 1500 + "x")
    braces = "{" * 5000 + "x" + "}" * 5000
    with pytest.raises(ParseError, match="nested too deeply"):
        latex(braces, max_length=20_000)


def test_latex_injection_is_just_refused():
    for text in [r"\input{/etc/passwd}", r"\include{x}", r"\def\x{1}", r"\write18{id}"]:
        with pytest.raises(ParseError, match="unknown command"):
            latex(text)


def test_latex_and_plain_agree_on_the_same_math():
    pairs = [
        (r"\frac{x^{2}+1}{\sqrt{x}}", "(x^2+1)/sqrt(x)"),
        (r"\sin^2 x + \cos^2 x", "sin^2 x + cos^2 x"),
        (r"e^{-\frac{x^2}{2}}", "e^(-x^2/2)"),
        (r"\log_2 \left(x+1\right)", "log(x+1, 2)"),
    ]
    for tex, plain in pairs:
        assert latex(tex) == parse_expression(plain, ["x", "y"])


def test_latex_unevaluated():
    expr = parse_expression(r"\frac{2}{4}", syntax="latex", evaluate=False)
    assert expr != sp.Rational(1, 2) and expr.doit() == sp.Rational(1, 2)


def test_latex_equation():
    from shared.mathcore.parsing.parser import parse_equation

    assert parse_equation(r"x^{2} + y^{2} = 25", ["x", "y"], syntax="latex") == (x**2 + y**2, 25)


def test_latex_printer_output_reads_back():
    from shared.mathcore.printing import to_latex

    for expr in [x**2 + 1, sp.sin(x) ** 2, sp.sqrt(x + 1) / (2 * x), sp.exp(-x) * sp.log(x),
                 sp.Abs(x - 1), sp.asin(x), sp.pi * x / 3, cbrt(x), sigmoid(x) * (1 - sigmoid(x)),
                 relu(x - 1) + softplus(2 * x), logsumexp(x, y, z), f1(g(x)) * x,
                 sp.diff(f(g(x)), x)]:  # fmt: skip
        assert latex(to_latex(expr)) == expr
