"""Which response headers page JavaScript can read (CORS-safelisted + Access-Control-Expose-Headers)."""

from __future__ import annotations

from dataclasses import dataclass

from corscheck.core.headers import combined, parse_token_list
from corscheck.core.model import HeaderLines

ACEH = "access-control-expose-headers"
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
#: Never readable from JavaScript, whatever the server says.
NEVER_READABLE = frozenset({"set-cookie", "set-cookie2"})
#: Headers an application sends for its pages to read (beside its own X-* ones).
_APPLICATION_HEADERS = frozenset(
    {"content-disposition", "content-range", "etag", "link", "location", "retry-after"}
)
#: X-* headers of servers, proxies and CDNs, never meant for the page's script.
_INFRASTRUCTURE_HEADERS = frozenset(
    {
        "x-content-type-options",
        "x-frame-options",
        "x-xss-protection",
        "x-powered-by",
        "x-cache",
        "x-served-by",
    }
)


def is_application_header(name: str) -> bool:
    """Would a page plausibly want to read this response header (X-Total-Count, ETag, Link, ...)?"""
    lower = name.lower()
    if lower in _INFRASTRUCTURE_HEADERS:
        return False
    return lower.startswith("x-") or lower in _APPLICATION_HEADERS


@dataclass(frozen=True)
class Exposure:
    """The readable header names and what the Expose-Headers list meant."""

    readable: tuple[str, ...]
    #: Lower-cased names listed in Access-Control-Expose-Headers (empty when absent or invalid).
    listed: tuple[str, ...]
    #: The list had an element that is not a token, so Chromium ignored all of it.
    invalid: bool = False
    #: ``*`` was listed but credentials were included, so it matched nothing.
    wildcard_ignored: bool = False


def _present(headers: HeaderLines) -> list[str]:
    return list(dict.fromkeys(name.lower() for name, _ in headers))


def same_origin_exposure(headers: HeaderLines) -> Exposure:
    """A same-origin (basic) response: every header but Set-Cookie is readable."""
    readable = sorted(n for n in _present(headers) if n not in NEVER_READABLE)
    return Exposure(readable=tuple(readable), listed=())


def cors_exposure(headers: HeaderLines, include_credentials: bool) -> Exposure:
    """A CORS response: safelisted headers plus the ones Access-Control-Expose-Headers lists."""
    parsed = parse_token_list(combined(headers, ACEH))
    listed = tuple(name.lower() for name in parsed or ())
    wildcard = "*" in listed
    exposed = set(SAFELISTED_RESPONSE_HEADERS) | set(listed)
    present = _present(headers)
    if wildcard and not include_credentials:
        exposed |= set(present)
    readable = sorted(n for n in present if n in exposed and n not in NEVER_READABLE)
    return Exposure(
        readable=tuple(readable),
        listed=listed,
        invalid=parsed is None,
        wildcard_ignored=wildcard and include_credentials,
    )
