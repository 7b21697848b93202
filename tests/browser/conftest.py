"""Fixtures for the browser conformance suite: one case server, and one of each engine per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.cases import load_cases
from tests.browser.server import CaseServer

#: "Chromium 156.0..." for each engine launched in this run, in launch order.
ENGINE_VERSIONS = pytest.StashKey[list[str]]()


def _note_version(config: pytest.Config, title: str, version: str) -> None:
    versions = config.stash.setdefault(ENGINE_VERSIONS, [])
    if f"{title} {version}" not in versions:  # Chromium launches once per test module
        versions.append(f"{title} {version}")
    print(f"\n{title} {version}")


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

    from tests.browser.chromium import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        _note_version(request.config, "Chromium", browser.version)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def firefox(request: pytest.FixtureRequest) -> Iterator[Any]:
    from tests.browser.firefox import launch

    browser = launch()
    _note_version(request.config, "Firefox", browser.version)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def webkit(request: pytest.FixtureRequest, case_server: CaseServer) -> Iterator[Any]:
    from tests.browser.webkit import launch_webkit

    with launch_webkit(case_server) as browser:
        _note_version(request.config, "WebKitGTK", browser.version)
        yield browser


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the browsers that served as oracles, whatever the capture settings."""
    for version in config.stash.get(ENGINE_VERSIONS, []):
        terminalreporter.write_sep("-", f"browser conformance oracle: {version}")
