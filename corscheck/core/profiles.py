"""One profile per browser engine: where Chromium, Firefox and Safari differ on CORS, as data.

The rules read the profile of the engine being simulated instead of constants, so an engine's
difference is one field here, never an ``if engine == ...`` in the rules. Every value that differs
from Chromium's names the conformance case that shows it (tests/browser/cases.json) in
docs/browser-behaviour.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from corscheck.core.messages import CHROMIUM_CONSOLE, ConsoleTemplates

#: The Fetch Standard's forbidden request-header names (fetch() drops them silently).
SPEC_FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
#: Client-hint request headers Chromium still safelists (each with a value check in request.py).
CLIENT_HINT_HEADERS = frozenset(
    {"device-memory", "dpr", "downlink", "ect", "intervention", "rtt", "save-data", "viewport-width", "width"}
)


@dataclass(frozen=True)
class EngineProfile:
    """What one engine does where the engines differ."""

    #: The ``--browser`` name: ``chromium``, ``firefox`` or ``safari``.
    name: str
    #: The name reports print: ``Chromium``, ``Firefox``, ``Safari``.
    title: str
    #: Request-header names fetch() drops silently (besides the ``proxy-`` and ``sec-`` prefixes).
    forbidden_request_headers: frozenset[str]
    #: Request headers safelisted beyond the Fetch Standard's (Chromium's client hints).
    extra_safelisted_headers: frozenset[str]
    #: Seconds a preflight result is cached when Access-Control-Max-Age is absent or unparsable.
    preflight_cache_default: int
    #: The longest a preflight result is cached, in seconds.
    preflight_cache_cap: int
    #: A preflight after a redirect that made the Origin ``null`` still sends the page's origin,
    #: while its response is checked against ``null``.
    tainted_preflight_sends_page_origin: bool
    #: The engine checks Local Network Access (a page reaching a more private address space).
    local_network_access: bool
    #: How the engine words a blocked fetch() in its console.
    console: ConsoleTemplates


CHROMIUM = EngineProfile(
    name="chromium",
    title="Chromium",
    # Chromium still refuses to let a page set User-Agent (the spec no longer forbids it).
    forbidden_request_headers=SPEC_FORBIDDEN_REQUEST_HEADERS | {"user-agent"},
    extra_safelisted_headers=CLIENT_HINT_HEADERS,
    preflight_cache_default=5,
    preflight_cache_cap=7200,
    tainted_preflight_sends_page_origin=False,
    local_network_access=True,
    console=CHROMIUM_CONSOLE,
)

# Firefox and Safari start as copies of Chromium; each difference found is corrected here.
FIREFOX = replace(CHROMIUM, name="firefox", title="Firefox")
SAFARI = replace(CHROMIUM, name="safari", title="Safari")

#: Every engine by its ``--browser`` name, in the order reports list them.
PROFILES: dict[str, EngineProfile] = {p.name: p for p in (CHROMIUM, FIREFOX, SAFARI)}
