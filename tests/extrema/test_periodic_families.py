"""Issue 11 item 8: a periodic f on ℝ has infinitely many critical points; they
are reported as families c + k·T with the integer parameter named, so that
``complete: true`` is true. Oracle: exact f' = 0 on family members, and the
sign changes of f' on a dense grid of [−20, 20] counted against the members.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy

from shared.mathcore.extrema import extrema_one_variable
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.symbols import variable

x = variable("x")
k = sympy.Symbol("k", integer=True)
oo = sympy.oo


def _members(out: dict, lo: float, hi: float) -> list[float]:
    found = []
    for cp in out["critical_points"]:
        assert out["complete"] is True and cp["parameter"] == "k"
        family = parse_expression(cp["family"]["x"], variables=["k"])
        kk = family.free_symbols.pop()
        for n in range(-20, 21):
            value = float(family.subs(kk, n))
            if lo < value < hi:
                found.append(value)
    return sorted(found)


def test_sine_families_are_complete_and_named():
    out = extrema_one_variable(sympy.sin(x), x, (-oo, oo)).to_dict()
    families = [cp["family"]["x"] for cp in out["critical_points"]]
    assert [parse_expression(f, variables=["k"]) for f in families] == [
        sympy.pi / 2 + 2 * sympy.pi * sympy.Symbol("k", real=True),
        3 * sympy.pi / 2 + 2 * sympy.pi * sympy.Symbol("k", real=True),
    ]
    assert out["complete"] is True
    assert out["global_max"]["value"] == "1" and out["global_min"]["value"] == "-1"
    assert out["global_max"]["families"] == [{"family": {"x": "2*pi*k + pi/2"}, "parameter": "k"}]
    # every member is a critical point of the classification of its family
    for cp in out["critical_points"]:
        family = parse_expression(cp["family"]["x"], variables=["k"])
        kk = family.free_symbols.pop()
        for n in range(-3, 4):
            c = family.subs(kk, n)
            assert sympy.cos(c) == 0
            second = -sympy.sin(c)
            assert (second < 0) == (cp["classification"] == "local_max")


def _trig_polynomial(rng: random.Random) -> sympy.Expr:
    a, b, c = (rng.randint(-4, 4) for _ in range(3))
    if a == 0:
        a = 1
    return a * sympy.sin(x) + b * sympy.cos(2 * x) + c * sympy.sin(3 * x)


@pytest.mark.parametrize("seed", range(6))
def test_trig_polynomial_families_cover_every_sign_change(seed):
    f = _trig_polynomial(random.Random(seed))
    out = extrema_one_variable(f, x, (-oo, oo)).to_dict()
    members = _members(out, -20, 20)
    fp = sympy.lambdify(x, sympy.diff(f, x), modules="numpy")
    grid = np.linspace(-20, 20, 400001)
    values = fp(grid)
    changes = grid[:-1][np.sign(values[:-1]) * np.sign(values[1:]) < 0]
    assert len(members) == len(changes)
    for m, c in zip(members, changes, strict=True):
        assert math.isclose(m, c, abs_tol=1e-3)
    # the global values are still given, against dense sampling
    fn = sympy.lambdify(x, f, modules="numpy")
    ys = fn(np.linspace(0, 2 * math.pi, 200001))
    assert out["global_max"]["numeric"] == pytest.approx(ys.max(), abs=1e-6)
    assert out["global_min"]["numeric"] == pytest.approx(ys.min(), abs=1e-6)


def test_non_periodic_infinite_family_is_not_complete():
    # f' = 1 + cos x vanishes at π + 2kπ, but f = x + sin x is not periodic
    out = extrema_one_variable(x + sympy.sin(x), x, (-oo, oo)).to_dict()
    assert out["complete"] is False
    assert out["global_status"] == {"min": "unbounded", "max": "unbounded"}
