"""HTTP/1.1 on a socket, read as Chromium reads it: the probe's client for live URLs (stdlib only).

A check sends a few exact requests and needs only their heads, so it needs neither httpx (about
140 ms to import) nor http.client (25 ms, and it refuses heads Chromium reads). Every wait is
bounded by the check's deadline (probe/deadline.py). A connection is used again only after its
response was read to the byte (a small body with a Content-Length, or none) and nothing came after
it: bytes past a Content-Length never become the next response.
"""

from __future__ import annotations

import re
import select
import socket
import threading
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from corscheck.core.origin import ip_literal
from corscheck.probe.deadline import bounded, call_with_deadline
from corscheck.probe.lenient_headers import (
    CHROMIUM_MAX_HEADERS_SIZE,
    InvalidHead,
    RawHead,
    looks_like_http,
    parse_head,
)

if TYPE_CHECKING:
    import ssl

#: How much one read asks the kernel for.
READ_SIZE = 64 * 1024
#: The blank line that ends a head (Chromium also reads bare LF line ends).
_HEAD_END = re.compile(rb"\n\r?\n")
#: The longest chunk-size line read in a chunked body.
_CHUNK_LINE_LIMIT = 4096
#: Idle connections kept in all (each an open file): twice run's largest useful concurrency. One
#: returned when as many wait is closed instead, so a run over thousands of hosts keeps few open.
MAX_IDLE = 128


class ProtocolError(Exception):
    """The server's bytes are not an HTTP response Chromium would read."""


class NoResponse(ProtocolError):
    """The server closed the connection before sending a byte of its response."""


class HeadersTooBig(ProtocolError):
    """A head over Chromium's limit (ERR_RESPONSE_HEADERS_TOO_BIG)."""


#: What a kept-alive connection the server closed meanwhile raises: the request is sent again once,
#: on a new connection.
STALE = (NoResponse, ConnectionResetError, BrokenPipeError)


class ProxyRefused(Exception):
    """The proxy cannot carry the request: it refused the CONNECT tunnel, or it is an https://
    proxy asked for an https:// URL (TLS inside TLS, which the ssl module cannot do on a socket)."""


@dataclass(frozen=True)
class Route:
    """Where a connection goes: the server, and the proxy it is reached through (if any)."""

    scheme: str
    host: str
    port: int
    proxy: str | None = None


class Connection:
    """One socket to a server (or a proxy), with the bytes read from it but not yet used."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        #: Made once, at the first look for unread bytes (after TLS, on the socket's final fd).
        self._poller: select.poll | None = None

    def send(self, data: bytes) -> None:
        self.sock.settimeout(bounded(None))
        self.sock.sendall(data)

    def start_tls(self, context: ssl.SSLContext, host: str) -> None:
        self.sock.settimeout(bounded(None))
        self.sock = context.wrap_socket(self.sock, server_hostname=host)

    def _fill(self) -> bool:
        """Read what the server sent next; False at the end of the stream."""
        self.sock.settimeout(bounded(None))
        data = self.sock.recv(READ_SIZE)
        self._buffer += data
        return bool(data)

    def read_head(self) -> RawHead:
        """The next final response head (1xx interim responses are skipped, as the browser does)."""
        while True:
            head = self._read_one_head()
            if not 100 <= head.status < 200 or head.status == 101:
                return head

    def _read_one_head(self) -> RawHead:
        searched = 0
        while (end := _HEAD_END.search(self._buffer, max(searched - 2, 0))) is None:
            if len(self._buffer) > CHROMIUM_MAX_HEADERS_SIZE:
                raise HeadersTooBig("response head over 256 KiB")
            if not looks_like_http(self._buffer):
                raise ProtocolError("not an HTTP response")
            searched = len(self._buffer)
            if not self._fill():
                if not self._buffer:
                    raise NoResponse("the server closed the connection without sending a response")
                raise ProtocolError("the server closed the connection in the middle of the response head")
        if end.start() > CHROMIUM_MAX_HEADERS_SIZE:
            raise HeadersTooBig("response head over 256 KiB")
        head = bytes(self._buffer[: end.start()])
        del self._buffer[: end.end()]
        try:
            return parse_head(head)
        except InvalidHead as exc:
            raise ProtocolError(str(exc)) from None

    def read_up_to(self, size: int) -> bytes:
        """At most ``size`` bytes, as soon as any are there; b"" at the end of the stream."""
        if not self._buffer and not self._fill():
            return b""
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def read_line(self) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > _CHUNK_LINE_LIMIT:
                raise ProtocolError("a chunk-size line too long")
            if not self._fill():
                raise ProtocolError("the body ended in a chunk-size line")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    @property
    def holds_unread_bytes(self) -> bool:
        """Bytes (or the end of the stream) are waiting: an idle connection is then unusable."""
        pending = getattr(self.sock, "pending", None)  # a TLS socket's decrypted, unread bytes
        if self._buffer or (pending is not None and pending()):
            return True
        if hasattr(select, "poll"):  # no limit on descriptor numbers, unlike select() (1024)
            if self._poller is None:
                self._poller = select.poll()
                self._poller.register(self.sock, select.POLLIN)
            return bool(self._poller.poll(0))
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        self.sock.close()


class Response:
    """A response whose head has been read; its body is read only as far as asked."""

    def __init__(
        self, connection: Connection, head: RawHead, *, has_body: bool, refuse_copies: bool = True
    ) -> None:
        self.connection = connection
        self.head = head
        self.chunked = self._last_coding() == b"chunked"
        if refuse_copies:
            self._refuse_smuggling()
        #: Body bytes still to come, or None when only the end of the stream ends the body.
        self.left: int | None = 0
        if not has_body or head.status in (204, 304):
            self.chunked = False
        elif not self.chunked:
            self.left = self._content_length()
        connection_tokens = {t.strip().lower() for t in self._values(b"connection") for t in t.split(b",")}
        self.keep_alive = head.version == "1.1" and b"close" not in connection_tokens

    def _values(self, name: bytes) -> list[bytes]:
        return [value for key, value in self.head.headers if key.lower() == name]

    def _last_coding(self) -> bytes | None:
        codings = [c.strip().lower() for v in self._values(b"transfer-encoding") for c in v.split(b",")]
        return codings[-1] if codings else None

    def _refuse_smuggling(self) -> None:
        """Chromium refuses a response whose copies of these headers differ, as a potential response
        smuggling attack (HttpStreamParser::ParseResponseHeaders, HeadersContainMultipleCopiesOfField)."""
        lengths = {v.strip() for value in self._values(b"content-length") for v in value.split(b",")}
        if len(lengths) > 1 and not self.chunked:
            raise ProtocolError(
                "differing Content-Length values (ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH)"
            )
        for name, error in ((b"content-disposition", "CONTENT_DISPOSITION"), (b"location", "LOCATION")):
            if len(set(self._values(name))) > 1:
                raise ProtocolError(
                    f"differing {name.decode().title()} values (ERR_RESPONSE_HEADERS_MULTIPLE_{error})"
                )

    def _content_length(self) -> int | None:
        """The body's length; None (unknown) when Content-Length is missing or not a number."""
        lengths = {v.strip() for value in self._values(b"content-length") for v in value.split(b",")}
        if len(lengths) == 1 and (length := lengths.pop()).isdigit():
            return int(length)
        return None

    def read_preview(self, limit: int) -> bytes:
        """The body's first bytes (chunked framing removed), at most ``limit``: what came before
        the body stalled (the caller's deadline) or broke off."""
        preview = bytearray()
        try:
            if self.chunked:
                self._read_chunked(preview, limit)
            else:
                self._read_plain(preview, limit)
        except (OSError, ProtocolError):
            pass
        return bytes(preview)

    def _read_plain(self, preview: bytearray, limit: int) -> None:
        while len(preview) < limit and self.left != 0:
            wanted = limit - len(preview) if self.left is None else min(limit - len(preview), self.left)
            piece = self.connection.read_up_to(wanted)
            if not piece:
                return
            preview += piece
            if self.left is not None:
                self.left -= len(piece)

    def _read_chunked(self, preview: bytearray, limit: int) -> None:
        while len(preview) < limit:
            size_field = self.connection.read_line().split(b";")[0].strip()
            try:
                size = int(size_field, 16)
            except ValueError:
                raise ProtocolError("a chunk size that is not a number") from None
            if size == 0:
                while self.connection.read_line().rstrip(b"\r"):  # trailer fields, up to the blank line
                    pass
                self.chunked, self.left = False, 0  # read to the byte: the connection can be reused
                return
            while size and len(preview) < limit:
                piece = self.connection.read_up_to(min(size, limit - len(preview)))
                if not piece:
                    return
                preview += piece
                size -= len(piece)
            if size:
                return
            self.connection.read_line()

    def read_rest(self, limit: int) -> bool:
        """Read the rest of a body of at most ``limit`` bytes; True when the connection can carry
        another request (the body was read to the byte and nothing came after it).

        A body of unknown length is read to the end of the stream after the write side is shut
        down (a server then ends a keep-alive connection); a longer one is never read.
        """
        if self.left is not None and not self.chunked:
            if self.left > limit:
                return False
            while self.left:
                piece = self.connection.read_up_to(self.left)
                if not piece:
                    return False
                self.left -= len(piece)
            return self.keep_alive and not self.connection.holds_unread_bytes
        self.connection.sock.shutdown(socket.SHUT_WR)
        read = 0
        while read <= limit and (piece := self.connection.read_up_to(READ_SIZE)):
            read += len(piece)
        return False


def connect(route: Route, tls: ssl.SSLContext | None) -> Connection:
    """A connection to the route's server, directly or through its proxy (https by CONNECT).

    ``tls`` is the context for https (to the server and to an https:// proxy).
    """
    host, port = route.host, route.port
    proxy = _split_proxy(route.proxy) if route.proxy else None
    if proxy is not None:
        if proxy[0] == "https" and route.scheme == "https":
            raise ProxyRefused("an https:// URL through an https:// proxy: give an http:// proxy")
        host, port = proxy[1], proxy[2]
    connection = Connection(_open_socket(host, port))
    try:
        if proxy is not None and proxy[0] == "https":
            assert tls is not None
            connection.start_tls(tls, host)
        if route.scheme == "https":
            assert tls is not None
            if proxy is not None:
                _tunnel(connection, route.host, route.port)
            connection.start_tls(tls, route.host)
    except BaseException:
        connection.close()
        raise
    return connection


def _split_proxy(proxy: str) -> tuple[str, str, int]:
    parts = urlsplit(proxy)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname or "", parts.port or default


def _open_socket(host: str, port: int) -> socket.socket:
    """A TCP connection within the deadline; name resolution (which takes no timeout) in a helper
    thread, so a resolver that never answers still ends at the deadline."""
    seconds = bounded(None)
    opening = partial(socket.create_connection, (host, port), seconds)
    if seconds is None or ip_literal(host) is not None:
        sock = opening()
    else:
        sock = call_with_deadline(opening, seconds)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _tunnel(connection: Connection, host: str, port: int) -> None:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    connection.send(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode("ascii"))
    answer = connection.read_head()
    if not 200 <= answer.status < 300:
        reason = answer.reason.decode("latin-1")
        raise ProxyRefused(f"the proxy refused the tunnel to {authority}: {answer.status} {reason}")


class IdleConnections:
    """Connections whose last response was read to the byte, kept for the next request to the same
    server; thread-safe (run's workers share it)."""

    def __init__(self) -> None:
        self._by_route: dict[Route, list[Connection]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def take(self, route: Route) -> Connection | None:
        while True:
            with self._lock:
                idle = self._by_route.get(route)
                if not idle:
                    return None
                connection = idle.pop()
                self._count -= 1
                if not idle:
                    del self._by_route[route]
            if not connection.holds_unread_bytes:
                return connection
            connection.close()  # closed by the server meanwhile, or bytes nobody asked for

    def give_back(self, route: Route, connection: Connection) -> None:
        with self._lock:
            if self._count < MAX_IDLE:
                self._by_route.setdefault(route, []).append(connection)
                self._count += 1
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            for idle in self._by_route.values():
                for connection in idle:
                    connection.close()
            self._by_route.clear()
            self._count = 0
