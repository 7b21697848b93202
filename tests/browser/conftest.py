"""Fixtures for the Chromium conformance suite: one case server and one browser per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.cases import load_cases
from tests.browser.chromium import launch
from tests.browser.server import CaseServer

CHROMIUM_VERSION = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def case_server() -> Iterator[CaseServer]:
    server = CaseServer()
    for case in load_cases():
        server.register(
            case.id, case.responses, case.page, case.page_headers, case.page_meta_csp, case.page_host
        )
    yield server
    server.close()


# Module scope, so once per run in practice (one test module uses it). Not session scope: sync
# Playwright keeps its asyncio loop marked as running in this thread until it stops, and every
# later test calling asyncio.run() (ASGI apps, run_check_async) would then fail.
@pytest.fixture(scope="module")
def chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        request.config.stash[CHROMIUM_VERSION] = browser.version
        print(f"\nChromium {browser.version}")
        yield browser
        browser.close()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the browser that served as the oracle, whatever the capture settings."""
    version = config.stash.get(CHROMIUM_VERSION, None)
    if version is not None:
        terminalreporter.write_sep("-", f"browser conformance oracle: Chromium {version}")
