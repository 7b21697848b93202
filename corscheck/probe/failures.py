"""Turn an httpx exception into the NetworkFailure the engine understands (the browser's net::ERR_*)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from corscheck.core.model import NetworkFailure


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every cause behind it (httpx wraps httpcore, which wraps the OSError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # a chain can loop back on itself
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _root_message(exc: BaseException) -> str:
    messages = [str(e) for e in _chain(exc) if str(e)]
    return messages[-1] if messages else type(exc).__name__


def host_of(url: str) -> str:
    """The host for a message: parsed leniently, since the URL may be what httpx just refused."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def network_failure(exc: Exception, url: str, timeout: float) -> NetworkFailure:
    """Classify ``exc`` as dns, refused, timeout, tls, protocol or other, with a one-line message."""
    host = host_of(url)
    causes = list(_chain(exc))
    if isinstance(exc, httpx.TimeoutException):
        return NetworkFailure("timeout", f"no response from {host} within {timeout:g} s", url)
    if any(isinstance(e, ssl.SSLError) for e in causes):
        return NetworkFailure("tls", f"TLS handshake with {host} failed: {_root_message(exc)}", url)
    if any(isinstance(e, socket.gaierror) for e in causes):
        return NetworkFailure("dns", f"cannot resolve host {host!r}: {_root_message(exc)}", url)
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return NetworkFailure("refused", f"connection to {urlsplit(url).netloc} refused", url)
    if isinstance(exc, httpx.RemoteProtocolError) and "Receive buffer too long" in str(exc):
        # h11's words for a head over the size limit, which lenient_headers sets to Chromium's.
        return NetworkFailure(
            "protocol",
            f"response headers from {host} are too big"
            " (over 256 KiB; Chromium: ERR_RESPONSE_HEADERS_TOO_BIG)",
            url,
        )
    if isinstance(exc, (httpx.InvalidURL, UnicodeError)):
        return NetworkFailure("other", f"corscheck cannot send to this URL: {exc}", url)
    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkFailure("protocol", f"invalid HTTP response from {host}: {_root_message(exc)}", url)
    if any(isinstance(e, ConnectionResetError) for e in causes):
        return NetworkFailure("other", f"connection to {host} reset by the server", url)
    return NetworkFailure("other", f"request to {host} failed: {_root_message(exc)}", url)
