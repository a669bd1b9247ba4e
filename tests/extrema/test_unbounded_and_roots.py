"""Issue 11 items 6 and 7: unbounded functions are unbounded (no "maximum" where
a double overflows), and no critical point is invented by the numeric scan.

Oracles: hand-derived limits and minima, mpmath at 40 digits for f', and a
dense sign scan of f' on a grid.
"""

from __future__ import annotations

import random

import mpmath
import numpy as np
import pytest
import sympy

from shared.mathcore.extrema import extrema_one_variable
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.symbols import variable

x = variable("x")
oo = sympy.oo


def _solve(text: str, a=-oo, b=oo):
    return extrema_one_variable(parse_expression(text, variables=["x"]), x, (a, b))


def _all_points(result) -> list[float]:
    pts = [float(c.point[x]) for c in result.critical_points]
    pts += [float(c.point[x]) for c in result.candidates]
    for ext in (result.global_min, result.global_max):
        if ext is not None:
            pts += [float(p[x]) for p in ext.points]
    return pts


# (expression, status of min, status of max, infimum, supremum): by hand.
UNBOUNDED = [
    ("e^x", "not_attained", "unbounded", "0", "oo"),
    ("2^x", "not_attained", "unbounded", "0", "oo"),
    ("(1/2)^x", "not_attained", "unbounded", "0", "oo"),
    ("x e^x", "attained", "unbounded", "-exp(-1)", "oo"),
    ("cosh(x)", "attained", "unbounded", "1", "oo"),
    ("ln(1+e^x)", "not_attained", "unbounded", "0", "oo"),
    ("-e^x", "unbounded", "not_attained", "-oo", "0"),
    ("e^x + e^(-x)", "attained", "unbounded", "2", "oo"),
    ("x^2 e^x", "attained", "unbounded", "0", "oo"),
]


@pytest.mark.parametrize(("text", "smin", "smax", "inf", "sup"), UNBOUNDED)
def test_exponential_growth_is_unbounded_not_attained_where_floats_end(text, smin, smax, inf, sup):
    result = _solve(text)
    assert result.global_status == {"min": smin, "max": smax}
    assert result.bounds == {"infimum": inf, "supremum": sup}
    assert (result.global_min is None) == (smin != "attained")
    assert (result.global_max is None) == (smax != "attained")
    # nothing anywhere near the overflow point x ≈ 709.78 (or 1024 for 2^x)
    assert all(abs(p) < 100 for p in _all_points(result))
    domain = next(s for s in result.steps if s["rule"] == "domain")
    assert "numerically" not in domain["text"]


def _sum_of_exponentials(rng: random.Random):
    a, c = (sympy.Rational(rng.randint(1, 9), rng.randint(1, 4)) for _ in range(2))
    b, d = (sympy.Rational(rng.randint(1, 6), 2) for _ in range(2))
    f = a * sympy.exp(b * x) + c * sympy.exp(-d * x)
    # f' = ab e^{bx} − cd e^{−dx} = 0  ⇔  x* = ln(cd / ab) / (b + d): by hand
    xstar = sympy.log(c * d / (a * b)) / (b + d)
    return f, xstar


@pytest.mark.parametrize("seed", range(12))
def test_sum_of_exponentials_has_its_one_minimum_and_no_maximum(seed):
    f, xstar = _sum_of_exponentials(random.Random(seed))
    result = extrema_one_variable(f, x, (-oo, oo))
    (cp,) = result.critical_points
    assert float(cp.point[x]) == pytest.approx(float(xstar), rel=1e-12, abs=1e-12)
    assert cp.classification == "local_min"
    assert float(result.global_min.value) == pytest.approx(float(f.subs(x, xstar)), rel=1e-12)
    assert result.global_max is None and result.global_status["max"] == "unbounded"


def test_no_critical_point_where_f_prime_is_merely_smallest():
    # f' = 3x² + eˣ > 0 everywhere (a sum of a square and a positive term)
    result = _solve("x^3 + e^x", -10, oo)
    assert result.critical_points == []
    assert result.global_min.value == -1000 + sympy.exp(-10)
    assert result.global_min.points == [{x: -10}]
    assert result.global_max is None and result.global_status["max"] == "unbounded"


def _f_prime_mp(fp: sympy.Expr):
    fn = sympy.lambdify(x, fp, modules="mpmath")
    return lambda t: fn(mpmath.mpf(t))


@pytest.mark.parametrize("seed", range(16))
def test_numeric_roots_are_true_zeros_and_none_is_missed(seed):
    """f = x³/3 + a·x + b·e^(c·x) on [−6, 6]: f' = x² + a + b·c·e^(cx) has no
    closed-form zeros, so the numeric path runs. Each stationary point found
    has |f'| < 1e-9 at 40 digits, and their number is the number of sign
    changes of f' on a 200,001-point grid (touching zeros aside)."""
    rng = random.Random(1000 + seed)
    a = sympy.Rational(rng.randint(-12, 4), 2)
    b = sympy.Rational(rng.choice([-1, 1]) * rng.randint(1, 9), 10)
    c = sympy.Rational(rng.randint(1, 8), 4) * rng.choice([-1, 1])
    f = x**3 / 3 + a * x + b * sympy.exp(c * x)
    fp = sympy.diff(f, x)
    result = extrema_one_variable(f, x, (-6, 6))
    check = _f_prime_mp(fp)
    with mpmath.workdps(40):
        for cp in result.critical_points:
            assert cp.kind == "stationary"
            assert abs(check(float(cp.point[x]))) < 1e-9
    grid = np.linspace(-6, 6, 200001)
    values = sympy.lambdify(x, fp, modules="numpy")(grid)
    changes = int(np.sum(np.sign(values[:-1]) * np.sign(values[1:]) < 0))
    assert len(result.critical_points) == changes


@pytest.mark.parametrize("text", ["cosh(x) - sinh(x)", "sinh(x) - cosh(x) + x^2"])
def test_rounding_noise_is_neither_a_critical_point_nor_a_limit(text):
    """cosh x − sinh x = e^(−x): in doubles its derivative sinh x − cosh x is
    rounding noise near x = 18 and changes sign there, and far out even 30
    digits cancel away. By hand: neither e^(−x) nor x² − e^(−x) (f' = 2x + e^(−x)
    ≥ 2 − 2 ln 2 > 0) has a critical point; x² − e^(−x) → ∞ as x → ∞."""
    result = _solve(text)
    assert result.critical_points == []
    if text.startswith("cosh"):
        assert result.global_status == {"min": "not_attained", "max": "unbounded"}
        assert result.bounds == {"infimum": "0", "supremum": "oo"}
    else:
        assert result.global_status == {"min": "unbounded", "max": "unbounded"}


@pytest.mark.parametrize("text", ["e^x", "x e^x", "ln(1 + e^x)", "-e^x"])
def test_an_end_whose_values_run_out_of_time_is_undecided_not_bounded(text, monkeypatch):
    # Force the numeric end estimate (no symbolic limit) and starve its
    # big-number evaluation: no finite bound and no global value may be claimed
    # from the few values seen (a loaded machine must not turn "→ ∞" into a bound).
    from types import MappingProxyType

    from shared.mathcore import budget
    from shared.mathcore.extrema import limits

    def no_limit(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.setattr(limits, "_symbolic_limit", no_limit)
    monkeypatch.setattr(budget, "BUDGETS", MappingProxyType({**budget.BUDGETS, "big_values": 0}))
    x = variable("x")
    result = extrema_one_variable(parse_expression(text), x, (-sympy.oo, sympy.oo))
    assert result.global_min is None and result.global_max is None
    assert set(result.global_status.values()) <= {"undecided", "unbounded"}, result
