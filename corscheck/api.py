"""The public Python API: check one fetch() against a URL or an in-process app, as a browser would.

Everything here is re-exported by ``corscheck`` and versioned like the JSON contract; every other
module is private.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, Literal, TypedDict

from corscheck.core import model
from corscheck.core.errors import InputError
from corscheck.core.model import Credentials, Finding, Verdict
from corscheck.core.profiles import PROFILES
from corscheck.probe import app_transport, run_check
from corscheck.probe.apps import app_url, asgi_transport, is_asgi, load_app
from corscheck.probe.send import MAX_TIMEOUT
from corscheck.report import RenderOptions, reporter

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
CredentialsMode = Credentials | Literal["omit", "same-origin", "include"]
#: The engine simulated (``--browser``; "all" is the CLI's, one call checks one engine).
BrowserName = Literal["chromium", "firefox", "safari"]


class CheckOptions(TypedDict, total=False):
    """The keyword arguments of :func:`check` that describe the fetch(), for wrappers to pass on."""

    method: str
    headers: Headers | None
    credentials: CredentialsMode
    cookie: str | None
    set_cookie: Iterable[str]
    cookie_jar: str | PathLike[str] | None
    third_party_cookies: Literal["allow", "block"]
    expose: Iterable[str]
    browser: BrowserName
    timeout: float
    probe_reflection: bool


@dataclass(frozen=True)
class CheckResult:
    """What the browser would do with one fetch()."""

    #: ``allowed``, ``blocked``, or ``error`` (a network error: unreachable, TLS, refused redirect).
    verdict: Verdict
    #: Every finding, the one that decided a block first.
    findings: tuple[Finding, ...]
    #: Lower-case response header names JavaScript can read, sorted (empty when blocked).
    exposed_headers: tuple[str, ...]
    #: The line the browser's console prints for a blocked request.
    browser_message: str | None
    #: ``expose`` names JavaScript cannot read.
    unreadable_expose: tuple[str, ...]
    _engine_result: model.CheckResult = field(repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        """The page can read the response and every ``expose`` header (``corscheck check`` exits 0)."""
        return self.verdict is Verdict.ALLOWED and not self.unreadable_expose

    def to_json(self, *, show_secrets: bool = False) -> str:
        """The ``--json`` document (schema 1, documented in the README)."""
        return reporter("json")(self._engine_result, RenderOptions(show_secrets=show_secrets))

    def report(self, *, verbose: bool = False, width: int = 100) -> str:
        """The text report ``corscheck check`` prints: verdict, console line, exchange, findings and fixes."""
        options = RenderOptions(verbose=verbose, width=width)
        return reporter("text")(self._engine_result, options)

    @classmethod
    def _of(cls, result: model.CheckResult) -> CheckResult:
        return cls(
            verdict=result.verdict,
            findings=result.findings,
            exposed_headers=result.exposed_headers,
            browser_message=result.browser_message,
            unreadable_expose=result.unreadable_expose,
            _engine_result=result,
        )


def _target(url: str, app: object | str | None, browser: str) -> tuple[str, Any]:
    """The absolute URL and the app (loaded from its import string) or None for the network."""
    if browser not in PROFILES:
        raise InputError(f"browser {browser!r} is not simulated (one of: {', '.join(PROFILES)})")
    if app is None:
        return url, None
    loaded = load_app(app) if isinstance(app, str) else app
    if not callable(loaded):
        raise InputError("app must be an ASGI or WSGI callable, or an import string 'package.module:app'")
    return app_url(url), loaded


def _spec(
    url: str,
    origin: str,
    method: str,
    headers: Headers | None,
    credentials: CredentialsMode,
    cookie: str | None,
    expose: Iterable[str],
    probe_reflection: bool,
    cookies: _BrowserCookies,
    browser: str,
) -> model.RequestSpec:
    header_items = headers.items() if isinstance(headers, Mapping) else headers or ()
    try:
        mode = Credentials(credentials)
    except ValueError:
        raise InputError(f"credentials {credentials!r} must be omit, same-origin or include") from None
    return model.RequestSpec(
        url=url,
        origin=origin,
        method=method,
        headers=tuple((str(name), str(value)) for name, value in header_items),
        credentials=mode,
        cookie=cookie,
        expose=(expose,) if isinstance(expose, str) else tuple(expose),
        probe_reflection=probe_reflection,
        browser=browser,
        cookies=cookies.for_url(url),
        third_party_cookies=cookies.third_party(),
    )


@dataclass(frozen=True)
class _BrowserCookies:
    """The browser's cookies as `check --set-cookie/--cookie-jar/--third-party-cookies` give them."""

    set_cookie: Iterable[str]
    cookie_jar: str | PathLike[str] | None
    third_party_cookies: str

    def for_url(self, url: str) -> tuple[model.Cookie, ...]:
        lines = [self.set_cookie] if isinstance(self.set_cookie, str) else list(self.set_cookie)
        if not lines and self.cookie_jar is None:
            return ()
        from corscheck.inputs.cookie_jar import browser_cookies, read_cookie_jar

        jar = read_cookie_jar(Path(self.cookie_jar)) if self.cookie_jar is not None else ()
        return browser_cookies(jar, lines, url)

    def third_party(self) -> model.ThirdPartyCookies:
        try:
            return model.ThirdPartyCookies(self.third_party_cookies)
        except ValueError:
            raise InputError(
                f"third_party_cookies {self.third_party_cookies!r} must be allow or block"
            ) from None


def check(
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Headers | None = None,
    credentials: CredentialsMode = "same-origin",
    cookie: str | None = None,
    set_cookie: Iterable[str] = (),
    cookie_jar: str | PathLike[str] | None = None,
    third_party_cookies: Literal["allow", "block"] = "allow",
    expose: Iterable[str] = (),
    app: object | str | None = None,
    browser: BrowserName = "chromium",
    timeout: float = 10.0,
    verify: bool = True,
    probe_reflection: bool = True,
) -> CheckResult:
    """Would a page at ``origin`` be allowed to read ``url`` with this fetch()?

    With ``app`` (an ASGI or WSGI callable, or ``"package.module:app"``) no server is needed: the
    request goes to the app in-process and ``url`` may be a path (``"/items"``). An ASGI app's
    lifespan runs around the check; an app that raises answers 500, as behind a server.
    ``set_cookie`` (Set-Cookie values, as the URL's server set them), ``cookie_jar`` (a `curl -c`
    file) and ``third_party_cookies`` are the browser's cookies, as `corscheck check` takes them.
    Raises :class:`corscheck.InputError` for input no browser would accept.
    """
    absolute, loaded = _target(url, app, browser)
    cookies = _BrowserCookies(set_cookie, cookie_jar, third_party_cookies)
    spec = _spec(
        absolute, origin, method, headers, credentials, cookie, expose, probe_reflection, cookies, browser
    )
    transport = None if loaded is None else app_transport(loaded)
    return CheckResult._of(run_check(spec, timeout=timeout, verify=verify, transport=transport))


async def check_async(
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: Headers | None = None,
    credentials: CredentialsMode = "same-origin",
    cookie: str | None = None,
    set_cookie: Iterable[str] = (),
    cookie_jar: str | PathLike[str] | None = None,
    third_party_cookies: Literal["allow", "block"] = "allow",
    expose: Iterable[str] = (),
    app: object | str | None = None,
    browser: BrowserName = "chromium",
    timeout: float = 10.0,
    verify: bool = True,
    probe_reflection: bool = True,
) -> CheckResult:
    """:func:`check` for async code. An ASGI app runs on the caller's event loop (so it may share
    resources created there); anything else runs in a worker thread."""
    absolute, loaded = _target(url, app, browser)
    cookies = _BrowserCookies(set_cookie, cookie_jar, third_party_cookies)
    spec = _spec(
        absolute, origin, method, headers, credentials, cookie, expose, probe_reflection, cookies, browser
    )
    if loaded is not None and is_asgi(loaded):
        from corscheck.probe.asgi import run_check_async

        engine_result = await run_check_async(
            spec, timeout=min(timeout, MAX_TIMEOUT), transport=asgi_transport(loaded)
        )
        return CheckResult._of(engine_result)
    transport = None if loaded is None else app_transport(loaded)
    result = await asyncio.to_thread(run_check, spec, timeout=timeout, verify=verify, transport=transport)
    return CheckResult._of(result)
