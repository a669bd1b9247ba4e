"""Higher orders, partial and mixed partial derivatives, traced one pass at a time."""

from __future__ import annotations

import pytest
import sympy
from sympy import cos, exp, log, sin

from shared.mathcore.derivative import derivative_trace, iter_checks
from shared.mathcore.printing import to_plain
from shared.mathcore.symbols import variable
from tests.derivative.steps_oracle import check_equal, check_step

x, y, z = variable("x"), variable("y"), variable("z")


def assert_all_steps_true(trace) -> None:
    for i, (before, after, var, kind) in enumerate(iter_checks(trace)):
        outcome = check_step(before, after, var, kind, seed=i)
        assert outcome.status != "mismatch", outcome.detail


@pytest.mark.parametrize(
    ("expr", "order", "expected"),
    [
        (x**4, 2, 12 * x**2),
        (x**4, 3, 24 * x),
        (x**4, 5, 0),
        (sin(x), 2, -sin(x)),
        (sin(x), 4, sin(x)),
        (exp(2 * x), 3, 8 * exp(2 * x)),
        (log(x), 2, -1 / x**2),
        (x * exp(x), 2, (x + 2) * exp(x)),
        (1 / (1 + x**2), 2, (6 * x**2 - 2) / (1 + x**2) ** 3),
    ],
    ids=str,
)
def test_order_n_textbook(expr, order, expected):
    trace = derivative_trace(expr, [x] * order)
    assert sympy.simplify(trace.result - expected) == 0
    assert len(trace.steps) == order
    assert all(step["rule"] == "higher_order" for step in trace.steps)
    assert_all_steps_true(trace)


def test_each_order_starts_from_the_previous_result_simplified():
    trace = derivative_trace(x**2 * sin(x), [x, x, x])
    for previous, step in zip(trace.steps, trace.steps[1:], strict=False):
        assert step["before"] == previous["after"]
    assert "second derivative" in trace.steps[1]["text"]
    assert "third derivative" in trace.steps[2]["text"]
    assert trace.steps[-1]["after"] == to_plain(trace.result)
    assert sympy.simplify(trace.result - sympy.diff(x**2 * sin(x), x, 3)) == 0


def test_partial_derivative_holds_the_others_constant():
    f = x**2 * y + sin(x * z)
    trace = derivative_trace(f, [y])
    assert trace.result == x**2
    (step,) = trace.steps
    assert step["rule"] == "partial"
    assert "x, z are held constant" in step["text"]
    assert step["latex"].startswith(r"\frac{\partial}{\partial y}")
    assert_all_steps_true(trace)


@pytest.mark.parametrize(
    ("expr", "variables"),
    [
        (x**2 * y**3 + sin(x * y), [x, y]),
        (x**2 * y**3 + sin(x * y), [y, x]),
        (exp(x * y) * cos(y), [x, y, y]),
        (x * y * z + x**2 * z**3, [z, x, y]),
        (log(x**2 + y**2), [x, x]),
    ],
    ids=str,
)
def test_mixed_partials_match_sympy(expr, variables):
    trace = derivative_trace(expr, variables)
    reference = sympy.diff(expr, *variables)
    assert check_equal(trace.result, reference, domain=expr, main=x).status == "ok"
    assert [s["rule"] for s in trace.steps] == ["partial"] * len(variables)
    assert trace.steps[-1]["after"] == to_plain(trace.result)
    assert_all_steps_true(trace)


def test_mixed_partial_names_each_variable_in_turn():
    trace = derivative_trace(x**2 * y**3, [x, y])
    assert "Step 1 of 2" in trace.steps[0]["text"]
    assert "with respect to x; y is held constant" in trace.steps[0]["text"]
    assert "with respect to y; x is held constant" in trace.steps[1]["text"]
    assert trace.result == 6 * x * y**2


def test_no_variables_is_refused():
    with pytest.raises(ValueError):
        derivative_trace(x**2, [])
