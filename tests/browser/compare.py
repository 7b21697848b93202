"""Set what a browser did beside what corscheck concluded with its profile, and list every difference.

The ground truth for "what was sent" is the case server's recording for each run, not either
client's own account of it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from tests.browser.cases import Case
from tests.browser.chromium import Observation, base_cookie, case_cookies
from tests.browser.server import CASE_PREFIX, CaseServer, Received, split_case_path

#: Firefox logs this reason for every CORS request that ended in a network error.
NETWORK_ERROR_REASON = "(Reason: CORS request did not succeed)"
# Each engine's own TypeError for a failed network fetch (Chromium, Firefox, WebKit); any other
# TypeError was thrown before sending.
NETWORK_TYPE_ERRORS = frozenset(
    {
        "TypeError: Failed to fetch",
        "TypeError: NetworkError when attempting to fetch resource.",
        "TypeError: Load failed",
    }
)


@dataclass
class CorscheckRun:
    """corscheck's result for a case (None when it refused the input) and what the server saw."""

    result: Any  # corscheck.core.model.CheckResult | None
    input_error: str | None
    requests: list[Received]


def playwright_cookie_line(cookie: dict[str, Any]) -> tuple[str, str]:
    """An add_cookies dict as the Set-Cookie line and URL that store the same cookie: ``url`` makes
    a host-only cookie, ``domain`` a domain cookie; no sameSite is Lax, as Playwright writes it."""
    line = f"{cookie['name']}={cookie['value']}; SameSite={cookie.get('sameSite', 'Lax')}"
    if "path" in cookie:
        line += f"; Path={cookie['path']}"
    if cookie.get("secure"):
        line += "; Secure"
    if cookie.get("httpOnly"):
        line += "; HttpOnly"
    if "url" in cookie:
        return line, cookie["url"]
    return line + f"; Domain={cookie['domain']}", f"https://{cookie['domain'].lstrip('.')}/"


def server_set_cookies(case: Case, server: CaseServer) -> list[tuple[str, str]]:
    """(Set-Cookie value, URL) for each cookie the case's server sets on a top-level visit."""
    found = []
    for setter in case.set_cookies:
        url = server.expand(setter["url"], case.id)
        _, rel_path = split_case_path(urlsplit(url).path)
        for line in case.responses[rel_path]["*"]["headers"]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                found.append((value.strip(), url))
    return found


def browser_jar(case: Case, server: CaseServer) -> tuple[Any, ...]:
    """The cookies the Chromium context holds, as corscheck's engine takes them."""
    from corscheck.core.cookies import parse_set_cookie, stored
    from corscheck.core.origin import parse_url

    base = base_cookie(server)
    lines = [playwright_cookie_line(c) for c in [base, *case_cookies(case, server)]]
    lines += server_set_cookies(case, server)
    return stored(tuple(parse_set_cookie(line, parse_url(url)) for line, url in lines))


@contextmanager
def names_on_loopback() -> Iterator[None]:
    """*.test names resolve to 127.0.0.1, as Chromium's --host-resolver-rules make them."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    socket.getaddrinfo = resolve
    try:
        yield
    finally:
        socket.getaddrinfo = real


def run_corscheck(case: Case, server: CaseServer, browser: str) -> CorscheckRun:
    """The same fetch through corscheck, in-process, with ``browser``'s profile and the reflection
    probe off.

    A case with its own page has corscheck load that page (as --page does) for its CSP, COEP and
    address. Headless Chromium denies Local Network Access unless the case grants it, and corscheck
    is told the same.
    """
    from corscheck.core.errors import InputError
    from corscheck.core.model import (
        AddressSpace,
        Credentials,
        LnaPermission,
        Mode,
        Page,
        RequestSpec,
        ThirdPartyCookies,
    )
    from corscheck.probe import run_check
    from corscheck.probe.network import NetworkSettings
    from corscheck.probe.page import load_page

    network = NetworkSettings(ca_cert=server.ca_file())
    page = Page()
    if case.page is not None:
        loaded = load_page(server.page_load_url(case.id), network=network)
        page = replace(loaded, url=server.page_url(case.id))  # the name Chromium loaded it by
    target = case.target_address_space
    spec = RequestSpec(
        url=server.expand(case.url, case.id),
        origin=server.page_origin(case.id),
        method=case.method,
        headers=case.headers,
        credentials=Credentials(case.credentials),
        # The browser context's cookies; the engine decides which each request carries.
        cookies=browser_jar(case, server),
        third_party_cookies=ThirdPartyCookies(case.third_party_cookies),
        probe_reflection=False,
        mode=Mode(case.mode),
        page=page,
        target_address_space=AddressSpace(target) if target else None,
        lna_permission=LnaPermission(case.lna_permission),
        browser=browser,
    )
    server.clear(case.id)
    try:
        with names_on_loopback():
            result, error = run_check(spec, timeout=10.0, network=network), None
    except InputError as exc:
        result, error = None, str(exc)
    return CorscheckRun(result, error, server.received(case.id))


def rejected_before_sending(observed: Observation) -> bool:
    return not observed.resolved and observed.error not in NETWORK_TYPE_ERRORS and not observed.requests


def request_line(request: Received) -> str:
    """One request's CORS-relevant facts, e.g. ``case OPTIONS /r Origin=... ACRM=PUT ACRH=x-a``."""
    path = request.path.split("?", 1)[0]
    path = "/" + path[len(CASE_PREFIX) :].partition("/")[2] if path.startswith(CASE_PREFIX) else path
    facts = [request.role, request.method, path, f"Origin={request.header('Origin')}"]
    for label, name in (
        ("ACRM", "Access-Control-Request-Method"),
        ("ACRH", "Access-Control-Request-Headers"),
    ):
        if request.header(name) is not None:
            facts.append(f"{label}={request.header(name)}")
    if request.header("Content-Type") is not None:
        facts.append(f"Content-Type={request.header('Content-Type')}")
    cookie = request.header("Cookie")
    if cookie is not None:  # the names, sorted: which cookies arrived, whatever their order
        facts.append(
            "Cookie=" + ",".join(sorted(pair.partition("=")[0].strip() for pair in cookie.split(";")))
        )
    if request.header("Authorization") is not None:
        facts.append("Authorization")
    return " ".join(facts)


def differences(observed: Observation, run: CorscheckRun, browser: str) -> list[str]:
    """Every way corscheck's account differs from the browser's behaviour (empty when they agree)."""
    if rejected_before_sending(observed) or run.input_error is not None:
        return _input_differences(observed, run, browser)
    result = run.result
    problems = []
    chromium_allowed = observed.resolved
    if browser_verdict(observed) != result.verdict.value:
        problems.append(
            f"verdict: {browser} {describe_outcome(observed)}, corscheck said {result.verdict.value}"
        )
    problems += _request_differences(observed.requests, run.requests, browser)
    if chromium_allowed and result.verdict.value == "allowed":
        problems += _response_differences(observed, result, browser)
    if not chromium_allowed and not _same_console_message(observed.cors_message, result):
        problems.append(
            f"console message:\n  {browser}:  {observed.cors_message!r}\n"
            f"  corscheck: {result.browser_message!r}"
        )
    if observed.repeat_preflights is not None:
        problems += _cache_differences(observed, result, browser)
    if problems:  # context for whoever fixes the engine
        problems.append(f"corscheck findings: {[f.code for f in result.findings]}")
    return problems


def _same_console_message(chromium: str | None, result) -> bool:
    """Equal messages; or, when several request headers are not allowed, the same message naming
    another of them. Chromium names the first it meets in Blink's header hash table, an order
    corscheck does not reproduce (docs/browser-behaviour.md), so any name corscheck found
    disallowed is accepted, and nothing else."""
    if chromium == result.browser_message:
        return True
    blocking = next((f for f in result.findings if f.code == "CORS-HEADER-NOT-ALLOWED"), None)
    if chromium is None or blocking is None:
        return False
    disallowed = blocking.details["headers"]
    field = "Request header field {} is not allowed"
    return any(
        result.browser_message.replace(field.format(ours), field.format(theirs)) == chromium
        for ours in disallowed
        for theirs in disallowed
    )


def browser_verdict(observed: Observation) -> str:
    """The browser's outcome in corscheck's terms: a console line that says why means blocked, a
    rejection without one (or with Firefox's line for any failed CORS request) is a network error."""
    if observed.resolved:
        return "opaque" if observed.response_type == "opaque" else "allowed"
    refused = observed.cors_message is not None and NETWORK_ERROR_REASON not in observed.cors_message
    return "blocked" if refused else "error"


def describe_outcome(observed: Observation) -> str:
    if observed.resolved:
        return f"resolved (status {observed.status})"
    if observed.cors_message is not None:
        return "rejected with a CORS console error"
    network = [line for line in observed.console if line.startswith("Failed to load resource: net::")]
    return f"rejected without a CORS message ({network[0] if network else observed.error})"


def _input_differences(observed: Observation, run: CorscheckRun, browser: str) -> list[str]:
    if rejected_before_sending(observed) and run.input_error is not None:
        return []
    blocked = run.result.verdict.value == "blocked"
    if rejected_before_sending(observed) and blocked and run.result.browser_message == observed.error:
        return []  # a TypeError fetch() throws for a valid request (a no-cors PUT): verdict blocked
    if run.input_error is not None:
        return [f"corscheck refused the request ({run.input_error}) but {browser} sent it"]
    return [
        f"{browser} threw before sending ({observed.error}) but corscheck checked it"
        f" ({run.result.verdict.value})"
    ]


def _request_differences(observed: list[Received], corscheck: list[Received], browser: str) -> list[str]:
    ours, theirs = [request_line(r) for r in observed], [request_line(r) for r in corscheck]
    if ours == theirs:
        return []
    return [
        f"requests sent differ:\n  {browser}:\n"
        + "".join(f"    {line}\n" for line in ours)
        + "  corscheck:\n"
        + "".join(f"    {line}\n" for line in theirs)
    ]


def _response_differences(observed: Observation, result: Any, browser: str) -> list[str]:
    problems = []
    final = result.actual.response if result.actual else None
    if final is None:
        return ["corscheck allowed the request but recorded no final response"]
    if observed.status != final.status:
        problems.append(f"status: {browser} {observed.status}, corscheck {final.status}")
    # Compare only names the response really carries (corscheck may list safelisted names in general).
    present = {name.lower() for name, _ in final.headers}
    readable = sorted(set(result.exposed_headers) & present)
    if observed.header_names != readable:
        problems.append(f"readable headers:\n  {browser}:  {observed.header_names}\n  corscheck: {readable}")
    return problems


def _cache_differences(observed: Observation, result: Any, browser: str) -> list[str]:
    """A second fetch right away re-sends the preflight exactly when the browser did not cache it."""
    browser_cached = observed.repeat_preflights == 0
    cache = result.preflight_cache
    corscheck_cached = cache is not None and cache.seconds > 0
    if browser_cached == corscheck_cached:
        return []
    seconds = cache.seconds if cache else None
    return [
        f"preflight cache: {browser} {'reused' if browser_cached else 'did not reuse'} the preflight,"
        f" corscheck says {seconds} seconds"
    ]
