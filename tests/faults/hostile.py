"""Raw-socket servers on loopback that misbehave on purpose: each connection goes to a handler."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable

#: A response corscheck judges "allowed" on its own (no reflection probe follows a `*`).
OPEN_HEAD = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\n"
OPEN_RESPONSE = OPEN_HEAD + b"ok"


class Connection:
    """One accepted connection: read request heads, write raw bytes, count what was sent."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock = sock
        self._server = server
        self._buffer = b""

    def read_head(self) -> bytes:
        """The next request head (up to the blank line), or b"" when the client has gone."""
        while b"\r\n\r\n" not in self._buffer:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return b""
            if not chunk:
                return b""
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        self._server.heads.append(head)
        return head

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has closed the connection."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self._server.add_sent(len(data))
        return True

    def reset(self) -> None:
        """Close with RST instead of FIN (SO_LINGER with a zero timeout)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()


Handler = Callable[[Connection], None]


def answer_each(response: bytes | Callable[[bytes], bytes]) -> Handler:
    """Answer every request on the connection (keep-alive) with fixed or computed bytes."""

    def handle(conn: Connection) -> None:
        while head := conn.read_head():
            if not conn.send(response(head) if callable(response) else response):
                return

    return handle


class HostileServer:
    """A listening socket on 127.0.0.1 or ::1 whose connections each run ``handler`` in a thread."""

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        send_buffer: int | None = None,
    ) -> None:
        self.handler = handler
        self.host = host
        self.tls = tls
        self.send_buffer = send_buffer
        #: Every request head received, in order.
        self.heads: list[bytes] = []
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def url(self, path: str = "/") -> str:
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}{path}"

    def add_sent(self, count: int) -> None:
        with self._lock:
            self.bytes_sent += count

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self._open.append(sock)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.send_buffer is not None:
            # A small kernel buffer, so "bytes sent" is close to what the client really took.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
                with self._lock:
                    self._open.append(sock)
            self.handler(Connection(sock, self))
        except (OSError, ssl.SSLError):
            pass  # the client gave up or refused our certificate: that is the point of most tests
        finally:
            with contextlib.suppress(OSError):
                sock.close()
