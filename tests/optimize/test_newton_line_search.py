"""Newton says what kind of point it stopped at; gd's line search starts from a
unit step; a deadline stops a run; the method list is one list."""

from __future__ import annotations

import time
import typing

import pytest

from shared.jobs.registry import get_kind
from shared.mathcore.optimize import METHODS, run_optimizer
from shared.mathcore.symbols import variable

x, y = variable("x"), variable("y")


@pytest.mark.parametrize(
    ("expr", "start", "kind"),
    [
        (x**3, {"x": 1.0}, "inconclusive"),  # inflection point: f'' changes sign at 0
        (x**5, {"x": 1.0}, "inconclusive"),
        (x**2 - 2 * x, {"x": 0.0}, "minimum"),
        (x**4, {"x": 1.0}, "minimum"),  # degenerate but a minimum: f'' >= 0 around 0
        (-(x**2), {"x": 0.0}, "maximum"),  # starts at the stationary point
        (x**2 - y**2, {"x": 0.0, "y": 0.0}, "saddle"),
        ((1 - x) ** 2 + 100 * (y - x**2) ** 2, {"x": -1.2, "y": 1.0}, "minimum"),
    ],
)
def test_newton_reports_the_kind_of_point(expr, start, kind):
    variables = [v for v in (x, y) if v.name in start]
    r = run_optimizer(expr, variables, start, "newton")
    assert r.stop_reason == "tol"
    assert r.extra["point_kind"] == kind
    assert r.converged is (kind == "minimum")
    assert r.to_dict()["point_kind"] == kind


def test_newton_on_x_cubed_is_not_converged_as_a_job():
    kind = get_kind("optimize")
    params = kind.params_model.model_validate(
        {"expression": "x^3", "variables": ["x"], "start": {"x": 1}, "method": "newton"}
    )
    result = kind.run(params).result
    assert result["converged"] is False and result["point_kind"] == "inconclusive"
    assert "second-order" in result["stop_detail"]


def test_line_search_starts_from_a_unit_step():
    # Oracle by hand: f = (x - 3)^2 from 0, g = -6. alpha = 1 gives x = 6,
    # f = 9, not below 9 - 1e-4 * 36; alpha = 1/2 gives x = 3, f = 0: accepted.
    r = run_optimizer((x - 3) ** 2, [x], {"x": 0.0}, "gd", line_search=True)
    assert r.iterations == 1 and r.x.tolist() == [3.0] and r.converged


def test_line_search_starts_from_a_given_learning_rate():
    # alpha0 = 0.1: x = 0.6, f = 5.76 <= 9 - 1e-5 * 36: accepted at once.
    r = run_optimizer((x - 3) ** 2, [x], {"x": 0.0}, "gd", line_search=True, learning_rate=0.1,
                      max_iter=1)  # fmt: skip
    assert r.x.tolist() == pytest.approx([0.6])


@pytest.mark.parametrize("method", ["gd", "newton", "bfgs"])
def test_a_past_deadline_stops_with_time_limit_and_a_partial_path(method):
    r = run_optimizer(
        (x - 3) ** 2 + y**2, [x, y], {"x": 0.0, "y": 1.0}, method,
        learning_rate=1e-4, deadline=time.monotonic() - 1,
    )  # fmt: skip
    assert r.stop_reason == "time-limit" and not r.converged
    assert r.trajectory[0]["x"] == {"x": 0.0, "y": 1.0}


def test_the_method_list_is_one_list():
    optimize = get_kind("optimize").params_model.model_fields["method"].annotation
    fit_spec = get_kind("fit").params_model.model_fields["optimizer"].annotation
    fit = fit_spec.model_fields["method"].annotation
    assert typing.get_args(optimize) == typing.get_args(fit) == METHODS


def test_kinks_take_torchs_subgradient_and_the_result_says_so():
    # Hand-derived: torch gives relu'(0) = 0, abs'(0) = 0, maximum splits ties 1/2 each.
    from shared.jobs.registry import get_kind
    from shared.mathcore.optimize.compile import compile_objective
    from shared.mathcore.parsing.parser import parse_expression
    from shared.mathcore.symbols import variable

    x = variable("x")
    for text, slope in [("relu(x)", 0.0), ("abs(x)", 0.0), ("max(0, x)", 0.5)]:
        assert compile_objective(parse_expression(text), [x]).fg_float(0.0)[1] == slope, text
    kind = get_kind("optimize")
    params = {
        "expression": "relu(x - 1) + (x - 3)^2/10",
        "variables": ["x"],
        "start": {"x": 0},
        "method": "gd",
        "learning_rate": 0.1,
        "max_iter": 500,
    }
    result = kind.run(kind.params_model.model_validate(params)).result
    assert "relu'(0) = 0" in result["subgradient"]
    # minimum of relu(x-1) + (x-3)^2/10: for x > 1, 1 + (x-3)/5 = 0 -> x = -2 (not > 1);
    # so the minimum is at the kink x = 1 (left slope (1-3)/5 < 0, right slope 1 - 2/5 > 0).
    assert abs(result["x"]["x"] - 1.0) < 0.05
    plain = {"expression": "(x - 3)^2", "variables": ["x"], "start": {"x": 0}, "method": "gd"}
    assert "subgradient" not in kind.run(kind.params_model.model_validate(plain)).result
