"""Named steps for the ML functions, kinks, generic functions and reductions (issue 14.3).

Every derivative step is checked against an independent oracle: mpmath's
numeric derivative of the step's ``before`` at 30 digits, at points away from
kinks; generic functions are replaced by a concrete function and its exact
derivatives; reductions by the explicit sum over a small data set.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp

from shared.mathcore.derivative import derivative_trace
from shared.mathcore.derivative.render import DERIVATIVE, iter_nodes
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.reductions import DataColumn, RowMean, RowSum, column
from shared.mathcore.symbols import generic_order, variable

mpmath.mp.dps = 30
x, w, b, y = variable("x"), variable("w"), variable("b"), variable("y")
POINTS = (-2.3, -0.71, 0.37, 1.29, 2.6)

CASES = [
    ("sigma(x^2)", {"sigmoid", "chain"}),
    ("softplus(3x - 1)", {"softplus", "chain"}),
    ("relu(x^2 - 1) * x", {"relu", "product"}),
    ("max(0, x^3 - x) + min(x, 1 - x)", {"max_min"}),
    ("logsumexp(x, 2x, x^2)", {"logsumexp"}),
    ("cbrt(x) + cbrt(x - 5)^2", {"cube_root"}),
    ("tanh(sigma(x)) * softplus(x)", {"sigmoid", "softplus", "hyperbolic"}),
    ("max(x, x^2, -x)", {"max_min"}),
]


def mp_value(expr: sp.Expr, var: sp.Symbol, t):
    """expr at var = t with mpmath (the functions' own mpmath implementations)."""
    return sp.lambdify([var], expr, "mpmath")(t)


def check_derivative_step(before, after, var):
    checked = 0
    for t in POINTS:
        tt = mpmath.mpf(t)
        try:
            expected = mpmath.diff(lambda s: mp_value(before, var, s), tt)
            got = sp.N(after.subs(var, sp.Float(t, 30)), 25)
        except (ValueError, ZeroDivisionError, TypeError):
            continue
        if not got.is_finite or not got.is_real or not mpmath.isfinite(expected):
            continue  # a kink or outside the domain at this point
        assert abs(complex(got) - complex(expected)) < 1e-12 * (1 + abs(complex(expected))), (
            before,
            after,
            t,
        )
        checked += 1
    return checked


@pytest.mark.parametrize(("text", "codes"), CASES, ids=[c[0] for c in CASES])
def test_every_step_matches_mpmath_and_rules_are_named(text, codes):
    trace = derivative_trace(parse_expression(text), [x])
    nodes = list(iter_nodes(trace.nodes))
    used = {n.rule for n in nodes}
    assert codes <= used, used
    assert "sympy_fallback" not in used
    checked = 0
    for node in nodes:
        if node.kind == DERIVATIVE:
            checked += check_derivative_step(node.before, node.after, node.var)
    assert checked >= len(POINTS)
    assert check_derivative_step(parse_expression(text), trace.result, x) >= 3


def test_step_texts_say_the_textbook_rules():
    texts = " ".join(
        n.text
        for text, _ in CASES
        for n in iter_nodes(derivative_trace(parse_expression(text), [x]).nodes)
    )
    assert "σ′ = σ(1 − σ)" in texts
    assert "relu has a kink" in texts and "undefined" in texts
    assert "No step-by-step rule covers" not in texts


@pytest.mark.parametrize(
    ("text", "point"),
    [("relu(x)", 0), ("max(0, x)", 0), ("min(x, 1 - x)", sp.Rational(1, 2)), ("cbrt(x)", 0)],
)
def test_derivative_at_a_kink_is_undefined_never_one_half(text, point):
    result = derivative_trace(parse_expression(text), [x]).result
    value = result.subs(x, point)
    assert value is sp.nan or value.is_finite is False or value == sp.zoo


def test_cube_root_derivative_at_minus_eight_is_one_twelfth():
    result = derivative_trace(parse_expression("cbrt(x)"), [x]).result
    assert result.subs(x, -8) == sp.Rational(1, 12)


# -- generic functions: replace f, g, h by concrete functions and their derivatives --
CONCRETE = {"f": sp.sin, "g": lambda t: t**3 + 2 * t, "h": sp.exp}


def concretize(expr: sp.Expr) -> sp.Expr:
    def replace(call):
        name, order = generic_order(call.func)
        t = sp.Dummy("t")
        body = sp.diff(CONCRETE[name](t), t, order)
        return body.subs(t, call.args[0])

    return expr.replace(lambda e: generic_order(getattr(e, "func", None)) is not None, replace)


@pytest.mark.parametrize("text", ["f(g(x))", "f(x)*g(x)", "h(f(x^2))", "f(g(h(x)))"])
def test_generic_chain_rule_keeps_primes_and_is_right(text):
    expr = parse_expression(text)
    trace = derivative_trace(expr, [x])
    assert "generic_function" in {n.rule for n in iter_nodes(trace.nodes)}
    assert parse_expression(trace.steps[-1]["after"]) == trace.result
    oracle = sp.diff(concretize(expr), x)
    for t in POINTS:
        assert math.isclose(
            float(concretize(trace.result).subs(x, t)), float(oracle.subs(x, t)), rel_tol=1e-12
        )
    for node in iter_nodes(trace.nodes):
        if node.kind == DERIVATIVE and node.var == x:
            reference = sp.diff(concretize(node.before), x)
            diff = (concretize(node.after) - reference).subs(x, sp.Rational(7, 10))
            assert abs(float(diff)) < 1e-12


def test_chain_rule_text_for_generic_functions():
    trace = derivative_trace(parse_expression("f(g(x))"), [x])
    assert trace.steps[0]["after"] == "f'(g(x))*g'(x)"
    assert "f is a generic function" in trace.steps[0]["substeps"][0]["text"]


# -- reductions: compare with the explicit sum over a small data set ----------------
XS = [sp.Rational(1), sp.Rational(-2), sp.Rational(7, 2)]
YS = [sp.Rational(3), sp.Rational(1, 2), sp.Rational(-1)]


def expand_rows(expr: sp.Expr) -> sp.Expr:
    def rows(inner):
        cols = [c for c in inner.free_symbols if isinstance(c, DataColumn)]
        values = {"x": XS, "y": YS}
        return [inner.subs({c: values[c.name][i] for c in cols}) for i in range(len(XS))]

    expr = expr.replace(lambda e: isinstance(e, RowMean), lambda e: sp.Add(*rows(e.args[0])) / 3)
    return expr.replace(lambda e: isinstance(e, RowSum), lambda e: sp.Add(*rows(e.args[0])))


def test_derivative_of_a_mean_is_the_mean_of_the_derivatives():
    mse = parse_expression("mean((w x + b - y)^2)", data=["x", "y"])
    trace = derivative_trace(mse, [w])
    X, Y = column("x"), column("y")
    assert trace.result == RowMean(2 * X * (b + w * X - Y))
    assert trace.steps[-1]["after"] == "mean(2*x*(b + w*x - y))"
    texts = [n.text for n in iter_nodes(trace.nodes)]
    assert any("The derivative of a mean is the mean of the derivatives" in t for t in texts)
    assert any("(the data column y fixed)" in t for t in texts)
    assert any("(b held constant)" in t for t in texts)
    for node in iter_nodes(trace.nodes):
        if node.kind == DERIVATIVE and node.var == w:
            got = expand_rows(node.after) - sp.diff(expand_rows(node.before), w)
            assert sp.expand(got) == 0, node.rule


def test_sum_over_rows_of_a_logistic_loss():
    loss = parse_expression("sum(softplus(-y (w x + b)))", data=["x", "y"])
    trace = derivative_trace(loss, [b])
    assert isinstance(trace.result, RowSum) or trace.result.has(RowSum)
    explicit = sp.diff(expand_rows(loss), b)
    at = {w: sp.Rational(1, 3), b: sp.Rational(-1, 2)}
    assert abs(float((expand_rows(trace.result) - explicit).subs(at))) < 1e-12


# -- generic functions of several arguments: partials by argument index, f_12(x, y) --
def F2(u, v):  # noqa: N802 - the concrete stand-in for f(u, v)
    return sp.sin(u) * v**2 + sp.exp(u * v / 3)


def concretize_several(expr: sp.Expr) -> sp.Expr:
    """f, f_1, f_12, ... of two arguments -> F2 and its exact partials; g, h as above."""
    u, v = sp.Dummy("u"), sp.Dummy("v")

    def replace(call):
        if len(call.args) == 1:
            return concretize(call)
        by = [(u, v)[int(i) - 1] for i in call.func.generic_partials]
        body = sp.diff(F2(u, v), *by) if by else F2(u, v)
        return body.subs({u: call.args[0], v: call.args[1]}, simultaneous=True)

    return expr.replace(lambda e: generic_order(getattr(e, "func", None)) is not None, replace)


SEVERAL = ["f(x, x^2)", "x*f(x, y)", "f(x*y, x + y)", "f(g(x), x)", "f(x, y)^2", "f(x^2, f(x, y))"]


@pytest.mark.parametrize("text", SEVERAL)
@pytest.mark.parametrize("by", [(x,), (x, y)], ids=["d/dx", "d2/dxdy"])
def test_partials_of_generic_functions_parse_back_and_are_right(text, by):
    from shared.mathcore.printing import to_latex, to_plain

    expr = parse_expression(text)
    trace = derivative_trace(expr, list(by))
    result = trace.result
    assert not result.has(sp.Derivative, sp.Subs), result
    # The contract: every returned expression parses back to the same value
    # (2*(a + b) reads back as 2*a + 2*b: SymPy distributes a number).
    for back in (
        parse_expression(to_plain(result)),
        parse_expression(to_latex(result), syntax="latex"),
        parse_expression(trace.steps[-1]["after"]),
    ):
        assert sp.expand(back - result) == 0
    oracle = sp.diff(concretize_several(expr), *by)
    got = concretize_several(result)
    for t in POINTS:
        point = {x: sp.Rational(t), y: sp.Rational(t) / 3 + 1}
        assert math.isclose(
            float(got.subs(point)), float(oracle.subs(point)), rel_tol=1e-10, abs_tol=1e-12
        ), (text, t)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f_1(x)", "has one argument"),
        ("f_3(x, y)", "names argument 3 of 2"),
        ("f_0(x, y)", ""),
        ("q_1(x, y)", ""),
    ],
)
def test_partial_subscripts_that_name_no_partial_are_errors(text, message):
    from shared.mathcore.parsing.errors import ParseError

    with pytest.raises(ParseError) as caught:
        parse_expression(text)
    assert message in str(caught.value)
