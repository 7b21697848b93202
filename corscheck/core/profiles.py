"""One profile per browser engine: where Chromium, Firefox and Safari differ on CORS, as data.

The rules read the profile of the engine being simulated instead of constants, so an engine's
difference is one field here, never an ``if engine == ...`` in the rules. Every value that differs
from Chromium's names the conformance case that shows it (tests/browser/cases.json) in
docs/browser-behaviour.md.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    #: A preflight's status is judged before its CORS headers (a redirect is then just a status).
    preflight_status_checked_first: bool = False
    #: A response whose Content-Length, Location or Content-Disposition lines differ is refused as a
    #: network error (Chromium's defence against response smuggling).
    refuses_differing_header_copies: bool = True
    #: A redirect follows all Location lines joined by ", " (else the first one).
    location_lines_combined: bool = False
    #: A Secure cookie goes only over https (else also to http on a loopback host).
    cookie_secure_needs_https: bool = False
    #: An https page may fetch http from a loopback host (127.*, [::1], localhost).
    mixed_content_trusts_loopback: bool = True
    #: Characters that make one Access-Control-Allow-Origin value a list ("multiple values").
    allow_origin_list_separators: str = " ,"
    #: A preflight that let Authorization through only by ``Access-Control-Allow-Headers: *`` is
    #: not cached (the cache lookup applies the strict rule).
    authorization_wildcard_uncached: bool = True
    #: A preflight after a redirect lists the unsafe headers fetch() set, also those the redirect
    #: removed (Authorization on a cross-origin hop, Content-Type after a 303).
    preflight_lists_original_headers: bool = False
    #: A Range header's ``bytes`` unit is safelisted in any case (``Bytes=0-5``).
    range_unit_case_insensitive: bool = False
    #: Schemes a redirect to fails as a plain network error (others: a CORS "scheme" error).
    redirect_schemes_refused_silently: frozenset[str] = frozenset(
        {"about", "blob", "chrome", "data", "file", "filesystem", "isolated-app", "ws", "wss"}
    )
    #: A redirect Location that is no valid URL fails as a CORS "scheme" error (else a network error).
    invalid_redirect_is_cors_error: bool = False
    #: A same-origin redirect to a URL with a user name or password is followed (without them).
    same_origin_userinfo_redirect_followed: bool = False


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

_SAFARI_ORIGIN_REFUSED = (
    "Origin {sent_origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}"
)
_SAFARI_PREFLIGHT_STATUS = "Preflight response is not successful. Status code: {status}"
#: WebKit's reason lines (CrossOriginAccessControl.cpp, CrossOriginPreflightChecker.cpp,
#: CrossOriginPreflightResultCache.cpp, MixedContentChecker.cpp, ContentSecurityPolicy.cpp) as
#: WebKitGTK 2.50 prints them. After a CORS reason WebKit adds "Fetch API cannot load <url> due to
#: access control checks.", which names none.
SAFARI_CONSOLE = ConsoleTemplates(
    line="{reason}",
    # A refused redirect: cases redir-hop-no-acao, redir-data-url, redir-userinfo-cross.
    redirect_line=(
        "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: {reason}"
    ),
    reasons={
        # The Origin sent, null once tainted: case redir-back-to-page-origin.
        CorsErrorKind.MISSING_ALLOW_ORIGIN: _SAFARI_ORIGIN_REFUSED,
        CorsErrorKind.INVALID_ALLOW_ORIGIN: _SAFARI_ORIGIN_REFUSED,
        CorsErrorKind.ALLOW_ORIGIN_MISMATCH: _SAFARI_ORIGIN_REFUSED,
        CorsErrorKind.MULTIPLE_ALLOW_ORIGIN: (
            "Access-Control-Allow-Origin cannot contain more than one origin."
        ),
        CorsErrorKind.WILDCARD_ORIGIN: (
            "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
        ),
        CorsErrorKind.INVALID_ALLOW_CREDENTIALS: (
            'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'
        ),
        CorsErrorKind.PREFLIGHT_INVALID_STATUS: _SAFARI_PREFLIGHT_STATUS,
        CorsErrorKind.PREFLIGHT_REDIRECT: _SAFARI_PREFLIGHT_STATUS,
        # The whole value, printed as received: cases acam-bad-unused, acam-vt, acah-non-ascii.
        CorsErrorKind.INVALID_ALLOW_METHODS: (
            "Header Access-Control-Allow-Methods has an invalid value: {value}"
        ),
        CorsErrorKind.INVALID_ALLOW_HEADERS: (
            "Header Access-Control-Allow-Headers has an invalid value: {value}"
        ),
        CorsErrorKind.METHOD_DISALLOWED: "Method {hint} is not allowed by Access-Control-Allow-Methods.",
        CorsErrorKind.HEADER_DISALLOWED: (
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers."
        ),
        CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS: "redirection URL {location} has credentials",
        CorsErrorKind.CORS_DISABLED_SCHEME: (
            "not allowed to follow a cross-origin CORS redirection with non CORS scheme"
        ),
    },
    # Cases csp-connect-self, csp-default-src-fallback, csp-report-only.
    csp="{outcome}Refused to connect to {url} because it {note} of the Content Security Policy.",
    csp_note="does not appear in the connect-src directive",
    csp_fallback_note="appears in neither the connect-src directive nor the default-src directive",
    csp_blocked="",
    csp_report_only="[Report Only] ",
    # A loopback host gets a shorter line: cases mixed-content-name, mixed-content-loopback-ip.
    mixed_content=(
        "[blocked] The page at {page_url} requested insecure content from {url}. This content was"
        " blocked and must{outcome}"
    ),
    mixed_content_blocked=" be served over HTTPS.",
    mixed_content_blocked_loopback="",
    mixed_content_warned="",
    # Case mode-no-cors-put.
    no_cors_method="TypeError: Method must be GET, POST or HEAD in no-cors mode.",
    # Case corp-same-origin-no-cors.
    blocked_by_response=(
        "Cancelled load to {url} because it violates the resource's Cross-Origin-Resource-Policy"
        " response header."
    ),
    # Case mode-same-origin-cross.
    same_origin_mode="Fetch API cannot load {url}.",
    # Case mode-same-origin-redirect-cross.
    same_origin_mode_redirected=(
        "Unsafe attempt to load URL {url} from origin {origin}. Domains, protocols and ports must match."
    ),
    escape_hint=False,
    hint_as_received=True,
    # WebKit's HTTPHeaderMap spells the names it knows its own way: case acah-several-disallowed-ct.
    header_spelling={"authorization": "Authorization", "content-type": "Content-Type"},
)

#: WebKitGTK 2.50 (the WebCore Safari ships), as the browser suite runs it.
SAFARI = EngineProfile(
    name="safari",
    title="Safari",
    # fetch() may set User-Agent (then it needs a preflight): case forbidden-user-agent.
    forbidden_request_headers=SPEC_FORBIDDEN_REQUEST_HEADERS,
    # No client hints: cases sl-dpr, sl-save-data-on, sl-device-memory.
    extra_safelisted_headers=frozenset(),
    safelisted_total_limit=1024,
    preflight_cache_default=5,
    # CrossOriginPreflightResultCache.cpp caps at 600 s: case max-age-600.
    preflight_cache_cap=600,
    max_age_syntax=r"[+-]?[0-9]+",
    preflight_redirect_checked_first=False,
    multiple_allow_origin_by_lines=False,
    # The first in sorted order: cases acah-several-disallowed, acah-several-disallowed-ct.
    disallowed_header_named=0,
    tainted_preflight_uses_page_origin=False,
    # Case redir-put-303.
    redirect_keeps_preflight=True,
    userinfo_redirect_as_spec=False,
    # Case corp-same-site-no-cors.
    corp_same_site_for_ip_hosts=True,
    corp_unknown_value_is_absent=True,
    # No Local Network Access: case lna-public-insecure.
    local_network_access=False,
    console=SAFARI_CONSOLE,
    # Cases cookie-unset-samesite-cross-site-post, cookie-https-page-to-http-loopback.
    cookie_schemeful_same_site=False,
    cookie_unset_same_site_is_lax=False,
    # Case cookie-secure-over-http-loopback.
    cookie_secure_needs_https=True,
    # Cases status-two-differing-content-lengths, redir-two-differing-locations, redir-two-equal-locations.
    refuses_differing_header_copies=False,
    location_lines_combined=True,
    # Case cookie-redirect-back-to-the-site.
    cookie_same_site_counts_redirects=True,
    # validatePreflightResponse() checks isSuccessful() first: cases preflight-404-no-acao,
    # preflight-307-acao.
    preflight_status_checked_first=True,
    # MixedContentChecker has no loopback exemption: case mixed-content-loopback-ip.
    mixed_content_trusts_loopback=False,
    # Only a comma makes a list; "a b" is a value that does not match: case acao-space-list.
    allow_origin_list_separators=",",
    # Case max-age-auth-wildcard.
    authorization_wildcard_uncached=False,
    # Cases redir-authorization-cross, redir-json-post-303.
    preflight_lists_original_headers=True,
    # Case sl-range-upper.
    range_unit_case_insensitive=True,
    # FTP is a network error ("FTP URLs are disabled"); data: and others are CORS errors: cases
    # redir-ftp-url, redir-data-url.
    redirect_schemes_refused_silently=frozenset({"ftp"}),
    # Case redir-location-invalid-punycode.
    invalid_redirect_is_cors_error=True,
    # Case redir-userinfo-page-to-page.
    same_origin_userinfo_redirect_followed=True,
)

#: Every engine by its ``--browser`` name, in the order reports list them.
PROFILES: dict[str, EngineProfile] = {p.name: p for p in (CHROMIUM, FIREFOX, SAFARI)}
