"""Send an audit's probe requests: many small GET/OPTIONS requests whose answer is judged by its head.

An audit sends dozens of requests per URL, so it keeps its own loop on kept-alive sockets (one set
per thread), with only what a probe needs: the head, read with Chromium's rules
(lenient_headers.parse_head, as probe/wire.py reads it), and a small body read so the connection
can be reused. probe/wire.py's Response also checks every response for smuggled headers and polls
an idle connection before reusing it, which cost the audit a third more CPU (A/B on
bench/bench_audit.py's servers). The probe requests carry no body and never follow a redirect.
Trust and proxies are the ones check and run use (probe/network.py).
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from corscheck.core.audit import Audit, AuditResult, AuditSpec, ProbeRequest
from corscheck.core.model import NetworkFailure, ResponseHead
from corscheck.probe.failures import host_of
from corscheck.probe.lenient_headers import CHROMIUM_MAX_HEADERS_SIZE, InvalidHead, parse_head
from corscheck.probe.network import NetworkSettings, ProxyRoutes, ssl_context

#: A body up to this size is read so the connection can be reused; a larger one closes it.
REUSE_BODY_LIMIT = 64 * 1024
#: The most of a body read when it is compared (with and without cookies); more is cut off.
BODY_LIMIT = 1024 * 1024
#: The longest chunk-size line read in a chunked body.
CHUNK_LINE_LIMIT = 4096
#: The blank line that ends a head (Chromium also reads bare LF line ends).
_HEAD_END = re.compile(rb"\r?\n\r?\n")


class ProtocolError(Exception):
    """The server's bytes are not an HTTP response the browser would read."""


class StaleConnection(ProtocolError):
    """A kept-alive connection the server closed meanwhile: the request is sent again once."""


class Connection:
    """One socket to a server (or through its proxy), and the bytes read but not yet used."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        #: A response came back on it: an empty answer then means the server closed it meanwhile.
        self.reused = False

    def exchange(self, request: bytes, read_body: bool = False) -> tuple[ResponseHead, bool]:
        """Send ``request``; its final response head (with the whole body when ``read_body``), and
        whether the connection can carry another request."""
        self.sock.sendall(request)
        while True:
            head = self._read_head()
            if not 100 <= head.status < 200:  # the browser skips interim (1xx) responses
                break
        self.reused = True
        keep = head.http_version == "HTTP/1.1" and not _closes(head)
        if head.status in (204, 304) or request.startswith((b"HEAD ", b"CONNECT ")):
            return head, keep
        chunked, length = _framing(head)
        if not read_body and (chunked or length is None or length > REUSE_BODY_LIMIT):
            # Read to the close, large, or chunked (perhaps a stream that never ends): the head is
            # all a probe needs.
            return head, False
        limit = BODY_LIMIT if read_body else REUSE_BODY_LIMIT
        body, complete = self._read_chunked(limit) if chunked else self._read_body(length, limit)
        return (replace(head, body=body) if read_body else head), keep and complete and not self._buffer

    def _read_body(self, length: int | None, limit: int) -> tuple[bytes, bool]:
        """``length`` bytes (None: up to the close), at most ``limit``; and whether all came."""
        wanted = limit if length is None else min(length, limit)
        while len(self._buffer) < wanted and self._fill():
            pass
        body = bytes(self._buffer[:wanted])
        del self._buffer[:wanted]
        return body, length is not None and len(body) == length

    def _read_chunked(self, limit: int) -> tuple[bytes, bool]:
        """The chunks' bytes, at most about ``limit``; and whether the body came to its end."""
        body = bytearray()
        while len(body) <= limit:
            try:
                size = int(self._read_line().split(b";")[0], 16)
            except ValueError:
                raise ProtocolError("a chunk size that is not a hexadecimal number") from None
            if size == 0:
                while self._read_line():  # trailer fields, up to the blank line
                    pass
                return bytes(body), True
            chunk, complete = self._read_body(size, limit + 1 - len(body))
            body += chunk
            if not complete:
                break
            self._read_line()
        return bytes(body), False

    def _read_line(self) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > CHUNK_LINE_LIMIT or not self._fill():
                raise ProtocolError("a chunked body without its line ends")
        line = bytes(self._buffer[:end]).removesuffix(b"\r")
        del self._buffer[: end + 1]
        return line

    def _fill(self) -> bool:
        data = self.sock.recv(REUSE_BODY_LIMIT)
        self._buffer += data
        return bool(data)

    def _read_head(self) -> ResponseHead:
        while (end := _HEAD_END.search(self._buffer)) is None:
            if len(self._buffer) > CHROMIUM_MAX_HEADERS_SIZE:
                raise ProtocolError("response headers over 256 KiB (Chromium: ERR_RESPONSE_HEADERS_TOO_BIG)")
            if not self._fill():
                if not self._buffer and self.reused:
                    raise StaleConnection("the server closed the kept-alive connection")
                raise ProtocolError("the server closed the connection before the end of the response head")
        try:
            head = parse_head(self._buffer[: end.start()])
        except InvalidHead as exc:
            raise ProtocolError(f"{exc} (Chromium: ERR_INVALID_HTTP_RESPONSE)") from None
        del self._buffer[: end.end()]
        return ResponseHead(
            head.status,
            tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in head.headers),
            head.reason.decode("latin-1"),
            f"HTTP/{head.version}",
        )

    def close(self) -> None:
        self.sock.close()


def _framing(head: ResponseHead) -> tuple[bool, int | None]:
    """Whether the body is chunked, else its length (None: it runs to the close)."""
    fields = {name.lower(): value for name, value in head.headers}
    if "transfer-encoding" in fields:
        return fields["transfer-encoding"].lower().endswith("chunked"), None
    try:
        length = int(fields["content-length"]) if "content-length" in fields else None
    except ValueError:
        return False, None
    return False, length if length is None or length >= 0 else None


def _closes(head: ResponseHead) -> bool:
    return any(name.lower() == "connection" and "close" in value.lower() for name, value in head.headers)


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


def _address(proxy: str) -> tuple[str, int]:
    parts = urlsplit(proxy)
    return parts.hostname or "", parts.port or 80


def failure_of(exc: Exception, url: str, timeout: float) -> NetworkFailure:
    """The browser's kind of network error for what the socket raised or the server sent."""
    host = host_of(url)
    if isinstance(exc, TimeoutError):
        return NetworkFailure("timeout", f"no response from {host} within {timeout:g} s", url)
    if isinstance(exc, ssl.SSLError):
        return NetworkFailure("tls", f"TLS handshake with {host} failed: {exc}", url)
    if isinstance(exc, socket.gaierror):
        return NetworkFailure("dns", f"cannot resolve host {host!r}: {exc.strerror or exc}", url)
    if isinstance(exc, ConnectionRefusedError):
        return NetworkFailure("refused", f"connection to {urlsplit(url).netloc} refused", url)
    if isinstance(exc, ProtocolError):
        return NetworkFailure("protocol", f"invalid HTTP response from {host}: {exc}", url)
    return NetworkFailure("other", f"request to {host} failed: {exc}", url)


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
        #: Seconds allowed for each socket operation of a probe request.
        self.timeout = timeout
        self._network = network or NetworkSettings()
        self._routes = ProxyRoutes(self._network)
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
                try:
                    return self._exchange(url.scheme, url.netloc, probe)
                except (StaleConnection, BrokenPipeError, ConnectionResetError):
                    self._drop(url.scheme, url.netloc)
                    return self._exchange(url.scheme, url.netloc, probe)
            except (OSError, ProtocolError) as exc:
                self._drop(url.scheme, url.netloc)
                return failure_of(exc, planned.url, self.timeout)

    def _exchange(self, scheme: str, netloc: str, probe: ProbeRequest) -> ResponseHead:
        planned = probe.request
        connection = self._connection(scheme, netloc)
        parts = urlsplit(planned.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if scheme == "http" and self._proxy(scheme, netloc) is not None:
            target = f"{scheme}://{netloc}{target}"  # a proxy takes the absolute form
        lines = [f"{planned.method} {target} HTTP/1.1", f"Host: {netloc}"]
        lines += [f"{name}: {value}" for name, value in planned.headers]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        head, reusable = connection.exchange(request, read_body=probe.read_body)
        if not reusable:
            self._drop(scheme, netloc)
        return head

    def _connection(self, scheme: str, netloc: str) -> Connection:
        connections: dict[tuple[str, str], Connection] = self._local.__dict__.setdefault("connections", {})
        connection = connections.get((scheme, netloc))
        if connection is None:
            connection = self._new_connection(scheme, netloc)
            connections[(scheme, netloc)] = connection
            with self._all_lock:
                self._open.add(connection)
        return connection

    def _new_connection(self, scheme: str, netloc: str) -> Connection:
        """A connection to the server, or to its proxy (https through a CONNECT tunnel)."""
        proxy = self._proxy(scheme, netloc)
        if proxy is not None and urlsplit(proxy).scheme != "http":
            raise OSError(f"audit reaches servers through http:// proxies only, not {proxy}")
        server = urlsplit(f"{scheme}://{netloc}")
        port = server.port or (443 if scheme == "https" else 80)
        address = (server.hostname or "", port) if proxy is None else _address(proxy)
        sock = socket.create_connection(address, timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = Connection(sock)
        try:
            if proxy is not None and scheme == "https":
                authority = netloc if server.port else f"{netloc}:{port}"  # [::1]:443 keeps its brackets
                tunnel = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"
                answer, _ = connection.exchange(tunnel.encode("ascii"))
                if not 200 <= answer.status < 300:
                    raise ProtocolError(f"the proxy refused the tunnel: {answer.status} {answer.reason}")
            if scheme == "https":
                connection.sock = self._tls_context().wrap_socket(sock, server_hostname=server.hostname)
        except BaseException:
            sock.close()
            raise
        connection.reused = False
        return connection

    def _proxy(self, scheme: str, netloc: str) -> str | None:
        return self._routes.for_url(f"{scheme}://{netloc}/")

    def _tls_context(self) -> ssl.SSLContext:
        with self._tls_lock:
            if self._tls is None:
                self._tls = ssl_context(self._network)
            return self._tls

    def _drop(self, scheme: str, netloc: str) -> None:
        connection = self._local.__dict__.get("connections", {}).pop((scheme, netloc), None)
        if connection is not None:
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
