"""Run a case in headless Chromium and record what the browser did (the oracle side)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.browser.cases import COOKIE_NAME, COOKIE_VALUE, Case
from tests.browser.server import CaseServer, Received

CHROMIUM = Path(os.environ.get("CORSCHECK_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Names that are not loopback by name (mixed content, Local Network Access) but reach the case server.
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]
#: How long to wait for the console lines of a failed fetch (they arrive just after the rejection).
CONSOLE_WAIT_SECONDS = 1.0

# Runs in the page. Headers go through Headers.append so duplicated names are combined the way
# fetch() combines them; an invalid name, value or method throws before anything is sent.
FETCH_JS = """
async ({url, method, headers, credentials, mode, targetAddressSpace, body}) => {
  try {
    const init = {method, credentials, mode};
    if (targetAddressSpace !== null) init.targetAddressSpace = targetAddressSpace;
    if (body !== null) init.body = body;
    const h = new Headers();
    for (const [name, value] of headers) h.append(name, value);
    init.headers = h;  // in no-cors mode fetch() keeps only the safelisted ones
    const r = await fetch(url, init);
    return {ok: true, status: r.status, type: r.type, headerNames: [...r.headers.keys()], url: r.url};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}
"""
#: Console errors that name why a fetch failed; any other line (ERR_FAILED, ...) says nothing more.
DECISIVE_PREFIXES = (
    "Access to fetch at",
    "Connecting to '",
    "Mixed Content:",
    "Fetch API cannot load",
    "Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE",
)


@dataclass
class Observation:
    """What Chromium did for one case."""

    case_id: str
    resolved: bool
    error: str | None
    status: int | None
    #: Lower-case, sorted names from response.headers.keys().
    header_names: list[str]
    final_url: str | None
    #: The console error that says why the fetch failed ("Access to fetch at ...", a CSP or
    #: mixed-content line, ERR_BLOCKED_BY_RESPONSE), if Chromium printed one.
    cors_message: str | None
    console: list[str]
    #: Requests the server received during the first fetch.
    requests: list[Received]
    #: Preflights sent by the second fetch when the case repeats (None when it does not).
    repeat_preflights: int | None = None
    #: Response.type: basic, cors or opaque (None when the fetch failed).
    response_type: str | None = None

    @classmethod
    def of_fetch(
        cls,
        case_id: str,
        outcome: dict[str, Any],
        *,
        cors_message: str | None,
        console: list[str],
        requests: list[Received],
        repeat_preflights: int | None,
    ) -> Observation:
        """An observation from FETCH_JS's result and what the runner saw around it."""
        return cls(
            case_id=case_id,
            resolved=outcome["ok"],
            error=outcome.get("error"),
            status=outcome.get("status"),
            header_names=sorted(n.lower() for n in outcome.get("headerNames", [])),
            final_url=outcome.get("url"),
            cors_message=cors_message,
            console=console,
            requests=requests,
            repeat_preflights=repeat_preflights,
            response_type=outcome.get("type"),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["requests"] = [summarise_request(r) for r in self.requests]
        return data


def summarise_request(request: Received) -> dict[str, Any]:
    """The facts the comparison needs about one received request, plus its raw header lines."""
    return {
        "role": request.role,
        "method": request.method,
        "path": request.path,
        "origin": request.header("Origin"),
        "acrm": request.header("Access-Control-Request-Method"),
        "acrh": request.header("Access-Control-Request-Headers"),
        "cookie": request.header("Cookie") is not None,
        "authorization": request.header("Authorization") is not None,
        "headers": [list(pair) for pair in request.headers],
    }


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)


def fetch_arguments(case: Case, server: CaseServer) -> dict[str, Any]:
    return {
        "url": server.expand(case.url, case.id),
        "method": case.method,
        "headers": [list(h) for h in case.headers],
        "credentials": case.credentials,
        "mode": case.mode,
        "targetAddressSpace": case.target_address_space,
        "body": case.body,
    }


def base_cookie(server: CaseServer) -> dict[str, Any]:
    """The cookie every context holds for 127.0.0.1 (add_cookies makes it SameSite=Lax)."""
    return {"name": COOKIE_NAME, "value": COOKIE_VALUE, "url": server.origins["case"] + "/"}


def case_cookies(case: Case, server: CaseServer) -> list[dict[str, Any]]:
    """The case's add_cookies dicts with their URL templates filled."""
    return [
        {key: server.expand(value, case.id) if key == "url" else value for key, value in cookie.items()}
        for cookie in case.cookies
    ]


def open_context(browser: Any, case: Case) -> tuple[Any, Path | None]:
    """A fresh context (own cookie jar, HTTP cache and preflight cache), and its profile directory.

    Headless Chromium blocks third-party cookies in a new context; a case that allows them gets a
    persistent context whose profile's Preferences say so (``profile.cookie_controls_mode``: 0 allows,
    1 blocks third-party cookies; the setting Chrome's "Third-party cookies" page writes).
    """
    if case.third_party_cookies != "allow":
        return browser.new_context(ignore_https_errors=True), None
    profile = Path(tempfile.mkdtemp(prefix="corscheck-profile-"))
    (profile / "Default").mkdir()
    preferences = {"profile": {"cookie_controls_mode": 0}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=LAUNCH_ARGS,
        ignore_https_errors=True,
    )
    return context, profile


def run_in_chromium(browser: Any, server: CaseServer, case: Case) -> Observation:
    """One case in a fresh browser context (own cookie jar, HTTP cache and preflight cache)."""
    context, profile = open_context(browser, case)
    try:
        if case.lna_permission == "granted":
            context.grant_permissions(["local-network-access"], origin=server.page_origin(case.id))
        context.add_cookies([base_cookie(server), *case_cookies(case, server)])
        page = context.new_page()
        for setter in case.set_cookies:  # a top-level visit: the server's Set-Cookie is first-party
            page.goto(server.expand(setter["url"], case.id))
        server.clear(case.id)
        console: list[str] = []
        errors: list[str] = []
        # Chromium reports CORS failures as console errors; page.on("console") sees them
        # (CDP's Log.entryAdded reports the same line with source "javascript").
        page.on("console", lambda message: console.append(message.text))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server.page_url(case.id))
        args = fetch_arguments(case, server)
        outcome = page.evaluate(FETCH_JS, args)
        if not outcome["ok"]:
            _wait_for_failure_lines(page, console)
        requests = server.received(case.id)
        repeat_preflights = None
        if case.repeat > 1:
            page.evaluate(FETCH_JS, args)
            later = server.received(case.id)[len(requests) :]
            repeat_preflights = sum(1 for r in later if r.method == "OPTIONS")
    finally:
        context.close()
        if profile is not None:
            shutil.rmtree(profile, ignore_errors=True)
    return Observation.of_fetch(
        case.id,
        outcome,
        cors_message=next((line for line in errors if line.startswith(DECISIVE_PREFIXES)), None),
        console=console,
        requests=requests,
        repeat_preflights=repeat_preflights,
    )


def _wait_for_failure_lines(page: Any, console: list[str]) -> None:
    """The "Failed to load resource: net::..." line comes last; wait for it, briefly."""
    deadline = time.monotonic() + CONSOLE_WAIT_SECONDS
    while time.monotonic() < deadline:
        if any(line.startswith("Failed to load resource: net::") for line in console):
            return
        page.wait_for_timeout(20)
