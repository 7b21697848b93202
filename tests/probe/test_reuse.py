"""When a connection carries the next request: only after a response read to the byte."""

import socket
import threading

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import Probe
from tests.conftest import Reply

PAGE = "https://app.example"
ACAO = ("Access-Control-Allow-Origin", "*")


def spec(url):
    return RequestSpec(url, PAGE, probe_reflection=False)


class CountingServer:
    """Answers each request on 127.0.0.1 with ``answer``; ``then_close`` hangs up after each answer
    (with no Connection: close said), as a server ending an idle keep-alive connection does."""

    def __init__(self, answer: bytes, *, then_close: bool = False) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api"
        self.connections = 0
        self._answer, self._then_close = answer, then_close
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _run(self, connection: socket.socket) -> None:
        with connection:
            while connection.recv(65536):
                connection.sendall(self._answer)
                if self._then_close:
                    return

    def close(self) -> None:
        self._listener.close()


def test_a_connection_the_server_closed_meanwhile_is_replaced():
    server = CountingServer(
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nok", then_close=True
    )
    with Probe(timeout=5) as probe:
        for _ in range(3):
            assert probe.check(spec(server.url)).verdict is Verdict.ALLOWED
    assert server.connections == 3
    server.close()


def test_a_chunked_body_is_not_reused():
    """Its end is known only by decoding it; the connection is closed in order instead."""
    server = CountingServer(
        b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nok\r\n0\r\n\r\n"
    )
    with Probe(timeout=5) as probe:
        for _ in range(2):
            assert probe.check(spec(server.url)).verdict is Verdict.ALLOWED
    assert server.connections == 2
    server.close()


def test_connection_close_is_honoured(server):
    server.route("/api", ACAO, ("Connection", "close"))
    with Probe(timeout=5) as probe:
        for _ in range(2):
            assert probe.check(spec(server.url("/api"))).verdict is Verdict.ALLOWED
    assert server.connections == 2


def test_a_preflight_and_its_request_share_a_connection(server):
    allow_put = [ACAO, ("Access-Control-Allow-Methods", "PUT")]
    server.routes[("OPTIONS", "/api")] = Reply(204, allow_put, body=b"")
    server.routes[("PUT", "/api")] = Reply(200, [ACAO])
    with Probe(timeout=5) as probe:
        result = probe.check(RequestSpec(server.url("/api"), PAGE, method="PUT", probe_reflection=False))
    assert result.verdict is Verdict.ALLOWED
    assert [r.method for r in server.received] == ["OPTIONS", "PUT"]
    assert server.connections == 1


def test_bytes_after_a_204_end_its_connection(server):
    """A 204 has no body whatever its Content-Length says; what follows it is not the next response."""
    server.route("/api", ACAO, status=204)  # this test server sends "ok" after it
    with Probe(timeout=5) as probe:
        for _ in range(2):
            assert probe.check(spec(server.url("/api"))).verdict is Verdict.ALLOWED
    assert server.connections == 2
