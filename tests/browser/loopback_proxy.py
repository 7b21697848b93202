"""A forwarding HTTP proxy that sends every host to 127.0.0.1, for browsers without host mapping.

Chromium maps ``*.test`` to the case server with --host-resolver-rules; WebKit has no such flag,
so the WebKit runner points the browser's proxy setting here. Plain-http requests arrive in
absolute form (``GET http://page.test:1234/x HTTP/1.1``) and leave in origin form with every other
byte unchanged (the Host header keeps the name the page used); https arrives as a CONNECT tunnel.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"


class LoopbackProxy:
    """Listens on a free loopback port until close()."""

    def __init__(self) -> None:
        self._sock = socket.create_server((LOOPBACK, 0))
        self.port = self._sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def close(self) -> None:
        self._closed = True
        self._sock.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            head, rest = _read_head(client)
            request_line, _, headers = head.partition(b"\r\n")
            method, target, version = request_line.decode("latin-1").split(" ", 2)
            if method == "CONNECT":
                upstream = socket.create_connection((LOOPBACK, int(target.rsplit(":", 1)[1])))
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                upstream.sendall(rest)
            else:
                url = urlsplit(target)
                upstream = socket.create_connection((LOOPBACK, url.port or 80))
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                upstream.sendall(f"{method} {path} {version}\r\n".encode("latin-1") + headers + rest)
            _relay(client, upstream)
        except (OSError, ValueError, IndexError):
            client.close()


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("connection closed before the request head ended")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""

    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    other = threading.Thread(target=pump, args=(b, a), daemon=True)
    other.start()
    pump(a, b)
    other.join()
    a.close()
    b.close()
