"""The audit prober against real loopback servers: per-host limit, rate, hanging and closing servers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from corscheck.audit_run import run_audits
from corscheck.core.audit import AuditResult, AuditSpec
from corscheck.probe.audit import AuditProbe, Politeness

TRUSTED = "https://app.example.com"


class CountingServer:
    """Answers after a short pause and records the most requests it had in flight at once."""

    def __init__(self, close_each: bool = False) -> None:
        self.in_flight = self.most = self.total = 0
        lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0" if close_each else "HTTP/1.1"

            def do_GET(self) -> None:
                with lock:
                    owner.in_flight += 1
                    owner.total += 1
                    owner.most = max(owner.most, owner.in_flight)
                time.sleep(0.02)
                with lock:
                    owner.in_flight -= 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def audit_all(server: CountingServer, politeness: Politeness, urls: int = 12, timeout: float = 5.0):
    specs = [AuditSpec(f"http://127.0.0.1:{server.port}/{i}", (TRUSTED,)) for i in range(urls)]
    with AuditProbe(timeout=timeout, politeness=politeness) as probe:
        return list(run_audits(specs, probe.audit, concurrency=16))


def test_no_more_than_per_host_requests_reach_one_host_at_once():
    server = CountingServer()
    try:
        results = audit_all(server, Politeness(per_host=2, rate=0))
    finally:
        server.close()
    assert all(r.failure is None for r in results)
    assert server.total == 12 * 4 and server.most <= 2


def test_rate_spaces_the_requests_out():
    server = CountingServer()
    try:
        start = time.monotonic()
        audit_all(server, Politeness(per_host=8, rate=100), urls=5)
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert server.total == 20
    assert elapsed >= 19 / 100  # 20 requests at 100 a second: the last starts 0.19 s after the first


def test_a_server_that_closes_every_connection_is_audited_all_the_same():
    server = CountingServer(close_each=True)
    try:
        results = audit_all(server, Politeness(per_host=4, rate=0))
    finally:
        server.close()
    assert all(r.failure is None for r in results) and server.total == 48


def test_a_hanging_server_is_a_timeout_not_a_hang():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never answers
    try:
        spec = AuditSpec(f"http://127.0.0.1:{listener.getsockname()[1]}/", (TRUSTED,))
        with AuditProbe(timeout=0.2) as probe:
            result = probe.audit(spec)
    finally:
        listener.close()
    assert result.failure is not None and result.failure.kind == "timeout"
    assert "within 0.2 s" in result.failure.message
    assert result.requests == 1  # the trusted origin's request came first; the rest were not sent


def audit_raw(answer: Callable[[bytes], bytes]) -> tuple[AuditResult, int]:
    """Audit a socket server that answers every request with ``answer(origin)``; also return how
    many connections it accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    connections = []

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            connections.append(client)
            with client:
                while request := client.recv(65536):
                    origin = next(
                        line.split(b":", 1)[1].strip()
                        for line in request.split(b"\r\n")
                        if line.lower().startswith(b"origin:")
                    )
                    client.sendall(answer(origin))

    threading.Thread(target=serve, daemon=True).start()
    try:
        spec = AuditSpec(f"http://127.0.0.1:{listener.getsockname()[1]}/", (TRUSTED,))
        with AuditProbe(timeout=2) as probe:
            return probe.audit(spec), len(connections)
    finally:
        listener.close()


def test_a_head_chromium_reads_is_judged_though_strict_parsers_refuse_it():
    # An Early Hints interim response first, bare LF line ends, a line without a colon and 150
    # headers (http.client refuses more than 100): Chromium reads the final head, and so does audit.
    def answer(origin: bytes) -> bytes:
        filler = b"".join(b"X-Filler-%d: 1\n" % i for i in range(150))
        return (
            b"HTTP/1.1 103 Early Hints\nLink: </s.css>; rel=preload\n\n"
            b"HTTP/1.1 200 OK\n" + filler + b"not a header line\n"
            b"Access-Control-Allow-Origin: " + origin + b"\n"
            b"Access-Control-Allow-Credentials: true\nContent-Length: 2\n\nok"
        )

    result, connections = audit_raw(answer)
    assert result.failure is None
    assert [f.code for f in result.findings][0] == "AUDIT-ORIGIN-REFLECTED"
    assert (result.requests, connections) == (4, 1)  # the head was read to its end: kept alive


def test_a_nonsense_body_length_is_judged_by_its_head_on_a_fresh_connection_each():
    def answer(origin: bytes) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + origin + b"\r\n"
            b"Access-Control-Allow-Credentials: true\r\nContent-Length: -5\r\n\r\n{}"
        )

    result, connections = audit_raw(answer)
    assert result.failure is None
    assert [f.code for f in result.findings][0] == "AUDIT-ORIGIN-REFLECTED"
    assert (result.requests, connections) == (4, 4)  # the body's end is unknown: never reused


def test_differing_content_lengths_are_a_network_error_as_in_chromium():
    def answer(origin: bytes) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + origin + b"\r\n"
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!"
        )

    result, _ = audit_raw(answer)
    assert result.failure is not None and result.failure.kind == "protocol"
    assert "ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH" in result.failure.message


def test_bytes_past_the_content_length_never_become_the_next_response():
    # After each honest answer comes a forged one that would reflect nothing: were it read as the
    # answer to the next probe, the reflection would go unseen.
    forged = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

    def answer(origin: bytes) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + origin + b"\r\n"
            b"Access-Control-Allow-Credentials: true\r\nContent-Length: 2\r\n\r\nok" + forged
        )

    result, connections = audit_raw(answer)
    assert result.failure is None
    assert [f.code for f in result.findings][0] == "AUDIT-ORIGIN-REFLECTED"
    assert (result.requests, connections) == (4, 4)  # a connection with unasked-for bytes is closed
