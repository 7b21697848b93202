"""The browser engines the conformance suite runs every case in, one entry per engine.

An engine contributes a runner ``run_in_<engine>(handle, server, case) -> Observation`` (the
Observation of tests/browser/chromium.py), the name of the fixture in conftest.py that launches
it and hands its handle to the runner, and a check for what it needs on this machine. corscheck
runs each case with the profile of the same name (corscheck/core/profiles.py); there is no list of
expected differences: where corscheck and the engine disagree, the profile is wrong.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.browser.cases import Case
from tests.browser.chromium import CHROMIUM, Observation, run_in_chromium
from tests.browser.firefox import FIREFOX, run_in_firefox
from tests.browser.server import CaseServer
from tests.browser.webkit import MINIBROWSER, XVFB, run_in_webkit


@dataclass(frozen=True)
class BrowserEngine:
    #: corscheck's profile name (``--browser``).
    name: str
    #: How reports name it.
    title: str
    #: The conftest.py fixture that launches the engine and yields the runner's handle.
    fixture: str
    run: Callable[[Any, CaseServer, Case], Observation]
    #: Why the engine cannot run here (None when it can), and how to enable it.
    missing: Callable[[], str | None]


def _chromium_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (set CORSCHECK_CHROMIUM); enable with: apt-get install chromium"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed; enable with: pip install -e '.[test]'"
    return None


def _firefox_missing() -> str | None:
    if not FIREFOX.exists():
        return f"Firefox ESR not found at {FIREFOX} (set CORSCHECK_FIREFOX); enable with: apt-get install firefox-esr"
    return None


def _webkit_missing() -> str | None:
    if not MINIBROWSER.exists():
        return (
            f"WebKitGTK's MiniBrowser not found at {MINIBROWSER} (set CORSCHECK_MINIBROWSER);"
            " enable with: apt-get install libwebkit2gtk-4.1-0 xvfb"
        )
    if not XVFB.exists():
        return "Xvfb not found; enable with: apt-get install xvfb"
    if importlib.util.find_spec("websocket") is None:
        return "the websocket-client Python package is not installed; enable with: pip install -e '.[test]'"
    return None


ENGINES: dict[str, BrowserEngine] = {
    engine.name: engine
    for engine in (
        BrowserEngine("chromium", "Chromium", "chromium", run_in_chromium, _chromium_missing),
        BrowserEngine("firefox", "Firefox", "firefox", run_in_firefox, _firefox_missing),
        # WebKitGTK stands in for Safari: the same WebCore loader and CORS code, on Linux.
        BrowserEngine("safari", "Safari", "webkit", run_in_webkit, _webkit_missing),
    )
}
