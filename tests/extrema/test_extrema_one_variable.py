"""One-variable extrema against dense sampling and textbook answers."""

from __future__ import annotations

import math
import random
from types import MappingProxyType

import numpy as np
import pytest
import sympy

from shared.mathcore import budget
from shared.mathcore.extrema import extrema_one_variable
from shared.mathcore.symbols import variable

x = variable("x")
oo = sympy.oo
SAMPLES = 20001


def _poly(rng: random.Random):
    coeffs = [rng.randint(-4, 4) for _ in range(rng.randint(3, 6))]
    expr = sum(c * x**k for k, c in enumerate(coeffs))
    return expr, lambda t: sum(c * t**k for k, c in enumerate(coeffs))


def _trig(rng: random.Random):
    a, b, k, m, c = (
        rng.randint(-3, 3) or 1,
        rng.randint(-3, 3),
        rng.randint(1, 3),
        rng.randint(1, 3),
        rng.choice([0, 0, sympy.Rational(1, 2), -1]),
    )
    expr = a * sympy.sin(k * x) + b * sympy.cos(m * x) + c * x
    cf = float(c)
    return expr, lambda t: a * np.sin(k * t) + b * np.cos(m * t) + cf * t


def _exp_log(rng: random.Random):
    k = rng.randint(1, 3)
    choice = rng.randrange(4)
    if choice == 0:
        return x * sympy.exp(-k * x), lambda t: t * np.exp(-k * t)
    if choice == 1:
        return sympy.exp(x) - k * x, lambda t: np.exp(t) - k * t
    if choice == 2:
        return sympy.log(x**2 + 1) - x / k, lambda t: np.log(t**2 + 1) - t / k
    return (x - k) ** 2 * sympy.exp(x / 2), lambda t: (t - k) ** 2 * np.exp(t / 2)


def _abs(rng: random.Random):
    c, k = rng.randint(-2, 2), rng.randint(-2, 2)
    if rng.random() < 0.5:
        return sympy.Abs(x - c) + k * x**2, lambda t: np.abs(t - c) + k * t**2
    return sympy.Abs(x**2 - c - 2) - k * x, lambda t: np.abs(t**2 - c - 2) - k * t


def _root(rng: random.Random):
    c = rng.randint(-2, 3)
    if rng.random() < 0.5:
        # the real cube root, as calculus books read x^(2/3)
        return x ** sympy.Rational(2, 3) * (x - c), lambda t: np.cbrt(t) ** 2 * (t - c)
    return x ** sympy.Rational(1, 3) * (x - c) ** 2, lambda t: np.cbrt(t) * (t - c) ** 2


def _rational(rng: random.Random):
    c = rng.randint(1, 4)
    choice = rng.randrange(3)
    if choice == 0:
        return x / (x**2 + c), lambda t: t / (t**2 + c)
    if choice == 1:
        return (x**2 - c) / (x**2 + 1), lambda t: (t**2 - c) / (t**2 + 1)
    return (x + c) / (x**2 + x + c), lambda t: (t + c) / (t**2 + t + c)


FAMILIES = [_poly, _trig, _exp_log, _abs, _root, _rational]


def _generated_cases(count: int = 120):
    rng = random.Random(20240613)
    cases = []
    for i in range(count):
        expr, fn = FAMILIES[i % len(FAMILIES)](rng)
        a = sympy.Rational(rng.randint(-8, 2), 2)
        b = a + sympy.Rational(rng.randint(2, 10), 2)
        cases.append(pytest.param(expr, fn, a, b, id=f"{i}-{expr}-[{a},{b}]"))
    return cases


@pytest.mark.parametrize(("expr", "fn", "a", "b"), _generated_cases())
def test_global_extrema_match_dense_sampling(expr, fn, a, b, monkeypatch):
    # A short solve budget keeps CI fast and sends the hard cases down the
    # numeric path, which the sampling checks just the same.
    monkeypatch.setattr(budget, "BUDGETS", MappingProxyType({**budget.BUDGETS, "solve": 0.5}))
    result = extrema_one_variable(expr, x, (a, b))
    ts = np.linspace(float(a), float(b), SAMPLES)
    ys = fn(ts)
    # the sampled extremum is within one step's change of the true one
    slack = float(np.max(np.abs(np.diff(ys)))) + 1e-9 * (1 + float(np.max(np.abs(ys))))
    assert result.global_max is not None and result.global_min is not None
    gmax, gmin = float(result.global_max.value), float(result.global_min.value)
    assert gmax >= ys.max() - 1e-9 * (1 + abs(gmax))  # no sample beats it: nothing missed
    assert gmax <= ys.max() + slack
    assert gmin <= ys.min() + 1e-9 * (1 + abs(gmin))
    assert gmin >= ys.min() - slack
    for ext, value in ((result.global_max, gmax), (result.global_min, gmin)):
        at = float(ext.points[0][x])
        assert float(a) - 1e-12 <= at <= float(b) + 1e-12
        assert fn(np.array([at]))[0] == pytest.approx(value, rel=1e-9, abs=1e-9)
    # each local classification agrees with the values just around the point
    width = float(b - a)
    for cp in result.critical_points:
        c = float(cp.point[x])
        here = fn(np.array([c]))[0]
        around = fn(np.array([c - 1e-4 * width, c + 1e-4 * width]))
        tol = 1e-12 * (1 + abs(here))
        if cp.classification == "local_min":
            assert np.all(around >= here - tol)
        elif cp.classification == "local_max":
            assert np.all(around <= here + tol)
        elif cp.classification == "neither":
            assert around.min() < here - tol or around.max() > here + tol
            assert not (np.all(around > here) or np.all(around < here))
        else:
            pytest.fail(f"classification {cp.classification} at {c}")


def _xs(result):
    return [cp.point[x] for cp in result.critical_points]


def test_periodic_on_bounded_interval_finds_every_critical_point():
    result = extrema_one_variable(sympy.sin(x) + sympy.cos(x), x, (0, 2 * sympy.pi))
    assert _xs(result) == [sympy.pi / 4, 5 * sympy.pi / 4]
    assert [cp.classification for cp in result.critical_points] == ["local_max", "local_min"]
    assert result.global_max.value == sympy.sqrt(2)
    assert result.global_min.value == -sympy.sqrt(2)
    assert result.method == "symbolic"


def test_cusp_is_a_critical_number():
    result = extrema_one_variable(x ** sympy.Rational(2, 3), x, (-1, 8))
    (cp,) = result.critical_points
    assert cp.point[x] == 0 and cp.kind == "singular" and cp.classification == "local_min"
    assert result.global_max.value == 4 and result.global_max.points[0][x] == 8
    assert result.global_min.value == 0


def test_corner_is_a_critical_number():
    result = extrema_one_variable(sympy.Abs(x - 1), x, (-2, 3))
    (cp,) = result.critical_points
    assert (cp.point[x], cp.kind, cp.classification) == (1, "singular", "local_min")
    assert result.global_max.value == 3 and result.global_max.points[0][x] == -2


def test_vertical_tangent_is_neither():
    result = extrema_one_variable(x ** sympy.Rational(1, 3), x, (-1, 1))
    (cp,) = result.critical_points
    assert (cp.point[x], cp.kind, cp.classification) == (0, "singular", "neither")


def test_reciprocal_on_half_open_interval_has_no_max():
    result = extrema_one_variable(1 / x, x, (0, 1))
    assert result.global_max is None
    assert result.global_status["max"] == "unbounded"
    assert result.global_min.value == 1 and result.global_min.points[0][x] == 1


def test_open_interval_has_neither_extremum():
    result = extrema_one_variable(x**2, x, (1, 2), open_=True)
    assert result.global_min is None and result.global_max is None
    assert result.global_status == {"min": "not_attained", "max": "not_attained"}


def test_cube_on_real_line():
    result = extrema_one_variable(x**3, x, (-oo, oo))
    (cp,) = result.critical_points
    assert (cp.point[x], cp.classification) == (0, "neither")
    assert result.global_min is None and result.global_max is None
    assert result.global_status == {"min": "unbounded", "max": "unbounded"}


def test_gaussian_on_real_line():
    result = extrema_one_variable(sympy.exp(-(x**2)), x, (-oo, oo))
    assert _xs(result) == [0]
    assert result.global_max.value == 1
    assert result.global_min is None and result.global_status["min"] == "not_attained"
    assert result.bounds["infimum"] == "0"


def test_x_log_x_on_positive_half_line():
    result = extrema_one_variable(x * sympy.log(x), x, (0, oo))
    assert _xs(result) == [sympy.exp(-1)]
    assert result.global_min.value == -sympy.exp(-1)
    assert result.global_max is None and result.global_status["max"] == "unbounded"


def test_transcendental_equation_falls_back_to_numerics():
    # f' = x - cos x has one root, the Dottie number, with no closed form
    result = extrema_one_variable(x**2 / 2 - sympy.sin(x), x, (-3, 3))
    assert result.method == "numeric"
    (cp,) = result.critical_points
    assert float(cp.point[x]) == pytest.approx(0.7390851332151607, abs=1e-12)
    assert cp.classification == "local_min"
    solve_step = next(s for s in result.steps if s["rule"] == "solve")
    assert "grid" in solve_step["text"] and "20001" in solve_step["text"]


def test_sine_on_real_line_is_periodic():
    result = extrema_one_variable(sympy.sin(x), x, (-oo, oo))
    assert _xs(result) == [sympy.pi / 2, 3 * sympy.pi / 2]
    assert result.global_max.value == 1 and result.global_min.value == -1
    assert any(s["rule"] == "periodic" for s in result.steps)


def test_domain_of_log_sin_is_respected():
    result = extrema_one_variable(sympy.log(sympy.sin(x)), x, (-1, 7))
    assert _xs(result) == [sympy.pi / 2]
    assert result.global_max.value == 0
    assert result.global_min is None and result.global_status["min"] == "unbounded"


def test_domain_with_a_gap():
    result = extrema_one_variable(sympy.sqrt(x**2 - 1), x, (-2, 2))
    assert result.critical_points == []
    assert result.global_min.value == 0
    assert sorted(p[x] for p in result.global_min.points) == [-1, 1]
    assert result.global_max.value == sympy.sqrt(3)


def test_flat_second_derivative_uses_first_derivative_test():
    result = extrema_one_variable(x**4 - x**3 * 0, x, (-1, 2))
    (cp,) = result.critical_points
    assert cp.classification == "local_min" and cp.test == "first_derivative"
    result = extrema_one_variable(x**5, x, (-1, 2))
    assert result.critical_points[0].classification == "neither"


def test_steps_tell_the_method():
    result = extrema_one_variable(x**3 - 3 * x, x, (-3, 2))
    rules = [s["rule"] for s in result.steps]
    for rule in (
        "domain",
        "differentiate",
        "solve",
        "classify",
        "candidates",
        "compare",
        "conclude",
    ):
        assert rule in rules
    assert rules.index("differentiate") < rules.index("solve") < rules.index("compare")
    assert result.global_min.value == -18 and result.global_max.value == 2


def test_empty_interval_is_refused():
    with pytest.raises(ValueError):
        extrema_one_variable(x, x, (2, 1))


def test_contract_shape():
    out = extrema_one_variable(x**2 - 2 * x, x, (0, 3)).to_dict()
    assert out["critical_points"][0]["point"] == {"x": "1"}
    assert out["critical_points"][0]["point_numeric"] == {"x": 1.0}
    assert out["critical_points"][0]["numeric"] == -1.0
    assert out["global_max"]["point"] == {"x": "3"} and out["global_max"]["numeric"] == 3.0
    assert out["method"] == "symbolic"
    assert math.isclose(out["global_min"]["numeric"], -1.0)
