"""Every kind solved through its form in a real browser, checked against oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def offered(page, kind: str) -> None:
    if kind not in page.kinds():
        pytest.skip(f"this service has no {kind!r} kind yet")


def cells(page, selector: str) -> list[list[str]]:
    return page.page.eval_on_selector_all(
        f"{selector} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))"
    )


def test_gradient_at_a_point(page):
    page.open()
    page.example("∇(x² + 2xy + 3y²) at (2, 3)")
    status = page.solve()
    assert status.startswith("Solved"), status
    # Oracle (course): grad = (2x + 2y, 2x + 6y) = (10, 22) at (2, 3); Hessian [[2, 2], [2, 6]] is
    # positive definite (eigenvalues 4 ± 2√2 > 0).
    values = page.page.eval_on_selector_all(
        "#result .katex-display", "els => els.map(e => e.parentElement.dataset.latex)"
    )
    assert any("10 \\\\ 22" in (latex or "") for latex in values), values
    assert "positive definite" in page.page.inner_text("#result")
    # The contour of f with the gradient drawn at (2, 3): along (10, 22)/|(10, 22)|, and
    # steepest descent opposite to it.
    page.page.wait_for_function("document.querySelector('#result .plot')?.data")
    traces = page.page.evaluate(
        "document.querySelector('#result .plot').data.map(t => [t.name, t.type, t.x, t.y])"
    )
    kinds = {name: (kind, xs, ys) for name, kind, xs, ys in traces}
    assert kinds["f"][0] == "contour"
    norm = math.hypot(10, 22)
    _, xs, ys = kinds["∇f: steepest ascent"]
    assert (xs[0], ys[0]) == (2, 3)
    assert xs[1] - 2 == pytest.approx(10 / norm) and ys[1] - 3 == pytest.approx(22 / norm)
    _, xs, ys = kinds["−∇f: steepest descent"]
    assert xs[1] - 2 == pytest.approx(-10 / norm) and ys[1] - 3 == pytest.approx(-22 / norm)
    page.screenshot("gradient")


def test_derivative_with_value_and_tangent(page):
    page.open()
    page.example("d/dx [x² sin x] at π/2")
    assert page.solve().startswith("Solved")
    # Oracle: (x² sin x)' = 2x sin x + x² cos x = π at π/2.
    page.page.wait_for_selector("#result .value-line .katex")
    text = page.page.inner_text("#result")
    assert f"{math.pi:.9f}" in text, text
    page.page.wait_for_function("document.querySelector('#result .plot')?.data")
    traces = page.page.evaluate("document.querySelector('#result .plot').data.map(t => t.name)")
    assert "f" in traces and "derivative" in traces
    assert any(name.startswith("tangent") for name in traces), traces
    page.screenshot("derivative")


def test_extrema_on_a_closed_interval(page):
    page.open()
    page.example("Extrema of x³ − 3x on [−2, 3]")
    assert page.solve().startswith("Solved")
    # Oracle: f' = 3x² - 3 = 0 at ±1; f(-2) = -2, f(-1) = 2, f(1) = -2, f(3) = 18.
    sentence = page.page.inner_text("#result .sentence")
    assert "global minimum is -2" in sentence and "global maximum is 18" in sentence, sentence
    rows = cells(page, "#result table")
    assert [row[0] for row in rows] == ["x = -1", "x = 1"]
    assert [row[2] for row in rows] == ["local max", "local min"]
    page.screenshot("extrema")


def test_optimize_converges_with_path_and_convergence_plots(page):
    page.open()
    page.example("Gradient descent on (w₁ − 5)² + (w₂ − 3)²")
    assert page.solve().startswith("Solved")
    result = page.page.inner_text("#result")
    assert "converged" in result and "w_1 = 5, w_2 = 3" in result, result
    plots = "[...document.querySelectorAll('#result .plot')].filter(p => p.data)"
    page.page.wait_for_function(f"{plots}.length === 2")
    contour, convergence = page.page.evaluate(
        f"{plots}.map(p => p.data.map(t => [t.type, (t.x || []).length]))"
    )
    job = page.page.evaluate("fetch('/v1/jobs?limit=1').then(r => r.json())")["items"][0]
    steps = len(job["result"]["trajectory"])
    assert contour == [["contour", 81], ["scatter", steps]], contour  # f's levels, one path
    assert convergence == [["scatter", steps], ["scatter", steps]]  # f and the gradient norm
    page.screenshot("optimize")


def test_fit_linear_regression(page):
    page.open()
    offered(page, "fit")
    page.example("Linear regression by gradient descent")
    assert page.solve().startswith("Solved")
    rows = dict(row[:2] for row in cells(page, "#result table"))
    # Oracle: least squares by numpy on the example's data; GD from 0 gets there to 1e-2.
    x = np.arange(1, 9)
    y = np.array([3.1, 4.9, 7.2, 8.8, 11.1, 13.0, 14.8, 17.2])
    slope, intercept = np.polyfit(x, y, 1)
    assert float(rows["w"]) == pytest.approx(slope, abs=1e-2)
    assert float(rows["intercept b"]) == pytest.approx(intercept, abs=5e-2)
    page.screenshot("fit")


def test_check_an_answer_with_the_chain_rule_missing(page):
    page.open()
    page.example("Check: d/dx sin(x²) = 2x cos(x²)?")
    assert page.solve().startswith("Solved")
    assert page.page.input_value("input[name=expected]") == ""  # the problem is the expectation
    verdict = page.page.inner_text("#result .verdict")
    assert "✖" in verdict and "Incorrect" in verdict  # cos(x²) lacks the factor 2x
    page.screenshot("check")


def test_compare_four_optimizers_on_rosenbrock(page):
    page.open()
    offered(page, "compare")
    page.example("Rosenbrock with four optimizers")
    assert page.solve(timeout=120_000).startswith(("Solved", "Finished"))
    rows = cells(page, "#result table")
    assert [row[0].lstrip("★ ") for row in rows] == ["GD", "momentum", "Adam", "BFGS"]
    bfgs = rows[3]
    assert float(bfgs[1]) < 1e-8 and bfgs[3] == "converged"  # Rosenbrock's minimum is 0 at (1, 1)
    page.page.wait_for_function("document.querySelector('#result .plot')?.data")
    traces = page.page.evaluate("document.querySelector('#result .plot').data.map(t => t.type)")
    assert traces == ["contour", "scatter", "scatter", "scatter", "scatter"]  # every run's path
    page.screenshot("compare")


def _network(w_1, b_1, w_2, b_2, x, y):
    z = w_2 * math.tanh(w_1 * x + b_1) + b_2
    return (1 / (1 + math.exp(-z)) - y) ** 2


def test_backprop_graph_and_gradient(page):
    page.open()
    offered(page, "backprop")
    page.example("A backward pass through a small network")
    assert page.solve().startswith("Solved")
    at = {"w_1": 0.5, "b_1": 0.1, "w_2": -1.2, "b_2": 0.3, "x": 1.5, "y": 1}
    gradient = {row[0]: float(row[1]) for row in cells(page, "#result table")}
    # Oracle: central differences of the network written out by hand.
    for name in ("w_1", "b_1", "w_2", "b_2"):
        h = 1e-6
        up, down = dict(at), dict(at)
        up[name] += h
        down[name] -= h
        expected = (_network(**up) - _network(**down)) / (2 * h)
        assert gradient[name] == pytest.approx(expected, rel=1e-6, abs=1e-9), name
    nodes = page.page.locator("#result svg.dag g.node").count()
    assert nodes >= 8
    page.page.get_by_role("button", name="Start").click()
    page.page.get_by_role("button", name="Step ▶").click()
    assert "Forward pass, step 1" in page.page.inner_text(".graph-caption")
    page.screenshot("backprop")


def test_compare_fit_runs_from_a_data_table(page):
    page.open("/?kind=compare")
    offered(page, "compare")
    page.page.select_option("select[name=base_kind]", "fit")
    # The fit's problem is the same data table as the fit form, not JSON.
    assert page.page.is_visible(".csv-table, textarea[name=data]")
    assert not page.page.is_visible("textarea[name=base_params]")
    page.page.fill(
        "textarea.runs",
        "method=gd, learning_rate=0.01, max_iter=500\nmethod=adam, learning_rate=0.1, max_iter=500",
    )
    assert page.solve(timeout=120_000).startswith(("Solved", "Finished"))
    rows = cells(page, "#result table")
    assert len(rows) == 2, rows
    # Oracle: the least-squares line of the default table (NumPy's polyfit): no run's
    # final training MSE is below its MSE, and the better run is close to it.
    x = np.array([1, 2, 3, 4, 5, 6.0])
    y = np.array([2.1, 3.9, 6.2, 7.8, 10.1, 12.2])
    slope, intercept = np.polyfit(x, y, 1)
    best = float(np.mean((slope * x + intercept - y) ** 2))
    losses = sorted(float(row[1]) for row in rows)
    assert losses[0] >= best * (1 - 1e-6) and losses[0] <= best * 2 + 1e-3, (losses, best)
    # The loss before training and after each of 500 epochs (501 values), thinned to at
    # most 200 points, is drawn at its epochs, not at 0..199.
    page.page.wait_for_function("document.querySelector('#result .plot')?.data")
    last_x = page.page.evaluate("document.querySelector('#result .plot').data.map(t => t.x.at(-1))")
    assert last_x == [500, 500], last_x
    page.screenshot("compare-fit")


def test_linear_regression_by_gradient_descent_on_data_columns(page):
    # The seeds' exercise as one optimize job: the MSE over data typed as a table.
    page.open("/?kind=optimize")
    page.page.fill(".math-input", "mean((w x + b - y)^2)")
    page.page.fill("input[name=variables]", "w, b")
    page.page.fill("input[name=start]", "w=0, b=0")
    page.page.fill("textarea[name=data]", "x, y\n1, 2.1\n2, 3.9\n3, 6.2\n4, 7.8\n5, 10.1\n6, 12.2")
    page.page.fill("input[name=learning_rate]", "0.05")
    page.page.fill("input[name=max_iter]", "20000")
    page.page.fill("input[name=tol]", "1e-10")
    # The preview reads x and y as data columns, not variables.
    # (debounced: wait for the answer to the last edit, not an earlier one)
    chips = "[...document.querySelectorAll('.found code.chip')].map(e => e.innerText).sort()"
    page.page.wait_for_function(f"JSON.stringify({chips}) === JSON.stringify(['b', 'w'])")
    assert page.solve().startswith("Solved")
    # Oracle: NumPy's least-squares line through the same points.
    slope, intercept = np.polyfit([1, 2, 3, 4, 5, 6.0], [2.1, 3.9, 6.2, 7.8, 10.1, 12.2], 1)
    job = page.page.evaluate(
        "fetch(location.pathname.replace('/jobs/', '/v1/jobs/')).then(r => r.json())"
    )
    assert job["params"]["data"]["x"] == [1, 2, 3, 4, 5, 6]
    assert job["result"]["x"]["w"] == pytest.approx(slope, abs=1e-4)
    assert job["result"]["x"]["b"] == pytest.approx(intercept, abs=1e-4)
    page.screenshot("optimize-data")
