"""A small forward proxy on 127.0.0.1: absolute-form requests are forwarded, CONNECT is tunnelled.

It records what it was asked for, so a test can prove a request went through it.
"""

from __future__ import annotations

import select
import socket
import threading


class ForwardProxy:
    def __init__(self) -> None:
        #: Each request line the proxy received ("GET http://... HTTP/1.1", "CONNECT host:port HTTP/1.1").
        self.requests: list[str] = []
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
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.partition(b"\r\n\r\n")[2]
            else:
                # Forward the absolute-form request as origin-form, on a connection of its own.
                authority = target.split("/", 3)[2]
                host, port = authority.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                path = "/" + target.split("/", 3)[3]
                line = f"{method} {path} HTTP/1.1".encode("latin-1")
                rest = line + head[len(request_line) :]
            with upstream:
                upstream.sendall(rest)
                _pipe(client, upstream)


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
