"""Data columns and sum/mean: derivatives pass through, values over every row."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from shared.mathcore.mlfunctions import sigmoid
from shared.mathcore.reductions import (
    DataError,
    RowMean,
    RowSum,
    column,
    columns_outside_reductions,
    compile_with_data,
    validate_data,
)

w, b = sp.symbols("w b", real=True)
X, Y = column("x"), column("y")
RNG = np.random.default_rng(7)
XS = RNG.normal(size=500)
YS = 3 * XS - 1 + RNG.normal(scale=0.1, size=500)
DATA = validate_data({"x": XS.tolist(), "y": YS.tolist()})


def test_derivative_passes_through_the_mean_and_keeps_it():
    mse = RowMean((w * X + b - Y) ** 2)
    assert sp.diff(mse, w) == RowMean(2 * X * (b + w * X - Y))
    assert sp.diff(mse, b) == RowMean(2 * (b + w * X - Y))
    assert sp.diff(RowSum(sp.sin(w * X)), w, 2) == RowSum(-(X**2) * sp.sin(w * X))


def test_mean_of_a_row_free_expression_is_itself_but_sum_counts_rows():
    assert RowMean(w**2) == w**2
    f = compile_with_data([w], RowSum(w**2), DATA)
    assert f(3.0) == pytest.approx(9.0 * 500)


def test_values_match_a_plain_numpy_formula():
    mse = RowMean((w * X + b - Y) ** 2)
    f = compile_with_data([w, b], [mse, sp.diff(mse, w), sp.diff(mse, b)], DATA)
    for wv, bv in [(0.0, 0.0), (3.0, -1.0), (-2.5, 4.0)]:
        r = wv * XS + bv - YS
        got = f(wv, bv)
        expected = [np.mean(r**2), np.mean(2 * XS * r), np.mean(2 * r)]
        assert got == pytest.approx(expected, rel=1e-12)
        assert all(isinstance(v, float) for v in got)


def test_many_points_at_once_match_point_by_point():
    loss = RowSum(sp.log(1 + sp.exp(-Y * sigmoid(w * X + b))))
    f = compile_with_data([w, b], loss, DATA)
    ws, bs = np.array([0.0, 1.0, -2.0]), np.array([0.5, 0.0, 3.0])
    batch = f(ws, bs)
    assert batch.shape == (3,)
    for i in range(3):
        r = np.log(1 + np.exp(-YS / (1 + np.exp(-(ws[i] * XS + bs[i])))))
        assert batch[i] == pytest.approx(r.sum(), rel=1e-12)


def test_nested_reductions_and_outer_terms():
    expr = RowMean((X - RowMean(X)) ** 2) + w
    f = compile_with_data([w], expr, DATA)
    assert f(1.0) == pytest.approx(np.var(XS) + 1.0, rel=1e-12)


def test_domain_errors_are_nan_not_exceptions():
    f = compile_with_data([w], RowMean(sp.log(w * X)), DATA)
    assert math.isnan(f(1.0))


def test_columns_outside_a_reduction_are_found():
    assert columns_outside_reductions(X * w + RowMean(Y)) == {X}
    assert columns_outside_reductions(RowMean(X * w) + RowSum(Y)) == set()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"x": [1, 2], "y": [1]}, "same number of rows"),
        ({"x": [1, float("nan")]}, "finite"),
        ({"x": []}, "rows"),
        ({"x": [[1, 2]]}, "flat"),
        ({"x": ["a"]}, "numbers"),
    ],
)
def test_bad_data_is_refused(data, message):
    with pytest.raises(DataError, match=message):
        validate_data(data)


def test_missing_column_is_refused():
    with pytest.raises(DataError, match="'z'"):
        compile_with_data([w], RowMean(column("z") * w), DATA)


def test_a_column_is_not_the_variable_of_the_same_name():
    assert column("x") != sp.Symbol("x", real=True)
    assert column("x") == column("x")
