"""A request copied out of DevTools, and how to tell the headers the page set from those the browser added."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from corscheck.core.errors import InputError
from corscheck.core.model import Credentials, HeaderLines, RequestSpec
from corscheck.core.origin import parse_origin
from corscheck.core.request import is_forbidden_header, is_safelisted_header

#: Added by the browser (or by DevTools' "Disable cache"), never by the page's fetch() call.
BROWSER_HEADERS = frozenset(
    {
        "user-agent",  # Chromium forbids it; Firefox sends its own
        "priority",  # RFC 9218 priority, added by Chromium and Firefox
        "upgrade-insecure-requests",
        "pragma",  # DevTools "Disable cache"
        "cache-control",  # DevTools "Disable cache"
        "referrer-policy",  # DevTools' "Copy as fetch (Node.js)" turns fetch's referrerPolicy into a header
    }
)
#: A value fetch() itself puts there when the page sets nothing.
BROWSER_DEFAULTS = {"accept": "*/*"}


@dataclass(frozen=True)
class CopiedRequest:
    """What a DevTools copy says was sent: every header line as shown, browser-added ones included."""

    url: str
    method: str
    headers: HeaderLines
    #: fetch()'s credentials mode when the copy states it (Copy as fetch), else None.
    credentials: Credentials | None = None
    #: The page URL when the copy names it outside the headers (Copy as fetch's "referrer").
    referrer: str | None = None
    cookie: str | None = None


def is_browser_added(name: str, value: str) -> bool:
    """Did the browser, not the page's script, put this header on the request?"""
    lower = name.lower()
    if lower in BROWSER_HEADERS or lower.startswith("sec-ch-") or is_forbidden_header(name, value):
        return True
    if BROWSER_DEFAULTS.get(lower) == value.strip():
        return True
    # The browser's own Accept-Language is always safelisted; a page-set one that is not safelisted
    # is what would cause a preflight, so keep that one.
    return lower == "accept-language" and is_safelisted_header(name, value)


def _header(headers: HeaderLines, name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name), None)


def page_origin(copied: CopiedRequest) -> str:
    """The page's origin: the Origin header, else the origin of the Referer (or fetch's referrer)."""
    origin = _header(copied.headers, "origin")
    if origin:
        return origin.strip()
    referrer = _header(copied.headers, "referer") or copied.referrer
    if referrer:
        parts = urlsplit(referrer.strip())
        if parts.scheme and parts.netloc:
            return parse_origin(f"{parts.scheme}://{parts.netloc}").serialize()
    raise InputError("the copied request has no Origin or Referer header; pass --origin")


def _preflight_as_actual(copied: CopiedRequest) -> tuple[str, HeaderLines]:
    """A copied preflight stands for the request it asked about: its method and unsafe header names."""
    method = _header(copied.headers, "access-control-request-method") or copied.method
    names = _header(copied.headers, "access-control-request-headers") or ""
    # The preflight carries names only; any non-empty value keeps them CORS-unsafe.
    return method.strip(), tuple((n.strip(), "x") for n in names.split(",") if n.strip())


def to_spec(
    copied: CopiedRequest, *, origin: str | None = None, credentials: Credentials | None = None
) -> RequestSpec:
    """The fetch() behind the copy: author headers only, cookies and credentials as sent."""
    cookie = copied.cookie or _header(copied.headers, "cookie")
    if copied.method.upper() == "OPTIONS" and _header(copied.headers, "access-control-request-method"):
        method, headers = _preflight_as_actual(copied)
    else:
        method = copied.method
        headers = tuple((n, v) for n, v in copied.headers if not is_browser_added(n, v))
    # A cross-origin request only carries cookies in credentials mode "include".
    mode = credentials or copied.credentials or (Credentials.INCLUDE if cookie else Credentials.SAME_ORIGIN)
    return RequestSpec(
        url=copied.url,
        origin=origin or page_origin(copied),
        method=method,
        headers=headers,
        credentials=mode,
        cookie=cookie,
    )
