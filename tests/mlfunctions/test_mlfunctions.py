"""ML functions: values and derivatives against mpmath at high precision."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from shared.mathcore.mlfunctions import logsumexp, relu, sigmoid, softplus, step
from shared.mathcore.optimize.compile import compile_objective

x, y, z = sp.symbols("x y z", real=True)
mpmath.mp.dps = 40

POINTS = [-30.0, -2.5, -0.75, -1e-3, 0.4, 1.0, 3.25, 25.0]


def mp_sigmoid(t):
    return 1 / (1 + mpmath.exp(-t))


def mp_softplus(t):
    return mpmath.log(1 + mpmath.exp(t))


def mp_lse(*ts):
    return mpmath.log(mpmath.fsum(mpmath.exp(t) for t in ts))


ORACLES = [
    (sigmoid, mp_sigmoid),
    (softplus, mp_softplus),
    (relu, lambda t: max(t, mpmath.mpf(0))),
]


@pytest.mark.parametrize("fn, oracle", ORACLES)
@pytest.mark.parametrize("t", POINTS)
def test_value_and_derivative_match_mpmath(fn, oracle, t):
    tt = mpmath.mpf(t)
    expr = fn(x)
    assert abs(sp.N(expr.subs(x, sp.Float(t, 40)), 30) - oracle(tt)) <= mpmath.mpf(10) ** -25
    derivative = sp.diff(expr, x).subs(x, sp.Float(t, 40))
    expected = mpmath.diff(oracle, tt)
    assert abs(sp.N(derivative, 30) - expected) <= mpmath.mpf(10) ** -20 * (1 + abs(expected))


def test_textbook_derivative_forms():
    s = sigmoid(x)
    assert sp.diff(s, x) == s * (1 - s)
    assert sp.diff(softplus(x), x) == sigmoid(x)
    assert sp.diff(relu(x), x) == step(x)
    assert sp.diff(logsumexp(x, y), y) == sp.exp(y - logsumexp(x, y))


def test_relu_derivative_is_undefined_at_its_kink_never_one_half():
    d = sp.diff(relu(x), x)
    assert d.subs(x, 0) is sp.nan
    assert d.subs(x, sp.Rational(1, 3)) == 1
    assert d.subs(x, -2) == 0
    # The derivative shown is undefined at 0; an optimizer needs a number there and
    # takes torch's subgradient, relu'(0) = 0 (never Heaviside's 1/2).
    assert compile_objective(relu(x), [x]).fg_float(0.0)[1] == 0.0


@pytest.mark.parametrize("point", [(0.3, -1.2, 2.0), (-40.0, 5.0, 5.0), (700.0, 1.0, -3.0)])
def test_logsumexp_gradient_matches_mpmath(point):
    args = (x, 2 * y, z - x)
    expr = logsumexp(*args)
    subs = dict(zip((x, y, z), (sp.Float(p, 40) for p in point), strict=True))
    mp_point = [mpmath.mpf(p) for p in point]

    def oracle(a, b, c):
        return mp_lse(a, 2 * b, c - a)

    assert abs(sp.N(expr.subs(subs), 30) - oracle(*mp_point)) < mpmath.mpf(10) ** -25
    for i, v in enumerate((x, y, z)):
        order = [0, 0, 0]
        order[i] = 1
        expected = mpmath.diff(oracle, mp_point, tuple(order))
        assert abs(sp.N(sp.diff(expr, v).subs(subs), 30) - expected) < mpmath.mpf(10) ** -20


def test_logsumexp_is_symmetric_and_unary_is_identity():
    assert logsumexp(y, x) == logsumexp(x, y)
    assert logsumexp(x) == x


def test_rewrites_are_the_elementary_definitions():
    assert relu(x).rewrite(sp.Max) == sp.Max(0, x)
    assert sigmoid(x).rewrite(sp.exp) == 1 / (1 + sp.exp(-x))
    assert softplus(x).rewrite(sp.log) == sp.log(1 + sp.exp(x))
    assert sp.limit(sigmoid(x), x, sp.oo) == 1
    assert sp.limit(softplus(x), x, -sp.oo) == 0


@pytest.mark.parametrize("t", [-800.0, -30.0, 0.0, 1e-9, 30.0, 800.0])
def test_numeric_implementations_do_not_overflow(t):
    expr = sigmoid(x) + softplus(x) + logsumexp(x, 2 * x)
    fn = sp.lambdify([x], expr, "math")
    fn_np = sp.lambdify([x], expr, "numpy")
    tt = mpmath.mpf(t)
    expected = float(mp_sigmoid(tt) + mp_softplus(tt) + mp_lse(tt, 2 * tt))
    assert fn(t) == pytest.approx(expected, rel=1e-14)
    out = fn_np(np.array([t, t]))
    assert out.tolist() == pytest.approx([expected, expected], rel=1e-14)


def test_compiled_objective_gradient_matches_mpmath():
    expr = softplus(x * y) - sigmoid(x - y) + relu(y) * x
    obj = compile_objective(expr, [x, y])

    def oracle(a, b):
        return mp_softplus(a * b) - mp_sigmoid(a - b) + max(b, 0) * a

    for a, b in [(0.5, 1.5), (-2.0, 0.25), (3.0, -1.0)]:
        f, g = obj.fg_point(np.array([a, b]))
        mp_a, mp_b = mpmath.mpf(a), mpmath.mpf(b)
        assert f == pytest.approx(float(oracle(mp_a, mp_b)), rel=1e-13)
        assert g[0] == pytest.approx(float(mpmath.diff(oracle, (mp_a, mp_b), (1, 0))), rel=1e-12)
        assert g[1] == pytest.approx(float(mpmath.diff(oracle, (mp_a, mp_b), (0, 1))), rel=1e-12)


def test_torch_subgradient_is_zero_at_the_relu_kink_only_for_optimizers():
    from shared.mathcore.mlfunctions import torch_subgradients

    d = sp.diff(relu(x) * y + relu(-x), x)
    assert d.subs({x: 0, y: 1}) is sp.nan  # shown to a user: undefined
    g = sp.lambdify([x, y], torch_subgradients(d), "numpy")
    # torch.relu's gradient is 0 at 0 (and 1 / 0 on either side)
    assert g(np.array([0.0, 1.0, -1.0]), 2.0).tolist() == [0.0, 2.0, -1.0]
