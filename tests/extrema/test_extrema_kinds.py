"""The gradient and extrema job kinds: params validation and contract fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.jobs.registry import JobInputError, get_kind


def _run(kind: str, params: dict):
    spec = get_kind(kind)
    return spec.run(spec.params_model.model_validate(params))


def test_gradient_kind_textbook_answer():
    out = _run("gradient", {"expression": "4x^2 - 3y + 2z^3", "at": {"x": 1, "y": -2, "z": 4}})
    assert out.result["variables"] == ["x", "y", "z"]
    assert out.result["at_value"] == ["8", "-3", "96"]
    assert out.result["at_numeric"] == [8.0, -3.0, 96.0]
    assert out.result["norm"] == pytest.approx((64 + 9 + 96**2) ** 0.5)
    assert [s["rule"] for s in out.steps][:3] == ["partial_derivative"] * 3


def test_gradient_kind_hessian_and_exact_point():
    out = _run(
        "gradient",
        {
            "expression": "x^2 + 2xy + 3y^2",
            "variables": ["x", "y"],
            "at": {"x": "1/2", "y": 0},
            "hessian": True,
        },
    )
    assert out.result["hessian"] == [["2", "2"], ["2", "6"]]
    assert out.result["hessian_at"]["definiteness"] == "positive_definite"
    assert out.result["at_value"] == ["1", "1"]


def test_gradient_kind_jacobian():
    out = _run("gradient", {"expressions": ["x*y", "x + y"], "at": {"x": 2, "y": 3}})
    assert out.result["at_numeric"] == [[3.0, 2.0], [1.0, 1.0]]


def test_gradient_kind_incomplete_point_fails_the_job():
    with pytest.raises(JobInputError, match="y"):
        _run("gradient", {"expression": "x*y", "at": {"x": 1}})


@pytest.mark.parametrize(
    "params",
    [
        {"expression": "x^2", "expressions": ["x"]},
        {"variables": ["x"]},
        {"expression": "x^(", "variables": ["x"]},
        {"expression": "x", "unknown": 1},
    ],
)
def test_gradient_kind_rejects_bad_params(params):
    with pytest.raises(ValidationError):
        get_kind("gradient").params_model.model_validate(params)


def test_extrema_kind_one_variable():
    out = _run("extrema", {"expression": "x^3 - 3x", "variable": "x", "interval": [-3, 2]})
    r = out.result
    assert [c["classification"] for c in r["critical_points"]] == ["local_max", "local_min"]
    assert r["global_min"]["point"] == {"x": "-3"} and r["global_min"]["numeric"] == -18.0
    assert r["global_max"]["value"] == "2" and r["method"] == "symbolic"
    assert out.steps and all("rule" in s for s in out.steps)


def test_extrema_kind_open_and_infinite_interval():
    r = _run(
        "extrema", {"expression": "1/x", "variable": "x", "interval": [0, 1], "open": True}
    ).result
    assert r["global_min"] is None and r["global_max"] is None
    r = _run(
        "extrema", {"expression": "e^(-x^2)", "variable": "x", "interval": ["-oo", "oo"]}
    ).result
    assert r["global_max"]["numeric"] == 1.0 and r["global_min"] is None


def test_extrema_kind_several_and_box():
    r = _run("extrema", {"expression": "x^2 - y^2", "variables": ["x", "y"]}).result
    assert [c["classification"] for c in r["critical_points"]] == ["saddle"]
    r = _run(
        "extrema",
        {"expression": "x*y", "variables": ["x", "y"], "bounds": {"x": [-1, 1], "y": [-2, 1]}},
    ).result
    assert r["global_max"]["numeric"] == 2.0 and r["global_min"]["numeric"] == -2.0


def test_extrema_kind_empty_interval_fails_the_job():
    with pytest.raises(JobInputError):
        _run("extrema", {"expression": "x", "variable": "x", "interval": [2, 1]})


@pytest.mark.parametrize(
    "params",
    [
        {"expression": "x", "variable": "x", "variables": ["x"]},
        {"expression": "x*y", "variables": ["x", "y"], "bounds": {"x": [0, 1]}},
        {"expression": "x", "variable": "x", "interval": [0]},
        {"expression": "x", "variable": "x", "interval": [0, "nonsense("]},
    ],
)
def test_extrema_kind_rejects_bad_params(params):
    with pytest.raises(ValidationError):
        get_kind("extrema").params_model.model_validate(params)


def test_extrema_kind_reports_every_point_of_a_tie():
    # by hand: f(−2) = −8 + 6 = −2 and f(1) = 1 − 3 = −2; f(−1) = 2, f(3) = 18
    r = _run("extrema", {"expression": "x^3 - 3x", "variable": "x", "interval": [-2, 3]}).result
    gmin = r["global_min"]
    assert gmin["value"] == "-2" and gmin["numeric"] == -2.0
    assert [p["point"] for p in gmin["points"]] == [{"x": "-2"}, {"x": "1"}]
    assert [p["point_numeric"] for p in gmin["points"]] == [{"x": -2.0}, {"x": 1.0}]
    assert gmin["point"] == {"x": "-2"}  # the contract's single point is the first of them
    assert [p["point"] for p in r["global_max"]["points"]] == [{"x": "3"}]
