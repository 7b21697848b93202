"""Run a case in WebKitGTK's MiniBrowser and record what the engine did.

Why not WebDriver: WebKitWebDriver starts MiniBrowser with --automation, which gives every page an
ephemeral session, and WebKit drops console messages of ephemeral pages before they reach anything
but the Web Inspector (FrameConsoleClient::addMessage), so a WebDriver client never sees the CORS
console line. MiniBrowser is driven instead through WebKit's own remote inspector
(WEBKIT_INSPECTOR_HTTP_SERVER: the Web Inspector protocol over a WebSocket), which sees every
console message, evaluates script even on pages whose CSP forbids it (as WebDriver would), and
navigates. It runs under its own Xvfb; names like page.test reach the case server through
LoopbackProxy (WebKit has no host-mapping flag); the secure port's self-signed certificate is
accepted with --ignore-tls-errors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser.cases import Case
from tests.browser.chromium import FETCH_JS, Observation, base_cookie, case_cookies, fetch_arguments
from tests.browser.loopback_proxy import LoopbackProxy
from tests.browser.server import CaseServer

MINIBROWSER = Path(
    os.environ.get("CORSCHECK_MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
)
XVFB = Path("/usr/bin/Xvfb")
#: How long to wait for a console line that follows a failed fetch.
CONSOLE_WAIT_SECONDS = 0.3
STEP_TIMEOUT_SECONDS = 15.0
#: MiniBrowser's options for the cases' third-party cookie setting: blocking them takes Intelligent
#: Tracking Prevention, as in Safari (WebKit's no-third-party policy only stops them being set).
COOKIE_POLICIES = {"block": ["--enable-itp"], "allow": ["--cookies-policy=always"]}
#: How long MiniBrowser may take to list its page (slow on a loaded CI machine).
LAUNCH_TIMEOUT_SECONDS = 60.0
#: WebKit's last console line for a fetch it refused ("Fetch API cannot load <url> due to access
#: control checks."); the line naming the reason comes before it.
CANNOT_LOAD = re.compile(r"^Fetch API cannot load ")
#: Lines that only repeat a reason given elsewhere, or give none.
ECHO_PREFIXES = ("Failed to load resource: ",)
GENERIC = {"Not allowed to request resource"}
#: WebKit's descriptions of network errors (the load failed; no check refused it): with one of
#: these the fetch failed as a network error, whatever CORS line follows.
NETWORK_FAILURES = ("Load cannot follow more than 20 redirections", "FTP URLs are disabled")


class InspectorError(RuntimeError):
    """The inspector answered with an error or not at all."""


@dataclass
class Inspector:
    """One WebSocket to MiniBrowser's page, following it across process swaps."""

    socket: Any  # websocket.WebSocket
    target: str
    console: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = 0

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one command to the page and wait for its reply (recording events meanwhile)."""
        self._next_id += 1
        request_id = self._next_id
        message = json.dumps({"id": request_id, "method": method, "params": params or {}})
        self.socket.send(
            json.dumps(
                {
                    "id": request_id,
                    "method": "Target.sendMessageToTarget",
                    "params": {"targetId": self.target, "message": message},
                }
            )
        )
        sent_to = self.target
        deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            inner = self._receive(deadline - time.monotonic())
            if self.target != sent_to:
                raise InspectorError(f"{method}: the page moved to another process before replying")
            if inner is not None and inner.get("id") == request_id:
                if "error" in inner:
                    raise InspectorError(f"{method}: {inner['error']}")
                return inner.get("result", {})
        raise InspectorError(f"{method}: no reply within {STEP_TIMEOUT_SECONDS} s")

    def drain(self, seconds: float) -> None:
        """Record whatever events arrive within ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._receive(left)

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        """One message; returns a page reply, records console events, follows target swaps."""
        import websocket

        self.socket.settimeout(max(timeout, 0.01))
        try:
            outer = json.loads(self.socket.recv())
        except websocket.WebSocketTimeoutException:
            return None
        method, params = outer.get("method"), outer.get("params", {})
        if method == "Target.didCommitProvisionalTarget":
            self.target = params["newTargetId"]  # navigate() enables its console
        elif method == "Target.dispatchMessageFromTarget" and params.get("targetId") == self.target:
            inner = json.loads(params["message"])
            if inner.get("method") == "Console.messageAdded":
                self.console.append(inner["params"]["message"])
                return None
            return inner
        return None

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression``."""
        result = self.call(
            "Runtime.evaluate", {"expression": f"JSON.stringify({expression})", "returnByValue": True}
        )
        if result.get("wasThrown"):
            raise InspectorError(f"script threw: {result['result'].get('description')}")
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def settle(self, expression: str) -> Any:
        """The JSON value ``expression`` (a promise) settles to. The inspector cannot await a
        promise in one call here, so its value is parked on the page and polled."""
        self.evaluate(f"(window.__settled = undefined, ({expression}).then(v => window.__settled = v), 0)")
        deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            value = self.evaluate("window.__settled")
            if value is not None:
                return value
            time.sleep(0.01)
        raise InspectorError(f"no result within {STEP_TIMEOUT_SECONDS} s")

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait until its document has finished loading. Most cases share one
        page URL, so the old document is marked: until it is gone, "complete" is its state."""
        self.evaluate("window.__replaced = true")
        self.call("Page.navigate", {"url": url})
        loaded = (
            f"document.readyState == 'complete' && !window.__replaced && location.href == {json.dumps(url)}"
        )
        deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.evaluate(loaded):
                    self.call("Console.enable")  # again: the page may be a new target
                    return
            except InspectorError:
                pass  # the old document went away mid-call (a process swap); ask the new one
            time.sleep(0.02)
        raise InspectorError(f"{url} did not finish loading within {STEP_TIMEOUT_SECONDS} s")


@dataclass
class WebKit:
    """A running MiniBrowser and the inspector connection that drives it."""

    version: str
    inspector: Inspector


def webkit_version(env: dict[str, str]) -> str:
    """WebKitGTK's version as MiniBrowser reports it ("WebKitGTK 2.50.6" -> "2.50.6")."""
    out = subprocess.run(
        [str(MINIBROWSER), "--version"], capture_output=True, text=True, check=False, env=env
    )
    found = re.search(r"\d+\.\d+\.\d+", out.stdout + out.stderr)
    return found.group(0) if found else "unknown"


@contextmanager
def launch_webkit(server: CaseServer, third_party_cookies: str = "block") -> Iterator[WebKit]:
    """MiniBrowser under a private Xvfb, with the base cookie set; everything stopped at exit.
    ``third_party_cookies`` is the cookie policy: "block" (MiniBrowser's default) or "allow"."""
    import websocket

    home = Path(tempfile.mkdtemp(prefix="corscheck-webkit-"))
    proxy = LoopbackProxy()
    xvfb = subprocess.Popen(
        [str(XVFB), "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    browser = None
    try:
        display = xvfb.stdout.readline().decode().strip()  # type: ignore[union-attr]
        inspector_port = _free_port()
        env = dict(
            os.environ,
            DISPLAY=f":{display}",
            WEBKIT_INSPECTOR_HTTP_SERVER=f"127.0.0.1:{inspector_port}",
            XDG_DATA_HOME=str(home / "data"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_CONFIG_HOME=str(home / "config"),
        )
        browser = subprocess.Popen(
            [
                str(MINIBROWSER),
                "--ignore-tls-errors",
                f"--proxy={proxy.url}",
                "--ignore-host=127.0.0.1",
                *COOKIE_POLICIES[third_party_cookies],
                "about:blank",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        path = _page_socket_path(inspector_port, browser)
        sock = websocket.create_connection(f"ws://127.0.0.1:{inspector_port}{path}")
        inspector = Inspector(sock, target=_first_page_target(sock))
        inspector.call("Console.enable")
        inspector.navigate(server.origins["page"] + "/")
        set_cookie(inspector, base_cookie(server))
        yield WebKit(webkit_version(env), inspector)
        sock.close()
    finally:
        for process in (browser, xvfb):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
        xvfb.stdout.close()  # type: ignore[union-attr]
        proxy.close()
        shutil.rmtree(home, ignore_errors=True)


def run_in_webkit(webkit: WebKit, server: CaseServer, case: Case) -> Observation:
    """One case on its own page. Every case has its own URLs, so neither the HTTP cache nor the
    preflight cache carries anything from one case to the next; a case with cookies of its own, or
    another cookie policy, gets a browser of its own, so that its cookie jar is only its own."""
    if case.cookies or case.set_cookies or case.third_party_cookies != "block":
        with launch_webkit(server, case.third_party_cookies) as own:
            for cookie in case_cookies(case, server):
                set_cookie(own.inspector, cookie)
            for setter in case.set_cookies:  # a top-level visit: the server's Set-Cookie is first-party
                own.inspector.navigate(server.expand(setter["url"], case.id))
            return _run(own.inspector, server, case)
    return _run(webkit.inspector, server, case)


def set_cookie(inspector: Inspector, cookie: dict[str, Any]) -> None:
    """Put one of the cases' add_cookies dicts in the jar (``url``: a host-only cookie, ``domain``:
    a domain cookie; no sameSite is Lax, as Playwright stores it)."""
    domain = urlsplit(cookie["url"]).hostname if "url" in cookie else cookie["domain"]
    inspector.call(
        "Page.setCookie",
        {
            "cookie": {
                "name": cookie["name"],
                "value": cookie["value"],
                "domain": domain,
                "path": cookie.get("path", "/"),
                "expires": 0,
                "session": True,
                "httpOnly": cookie.get("httpOnly", False),
                "secure": cookie.get("secure", False),
                "sameSite": cookie.get("sameSite", "Lax"),
            }
        },
    )


def _run(inspector: Inspector, server: CaseServer, case: Case) -> Observation:
    server.clear(case.id)
    inspector.navigate(server.page_url(case.id))
    first_line = len(inspector.console)
    call = f"({FETCH_JS})({json.dumps(fetch_arguments(case, server))})"
    outcome = inspector.settle(call)
    if not outcome["ok"]:
        inspector.drain(CONSOLE_WAIT_SECONDS)
    requests = server.received(case.id)
    repeat_preflights = None
    if case.repeat > 1:
        inspector.settle(call)
        later = server.received(case.id)[len(requests) :]
        repeat_preflights = sum(1 for r in later if r.method == "OPTIONS")
    messages = inspector.console[first_line:]
    # WebKit logs a mixed-content block as a warning, CORS and CSP refusals as errors; a few of its
    # lines end in a newline, which a console does not show.
    errors = [m["text"].rstrip("\n") for m in messages if m.get("level") in ("error", "warning")]
    return Observation.of_fetch(
        case.id,
        outcome,
        cors_message=decisive_line(errors),
        console=[m["text"].rstrip("\n") for m in messages],
        requests=requests,
        repeat_preflights=repeat_preflights,
    )


def decisive_line(errors: list[str]) -> str | None:
    """The console error that says why WebKit refused the fetch: the first line naming a reason,
    None for a network error. WebKit follows it with "Fetch API cannot load <url> due to access
    control checks." (that line alone when no reason was given) and a "Failed to load resource:
    <reason>" echo."""
    if any(line in NETWORK_FAILURES for line in errors):
        return None
    reasons = [line for line in errors if not line.startswith(ECHO_PREFIXES) and line not in GENERIC]
    named = [line for line in reasons if not CANNOT_LOAD.match(line)]
    return (named or reasons or [None])[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page_socket_path(port: int, browser: subprocess.Popen[bytes]) -> str:
    """The WebSocket path of MiniBrowser's page, from the inspector's target list."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an http_proxy
    deadline = time.monotonic() + LAUNCH_TIMEOUT_SECONDS
    while time.monotonic() < deadline and browser.poll() is None:
        try:
            listing = direct.open(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
        except OSError:
            listing = ""
        found = re.search(r"/socket/\d+/\d+/WebPage", listing)
        if found:
            return found.group(0)
        time.sleep(0.1)
    if browser.poll() is not None:
        raise InspectorError(f"MiniBrowser exited with status {browser.returncode} before listing its page")
    raise InspectorError(
        f"MiniBrowser's inspector on port {port} listed no page in {LAUNCH_TIMEOUT_SECONDS} s"
    )


def _first_page_target(sock: Any) -> str:
    sock.settimeout(LAUNCH_TIMEOUT_SECONDS)
    while True:
        message = json.loads(sock.recv())
        if message.get("method") == "Target.targetCreated":
            return message["params"]["targetInfo"]["targetId"]
