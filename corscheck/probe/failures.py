"""Turn what sending raised into the NetworkFailure the engine understands (the browser's net::ERR_*)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

from corscheck.core.model import NetworkFailure
from corscheck.probe.wire import HeadersTooBig, ProtocolError, ProxyRefused


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
    """The host for a message: parsed leniently, since the URL may be what could not be sent."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _httpx_errors() -> tuple[tuple[type[Exception], ...], ...]:
    """httpx's timeout, protocol and URL errors, when httpx is loaded (in-process apps and --page):
    an httpx exception cannot exist otherwise, and importing httpx costs ~140 ms."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return (), (), ()
    return (httpx.TimeoutException,), (httpx.RemoteProtocolError,), (httpx.InvalidURL,)


def network_failure(exc: Exception, url: str, timeout: float) -> NetworkFailure:
    """Classify ``exc`` as dns, refused, timeout, tls, protocol or other, with a one-line message."""
    host = host_of(url)
    causes = list(_chain(exc))
    httpx_timeouts, httpx_protocol, httpx_invalid_url = _httpx_errors()
    if isinstance(exc, (TimeoutError, *httpx_timeouts)):
        return NetworkFailure("timeout", f"no response from {host} within {timeout:g} s", url)
    ssl = sys.modules.get("ssl")  # a TLS error exists only once ssl is loaded (https only)
    if ssl is not None and any(isinstance(e, ssl.SSLError) for e in causes):
        return NetworkFailure("tls", f"TLS handshake with {host} failed: {_root_message(exc)}", url)
    if any(isinstance(e, socket.gaierror) for e in causes):
        return NetworkFailure("dns", f"cannot resolve host {host!r}: {_root_message(exc)}", url)
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return NetworkFailure("refused", f"connection to {urlsplit(url).netloc} refused", url)
    if isinstance(exc, HeadersTooBig) or (
        isinstance(exc, httpx_protocol) and "Receive buffer too long" in str(exc)
    ):
        return NetworkFailure(
            "protocol",
            f"response headers from {host} are too big"
            " (over 256 KiB; Chromium: ERR_RESPONSE_HEADERS_TOO_BIG)",
            url,
        )
    if isinstance(exc, (ProtocolError, *httpx_protocol)):
        return NetworkFailure("protocol", f"invalid HTTP response from {host}: {_root_message(exc)}", url)
    if isinstance(exc, ProxyRefused):
        return NetworkFailure("other", f"request to {host} failed: {exc}", url)
    if isinstance(exc, (ValueError, *httpx_invalid_url)):
        return NetworkFailure("other", f"corscheck cannot send to this URL: {exc}", url)
    if any(isinstance(e, ConnectionResetError) for e in causes):
        return NetworkFailure("other", f"connection to {host} reset by the server", url)
    return NetworkFailure("other", f"request to {host} failed: {_root_message(exc)}", url)
