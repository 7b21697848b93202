"""Following a redirect the way the Fetch Standard's HTTP-redirect fetch does, one hop at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from corscheck.core.errors import InputError
from corscheck.core.headers import combined
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import HeaderLines, ResponseHead
from corscheck.core.origin import CONTROL_OR_SPACE, Origin, Url, parse_url
from corscheck.core.profiles import CHROMIUM, EngineProfile

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
#: Headers that describe a body; dropped when a redirect turns the request into a GET.
REQUEST_BODY_HEADERS = frozenset({"content-encoding", "content-language", "content-location", "content-type"})
#: Dropped on a cross-origin hop (the Fetch Standard's "CORS non-wildcard request-header names").
DROPPED_ON_CROSS_ORIGIN_HOP = frozenset({"authorization"})


def location_of(head: ResponseHead, engine: EngineProfile = CHROMIUM) -> str | None:
    """The Location of a redirect response, or None when it is not a redirect to follow."""
    if head.status not in REDIRECT_STATUSES:
        return None
    if engine.location_lines_combined:
        return combined(head.headers, "location")
    # Chromium reads the first Location line (HttpResponseHeaders::IsRedirect): repeated lines are
    # the same URL, since a response whose Location lines differ is refused before it is read.
    return next((value for name, value in head.headers if name.lower() == "location"), None)


@dataclass(frozen=True)
class RedirectState:
    """Where the fetch stands before a hop."""

    url: Url
    method: str
    headers: HeaderLines
    #: The request has gone cross-origin at some point (the CORS flag, never unset).
    cors: bool
    #: A cross-origin hop from a cross-origin URL happened: Origin is ``null`` from now on.
    tainted: bool
    redirect_count: int


@dataclass(frozen=True)
class RedirectFailure:
    """The browser stops the fetch at this hop."""

    #: ``limit``, ``scheme``, ``invalid`` (network errors) or ``credentials`` (a CORS error).
    reason: str
    message: str
    location: str
    cors_error: CorsError | None = None


def _scheme_failure(scheme: str, target: str, engine: EngineProfile) -> RedirectFailure:
    message = f"redirect to a {scheme}: URL is not allowed"
    if scheme in engine.redirect_schemes_refused_silently or scheme.startswith("chrome-"):
        return RedirectFailure("scheme", message, target)
    return RedirectFailure("scheme", message, target, CorsError(CorsErrorKind.CORS_DISABLED_SCHEME))


#: What the URL parser strips around a URL, removes inside it, and percent-encodes in what is left.
_SURROUNDING = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")


def _as_url_parser_reads(location: str) -> str:
    """The URL Standard's first steps on a Location: leading and trailing C0 controls and spaces
    stripped, tabs and newlines removed, and the controls, spaces and DEL left percent-encoded (as
    the path and query percent-encode sets do; in a host they stay forbidden)."""
    text = _TAB_OR_NEWLINE.sub("", location.strip(_SURROUNDING))
    return CONTROL_OR_SPACE.sub(lambda m: f"%{ord(m.group()):02X}", text)


def follow(
    state: RedirectState, location: str, status: int, page: Origin, engine: EngineProfile = CHROMIUM
) -> RedirectState | RedirectFailure:
    """Apply one redirect hop; return the new state or why the browser stops."""
    if state.redirect_count >= MAX_REDIRECTS:
        return RedirectFailure("limit", f"more than {MAX_REDIRECTS} redirects", location)
    location = _as_url_parser_reads(location)
    try:
        target_text = urljoin(state.url.text, location)
        scheme = urlsplit(target_text).scheme.lower()
    except ValueError as err:  # e.g. an unclosed IPv6 bracket
        return RedirectFailure("invalid", f"redirect Location {location!r} is malformed: {err}", location)
    if scheme not in ("http", "https"):
        return _scheme_failure(scheme, target_text, engine)
    try:
        target = parse_url(target_text, "redirect Location")
    except InputError as err:
        if engine.invalid_redirect_is_cors_error:
            error = CorsError(CorsErrorKind.CORS_DISABLED_SCHEME)
            return RedirectFailure("invalid", str(err), target_text, error)
        return RedirectFailure("invalid", str(err), target_text)

    if target.has_credentials and engine.userinfo_redirect_as_spec:
        if target.origin != page:
            return RedirectFailure(
                "credentials", "redirect Location contains a user name or password", target.text
            )
        # Followed; the user name and password are used only to answer a 401, never sent first.
        target = parse_url(target.without_credentials(), "redirect Location")
    elif target.has_credentials:
        if state.cors or target.origin != page:
            # Chromium 156 prints an empty location in this message; the finding names the real one.
            error = CorsError(CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS, "")
            return RedirectFailure(
                "credentials", "redirect Location contains a user name or password", target.text, error
            )
        if engine.same_origin_userinfo_redirect_followed:
            target = parse_url(target.without_credentials(), "redirect Location")
        else:
            # The Fetch Standard tolerates this same-origin hop; Chromium 156 fails it silently.
            return RedirectFailure(
                "credentials", "redirect Location contains a user name or password", target.text
            )

    headers = state.headers
    method = state.method
    if (status in (301, 302) and method == "POST") or (status == 303 and method not in ("GET", "HEAD")):
        method = "GET"
        headers = tuple((n, v) for n, v in headers if n.lower() not in REQUEST_BODY_HEADERS)
    cross_origin_hop = target.origin != state.url.origin
    if cross_origin_hop:
        headers = tuple((n, v) for n, v in headers if n.lower() not in DROPPED_ON_CROSS_ORIGIN_HOP)
    tainted = state.tainted or (cross_origin_hop and state.url.origin != page)
    return RedirectState(
        url=target,
        method=method,
        headers=headers,
        cors=state.cors or target.origin != page,
        tainted=tainted,
        redirect_count=state.redirect_count + 1,
    )
