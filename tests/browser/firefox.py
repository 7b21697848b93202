"""Run a case in headless Firefox ESR over Marionette and record what the browser did.

Debian's firefox-esr (never a downloaded browser) starts with a throw-away profile whose prefs map
every host name to 127.0.0.1 (the ``*.test`` names the cases use) and switch off what would talk
to the internet. Marionette's own protocol is small: after a greeting, each command is a JSON
array ``[0, id, name, params]`` sent as ``<length>:<json>`` and answered ``[1, id, error, result]``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.browser.cases import Case
from tests.browser.chromium import FETCH_JS, Observation, base_cookie, case_cookies, fetch_arguments
from tests.browser.server import CaseServer

FIREFOX = Path(os.environ.get("CORSCHECK_FIREFOX", "/usr/bin/firefox-esr"))
#: How long Firefox may take to start and open its Marionette port.
START_SECONDS = 60.0
#: How long to wait for the console line of a failed fetch (it is logged just after the rejection).
CONSOLE_WAIT_SECONDS = 0.5
PREFS = {
    # Marionette on a free port, written to <profile>/MarionetteActivePort.
    "marionette.port": 0,
    # Every name resolves to the case server (Chromium's --host-resolver-rules MAP *.test).
    "network.dns.forceResolve": "127.0.0.1",
    "network.proxy.type": 0,
    "network.http.http3.enable": False,
    # Nothing but the case server: no updates, telemetry, safe browsing, captive-portal probes.
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "services.settings.server": "http://127.0.0.1:9/",
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "dom.security.https_first": False,
}
#: Console categories (nsIScriptError.category, Firefox uses the message's key) whose errors say
#: why a fetch failed.
DECISIVE_CATEGORIES = ("CORS", "CSP", "Mixed Content", "COEP")
#: nsIScriptError.warningFlag and infoFlag: not errors.
NOT_AN_ERROR = 0x1 | 0x8
#: Chrome-context script: every console error logged for content since the last reset, then a reset.
READ_CONSOLE_JS = """
const lines = [];
for (const m of Services.console.getMessageArray() || []) {
  if (m instanceof Ci.nsIScriptError) lines.push([m.category, m.errorMessage, m.flags]);
}
return lines;
"""
CLEAN_STATE_JS = """
const [resolve] = arguments;
Services.console.reset();
Services.clearData.deleteData(Ci.nsIClearDataService.CLEAR_ALL, () => resolve(true));
"""
RUN_FETCH_JS = f"const [args, resolve] = arguments; ({FETCH_JS})(args).then(resolve);"
#: The case's third-party cookie setting as Firefox's network.cookie.cookieBehavior: 0 accepts all
#: cookies, 1 rejects third-party ones (what Chromium's "block third-party cookies" does).
THIRD_PARTY_COOKIE_BEHAVIOR = {"allow": 0, "block": 1}
THIRD_PARTY_COOKIES_JS = "Services.prefs.setIntPref('network.cookie.cookieBehavior', arguments[0]);"
#: Chrome-context script: trust a CA certificate (base64 DER) for TLS servers, as a user would.
TRUST_CA_JS = """
const [der] = arguments;
Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB).addCertFromBase64(der, "C,,");
"""


class MarionetteError(RuntimeError):
    pass


class Marionette:
    """A client for Firefox's Marionette protocol: send a command, wait for its answer."""

    def __init__(self, port: int) -> None:
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=60)
        self._buffer = b""
        self._next_id = 0
        self._read_message()  # the greeting: {"applicationType": "gecko", "marionetteProtocol": 3}

    def _read_message(self) -> Any:
        while b":" not in self._buffer:
            self._receive()
        length, _, rest = self._buffer.partition(b":")
        self._buffer = rest
        while len(self._buffer) < int(length):
            self._receive()
        body, self._buffer = self._buffer[: int(length)], self._buffer[int(length) :]
        return json.loads(body)

    def _receive(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise MarionetteError("Firefox closed the Marionette connection")
        self._buffer += chunk

    def command(self, name: str, params: dict[str, Any] | None = None) -> Any:
        self._next_id += 1
        body = json.dumps([0, self._next_id, name, params or {}]).encode()
        self._socket.sendall(str(len(body)).encode() + b":" + body)
        while True:
            kind, message_id, error, result = self._read_message()
            if kind == 1 and message_id == self._next_id:
                break
        if error is not None:
            raise MarionetteError(f"{name}: {error.get('error')}: {error.get('message')}")
        return result.get("value") if isinstance(result, dict) and "value" in result else result

    def script(self, source: str, *args: Any, asynchronous: bool = False) -> Any:
        name = "WebDriver:ExecuteAsyncScript" if asynchronous else "WebDriver:ExecuteScript"
        return self.command(name, {"script": source, "args": list(args)})

    def context(self, value: str) -> None:
        self.command("Marionette:SetContext", {"value": value})

    def close(self) -> None:
        self._socket.close()


class Firefox:
    """A headless firefox-esr with a throw-away profile, driven over Marionette."""

    def __init__(self) -> None:
        self._profile = Path(tempfile.mkdtemp(prefix="corscheck-firefox-"))
        (self._profile / "user.js").write_text(
            "".join(f'user_pref("{name}", {json.dumps(value)});\n' for name, value in PREFS.items())
        )
        self._process = subprocess.Popen(
            [str(FIREFOX), "--marionette", "--remote-allow-system-access", "--headless", "--no-remote"]
            + ["--profile", str(self._profile)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
        )
        try:
            self.marionette = Marionette(self._wait_for_port())
            capabilities = self.marionette.command("WebDriver:NewSession", {})["capabilities"]
            self.version: str = capabilities["browserVersion"]
            self._trusted: set[str] = set()
            self.marionette.command("WebDriver:SetTimeouts", {"script": 30000, "pageLoad": 30000})
        except BaseException:
            self.close()
            raise

    def _wait_for_port(self) -> int:
        port_file = self._profile / "MarionetteActivePort"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise MarionetteError(f"firefox-esr exited with status {self._process.returncode}")
            text = port_file.read_text().strip() if port_file.exists() else ""
            if text.isdigit():
                return int(text)
            time.sleep(0.05)
        raise MarionetteError(f"firefox-esr opened no Marionette port within {START_SECONDS:.0f} s")

    def trust(self, ca_pem: str) -> None:
        """Trust the case server's CA (Chromium's runner ignores certificate errors instead)."""
        if ca_pem in self._trusted:
            return
        der = "".join(line for line in ca_pem.splitlines() if line and not line.startswith("-----"))
        self.marionette.context("chrome")
        self.marionette.script(TRUST_CA_JS, der)
        self.marionette.context("content")
        self._trusted.add(ca_pem)

    def close(self) -> None:
        if hasattr(self, "marionette"):
            try:
                self.marionette.command("Marionette:Quit")
            except (MarionetteError, OSError):
                pass
            self.marionette.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)


def launch() -> Firefox:
    return Firefox()


def run_in_firefox(firefox: Firefox, server: CaseServer, case: Case) -> Observation:
    """One case after clearing every cookie, cache (the preflight cache too) and console message."""
    marionette = firefox.marionette
    firefox.trust(server.ca.cert_pem.bytes().decode())
    server.clear(case.id)
    marionette.context("chrome")
    marionette.script(CLEAN_STATE_JS, asynchronous=True)
    marionette.context("content")
    marionette.context("chrome")
    marionette.script(THIRD_PARTY_COOKIES_JS, THIRD_PARTY_COOKIE_BEHAVIOR[case.third_party_cookies])
    marionette.context("content")
    for cookie in [base_cookie(server), *case_cookies(case, server)]:
        _add_cookie(marionette, server, cookie)
    for setter in case.set_cookies:  # a top-level visit: the server's Set-Cookie is first-party
        marionette.command("WebDriver:Navigate", {"url": server.expand(setter["url"], case.id)})
    server.clear(case.id)
    marionette.command("WebDriver:Navigate", {"url": server.page_url(case.id)})
    marionette.context("chrome")
    marionette.script("Services.console.reset();")
    marionette.context("content")
    args = fetch_arguments(case, server)
    outcome = marionette.script(RUN_FETCH_JS, args, asynchronous=True)
    console = _console_errors(marionette, wait=not outcome["ok"])
    requests = server.received(case.id)
    repeat_preflights = None
    if case.repeat > 1:
        marionette.script(RUN_FETCH_JS, args, asynchronous=True)
        later = server.received(case.id)[len(requests) :]
        repeat_preflights = sum(1 for r in later if r.method == "OPTIONS")
    decisive = [text for category, text, flags in console if _is_decisive((category, text, flags))]
    return Observation.of_fetch(
        case.id,
        outcome,
        cors_message=decisive[0] if decisive else None,
        console=[f"[{category}] {text}" for category, text, _ in console],
        requests=requests,
        repeat_preflights=repeat_preflights,
    )


def _console_errors(marionette: Marionette, *, wait: bool) -> list[tuple[str, str, int]]:
    """The console's script errors for this case; after a failed fetch, wait briefly for a
    decisive one (Firefox logs it just after the promise rejects)."""
    marionette.context("chrome")
    try:
        deadline = time.monotonic() + (CONSOLE_WAIT_SECONDS if wait else 0)
        while True:
            lines = [tuple(line) for line in marionette.script(READ_CONSOLE_JS)]
            decisive = any(_is_decisive(line) for line in lines)
            if decisive or time.monotonic() >= deadline:
                return lines  # type: ignore[return-value]
            time.sleep(0.02)
    finally:
        marionette.context("content")


def _is_decisive(line: tuple[str, str, int]) -> bool:
    category, _, flags = line
    return category.startswith(DECISIVE_CATEGORIES) and not flags & NOT_AN_ERROR


def _add_cookie(marionette: Marionette, server: CaseServer, cookie: dict[str, Any]) -> None:
    """Put one of the case's cookies (Playwright's add_cookies dict) in the jar: WebDriver's
    AddCookie from a page of the cookie's host, on the case server's port for its scheme (cookies
    ignore ports). A ``url`` makes a host-only cookie, a ``domain`` a domain cookie; no sameSite is
    Lax, as Playwright writes it."""
    # From an https page only when the cookie must be Secure: the suite's certificate does not
    # name every *.test host (cookies ignore the scheme otherwise).
    scheme = "https" if cookie.get("secure") else "http"
    if "url" in cookie:
        host, domain = urlsplit(cookie["url"]).hostname or "", None
    else:
        host, domain = cookie["domain"].lstrip("."), cookie["domain"]
    port = server.ports["secure" if scheme == "https" else "case"]
    marionette.command("WebDriver:Navigate", {"url": f"{scheme}://{host}:{port}/"})
    added = {
        "name": cookie["name"],
        "value": cookie["value"],
        "path": cookie.get("path", "/"),
        "secure": cookie.get("secure", False),
        "httpOnly": cookie.get("httpOnly", False),
        "sameSite": cookie.get("sameSite", "Lax"),
    }
    if domain is not None:
        added["domain"] = domain
    marionette.command("WebDriver:AddCookie", {"cookie": added})
