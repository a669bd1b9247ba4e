"""The page as a person uses it: preview while typing, plots, divergence,
an outage mid-solve, Back, stored jobs, Cancel and a phone-sized screen."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import solve_over_http
from tests.web.conftest import PHONE, SCREENSHOTS
from tests.web.server import ApiServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def chips(page) -> list[str]:
    """The variables the preview says it found."""
    return page.page.eval_on_selector_all(".found .chip", "els => els.map(e => e.textContent)")


def test_preview_follows_typing_and_underlines_a_parse_error(page):
    page.open()
    box = page.page.locator(".math-input")
    box.fill("x^2 sin x")
    page.page.wait_for_selector(".preview .katex")
    assert chips(page) == ["x"]
    box.fill("2xy")  # the textbook reading: 2·x·y, two variables
    page.page.wait_for_function("document.querySelectorAll('.found .chip').length === 2")
    assert chips(page) == ["x", "y"]
    box.fill("x^2 + (3")
    page.page.wait_for_selector(".preview .parse-error")
    assert page.page.locator(".mirror .error-mark").count() == 1
    assert page.page.locator(".math-field.invalid").count() == 1
    page.screenshot("preview-error")
    box.fill("x^2 + (3)")
    page.page.wait_for_selector(".preview .katex")
    assert page.page.locator(".mirror .error-mark").count() == 0


def test_a_diverged_run_is_shown_as_diverged(page):
    page.open()
    page.example("Too large a learning rate: GD diverges")
    status = page.solve()
    assert "diverged" in status, status
    assert page.page.inner_text("#result .badge") == "diverged"
    page.screenshot("diverged")


def test_back_returns_to_the_previous_problem_and_its_result(page):
    page.open()
    page.example("Extrema of x³ − 3x on [−2, 3]")
    page.solve()
    first_url = page.page.url
    page.example("d/dx [x² sin x] at π/2")
    page.solve()
    assert page.page.url != first_url and "/jobs/" in page.page.url
    page.page.go_back()
    page.page.wait_for_selector("#result .sentence")
    assert page.page.url == first_url
    assert page.page.input_value("#kind") == "extrema"
    assert page.page.input_value(".math-input") == "x^3 - 3x"
    assert "global maximum is 18" in page.page.inner_text("#result .sentence")


def test_a_stored_job_page_shows_it_without_solving_again(page):
    job = solve_over_http(
        page.base_url, "derivative", {"expression": "e^(3x) ln x", "variable": "x"}, wait=20
    )
    assert job["status"] == "succeeded"
    before = httpx.get(f"{page.base_url}/v1/jobs?limit=200", timeout=60).json()["items"]
    page.open(f"/jobs/{job['id']}")
    page.page.wait_for_selector("#status.done")
    assert page.page.input_value("#kind") == "derivative"
    assert page.page.input_value(".math-input") == "e^(3x) ln x"
    latex = page.page.get_attribute("#result .restated .math", "data-latex")
    assert job["result"]["latex"] in latex
    after = httpx.get(f"{page.base_url}/v1/jobs?limit=200", timeout=60).json()["items"]
    assert len(after) == len(before)  # nothing was submitted
    page.screenshot("stored-job")


def test_the_phone_width_has_no_horizontal_overflow(browser, api_server):
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    try:
        tab.goto(api_server.url + "/")
        tab.wait_for_selector("body[data-ready=true]")
        titles = {
            "∇(x² + 2xy + 3y²) at (2, 3)": "gradient",
            "Gradient descent on (w₁ − 5)² + (w₂ − 3)²": "optimize",
            "Rosenbrock with four optimizers": "compare",
            "A backward pass through a small network": "backprop",
        }
        offered = tab.eval_on_selector_all("#examples button", "els => els.map(b => b.innerText)")
        for title, name in titles.items():
            if title not in offered:
                continue
            tab.get_by_role("button", name=title, exact=True).click()
            tab.click("#solve")
            tab.wait_for_selector("#status.done", timeout=60_000)
            tab.wait_for_timeout(500)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{title}: the page is {width}px wide"
            tab.screenshot(path=str(screenshots() / f"phone-{name}.png"), full_page=True)
    finally:
        context.close()


def sleep_kind_offered(page) -> None:
    if "test_sleep" not in page.kinds():
        pytest.skip("the test_sleep kind is not registered")


def test_the_server_stopped_mid_solve_shows_an_error_with_retry(
    browser, pg_settings, worker, tmp_path
):
    server = ApiServer(pg_settings, tmp_path / "api.log")
    server.start()
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.goto(server.url + "/?kind=test_sleep")
        tab.wait_for_selector("body[data-ready=true]")
        tab.fill("input[name=seconds]", "2.25")  # under the session's 3 s time limit
        tab.click("#solve")
        tab.wait_for_selector("#status.busy")
        tab.wait_for_url("**/jobs/*")
        server.stop()
        tab.wait_for_selector("#status.error .retry", timeout=30_000)
        assert "Cannot reach" in tab.inner_text("#status")
        server.start()
        tab.click("#status .retry")
        tab.wait_for_selector("#status.done", timeout=30_000)
        assert '"slept": 2.25' in tab.evaluate(
            "fetch(location.pathname.replace('/jobs/', '/v1/jobs/')).then(r => r.text())"
        )
    finally:
        context.close()
        server.stop()


def test_cancel_a_queued_job(page):
    page.open("/?kind=test_sleep")
    sleep_kind_offered(page)
    # The session's one worker is kept busy, so the page's job waits in the queue.
    busy = httpx.post(
        f"{page.base_url}/v1/jobs",
        json={"kind": "test_sleep", "params": {"seconds": 2.5}},
        timeout=60,
    ).json()
    page.page.fill("input[name=seconds]", "1.5")
    page.page.click("#solve")
    page.page.wait_for_url("**/jobs/*")
    page.page.click("#cancel")
    page.page.wait_for_selector("#status.warn")
    assert "Canceled" in page.page.inner_text("#status")
    job_id = page.page.url.rsplit("/", 1)[1]
    assert httpx.get(f"{page.base_url}/v1/jobs/{job_id}", timeout=60).json()["status"] == "canceled"
    assert busy["id"] != job_id


def test_a_newer_solve_is_never_replaced_by_a_slower_earlier_one(page):
    page.open("/?kind=test_sleep")
    sleep_kind_offered(page)
    page.page.fill("input[name=seconds]", "1.75")
    page.page.click("#solve")
    page.page.wait_for_url("**/jobs/*")  # the slow job is accepted and followed
    page.example("Extrema of x³ − 3x on [−2, 3]")
    assert page.solve().startswith("Solved")
    newer = page.page.url
    page.page.wait_for_timeout(3000)  # the slow job has finished by now
    assert page.page.url == newer
    assert page.page.input_value("#kind") == "extrema"
    assert "global maximum is 18" in page.page.inner_text("#result .sentence")
    assert "slept" not in page.page.inner_text("#result")


def test_the_elapsed_time_shows_while_a_job_runs(page):
    page.open("/?kind=test_sleep")
    sleep_kind_offered(page)
    page.page.fill("input[name=seconds]", "2.1")
    page.page.click("#solve")
    page.page.wait_for_function(
        "parseFloat(document.querySelector('#status .elapsed')?.textContent) >= 1.0"
    )
    assert page.page.locator("#cancel").is_visible()
    page.page.wait_for_selector("#status.done", timeout=30_000)
    assert page.page.locator("#cancel").is_hidden()


def test_a_service_that_requires_keys_asks_for_one(browser, pg_settings, worker, tmp_path):
    from shared.db import keys
    from shared.db.session import session_scope

    with session_scope(pg_settings.database_url) as session:
        _, key = keys.create_key(session, "browser test")
    server = ApiServer(pg_settings.with_overrides(require_api_keys=True), tmp_path / "api.log")
    server.start()
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.goto(server.url + "/")
        tab.wait_for_selector("body[data-ready=true]")
        tab.get_by_role("button", name="Extrema of x³ − 3x on [−2, 3]", exact=True).click()
        tab.click("#solve")
        tab.wait_for_selector("#status.error input.api-key")
        tab.fill("input.api-key", key)
        tab.click("#status .retry")
        tab.wait_for_selector("#status.done", timeout=30_000)
        assert "global maximum is 18" in tab.inner_text("#result .sentence")
        tab.reload()  # the key is kept in this browser
        tab.wait_for_selector("#status.done")  # the stored job, read with the kept key
        tab.wait_for_selector("#recent a")
    finally:
        context.close()
        server.stop()


def test_advanced_json_is_what_solve_sends(page):
    page.open("/?kind=derivative")
    page.page.click("details.advanced summary")
    params = {"expression": "x^3", "variable": "x", "order": 2, "at": {"x": 2}}
    page.page.fill("textarea[name=params-json]", json.dumps(params))
    status = page.solve()
    assert status.startswith("Solved"), status
    page.page.wait_for_selector("#result .value-line .katex")
    assert "12" in page.page.inner_text("#result .value-line")  # (x³)'' = 6x = 12 at 2
    page.page.click("details.advanced summary")  # closing it fills the form from the JSON
    page.page.wait_for_function("document.querySelector('.math-input').value === 'x^3'")
    assert page.page.input_value("input[name=order]") == "2"


def test_steps_revealed_one_at_a_time(page):
    page.open()
    page.example("Extrema of x³ − 3x on [−2, 3]")
    page.solve()
    steps = page.page.locator("ol.steps > li")
    total = steps.count()
    assert total >= 3
    page.page.check(".steps-block label.inline input")
    assert page.page.locator("ol.steps > li:visible").count() == 1
    page.page.get_by_role("button", name="Next step").click()
    assert page.page.locator("ol.steps > li:visible").count() == 2
