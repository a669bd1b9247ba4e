"""A real browser (Debian's Chromium driven by Playwright) against the real
API (gunicorn, as `mlcalc serve` runs it) and a real worker.

Playwright never downloads a browser here: the tests use /usr/bin/chromium
(or $MLCALC_TEST_CHROMIUM), which `make chromium` and .ci/run install.
Screenshots go to var/screenshots/ (or $MLCALC_SCREENSHOTS); the path is
printed at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services import ROOT, services_required
from tests.web.server import ApiServer

CHROMIUM = os.environ.get("MLCALC_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("MLCALC_SCREENSHOTS", ROOT / "var" / "screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _missing(message: str) -> None:
    if services_required():
        pytest.fail(f"{message} (required on CI: `make chromium`)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def api_server(pg_settings, worker, tmp_path_factory):
    server = ApiServer(pg_settings, tmp_path_factory.mktemp("api") / "api.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Page:
    """A browser tab on the page, with the few moves the tests make."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector("body[data-ready=true]", timeout=20_000)

    def example(self, title: str) -> None:
        self.page.get_by_role("button", name=title, exact=True).click()

    def solve(self, timeout: float = 60_000) -> str:
        """Click Solve, wait for the job to end; return the status line."""
        self.page.click("#solve")
        self.page.wait_for_selector("#status.done, #status.error, #status.warn", timeout=timeout)
        return self.page.inner_text("#status")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.wait_for_timeout(300)  # let Plotly finish its first frame
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def kinds(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#kind option", "options => options.map(o => o.value)"
        )


@pytest.fixture()
def page(browser, api_server):
    context = browser.new_context(viewport=DESKTOP)
    tab = Page(context.new_page(), api_server.url)
    yield tab
    context.close()
    assert not tab.errors, f"script errors in the page: {tab.errors}"


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"web page screenshots: {SCREENSHOTS}")
