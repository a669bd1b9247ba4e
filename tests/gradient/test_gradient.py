"""Gradient, Hessian and Jacobian against textbook answers, sympy.diff and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from shared.mathcore.gradient import gradient_result, hessian_at_point, jacobian_result
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.symbols import variable

x, y, z = variable("x"), variable("y"), variable("z")


def test_textbook_two_variables():
    result, steps = gradient_result(x**2 + 2 * x * y + 3 * y**2, [x, y], {x: 2, y: 3})
    assert result["variables"] == ["x", "y"]
    assert result["at_value"] == ["10", "22"]
    assert result["at_numeric"] == [10.0, 22.0]
    assert result["norm"] == pytest.approx(math.hypot(10, 22))
    length = math.hypot(10, 22)
    assert result["descent_direction"] == pytest.approx([-10 / length, -22 / length])
    # one step per partial derivative, each ending in sympy.diff's answer
    partial_steps = [s for s in steps if s["rule"] == "partial_derivative"]
    assert len(partial_steps) == 2
    after = parse_expression(partial_steps[0]["after"], ["x", "y"])
    assert sympy.expand(after - (2 * x + 2 * y)) == 0
    # the rule-by-rule derivation of each partial comes as substeps
    assert partial_steps[0]["substeps"]
    for key in ("rule", "text", "before", "after", "latex", "substeps"):
        assert key in steps[0]


def test_textbook_three_variables():
    g = 4 * x**2 - 3 * y + 2 * z**3
    result, _ = gradient_result(g, [x, y, z], {x: 1, y: -2, z: 4})
    assert result["at_value"] == ["8", "-3", "96"]
    assert result["norm"] == pytest.approx(math.sqrt(64 + 9 + 96**2))


def test_gradient_matches_sympy_diff():
    f = sympy.exp(x * y) * sympy.sin(z) + sympy.log(1 + x**2) / (1 + y**2)
    result, _ = gradient_result(f, [x, y, z])
    point = {x: 0.3, y: -1.2, z: 0.7}
    for text, var in zip(result["gradient"], (x, y, z), strict=True):
        expected = float(sympy.diff(f, var).subs(point))
        got = float(parse_expression(text, ["x", "y", "z"]).subs(point))
        assert got == pytest.approx(expected, rel=1e-12)


def test_zero_gradient_has_no_descent_direction():
    result, steps = gradient_result(x**2 + y**2, [x, y], {x: 0, y: 0})
    assert result["norm"] == 0
    assert result["descent_direction"] is None
    assert any("critical" in s["text"] for s in steps)


def test_exact_irrational_point():
    result, _ = gradient_result(sympy.sin(x) * y, [x, y], {x: sympy.pi / 3, y: 2})
    assert result["at_numeric"] == pytest.approx([1.0, math.sqrt(3) / 2])
    assert parse_expression(result["at_value"][1]) == sympy.sqrt(3) / 2


CASES = [
    x**2 + 2 * x * y + 3 * y**2,
    x**3 - 3 * x * y**2,
    sympy.exp(-(x**2) - y**2) * (x + 2 * y),
    x**4 + y**4 - 4 * x * y + z**2 * x,
    sympy.sin(x) * sympy.cos(y) + z**3,
]
POINTS = [{x: 1, y: 2, z: -1}, {x: 0, y: 0, z: 0}, {x: -1, y: sympy.Rational(1, 2), z: 2}]


@pytest.mark.parametrize("f", CASES)
@pytest.mark.parametrize("point", POINTS)
def test_hessian_eigenvalues_match_numpy(f, point):
    variables = [v for v in (x, y, z) if v in f.free_symbols]
    at = {v: point[v] for v in variables}
    result, _ = gradient_result(f, variables, at, hessian=True)
    oracle = np.array([[float(sympy.diff(f, a, b).subs(at)) for b in variables] for a in variables])
    info = result["hessian_at"]
    assert np.allclose(info["matrix_numeric"], oracle)
    eig = np.linalg.eigvalsh(oracle)
    assert info["eigenvalues"] == pytest.approx(list(eig), abs=1e-9)
    if np.all(eig > 1e-9):
        assert info["definiteness"] == "positive_definite"
    elif np.all(eig < -1e-9):
        assert info["definiteness"] == "negative_definite"
    elif eig.min() < -1e-9 and eig.max() > 1e-9:
        assert info["definiteness"] == "indefinite"


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (x**2 + y**2, "positive_definite"),
        (-(x**2) - 3 * y**2, "negative_definite"),
        (x**2 - y**2, "indefinite"),
        (x**2 + y**4, "positive_semidefinite"),
        (-(x**4) - y**2, "negative_semidefinite"),
        (x**4 + y**4, "zero"),
    ],
)
def test_definiteness_at_origin(f, expected):
    hessian = sympy.hessian(f, [x, y])
    assert hessian_at_point(hessian, {x: 0, y: 0})["definiteness"] == expected


def test_hessian_matrix_strings():
    result, _ = gradient_result(x**2 * y + y**3, [x, y], hessian=True)
    parsed = [[parse_expression(e, ["x", "y"]) for e in row] for row in result["hessian"]]
    assert parsed == [[2 * y, 2 * x], [2 * x, 6 * y]]


def test_missing_coordinate_is_refused():
    with pytest.raises(ValueError, match="y"):
        gradient_result(x * y, [x, y], {x: 1})


def test_jacobian_polar():
    r, t = variable("r"), variable("t")
    result, steps = jacobian_result([r * sympy.cos(t), r * sympy.sin(t)], [r, t], {r: 2, t: 0})
    assert result["at_numeric"] == [[1.0, 0.0], [0.0, 2.0]]
    # r when simplification had time (a loaded machine may leave r*sin^2 + r*cos^2)
    assert sympy.simplify(parse_expression(result["determinant"], ["r", "t"]) - r) == 0
    assert result["determinant_at_numeric"] == 2.0
    assert len([s for s in steps if s["rule"] == "jacobian_row"]) == 2
