"""Drive an Exchange over HTTP: send each planned request exactly, read only the response head."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from functools import partial
from types import TracebackType

import httpx

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
from corscheck.probe.clients import KEPT_RESPONSE, Clients
from corscheck.probe.deadline import DeadlineExceeded, call_with_deadline, deadline
from corscheck.probe.failures import host_of, network_failure
from corscheck.probe.lenient_headers import install as read_headers_like_chromium
from corscheck.probe.network import NetworkSettings

read_headers_like_chromium()

#: Sent when the simulated fetch() has a body: its content never matters to CORS.
PLACEHOLDER_BODY = b"{}"
#: The longest wait honoured: a larger --timeout (even inf) means "no limit" to the user, but thread
#: joins and socket timeouts overflow on it.
MAX_TIMEOUT = 24 * 3600.0
#: What sending can raise (InvalidURL is not an HTTPError; httpx checks hosts by IDNA 2008, stricter
#: than the URL Standard, and raises UnicodeError for an emoji domain Chromium accepts).
SEND_ERRORS = (httpx.TransportError, httpx.InvalidURL, UnicodeError)
#: The most of a body read before hanging up, and the longest wait for it: closing a socket that
#: still holds unread bytes sends the server a reset ("reset by peer" in its log) instead of a FIN.
#: A larger or slower body is left unread; the verdict never needs it.
SMALL_BODY = 64 * 1024
BODY_WAIT = 0.2
#: The longest wait for an error body's first bytes: the head has decided CORS already.
BODY_PREVIEW_SECONDS = 1.0
#: What reading a body preview can raise; the preview then holds what came before.
PREVIEW_ERRORS = (httpx.HTTPError, httpx.StreamError)


def to_httpx(planned: PlannedRequest, timeout: float) -> httpx.Request:
    """The request exactly as planned: httpx adds only Host and Content-Length, none of a client's
    default headers (those are merged in by ``build_request``, which is not used)."""
    request = httpx.Request(
        planned.method,
        planned.url,
        # Header values are bytes to the browser (a ByteString): Latin-1 text goes out byte for byte,
        # where httpx would encode str values as ASCII and fail.
        headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in planned.headers],
        content=PLACEHOLDER_BODY if planned.has_body else None,
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    # httpx upper-cases every method; fetch() sends `patch` as typed, and servers may care.
    request.method = planned.method
    return request


def head_of(response: httpx.Response) -> ResponseHead:
    """Every header line in wire order with its original case, repeated lines kept apart.

    ``response.headers[name]`` would join repeated lines, hiding a duplicated allow-origin.
    """
    lines = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw)
    return ResponseHead(response.status_code, lines, response.reason_phrase, response.http_version)


def read_small_body(response: httpx.Response) -> None:
    """Read and drop a body of at most SMALL_BODY bytes that arrives within BODY_WAIT, so the
    connection closes in order. CORS is decided by the head alone; a connection is never reused,
    so bytes past the body's end never become the next response."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > SMALL_BODY:
        return
    read = 0
    try:
        with deadline(BODY_WAIT):
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > SMALL_BODY:
                    return
    except (httpx.HTTPError, httpx.StreamError):
        return  # a late, broken or already closed body: hanging up is all that is left to do


def address_of(url: str, seconds: float) -> str | None:
    """The IP address a connection to ``url`` goes to (the first one the resolver gives, which is
    the one tried first), or None when the name does not resolve in time: sending then fails."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, UnicodeError):  # UnicodeError: an IDNA 2008 refusal
        return None  # sending fails the same way, as that check's network failure
    if ip_literal(host) is not None:
        return host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = call_with_deadline(
            partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM), seconds
        )
    except (OSError, DeadlineExceeded, UnicodeError):
        return None
    return str(found[0][4][0]) if found else None


def is_plain(response: httpx.Response) -> bool:
    """A body without Content-Encoding: its first bytes are text as sent (no decompression bomb)."""
    encoding: str = response.headers.get("content-encoding", "identity")
    return encoding.strip().lower() == "identity"


def with_body_preview(head: ResponseHead, response: httpx.Response) -> ResponseHead:
    """The head with an error response's first bytes, to recognise the server: never more than
    BODY_PREVIEW_BYTES, within BODY_PREVIEW_SECONDS (a 4 GB body is never read)."""
    if not wants_body_preview(head.status) or not is_plain(response):
        return head
    preview = bytearray()
    try:
        with deadline(BODY_PREVIEW_SECONDS):
            for chunk in response.iter_raw():
                preview += chunk
                if len(preview) >= BODY_PREVIEW_BYTES:
                    break
    except PREVIEW_ERRORS:
        pass  # a body that stalls or breaks off: what came is enough for a fingerprint
    return replace(head, body=bytes(preview[:BODY_PREVIEW_BYTES]))


def timed_out(planned: PlannedRequest, timeout: float) -> NetworkFailure:
    host = host_of(planned.url)
    return NetworkFailure("timeout", f"no response from {host} within {timeout:g} s", planned.url)


class Probe:
    """Runs checks against live URLs (or one in-process WSGI app) over shared clients.

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
        self._clients = Clients(network=network or NetworkSettings(verify=verify), transport=transport)

    def check(self, spec: RequestSpec) -> CheckResult:
        exchange = Exchange(spec)
        deadline = time.monotonic() + self.timeout
        while (planned := exchange.next_request()) is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                exchange.fail(timed_out(planned, self.timeout))
                continue
            if exchange.wants_address() and not self._clients.in_process:
                # Local Network Access is decided by the address connected to, before sending.
                address = address_of(planned.url, remaining)
                if address is not None:
                    exchange.connect(address)
                    if exchange.next_request() is not planned:
                        continue
            try:
                head = self._send_within(planned, remaining)
            except DeadlineExceeded:
                exchange.fail(timed_out(planned, self.timeout))
                continue
            except SEND_ERRORS as exc:
                exchange.fail(network_failure(exc, planned.url, self.timeout))
                continue
            exchange.receive(head)
        return exchange.result()

    def _send_within(self, planned: PlannedRequest, seconds: float) -> ResponseHead:
        if self._clients.in_process:
            # An app runs in the caller's thread and may hang without touching a socket.
            return call_with_deadline(partial(self._send, planned, seconds), seconds)
        with deadline(seconds):
            return self._send(planned, seconds)

    def _send(self, planned: PlannedRequest, timeout: float) -> ResponseHead:
        request = to_httpx(planned, timeout)
        try:
            response = self._clients.for_url(request.url).send(request, stream=True)
        except (httpx.RemoteProtocolError, httpx.InvalidURL, UnicodeError):
            # An unparsable Location (see keep_response); httpx's IDNA 2008 check of its host raises
            # UnicodeError. The engine judges the Location as the URL Standard does.
            received = request.extensions.get(KEPT_RESPONSE)
            if received is None:
                raise
            response = received
        try:
            return with_body_preview(head_of(response), response)
        finally:
            if not self._clients.in_process:
                read_small_body(response)
            response.close()

    def close(self) -> None:
        self._clients.close()

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
    if isinstance(transport, httpx.AsyncBaseTransport):
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
