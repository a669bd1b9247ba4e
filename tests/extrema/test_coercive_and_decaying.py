"""Issue 11 item 9: global extrema over ℝ² of coercive polynomials (the
highest power of each variable even with a positive coefficient, lower terms
of any sign) and of P·e^R that decays to 0 are decided, and the steps name the
proof. Oracles: hand-derived values, dense sampling of a box that holds the
extremum.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from shared.mathcore.extrema import extrema_several
from shared.mathcore.extrema.growth import coercive_reason
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")
R = sympy.Rational


def _grid(f, radius: float, n: int = 1201):
    fn = sympy.lambdify((x, y), f, modules="numpy")
    axis = np.linspace(-radius, radius, n)
    xs, ys = np.meshgrid(axis, axis)
    with np.errstate(all="ignore"):
        return fn(xs, ys) + 0 * xs


def _conclusions(result) -> str:
    return " ".join(s["text"] for s in result.steps if s["rule"] in ("conclude", "decay"))


def test_dominant_pure_powers_prove_a_minimum():
    # by hand: ∇f = (4x³ − 3y, 2y − 3x) = 0 gives x = 0 or x² = 9/8, y = 3x/2,
    # and f = x⁴ − 9x²/4 = −81/64 at both non-zero points
    f = x**4 + y**2 - 3 * x * y
    result = extrema_several(f, [x, y])
    assert result.global_min.value == R(-81, 64)
    pts = sorted(float(p[x]) for p in result.global_min.points)
    assert pts == pytest.approx([-((9 / 8) ** 0.5), (9 / 8) ** 0.5])
    assert result.global_status == {"min": "attained", "max": "unbounded"}
    assert "coercive" in _conclusions(result) and "weighted degree" in _conclusions(result)


def test_equal_weight_cross_term_can_break_coercivity():
    # x⁴ + y² + 3x²y has weighted degree 1 in x²y and is −x⁴ on y = −x²
    assert coercive_reason(x**4 + y**2 + 3 * x**2 * y, [x, y]) is None
    result = extrema_several(x**4 + y**2 + 3 * x**2 * y, [x, y])
    assert result.global_min is None and result.global_status["min"] == "unbounded"
    # ... while a small enough one keeps it: x⁴ + y² + x²y ≥ (3/4)x⁴ (complete the square)
    assert coercive_reason(x**4 + y**2 + x**2 * y, [x, y]) is not None


def _coercive_polynomial(rng: random.Random) -> sympy.Expr:
    a, b = rng.choice([2, 4, 6]), rng.choice([2, 4])
    f = rng.randint(1, 3) * x**a + rng.randint(1, 3) * y**b
    # lower terms x^i y^j of weighted degree i/a + j/b < 1, any sign
    for i in range(a):
        for j in range(b):
            if R(i, a) + R(j, b) < 1 and rng.random() < 0.35:
                f += rng.randint(-4, 4) * x**i * y**j
    return f


@pytest.mark.parametrize("seed", range(10))
def test_coercive_corpus_minimum_matches_dense_sampling(seed):
    f = _coercive_polynomial(random.Random(seed))
    result = extrema_several(f, [x, y])
    assert result.global_status["max"] == "unbounded"
    if result.global_status["min"] == "undecided":
        assert not result.complete  # only when ∇f = 0 could not be solved completely
        return
    assert result.global_status["min"] == "attained"
    words = _conclusions(result)
    assert "coercive" in words or "≥ 0 everywhere" in words  # the proof is named
    value = float(result.global_min.value)
    samples = _grid(f, 4.0)
    # nothing sampled lies below the reported minimum, and it is reached
    assert samples.min() >= value - 1e-9 * (1 + abs(value))
    assert samples.min() <= value + 0.05 * (1 + abs(value))
    for p in result.global_min.points:
        at = float(f.subs({x: sympy.N(p[x], 30), y: sympy.N(p[y], 30)}))
        assert at == pytest.approx(value, rel=1e-9, abs=1e-9)


def test_gaussian_times_xy_has_both_extrema():
    # by hand: the critical points are 0 and (±1/√2, ±1/√2); f = ±e^(−1)/2 there
    result = extrema_several(x * y * sympy.exp(-(x**2) - y**2), [x, y])
    assert result.complete
    assert result.global_max.value == sympy.exp(-1) / 2
    assert result.global_min.value == -sympy.exp(-1) / 2
    assert len(result.global_max.points) == 2 and len(result.global_min.points) == 2
    assert "tends to 0" in _conclusions(result)


def test_positive_bump_has_no_minimum():
    result = extrema_several((x**2 + 1) * sympy.exp(-(x**2) - y**2 + x), [x, y])
    assert result.global_status["min"] == "not_attained" and result.bounds["infimum"] == "0"
    assert result.global_status["max"] == "attained"
    samples = _grid((x**2 + 1) * sympy.exp(-(x**2) - y**2 + x), 7.0)
    assert float(result.global_max.value) >= samples.max() - 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_decaying_corpus_against_dense_sampling(seed):
    rng = random.Random(500 + seed)
    p = sum(rng.randint(-3, 3) * m for m in (1, x, y, x * y, x**2, y**2))
    f = p * sympy.exp(-(x**2) - 2 * y**2 + rng.randint(-1, 1) * x * y)
    result = extrema_several(f, [x, y])
    samples = _grid(f, 7.0)
    for kind, ext, best in (
        ("max", result.global_max, samples.max()),
        ("min", result.global_min, samples.min()),
    ):
        status = result.global_status[kind]
        if status == "undecided":
            assert not result.complete
        elif status == "attained":
            value = float(ext.value)
            assert (best <= value + 1e-9) if kind == "max" else (best >= value - 1e-9)
            assert abs(best - value) <= 0.02 * (1 + abs(value))
        else:
            assert (
                status == "not_attained"
                and result.bounds["supremum" if kind == "max" else "infimum"] == "0"
            )
            assert (best <= 1e-12) if kind == "max" else (best >= -1e-12)
