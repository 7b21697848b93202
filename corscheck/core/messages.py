"""Console messages for CORS failures, kept as data: Chromium's (blink's cors_error_string.cc) and
the template each engine profile words them with (corscheck/core/profiles.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from corscheck.core.headers import printable


class CorsErrorKind(StrEnum):
    """Chromium's network::mojom::CorsError values that corscheck reproduces."""

    MISSING_ALLOW_ORIGIN = "MissingAllowOriginHeader"
    MULTIPLE_ALLOW_ORIGIN = "MultipleAllowOriginValues"
    INVALID_ALLOW_ORIGIN = "InvalidAllowOriginValue"
    ALLOW_ORIGIN_MISMATCH = "AllowOriginMismatch"
    WILDCARD_ORIGIN = "WildcardOriginNotAllowed"
    INVALID_ALLOW_CREDENTIALS = "InvalidAllowCredentials"
    PREFLIGHT_INVALID_STATUS = "PreflightInvalidStatus"
    PREFLIGHT_REDIRECT = "PreflightDisallowedRedirect"
    INVALID_ALLOW_METHODS = "InvalidAllowMethodsPreflightResponse"
    INVALID_ALLOW_HEADERS = "InvalidAllowHeadersPreflightResponse"
    METHOD_DISALLOWED = "MethodDisallowedByPreflightResponse"
    HEADER_DISALLOWED = "HeaderDisallowedByPreflightResponse"
    REDIRECT_CONTAINS_CREDENTIALS = "RedirectContainsCredentials"
    CORS_DISABLED_SCHEME = "CorsDisabledScheme"
    LNA_INSECURE_CONTEXT = "InsecurePrivateNetwork"
    LNA_PERMISSION_DENIED = "LocalNetworkAccessPermissionDenied"
    LNA_TARGET_MISMATCH = "InvalidPrivateNetworkAccess"


@dataclass(frozen=True)
class CorsError:
    """Why the browser refused a response, as Chromium classifies it."""

    kind: CorsErrorKind
    #: The offending value or name Chromium quotes in its message.
    hint: str | None = None
    #: Raised while checking a preflight response (Chromium then prefixes its message).
    preflight: bool = False
    #: fetch()'s targetAddressSpace, for the one message that names it.
    target: str | None = None
    #: The whole header value the hint was found in, for an engine that quotes all of it.
    value: str | None = None


_SEND_VALID = " Have the server send the header with a valid value."

#: The reason part of the console line; ``{hint}`` is the offending value.
REASONS: dict[CorsErrorKind, str] = {
    CorsErrorKind.MISSING_ALLOW_ORIGIN: (
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    ),
    CorsErrorKind.MULTIPLE_ALLOW_ORIGIN: (
        "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one"
        " is allowed." + _SEND_VALID
    ),
    CorsErrorKind.INVALID_ALLOW_ORIGIN: (
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'." + _SEND_VALID
    ),
    CorsErrorKind.ALLOW_ORIGIN_MISMATCH: (
        "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the"
        " supplied origin." + _SEND_VALID
    ),
    CorsErrorKind.WILDCARD_ORIGIN: (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the"
        " wildcard '*' when the request's credentials mode is 'include'."
    ),
    CorsErrorKind.INVALID_ALLOW_CREDENTIALS: (
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}'"
        " which must be 'true' when the request's credentials mode is 'include'."
    ),
    CorsErrorKind.PREFLIGHT_INVALID_STATUS: "It does not have HTTP ok status.",
    CorsErrorKind.PREFLIGHT_REDIRECT: "Redirect is not allowed for a preflight request.",
    CorsErrorKind.INVALID_ALLOW_METHODS: (
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    ),
    CorsErrorKind.INVALID_ALLOW_HEADERS: (
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
    ),
    CorsErrorKind.METHOD_DISALLOWED: (
        "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."
    ),
    CorsErrorKind.HEADER_DISALLOWED: (
        "Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight response."
    ),
    CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS: (
        "Redirect location '{hint}' contains a username and password, which is disallowed for"
        " cross-origin requests."
    ),
    CorsErrorKind.CORS_DISABLED_SCHEME: (
        "Cross origin requests are only supported for protocol schemes: chrome,"
        " chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http,"
        " https, isolated-app."
    ),
    CorsErrorKind.LNA_INSECURE_CONTEXT: (
        "The request client is not a secure context and the resource is in more-private address"
        " space `{hint}`."
    ),
    CorsErrorKind.LNA_PERMISSION_DENIED: (
        "Permission was denied for this request to access the `{hint}` address space."
    ),
    CorsErrorKind.LNA_TARGET_MISMATCH: (
        "Request had a target IP address space of `{target}` yet the resource is in address space `{hint}`."
    ),
}

#: Errors Chromium reports as a failed preflight ("Response to preflight request doesn't pass...").
_PREFLIGHT_PREFIXED = frozenset(
    {
        CorsErrorKind.MISSING_ALLOW_ORIGIN,
        CorsErrorKind.MULTIPLE_ALLOW_ORIGIN,
        CorsErrorKind.INVALID_ALLOW_ORIGIN,
        CorsErrorKind.ALLOW_ORIGIN_MISMATCH,
        CorsErrorKind.WILDCARD_ORIGIN,
        CorsErrorKind.INVALID_ALLOW_CREDENTIALS,
        CorsErrorKind.PREFLIGHT_INVALID_STATUS,
        CorsErrorKind.PREFLIGHT_REDIRECT,
    }
)


@dataclass(frozen=True)
class ConsoleTemplates:
    """How one engine words, in its console, a fetch() it refuses.

    A CORS error: ``reasons`` are formatted first (fields ``hint``, ``target``, ``url``,
    ``status``, ``value``, ``sent_origin`` (the Origin the request carried: ``null`` once
    tainted), ``location``), then ``line`` with the reason in it (fields ``url``, ``redirected``,
    ``origin``, ``prefix``, ``reason``). The other templates name their fields where they are
    declared.
    """

    line: str
    reasons: Mapping[CorsErrorKind, str]
    #: The refusals that are not CORS errors; see the methods that format each.
    csp: str
    csp_fallback_note: str
    csp_blocked: str
    csp_report_only: str
    mixed_content: str
    mixed_content_blocked: str
    mixed_content_warned: str
    no_cors_method: str
    blocked_by_response: str
    #: None when the engine prints nothing and fails the fetch as a network error.
    same_origin_mode: str | None
    #: The line for a CORS request that ended in a network error (None: the engine prints none).
    network_error: str | None = None
    #: How a redirected fetch names the URL it was called with (``{first_url}``); "" when it does not.
    redirected: str = ""
    #: Put before the reason of a failed preflight of one of ``preflight_prefixed`` kinds.
    preflight_prefix: str = ""
    preflight_prefixed: frozenset[CorsErrorKind] = frozenset()
    #: A quoted header value has what is not printable escaped (Chromium), else it is read as UTF-8.
    escape_hint: bool = True
    #: An unescaped hint is printed byte for byte (WebKit) instead of read as UTF-8 (Gecko).
    hint_as_received: bool = False
    #: How the console spells a request-header name it quotes (lower-case name -> spelling).
    header_spelling: Mapping[str, str] = field(default_factory=dict)
    #: The line instead of ``line`` when the refused response is a redirect (fields ``reason`` and
    #: ``location``, the redirect's target without user name and password); "": always ``line``.
    redirect_line: str = ""
    #: The line when mode same-origin meets another origin after a redirect (fields ``url``,
    #: ``origin``); None: a network error without a line.
    same_origin_mode_redirected: str | None = None
    #: The note for a connect-src violation when connect-src itself is set (see csp_line).
    csp_note: str = ""
    #: The blocked outcome for an http URL whose host is loopback (None: ``mixed_content_blocked``).
    mixed_content_blocked_loopback: str | None = None

    def render(
        self,
        error: CorsError,
        *,
        url: str,
        first_url: str,
        origin: str,
        status: int | None,
        sent_origin: str | None = None,
        location: str | None = None,
    ) -> str:
        """``url`` is the URL whose response failed, ``first_url`` the URL fetch() was called with,
        ``origin`` the page's real origin (named even when the request sent ``null``), ``status``
        the failed response's status and ``location`` its target when it was a redirect."""
        redirected = self.redirected.format(first_url=first_url) if first_url != url else ""
        prefix = self.preflight_prefix if error.preflight and error.kind in self.preflight_prefixed else ""
        hint = error.hint or ""
        if error.kind is CorsErrorKind.HEADER_DISALLOWED:
            hint = self.header_spelling.get(hint, hint)
        reason = self.reasons[error.kind].format(
            hint=self._quoted(hint),
            value=self._quoted(error.value or ""),
            target=error.target,
            url=url,
            status=status,
            sent_origin=sent_origin or origin,
            location=location,
        )
        if self.redirect_line and location is not None:
            return self.redirect_line.format(reason=reason, location=_without_userinfo(location))
        return self.line.format(url=url, redirected=redirected, origin=origin, prefix=prefix, reason=reason)

    def _quoted(self, text: str) -> str:
        """Header values arrive as bytes (read as Latin-1 here): Chromium escapes what is not
        printable, Gecko decodes them as UTF-8, WebKit prints them as they came."""
        if self.escape_hint:
            return printable(text)
        if self.hint_as_received:
            return text
        return text.encode("latin-1", "replace").decode("utf-8", "replace")

    def csp_line(self, url: str, directive: str, *, fallback: bool, report_only: bool) -> str:
        """The first line for a connect-src violation (Chromium adds 'Fetch API cannot load ...')."""
        outcome = self.csp_report_only if report_only else self.csp_blocked
        return self.csp.format(
            url=url,
            directive=directive,
            note=self.csp_fallback_note if fallback else self.csp_note,
            outcome=outcome.format(url=url, directive=directive),
        )

    def mixed_content_line(self, page_url: str, url: str, *, blocked: bool, loopback: bool = False) -> str:
        outcome = self.mixed_content_blocked if blocked else self.mixed_content_warned
        if blocked and loopback and self.mixed_content_blocked_loopback is not None:
            outcome = self.mixed_content_blocked_loopback
        return self.mixed_content.format(page_url=page_url, url=url, outcome=outcome.format(url=url))


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


CHROMIUM_CONSOLE = ConsoleTemplates(
    line=(
        "Access to fetch at '{url}'{redirected} from origin '{origin}' has been blocked by CORS"
        " policy: {prefix}{reason}"
    ),
    reasons=REASONS,
    csp=(
        "Connecting to '{url}' violates the following Content Security Policy directive:"
        ' "{directive}".{note}{outcome}'
    ),
    csp_fallback_note=(
        " Note that 'connect-src' was not explicitly set, so 'default-src' is used as a fallback."
    ),
    csp_blocked=" The action has been blocked.",
    csp_report_only=(
        " The policy is report-only, so the violation has been logged but no further action has been taken."
    ),
    mixed_content=(
        "Mixed Content: The page at '{page_url}' was loaded over HTTPS, but requested an insecure"
        " resource '{url}'. {outcome}"
    ),
    mixed_content_blocked="This request has been blocked; the content must be served over HTTPS.",
    mixed_content_warned="This content should also be served over HTTPS.",
    # The TypeError fetch() throws (blink's request.cc).
    no_cors_method=(
        "TypeError: Failed to execute 'fetch' on 'Window': '{method}' is unsupported in no-cors mode."
    ),
    # Chromium's only line for a CORP/COEP block.
    blocked_by_response="Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.{reason}",
    same_origin_mode=(
        'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s origin is not'
        " same as the request origin {origin}."
    ),
    redirected=" (redirected from '{first_url}')",
    preflight_prefix="Response to preflight request doesn't pass access control check: ",
    preflight_prefixed=_PREFLIGHT_PREFIXED,
)


def chromium_console_message(error: CorsError, *, url: str, first_url: str, origin: str) -> str:
    """The line Chromium's console prints when fetch() is blocked."""
    return CHROMIUM_CONSOLE.render(error, url=url, first_url=first_url, origin=origin, status=None)


# --- Chromium's lines that are not CORS errors: checks made before a request leaves, and after it returns


def no_cors_method_message(method: str) -> str:
    return CHROMIUM_CONSOLE.no_cors_method.format(method=method)


def same_origin_mode_message(url: str, origin: str) -> str:
    return (CHROMIUM_CONSOLE.same_origin_mode or "").format(url=url, origin=origin)


def csp_message(url: str, directive: str, *, fallback: bool, report_only: bool) -> str:
    return CHROMIUM_CONSOLE.csp_line(url, directive, fallback=fallback, report_only=report_only)


def mixed_content_message(page_url: str, url: str, *, blocked: bool) -> str:
    return CHROMIUM_CONSOLE.mixed_content_line(page_url, url, blocked=blocked)


def blocked_by_response_message(reason: str) -> str:
    return CHROMIUM_CONSOLE.blocked_by_response.format(reason=reason, url="")
