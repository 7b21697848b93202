"""Shared fixtures: real HTTP servers on 127.0.0.1, and an environment free of the caller's settings."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

#: tests/api tests the corscheck pytest plugin with pytest's own tester.
pytest_plugins = ["pytester"]


@dataclass
class Reply:
    """What a route answers: a status and raw header lines, written to the wire exactly as given."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b"ok"
    #: Seconds to wait before answering.
    delay: float = 0.0


@dataclass
class Received:
    """A request as the server saw it: header lines in order, with their case."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    @property
    def names(self) -> list[str]:
        return [n.lower() for n, _ in self.headers]


Route = Reply | Callable[[Received], Reply]


class LoopbackServer:
    """A threaded HTTP/1.1 server on a free port; routes by (method, path), "*" matches any method."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.received: list[Received] = []
        #: TCP connections accepted so far.
        self.connections = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.origin = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        # A short poll interval keeps shutdown() (and so each test's teardown) fast.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()

    def route(self, path: str, *headers: tuple[str, str], status: int = 200, method: str = "*") -> None:
        self.routes[(method, path)] = Reply(status, list(headers))

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _answer(self, request: Received) -> Reply:
        self.received.append(request)
        route = self.routes.get((request.method, request.path)) or self.routes.get(("*", request.path))
        if route is None:
            return Reply(404, [], b"no route")
        return route(request) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                server.connections += 1
                # Without it Nagle and delayed ACK add ~40 ms to every keep-alive exchange.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Received(self.command, self.path, list(self.headers.items()), body)
                reply = server._answer(request)
                time.sleep(reply.delay)
                head = f"HTTP/1.1 {reply.status} Whatever\r\n"
                head += "".join(f"{name}: {value}\r\n" for name, value in reply.headers)
                head += f"Content-Length: {len(reply.body)}\r\n\r\n"
                self.wfile.write(head.encode("latin-1") + reply.body)
                self.wfile.flush()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        return Handler


@pytest.fixture
def serve() -> Iterator[Callable[..., LoopbackServer]]:
    """A factory of loopback servers (each on its own port, so each is its own origin)."""
    servers: list[LoopbackServer] = []

    def start(tls: ssl.SSLContext | None = None) -> LoopbackServer:
        servers.append(LoopbackServer(tls))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def server(serve: Callable[..., LoopbackServer]) -> LoopbackServer:
    return serve()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not depend on the developer's terminal or corscheck settings."""
    import os

    network = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    for name in list(os.environ):
        if name.startswith("CORSCHECK_") or name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE"):
            monkeypatch.delenv(name)
        elif name.upper() in network:  # the proxy variables are read in either case
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "120")
