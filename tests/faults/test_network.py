"""Servers that refuse, reset, stall or drip: exit 3 with one line, within --timeout, never a traceback."""

from __future__ import annotations

import socket
import time

import pytest

from tests.faults.cli import assert_one_line_error, assert_unreachable, check
from tests.faults.conftest import LOOPBACKS
from tests.faults.hostile import OPEN_HEAD, OPEN_RESPONSE, Connection, answer_each

#: Slack on top of --timeout for process-internal overhead (thread start, report rendering).
SLACK = 2.0


def _closed_port(host: str) -> int:
    """A port bound but never listening: connecting to it is refused."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("host", LOOPBACKS)
def test_connection_refused(host):
    port = _closed_port(host)
    url = f"http://[{host}]:{port}/api" if ":" in host else f"http://{host}:{port}/api"
    assert_unreachable(url, "refused", str(port))


@pytest.mark.parametrize("host", LOOPBACKS)
def test_open_server_on_each_loopback_is_allowed(hostile, host):
    server = hostile(answer_each(OPEN_RESPONSE), host=host)
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["verdict"] == "allowed"


def test_reset_mid_headers(hostile):
    def handle(conn: Connection) -> None:
        conn.read_head()
        conn.send(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Or")
        time.sleep(0.05)  # let the partial head reach the client before the RST
        conn.reset()

    server = hostile(handle)
    assert_unreachable(server.url("/api"), "127.0.0.1")


def test_reset_mid_body_still_judges_the_head(hostile):
    """CORS is decided by the response head; fetch() resolves before the body (which then fails)."""

    def handle(conn: Connection) -> None:
        conn.read_head()
        conn.send(OPEN_HEAD.replace(b"Content-Length: 2", b"Content-Length: 100000") + b"partial")
        time.sleep(0.05)
        conn.reset()

    server = hostile(handle)
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["verdict"] == "allowed"


@pytest.mark.parametrize("host", LOOPBACKS)
def test_accept_and_never_answer_ends_within_timeout(hostile, host):
    server = hostile(lambda conn: conn.read_head() and time.sleep(30), host=host)
    outcome = assert_unreachable(server.url("/api"), "within 1 s", timeout="1")
    assert outcome.elapsed < 1 + SLACK


def test_headers_dripped_one_byte_per_100ms_end_within_timeout(hostile):
    """httpx's read timeout restarts with every byte; the check's own deadline must still hold."""

    def handle(conn: Connection) -> None:
        conn.read_head()
        for byte in OPEN_HEAD * 10:
            if not conn.send(bytes([byte])):
                return
            time.sleep(0.1)

    server = hostile(handle)
    started = time.monotonic()
    outcome = assert_unreachable(server.url("/api"), "within 1.5 s", timeout="1.5")
    assert outcome.elapsed < 1.5 + SLACK
    # Both runs (text and --json) together, so neither hid a hang behind the other.
    assert time.monotonic() - started < 2 * (1.5 + SLACK)


def test_timeout_bounds_the_whole_check_not_each_request(hostile):
    """A preflight and an actual request that each take 0.7 s break a 1 s budget for the check."""

    def slow_but_allowing(head: bytes) -> bytes:
        time.sleep(0.7)
        return (
            b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n"
            b"Access-Control-Allow-Methods: PUT\r\nContent-Length: 0\r\n\r\n"
        )

    server = hostile(answer_each(slow_but_allowing))
    outcome = check(server.url("/api"), "-X", "PUT", "--timeout", "1")
    assert_one_line_error(outcome, 3, "within 1 s")
    assert outcome.elapsed < 1 + SLACK
    assert len(server.heads) == 2  # the preflight got its answer; the actual request ran out of time


@pytest.mark.parametrize(
    "status_line",
    [b"SMTP 220 mail.example\r\n", b"\x00\x01\x02\r\n"],
    ids=["not-http", "binary"],
)
def test_status_line_that_is_not_http(hostile, status_line):
    """Chromium 156: net::ERR_INVALID_HTTP_RESPONSE (an HTTP/0.9 reply on a non-default port)."""
    server = hostile(answer_each(status_line + b"Access-Control-Allow-Origin: *\r\n\r\n"))
    assert_unreachable(server.url("/api"), "invalid HTTP response")


@pytest.mark.parametrize(
    ("status_line", "status"),
    [
        (b"HTTP/1.1 abc Nope\r\n", 200),  # no digits: Chromium assumes 200
        (b"HTTP/2 200\r\n", 200),  # any version
        (b"http/1.0 204\r\n", 204),  # any case, no reason phrase
        (b"HTTP/1.1 2000 OK\r\n", 2000),
    ],
    ids=["non-numeric", "http-2-version", "lower-case", "four-digit"],
)
def test_status_line_chromium_tolerates(hostile, status_line, status):
    """Chromium 156 reads each of these (checked in the browser); fetch() reports ``status``."""
    server = hostile(
        answer_each(status_line + b"Access-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n")
    )
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["actual"]["status"] == status


def test_http_1_0_response_without_content_length(hostile):
    def handle(conn: Connection) -> None:
        conn.read_head()
        conn.send(b"HTTP/1.0 200 OK\r\nAccess-Control-Allow-Origin: *\r\n\r\nbody until close")
        conn.sock.close()

    server = hostile(handle)
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    document = outcome.json()
    assert document["verdict"] == "allowed"
    assert document["steps"][0]["response"]["http_version"] == "HTTP/1.0"


def test_server_that_closes_without_a_response(hostile):
    server = hostile(lambda conn: conn.read_head() and conn.sock.close())
    assert_unreachable(server.url("/api"), "127.0.0.1")


def test_unknown_host_is_unreachable():
    # .invalid never resolves (RFC 6761); a resolver that cannot answer at all hits the deadline instead.
    outcome = check("https://corscheck-fault.invalid/api", "--timeout", "3")
    line = assert_one_line_error(outcome, 3, "corscheck-fault.invalid")
    assert "resolve" in line or "within 3 s" in line
    assert outcome.elapsed < 3 + SLACK
