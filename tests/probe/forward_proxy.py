"""A small forward proxy on 127.0.0.1: absolute-form requests are forwarded, CONNECT is tunnelled.

It records what it was asked for, so a test can prove a request went through it.
"""

from __future__ import annotations

import select
import socket
import threading


class ForwardProxy:
    def __init__(self, route_to: tuple[str, int] | None = None) -> None:
        #: Each request line the proxy received ("GET http://... HTTP/1.1", "CONNECT host:port HTTP/1.1").
        self.requests: list[str] = []
        #: Where every request goes, whatever its host (a hosts-file entry); None: to its host.
        self.route_to = route_to
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(request_line)
            method, target, _ = request_line.split(" ", 2)
            if method == "CONNECT":
                upstream = self._connect(target)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.partition(b"\r\n\r\n")[2]
            else:
                # Forward the absolute-form request as origin-form, on a connection of its own.
                upstream = self._connect(target.split("/", 3)[2])
                path = "/" + target.split("/", 3)[3]
                line = f"{method} {path} HTTP/1.1".encode("latin-1")
                rest = line + head[len(request_line) :]
            with upstream:
                upstream.sendall(rest)
                _pipe(client, upstream)

    def _connect(self, authority: str) -> socket.socket:
        if self.route_to is not None:
            return socket.create_connection(self.route_to)
        host, port = authority.rsplit(":", 1)
        return socket.create_connection((host, int(port)))


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    while True:
        readable, _, _ = select.select([a, b], [], [], 5)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)
