"""Send an audit's probe requests: many small GET/OPTIONS requests whose answer is judged by its head.

The requests go over probe/wire.py's connections, as check and run send theirs: heads read with
Chromium's rules, a small body read to the byte so the connection carries the next probe (bytes past
a Content-Length never become the next response). An audit sends dozens of requests per URL, so each
thread keeps one connection per server and sends on it again without the idle pool's look for a
server's close (a closed one fails at once and the probe is sent again on a new one). The probe
requests carry no body and never follow a redirect. Trust and proxies are the ones check and run use
(probe/network.py).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from corscheck.core.audit import Audit, AuditResult, AuditSpec, ProbeRequest
from corscheck.core.model import NetworkFailure, ResponseHead
from corscheck.probe.deadline import DeadlineExceeded, deadline
from corscheck.probe.failures import network_failure
from corscheck.probe.network import NetworkSettings, ProxyRoutes, ssl_context
from corscheck.probe.send import (
    BODY_WAIT,
    MAX_TIMEOUT,
    NETWORK_ERRORS,
    request_bytes,
    response_head,
    timed_out,
)
from corscheck.probe.wire import STALE, Connection, Response, Route, connect

#: A body up to this size is read so the connection can be reused; a larger one closes it.
REUSE_BODY_LIMIT = 64 * 1024
#: The most of a body read when it is compared (with and without cookies); more is cut off.
BODY_LIMIT = 1024 * 1024


class Politeness:
    """At most ``per_host`` requests in flight to one host, and at most ``rate`` requests a second
    in all (0: no limit)."""

    def __init__(self, per_host: int, rate: float) -> None:
        self._per_host = per_host
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._next_start = 0.0

    def slot(self, netloc: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(netloc)
            if slot is None:
                slot = self._slots[netloc] = threading.BoundedSemaphore(self._per_host)
            return slot

    def wait_turn(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)


class AuditProbe:
    """Runs audits; thread-safe (each thread keeps its own connections)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        network: NetworkSettings | None = None,
        politeness: Politeness | None = None,
    ) -> None:
        """InputError names a proxy, CA or certificate file that cannot be used."""
        #: Seconds allowed for each probe request.
        self.timeout = min(timeout, MAX_TIMEOUT)
        self._network = network or NetworkSettings()
        self._routes = ProxyRoutes(self._network)
        self._route_of: dict[tuple[str, str], Route] = {}
        self._tls: ssl.SSLContext | None = None  # built at the first https URL (trust stores are slow)
        self._tls_lock = threading.Lock()
        self._politeness = politeness or Politeness(per_host=6, rate=0)
        self._local = threading.local()
        self._open: set[Connection] = set()
        self._all_lock = threading.Lock()

    def audit(self, spec: AuditSpec, on_request: Callable[[], None] | None = None) -> AuditResult:
        audit = Audit(spec)
        while probes := audit.next_stage():
            for probe in probes:
                if audit.stopped:
                    break
                outcome = self._send(probe)
                if isinstance(outcome, NetworkFailure):
                    audit.fail(probe, outcome)
                else:
                    audit.receive(probe, outcome)
                if on_request is not None:
                    on_request()
        return audit.result()

    def _send(self, probe: ProbeRequest) -> ResponseHead | NetworkFailure:
        planned = probe.request
        url = urlsplit(planned.url)
        with self._politeness.slot(url.netloc):
            self._politeness.wait_turn()
            try:
                with deadline(self.timeout):
                    return self._exchange(probe, url)
            except DeadlineExceeded:
                return timed_out(planned, self.timeout)
            except NETWORK_ERRORS as exc:
                return network_failure(exc, planned.url, self.timeout)

    def _exchange(self, probe: ProbeRequest, url: SplitResult) -> ResponseHead:
        route = self._route(url)
        request = request_bytes(probe.request, url, absolute=route.proxy is not None and url.scheme == "http")
        kept: dict[Route, Connection] = self._local.__dict__.setdefault("connections", {})
        connection = kept.pop(route, None)
        if connection is not None:
            try:
                return self._exchange_on(route, connection, request, probe)
            except STALE:
                pass  # the server closed the kept-alive connection meanwhile: a new one is opened
        needs_tls = url.scheme == "https" or (route.proxy or "").startswith("https:")
        connection = connect(route, self._tls_context() if needs_tls else None)
        with self._all_lock:
            self._open.add(connection)
        return self._exchange_on(route, connection, request, probe)

    def _route(self, url: SplitResult) -> Route:
        """Where a server's requests go, worked out at its first probe (dozens follow)."""
        route = self._route_of.get((url.scheme, url.netloc))
        if route is None:
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError(f"not an http(s) URL: {url.geturl()}")
            port = url.port or (443 if url.scheme == "https" else 80)
            route = Route(url.scheme, url.hostname, port, self._routes.for_url(url.geturl()))
            self._route_of[(url.scheme, url.netloc)] = route
        return route

    def _exchange_on(
        self, route: Route, connection: Connection, request: bytes, probe: ProbeRequest
    ) -> ResponseHead:
        try:
            connection.send(request)
            response = Response(connection, connection.read_head(), has_body=probe.request.method != "HEAD")
            body = response.read_preview(BODY_LIMIT) if probe.read_body else b""
        except BaseException:
            self._close(connection)
            raise
        self._finish(route, response)
        return response_head(response.head, body)

    def _finish(self, route: Route, response: Response) -> None:
        """Keep the connection for this thread's next probe to the server when the response was
        read to the byte; else close it (a small remaining body read first)."""
        try:
            with deadline(BODY_WAIT):
                reusable = response.read_rest(REUSE_BODY_LIMIT)
        except NETWORK_ERRORS:
            reusable = False
        if reusable:
            self._local.connections[route] = response.connection
        else:
            self._close(response.connection)

    def _tls_context(self) -> ssl.SSLContext:
        with self._tls_lock:
            if self._tls is None:
                self._tls = ssl_context(self._network)
            return self._tls

    def _close(self, connection: Connection) -> None:
        connection.close()
        with self._all_lock:
            self._open.discard(connection)

    def close(self) -> None:
        with self._all_lock:
            for connection in self._open:
                connection.close()
            self._open.clear()

    def __enter__(self) -> AuditProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
