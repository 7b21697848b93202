"""Drive an Exchange over HTTP: send each planned request exactly, read only the response head."""

from __future__ import annotations

import re
import socket
import time
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Protocol
from urllib.parse import SplitResult, urlsplit

from corscheck.core.engine import Exchange
from corscheck.core.model import (
    BODY_PREVIEW_BYTES,
    CheckResult,
    NetworkFailure,
    PlannedRequest,
    RequestSpec,
    ResponseHead,
    wants_body_preview,
)
from corscheck.core.origin import ip_literal
from corscheck.core.profiles import PROFILES
from corscheck.probe.deadline import DeadlineExceeded, call_with_deadline, deadline
from corscheck.probe.failures import host_of, network_failure
from corscheck.probe.network import NetworkSettings, ProxyRoutes, ssl_context
from corscheck.probe.wire import (
    STALE,
    Connection,
    IdleConnections,
    ProtocolError,
    ProxyRefused,
    Response,
    Route,
    connect,
)

if TYPE_CHECKING:
    import ssl

    import httpx

    from corscheck.probe.lenient_headers import RawHead

#: Sent when the simulated fetch() has a body: its content never matters to CORS.
PLACEHOLDER_BODY = b"{}"
#: The longest wait honoured: a larger --timeout (even inf) means "no limit" to the user, but thread
#: joins and socket timeouts overflow on it.
MAX_TIMEOUT = 24 * 3600.0
#: The most of a body read after the head, and the longest wait for it: closing a socket that still
#: holds unread bytes sends the server a reset ("reset by peer" in its log) instead of a FIN, and a
#: body read to the byte lets the connection carry the next request. A larger or slower body is left
#: unread; the verdict never needs it.
SMALL_BODY = 64 * 1024
BODY_WAIT = 0.2
#: The longest wait for an error body's first bytes: the head has decided CORS already.
BODY_PREVIEW_SECONDS = 1.0
_LINE_BREAK_OR_NUL = re.compile("[\r\n\0]")
#: What sending over the network can raise (ValueError: a URL or header the socket cannot carry).
NETWORK_ERRORS = (OSError, ProtocolError, ProxyRefused, ValueError)


class Sender(Protocol):
    #: What ``send`` raises when the request cannot be sent or answered (a network failure).
    @property
    def errors(self) -> tuple[type[Exception], ...]: ...

    def send(
        self, planned: PlannedRequest, timeout: float, *, refuse_copies: bool = True
    ) -> ResponseHead: ...

    def close(self) -> None: ...


def address_of(url: str, seconds: float) -> str | None:
    """The IP address a connection to ``url`` goes to (the first one the resolver gives, which is
    the one tried first), or None when the name does not resolve in time: sending then fails."""
    try:
        parsed = urlsplit(url)
        host, port = parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError:
        return None  # sending fails the same way, as that check's network failure
    if host is None or ip_literal(host) is not None:
        return host
    try:
        found = call_with_deadline(partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM), seconds)
    except (OSError, DeadlineExceeded, UnicodeError):
        return None
    return str(found[0][4][0]) if found else None


def request_bytes(planned: PlannedRequest, url: SplitResult, *, absolute: bool) -> bytes:
    """The request as fetch() sends it: Host, Content-Length for a body, then the planned headers,
    each byte for byte (header values are Latin-1 ByteStrings), the method as typed."""
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    if absolute:  # to a proxy
        target = f"{url.scheme}://{url.netloc}{target}"
    lines = [f"{planned.method} {target} HTTP/1.1", f"Host: {url.netloc.rpartition('@')[2]}"]
    if planned.has_body:
        lines.append(f"Content-Length: {len(PLACEHOLDER_BODY)}")
    lines += [f"{name}: {value}" for name, value in planned.headers]
    if _LINE_BREAK_OR_NUL.search("".join(lines)):
        raise ValueError("a request line or header holds a line break or NUL")
    body = PLACEHOLDER_BODY if planned.has_body else b""
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def read_body_preview(response: Response) -> bytes:
    """An error response's first bytes, to recognise the server: never more than BODY_PREVIEW_BYTES,
    within BODY_PREVIEW_SECONDS (a 4 GB body is never read); only a body without Content-Encoding
    (no decompression bomb)."""
    headers = response.head.headers
    codings = [value.strip().lower() for name, value in headers if name.lower() == b"content-encoding"]
    if not wants_body_preview(response.head.status) or codings not in ([], [b"identity"]):
        return b""
    with deadline(BODY_PREVIEW_SECONDS):
        return response.read_preview(BODY_PREVIEW_BYTES)


def response_head(head: RawHead, body: bytes) -> ResponseHead:
    """What the engine judges, from a head read off the wire."""
    return ResponseHead(
        head.status,
        # Header values are bytes to the browser: Latin-1 keeps each byte as one character.
        tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in head.headers),
        head.reason.decode("ascii", errors="ignore"),
        f"HTTP/{head.version}",
        body=body,
    )


class NetworkSender:
    """Sends to live URLs over probe/wire.py; thread-safe (run's workers share one)."""

    errors = NETWORK_ERRORS

    def __init__(self, network: NetworkSettings) -> None:
        self._network = network
        self._proxies = ProxyRoutes(network)
        # Loading CA certificates takes ~25 ms: only an https URL pays for it. Given CA or client
        # certificate files are loaded at once, so a bad file is a usage error before any request.
        self._tls: ssl.SSLContext | None = None
        if network.ca_cert is not None or network.cert is not None:
            self._tls = ssl_context(network)
        self._idle = IdleConnections()

    def send(self, planned: PlannedRequest, timeout: float, *, refuse_copies: bool = True) -> ResponseHead:
        """``refuse_copies``: differing copies of a header are a network error, as the engine has it."""
        url = urlsplit(planned.url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http(s) URL: {planned.url}")
        proxy = self._proxies.for_url(planned.url)
        route = Route(url.scheme, url.hostname, url.port or (443 if url.scheme == "https" else 80), proxy)
        data = request_bytes(planned, url, absolute=proxy is not None and url.scheme == "http")
        connection = self._idle.take(route)
        if connection is not None:
            try:
                return self._exchange(route, connection, data, planned.method, refuse_copies)
            except STALE:
                pass  # the server closed the kept-alive connection meanwhile: a new one is opened
        needs_tls = url.scheme == "https" or (proxy or "").startswith("https:")
        tls = self._tls_context() if needs_tls else None
        return self._exchange(route, connect(route, tls), data, planned.method, refuse_copies)

    def _exchange(
        self, route: Route, connection: Connection, data: bytes, method: str, refuse_copies: bool
    ) -> ResponseHead:
        try:
            connection.send(data)
            head = connection.read_head()
            response = Response(
                connection, head, has_body=method.upper() != "HEAD", refuse_copies=refuse_copies
            )
        except BaseException:
            connection.close()
            raise
        received = response_head(response.head, read_body_preview(response))
        self._finish(route, response)
        return received

    def _finish(self, route: Route, response: Response) -> None:
        """Keep the connection for the next request when its response was read to the byte; else
        close it in order (a small remaining body read first; see SMALL_BODY)."""
        try:
            with deadline(BODY_WAIT):
                reusable = response.read_rest(SMALL_BODY) and route.proxy is None
        except NETWORK_ERRORS:
            reusable = False
        if reusable:
            self._idle.give_back(route, response.connection)
        else:
            response.connection.close()

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl_context(self._network)
        return self._tls

    def close(self) -> None:
        self._idle.close()


def timed_out(planned: PlannedRequest, timeout: float) -> NetworkFailure:
    host = host_of(planned.url)
    return NetworkFailure("timeout", f"no response from {host} within {timeout:g} s", planned.url)


class Probe:
    """Runs checks against live URLs (or one in-process WSGI app).

    Thread-safe: ``corscheck run`` shares one Probe between worker threads.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        verify: bool = True,
        transport: httpx.BaseTransport | None = None,
        network: NetworkSettings | None = None,
    ) -> None:
        """``network`` gives every TLS and proxy setting; ``verify=False`` alone is short for -k."""
        #: Seconds allowed for a whole check, every request included.
        self.timeout = min(timeout, MAX_TIMEOUT)
        self._sender: Sender
        if transport is None:
            self._sender = NetworkSender(network or NetworkSettings(verify=verify))
        else:
            from corscheck.probe.app_send import AppSender  # httpx loads only for an in-process app

            self._sender = AppSender(transport)
        self._in_process = transport is not None

    def check(self, spec: RequestSpec) -> CheckResult:
        exchange = Exchange(spec)
        deadline = time.monotonic() + self.timeout
        while (planned := exchange.next_request()) is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                exchange.fail(timed_out(planned, self.timeout))
                continue
            if exchange.wants_address() and not self._in_process:
                # Local Network Access is decided by the address connected to, before sending.
                address = address_of(planned.url, remaining)
                if address is not None:
                    exchange.connect(address)
                    if exchange.next_request() is not planned:
                        continue
            try:
                refuse_copies = PROFILES[spec.browser].refuses_differing_header_copies
                head = self._send_within(planned, remaining, refuse_copies)
            except DeadlineExceeded:
                exchange.fail(timed_out(planned, self.timeout))
                continue
            except self._sender.errors as exc:
                exchange.fail(network_failure(exc, planned.url, self.timeout))
                continue
            exchange.receive(head)
        return exchange.result()

    def _send_within(self, planned: PlannedRequest, seconds: float, refuse_copies: bool) -> ResponseHead:
        if self._in_process:
            # An app runs in the caller's thread and may hang without touching a socket.
            return call_with_deadline(partial(self._sender.send, planned, seconds), seconds)
        with deadline(seconds):
            return self._sender.send(planned, seconds, refuse_copies=refuse_copies)

    def close(self) -> None:
        self._sender.close()

    def __enter__(self) -> Probe:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def run_check(
    spec: RequestSpec,
    *,
    timeout: float = 10.0,
    verify: bool = True,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    network: NetworkSettings | None = None,
) -> CheckResult:
    """Check one request against a live URL, or an in-process app through ``transport``.

    Build the transport of an ASGI or WSGI app with ``app_transport(app)``: a crashing app is then
    checked as the 500 response a browser would see. ASGI apps run on a fresh event loop.
    """
    if transport is not None:
        import httpx  # loaded already: the transport is one of httpx's

    if transport is not None and isinstance(transport, httpx.AsyncBaseTransport):
        # asyncio costs ~35 ms to import: only in-process ASGI apps load it.
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        from corscheck.probe.asgi import run_check_async

        def check_on_a_new_loop() -> CheckResult:
            return asyncio.run(run_check_async(spec, timeout=min(timeout, MAX_TIMEOUT), transport=transport))

        # A thread of its own: the caller's thread may already run an event loop (Jupyter, Playwright's
        # sync API), where asyncio.run() refuses to start another.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(check_on_a_new_loop).result()
    with Probe(timeout=timeout, verify=verify, transport=transport, network=network) as probe:
        return probe.check(spec)
