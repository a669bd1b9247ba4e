"""Shared field types: names (θ too), finite points, data columns (issue 11 item 3)."""

from __future__ import annotations

import math

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.jobs.fields import DataColumns, FiniteNumber, VariableName
from shared.jobs.kinds.derivative import DerivativeParams
from shared.jobs.kinds.gradient import GradientParams


def test_greek_variable_names_are_their_names():
    names = TypeAdapter(list[VariableName])
    assert names.validate_python(["θ", "θ_1", "w_1", "lr"]) == ["theta", "theta_1", "w_1", "lr"]


def test_bad_name_error_names_the_name():
    with pytest.raises(ValidationError) as err:
        TypeAdapter(VariableName).validate_python("1x")
    message = err.value.errors()[0]["msg"]
    assert "'1x' is not a variable name" in message and "{" not in message


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, "nan", "oo", "-oo", "I", "zoo"])
def test_non_finite_points_are_refused(value):
    with pytest.raises(ValidationError):
        TypeAdapter(FiniteNumber).validate_python(value)


@pytest.mark.parametrize("value", [0, -2.5, "pi/2", "1/3", "sqrt(2)"])
def test_finite_points_pass_unchanged(value):
    assert TypeAdapter(FiniteNumber).validate_python(value) == value


@pytest.mark.parametrize("value", [math.inf, math.nan, "nan"])
def test_derivative_and_gradient_at_refuse_non_finite_points(value):
    with pytest.raises(ValidationError):
        DerivativeParams(expression="x^2", variable="x", at={"x": value})
    with pytest.raises(ValidationError):
        GradientParams(expression="x^2 + y", at={"x": value, "y": 1})


def test_theta_is_accepted_as_the_variable():
    params = DerivativeParams(expression="θ^2 + 2θ", variable="θ", at={"θ": 1})
    assert params.variable == "theta" and params.at == {"theta": 1}


@pytest.mark.parametrize(
    "data",
    [
        {"x": [1, 2], "y": [1]},
        {"x": [1, math.nan]},
        {"x": [math.inf]},
        {"x": []},
        {},
        {"1x": [1]},
    ],
)
def test_bad_data_is_refused(data):
    with pytest.raises(ValidationError):
        TypeAdapter(DataColumns).validate_python(data)


def test_good_data_passes():
    data = {"x": [1, 2, 3], "y": [2.5, 4, 6]}
    assert TypeAdapter(DataColumns).validate_python(data) == data


def test_derivative_declares_generic_functions():
    from shared.jobs.registry import load_kinds

    kind = load_kinds()["derivative"]
    params = kind.params_model(expression="phi(x^2) + f(x)", variable="x", functions=["phi"])
    result = kind.run(params).result
    assert result["expression"] == "2*x*phi'(x^2) + f'(x)"
    # 'g' declared a variable (differentiated by): g(x + 1) is a product, not a function
    params = kind.params_model(expression="g(x + 1)", variable="g")
    assert kind.run(params).result["expression"] == "x + 1"


def test_unknown_function_name_is_a_422_with_its_position():
    with pytest.raises(ValidationError) as err:
        DerivativeParams(expression="x + gelu(x)", variable="x")
    (error,) = err.value.errors()
    assert error["ctx"]["position"] == 4 and "unknown function 'gelu'" in error["msg"]
