"""Issue 11 item 10: exact values come in a closed form our parser reads back
(radicals, or Viète's cosines for a cubic with three real roots), never as
CRootOf; with no closed form the exact field is null and the float is given.

Oracle: mpmath.polyroots at 40 digits on the derivative's coefficients.
"""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy

from shared.mathcore.extrema import extrema_one_variable, extrema_several
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")
oo = sympy.oo


def _real_roots_mp(coeffs) -> list[float]:
    with mpmath.workdps(40):
        roots = mpmath.polyroots([mpmath.mpf(int(c)) for c in coeffs], maxsteps=200, extraprec=200)
        return sorted(float(r.real) for r in roots if abs(mpmath.im(r)) < 1e-25)


def _read_back(text: str) -> float:
    assert "CRootOf" not in text
    return float(sympy.N(parse_expression(text), 30))


def _check_points_read_back(out: dict, expected_xs: list[float], f: sympy.Expr):
    points = out["critical_points"]
    assert len(points) == len(expected_xs)
    for cp, want in zip(points, expected_xs, strict=True):
        got = _read_back(cp["point"]["x"])
        assert got == pytest.approx(want, rel=1e-13, abs=1e-13)
        assert cp["point_numeric"]["x"] == pytest.approx(want, rel=1e-13, abs=1e-13)
        value = float(sympy.N(f.subs(x, sympy.Float(want, 30)), 20))
        assert _read_back(cp["value"]) == pytest.approx(value, rel=1e-10, abs=1e-10)


def test_quintic_critical_points_by_radicals():
    f = x**5 - 5 * x**3 + 4 * x
    out = extrema_one_variable(f, x, (-oo, oo)).to_dict()
    _check_points_read_back(out, _real_roots_mp([5, 0, -15, 0, 4]), f)
    assert [c["classification"] for c in out["critical_points"]] == [
        "local_max",
        "local_min",
        "local_max",
        "local_min",
    ]


def _cubic_with_three_irrational_roots(rng: random.Random):
    while True:
        a, b, c = rng.randint(1, 3), rng.randint(-6, 6), rng.randint(-12, 12)
        d = rng.randint(-9, 9)
        poly = sympy.Poly(a * x**3 + b * x**2 + c * x + d, x)
        if poly.discriminant() > 0 and poly.is_irreducible:
            return poly


@pytest.mark.parametrize("seed", range(6))
def test_casus_irreducibilis_cubics_in_trigonometric_form(seed):
    """f' an irreducible cubic with three real roots: Cardano needs i, so the
    roots come as cosines (Viète), and read back to the true roots."""
    fp = _cubic_with_three_irrational_roots(random.Random(seed))
    f = sympy.integrate(fp.as_expr(), x)
    out = extrema_one_variable(f, x, (-oo, oo)).to_dict()
    _check_points_read_back(out, _real_roots_mp(fp.all_coeffs()), f)


@pytest.mark.parametrize("seed", range(8))
def test_biquadratics_by_radicals(seed):
    rng = random.Random(100 + seed)
    while True:
        a, b, c = rng.randint(1, 5), rng.randint(-20, -1), rng.randint(1, 6)
        if b * b - 4 * a * c > 0 and sympy.Poly(a * x**4 + b * x**2 + c, x).is_irreducible:
            break
    fp = a * x**4 + b * x**2 + c
    f = sympy.integrate(fp, x)
    out = extrema_one_variable(f, x, (-oo, oo)).to_dict()
    _check_points_read_back(out, _real_roots_mp([a, 0, b, 0, c]), f)


def test_no_closed_form_gives_null_and_the_float():
    # f' = x⁵ − x − 1: a quintic with Galois group S5, not solvable by radicals
    f = x**6 / 6 - x**2 / 2 - x
    out = extrema_one_variable(f, x, (-oo, oo)).to_dict()
    (cp,) = out["critical_points"]
    (root,) = _real_roots_mp([1, 0, 0, 0, -1, -1])
    assert cp["point"] == {"x": None} and cp["value"] is None
    assert cp["point_numeric"]["x"] == pytest.approx(root, rel=1e-14)
    assert cp["numeric"] == pytest.approx(float(f.subs(x, root)), rel=1e-12)
    assert out["global_min"]["value"] is None and out["global_min"]["numeric"] == cp["numeric"]


def test_two_variables_give_radicals_that_read_back():
    f = x**4 - 4 * x**2 + y**2 - 2 * x * y
    out = extrema_several(f, [x, y]).to_dict()
    for cp in out["critical_points"]:
        px, py = (_read_back(cp["point"][v]) for v in ("x", "y"))
        grad = [sympy.diff(f, v).subs({x: px, y: py}) for v in (x, y)]
        assert all(abs(float(g)) < 1e-9 for g in grad)
        assert cp["point_numeric"] == pytest.approx({"x": px, "y": py}, rel=1e-12, abs=1e-12)
        assert _read_back(cp["value"]) == pytest.approx(cp["numeric"], rel=1e-12, abs=1e-12)
