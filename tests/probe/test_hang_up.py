"""How corscheck ends its connections: a healthy server sees an orderly close, never a reset.

The kernel answers the close of a socket that still holds unread bytes with a reset instead of an
orderly FIN; servers then log "reset by peer" (Python's http.server prints a traceback) for every
check. So a small body is read to its end before hanging up, and a large one is still never read.
"""

import socket
import threading

import pytest

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import run_check

PAGE = "https://app.example"
#: The probe reads the socket 64 KiB at a time (probe/wire.py). A head one byte short of that leaves
#: the body sent with it in the socket once the head is read, which is where a hang-up finds it.
FIRST_READ = 64 * 1024


class OneShotServer:
    """Answers one request on 127.0.0.1 with ``response`` in a single write, then waits for the
    client to hang up and records how: ``b""`` for an orderly close, else the error seen."""

    def __init__(self, response: bytes) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api"
        self.hang_up: bytes | OSError | None = None
        self._thread = threading.Thread(target=self._serve, args=(response,), daemon=True)
        self._thread.start()

    def _serve(self, response: bytes) -> None:
        with self._listener, self._listener.accept()[0] as connection:
            connection.settimeout(5)
            connection.recv(65536)
            try:
                connection.sendall(response)
                self.hang_up = connection.recv(65536)
            except OSError as error:
                self.hang_up = error

    def how_the_client_hung_up(self) -> bytes | OSError | None:
        self._thread.join(10)
        return self.hang_up


def response(body: bytes, *, chunked: bool = False) -> bytes:
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % len(body)
    head = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n" + framing + b"\r\nX-Padding: \r\n\r\n"
    head = head.replace(b"X-Padding: ", b"X-Padding: " + b"p" * (FIRST_READ - 1 - len(head)))
    return head + (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked and body else body)


def check(url: str):
    return run_check(RequestSpec(url, PAGE, probe_reflection=False), timeout=5)


@pytest.mark.parametrize(
    ("body", "chunked"),
    [(b"ok", False), (b"x" * 60_000, False), (b"x" * 5_000, True)],
    ids=["2 bytes", "60 kB", "chunked"],
)
def test_a_healthy_server_sees_an_orderly_close_not_a_reset(body, chunked):
    server = OneShotServer(response(body, chunked=chunked))
    assert check(server.url).verdict is Verdict.ALLOWED
    assert server.how_the_client_hung_up() == b""


def test_a_body_over_64_kib_is_left_unread():
    """Reading it would cost time and memory a verdict never needs: the close is then a reset."""
    server = OneShotServer(response(b"x" * 200_000))
    assert check(server.url).verdict is Verdict.ALLOWED
    assert isinstance(server.how_the_client_hung_up(), ConnectionResetError)
