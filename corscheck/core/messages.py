"""Chromium's console messages for CORS failures, kept as data (blink's cors_error_string.cc)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class CorsError:
    """Why the browser refused a response, as Chromium classifies it."""

    kind: CorsErrorKind
    #: The offending value or name Chromium quotes in its message.
    hint: str | None = None
    #: Raised while checking a preflight response (Chromium then prefixes its message).
    preflight: bool = False


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


def chromium_console_message(error: CorsError, *, url: str, first_url: str, origin: str) -> str:
    """The line Chromium's console prints when fetch() is blocked.

    ``url`` is the URL whose response failed, ``first_url`` the URL fetch() was called with and
    ``origin`` the page's real origin (Chromium names it even when the request sent ``null``).
    """
    redirected = f" (redirected from '{first_url}')" if first_url != url else ""
    prefix = ""
    if error.preflight and error.kind in _PREFLIGHT_PREFIXED:
        prefix = "Response to preflight request doesn't pass access control check: "
    reason = REASONS[error.kind].format(hint=printable(error.hint or ""))
    return (
        f"Access to fetch at '{url}'{redirected} from origin '{origin}' has been blocked by CORS"
        f" policy: {prefix}{reason}"
    )
