"""Console messages for CORS failures, kept as data: Chromium's (blink's cors_error_string.cc) and
the template each engine profile words them with (corscheck/core/profiles.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

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
    """How one engine words a blocked fetch() in its console.

    ``reasons`` are formatted first (fields ``hint``, ``target``, ``url``, ``status``), then
    ``line`` with the reason in it (fields ``url``, ``redirected``, ``origin``, ``prefix``,
    ``reason``).
    """

    line: str
    reasons: Mapping[CorsErrorKind, str]
    #: How a redirected fetch names the URL it was called with (``{first_url}``); "" when it does not.
    redirected: str = ""
    #: Put before the reason of a failed preflight of one of ``preflight_prefixed`` kinds.
    preflight_prefix: str = ""
    preflight_prefixed: frozenset[CorsErrorKind] = frozenset()

    def render(self, error: CorsError, *, url: str, first_url: str, origin: str, status: int | None) -> str:
        """``url`` is the URL whose response failed, ``first_url`` the URL fetch() was called with,
        ``origin`` the page's real origin (named even when the request sent ``null``) and ``status``
        the failed response's status."""
        redirected = self.redirected.format(first_url=first_url) if first_url != url else ""
        prefix = self.preflight_prefix if error.preflight and error.kind in self.preflight_prefixed else ""
        reason = self.reasons[error.kind].format(
            hint=printable(error.hint or ""), target=error.target, url=url, status=status
        )
        return self.line.format(url=url, redirected=redirected, origin=origin, prefix=prefix, reason=reason)


CHROMIUM_CONSOLE = ConsoleTemplates(
    line=(
        "Access to fetch at '{url}'{redirected} from origin '{origin}' has been blocked by CORS"
        " policy: {prefix}{reason}"
    ),
    reasons=REASONS,
    redirected=" (redirected from '{first_url}')",
    preflight_prefix="Response to preflight request doesn't pass access control check: ",
    preflight_prefixed=_PREFLIGHT_PREFIXED,
)


def chromium_console_message(error: CorsError, *, url: str, first_url: str, origin: str) -> str:
    """The line Chromium's console prints when fetch() is blocked."""
    return CHROMIUM_CONSOLE.render(error, url=url, first_url=first_url, origin=origin, status=None)


# --- Lines that are not CORS errors: checks made before a request leaves, and after it returns ----


def no_cors_method_message(method: str) -> str:
    """The TypeError fetch() throws (blink's request.cc)."""
    return f"TypeError: Failed to execute 'fetch' on 'Window': '{method}' is unsupported in no-cors mode."


def same_origin_mode_message(url: str, origin: str) -> str:
    return (
        f'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s origin is not'
        f" same as the request origin {origin}."
    )


def csp_message(url: str, directive: str, *, fallback: bool, report_only: bool) -> str:
    """The first of Chromium's CSP lines (an enforced block adds 'Fetch API cannot load ...')."""
    note = (
        " Note that 'connect-src' was not explicitly set, so 'default-src' is used as a fallback."
        if fallback
        else ""
    )
    outcome = (
        " The policy is report-only, so the violation has been logged but no further action has been taken."
        if report_only
        else " The action has been blocked."
    )
    return (
        f"Connecting to '{url}' violates the following Content Security Policy directive:"
        f' "{directive}".{note}{outcome}'
    )


def mixed_content_message(page_url: str, url: str, *, blocked: bool) -> str:
    outcome = (
        "This request has been blocked; the content must be served over HTTPS."
        if blocked
        else "This content should also be served over HTTPS."
    )
    return (
        f"Mixed Content: The page at '{page_url}' was loaded over HTTPS, but requested an insecure"
        f" resource '{url}'. {outcome}"
    )


def blocked_by_response_message(reason: str) -> str:
    """Chromium's only line for a CORP/COEP block."""
    return f"Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.{reason}"
