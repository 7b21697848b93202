"""One profile per browser engine: where Chromium, Firefox and Safari differ on CORS, as data.

The rules read the profile of the engine being simulated instead of constants, so an engine's
difference is one field here, never an ``if engine == ...`` in the rules. Every value that differs
from Chromium's names the conformance case that shows it (tests/browser/cases.json) in
docs/browser-behaviour.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from corscheck.core.messages import CHROMIUM_CONSOLE, ConsoleTemplates, CorsErrorKind

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
    #: Safelisted values adding up to more than this many bytes all need a preflight (None: no limit).
    safelisted_total_limit: int | None
    #: Seconds a preflight result is cached when Access-Control-Max-Age is absent or unparsable.
    preflight_cache_default: int
    #: The longest a preflight result is cached, in seconds.
    preflight_cache_cap: int
    #: What an Access-Control-Max-Age value must look like to be read as a number (a regex).
    max_age_syntax: str
    #: A preflight answered with a redirect fails as such before its CORS headers are checked.
    preflight_redirect_checked_first: bool
    #: Several Access-Control-Allow-Origin header lines are the "multiple values" error; one line
    #: with a list in it is then just a value that does not match.
    multiple_allow_origin_by_lines: bool
    #: Which of several disallowed request headers the console names: its index in sorted order.
    disallowed_header_named: int
    #: A preflight after a redirect that made the Origin ``null`` sends, and is checked against,
    #: the page's origin (the actual request still sends ``null``).
    tainted_preflight_uses_page_origin: bool
    #: Once a request needed a preflight, every later cross-origin hop is preflighted too.
    redirect_keeps_preflight: bool
    #: A redirect Location with a user name or password fails only as the Fetch Standard says (a
    #: network error for a cors request leaving the page's origin); otherwise any such hop fails.
    userinfo_redirect_as_spec: bool
    #: Cross-Origin-Resource-Policy ``same-site`` can match an IP-address host.
    corp_same_site_for_ip_hosts: bool
    #: A Cross-Origin-Resource-Policy value the engine does not know counts as no header (else it
    #: allows the response).
    corp_unknown_value_is_absent: bool
    #: The engine checks Local Network Access (a page reaching a more private address space).
    local_network_access: bool
    #: SameSite cookies compare sites with their scheme (http and https pages are different sites).
    cookie_schemeful_same_site: bool
    #: A cookie set without (or with an unknown) SameSite is Lax; else it is None.
    cookie_unset_same_site_is_lax: bool
    #: A request redirected from another site is cross-site for SameSite cookies, even when its
    #: own URL is of the page's site.
    cookie_same_site_counts_redirects: bool
    #: How the engine words a blocked fetch() in its console.
    console: ConsoleTemplates


CHROMIUM = EngineProfile(
    name="chromium",
    title="Chromium",
    # Chromium still refuses to let a page set User-Agent (the spec no longer forbids it).
    forbidden_request_headers=SPEC_FORBIDDEN_REQUEST_HEADERS | {"user-agent"},
    extra_safelisted_headers=CLIENT_HINT_HEADERS,
    safelisted_total_limit=1024,
    preflight_cache_default=5,
    preflight_cache_cap=7200,
    max_age_syntax=r"[+-]?[0-9]+",
    preflight_redirect_checked_first=True,
    multiple_allow_origin_by_lines=False,
    # Chromium names the first it meets in Blink's header hash table, an order corscheck cannot
    # reproduce; the last sorted name matches most observed cases (docs/browser-behaviour.md).
    disallowed_header_named=-1,
    tainted_preflight_uses_page_origin=False,
    redirect_keeps_preflight=False,
    userinfo_redirect_as_spec=False,
    corp_same_site_for_ip_hosts=False,
    corp_unknown_value_is_absent=True,
    local_network_access=True,
    cookie_schemeful_same_site=True,
    cookie_unset_same_site_is_lax=True,
    cookie_same_site_counts_redirects=False,
    console=CHROMIUM_CONSOLE,
)


def _firefox_line(reason: str, url: str = "{url}") -> str:
    """One of Gecko's CORS lines (security.properties, the CORS* keys) around its reason."""
    return (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource"
        f" at {url}. (Reason: {reason}"
    )


_ACAO_MISMATCH = _firefox_line("CORS header ‘Access-Control-Allow-Origin’ does not match ‘{hint}’).")
#: As firefox-esr 153 prints them.
FIREFOX_CONSOLE = ConsoleTemplates(
    line="{reason}",
    reasons={
        CorsErrorKind.MISSING_ALLOW_ORIGIN: _firefox_line(
            "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}."
        ),
        CorsErrorKind.MULTIPLE_ALLOW_ORIGIN: _firefox_line(
            "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."
        ),
        CorsErrorKind.INVALID_ALLOW_ORIGIN: _ACAO_MISMATCH,
        CorsErrorKind.ALLOW_ORIGIN_MISMATCH: _ACAO_MISMATCH,
        CorsErrorKind.WILDCARD_ORIGIN: _firefox_line(
            "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).", "‘{url}’"
        ),
        CorsErrorKind.INVALID_ALLOW_CREDENTIALS: _firefox_line(
            "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."
        ),
        CorsErrorKind.PREFLIGHT_INVALID_STATUS: _firefox_line(
            "CORS preflight response did not succeed). Status code: {status}."
        ),
        CorsErrorKind.PREFLIGHT_REDIRECT: _firefox_line("CORS request external redirect not allowed)."),
        CorsErrorKind.INVALID_ALLOW_METHODS: _firefox_line(
            "invalid token ‘{hint}’ in CORS header ‘Access-Control-Allow-Methods’)."
        ),
        CorsErrorKind.INVALID_ALLOW_HEADERS: _firefox_line(
            "invalid token ‘{hint}’ in CORS header ‘Access-Control-Allow-Headers’)."
        ),
        CorsErrorKind.METHOD_DISALLOWED: _firefox_line(
            "Did not find method in CORS header ‘Access-Control-Allow-Methods’)."
        ),
        CorsErrorKind.HEADER_DISALLOWED: _firefox_line(
            "header ‘{hint}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS"
            " preflight response)."
        ),
        CorsErrorKind.CORS_DISABLED_SCHEME: _firefox_line("CORS request not http)."),
    },
    csp="Content-Security-Policy: {outcome}",
    csp_fallback_note="",
    csp_blocked=(
        "The page’s settings blocked the loading of a resource (connect-src) at {url} because it"
        " violates the following directive: “{directive}”"
    ),
    csp_report_only=(
        "(Report-Only policy) The page’s settings would block the loading of a resource (connect-src)"
        " at {url} because it violates the following directive: “{directive}”"
    ),
    mixed_content="{outcome}",
    mixed_content_blocked="Blocked loading mixed active content “{url}”",
    mixed_content_warned="Loading mixed (insecure) active content “{url}” on a secure page",
    no_cors_method="TypeError: Window.fetch: Invalid request method {method}.",
    blocked_by_response=(
        "The resource at “{url}” was blocked due to its Cross-Origin-Resource-Policy header (or lack"
        " thereof). See https://developer.mozilla.org/docs/Web/HTTP/Cross-Origin_Resource_Policy_(CORP)#"
    ),
    same_origin_mode=None,
    network_error=_firefox_line("CORS request did not succeed). Status code: (null)."),
    escape_hint=False,
)

FIREFOX = EngineProfile(
    name="firefox",
    title="Firefox",
    forbidden_request_headers=SPEC_FORBIDDEN_REQUEST_HEADERS,
    extra_safelisted_headers=frozenset(),
    safelisted_total_limit=None,
    preflight_cache_default=0,
    preflight_cache_cap=86400,
    max_age_syntax=r"[0-9]+",
    preflight_redirect_checked_first=False,
    multiple_allow_origin_by_lines=True,
    disallowed_header_named=0,
    tainted_preflight_uses_page_origin=True,
    redirect_keeps_preflight=True,
    userinfo_redirect_as_spec=True,
    corp_same_site_for_ip_hosts=True,
    corp_unknown_value_is_absent=False,
    local_network_access=False,
    cookie_schemeful_same_site=False,
    cookie_unset_same_site_is_lax=False,
    cookie_same_site_counts_redirects=True,
    console=FIREFOX_CONSOLE,
)
# Safari starts as a copy of Chromium; each difference found is corrected here.
SAFARI = replace(CHROMIUM, name="safari", title="Safari")

#: Every engine by its ``--browser`` name, in the order reports list them.
PROFILES: dict[str, EngineProfile] = {p.name: p for p in (CHROMIUM, FIREFOX, SAFARI)}
