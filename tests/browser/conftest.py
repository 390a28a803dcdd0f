"""Browser tests drive Debian's Chromium (`apt-get install chromium`) through Playwright; never a
browser Playwright downloads itself. `.ci/run` installs it on a fresh machine."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.api.conftest import Api, api  # noqa: F401  (the served API fixture)


def chromium_path() -> str:
    found = os.environ.get("LYRA_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("browser tests need Debian's Chromium: apt-get install chromium")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


FAILURES = Path(os.environ.get("LYRA_BROWSER_FAILURES", "var/browser-failures"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    """Remember each phase's outcome on the test, so the fixture knows whether it failed."""
    outcome = yield
    setattr(item, f"report_{call.when}", outcome.get_result())


@pytest.fixture
def open_page(browser: Browser, api: Api, request: pytest.FixtureRequest) -> Iterator:  # noqa: F811
    """A fresh browser context per user (its own cookies), at the served app. When the test
    fails, each page's screenshot is kept under var/browser-failures/. Whatever the test, no
    page may have had anything refused by the Content-Security-Policy (a refused script is a
    button that silently does nothing)."""
    contexts = []
    refused: list[str] = []

    def make(viewport: dict | None = None, color_scheme: str = "light") -> Page:
        context = browser.new_context(base_url=api.base, color_scheme=color_scheme,
                                      viewport=viewport or {"width": 1200, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(FAILURES / f"{request.node.name}-{n}-{m}.png"),
                                full_page=True)
    for context in contexts:
        context.close()
    if report is not None and report.passed:
        assert not refused, refused
