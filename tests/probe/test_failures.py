"""Faults between corscheck and the server: each becomes the right NetworkFailure, within --timeout."""

import socket
import ssl
import threading
import time

import httpcore
import httpx
import pytest
import trustme

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import Probe, run_check
from corscheck.probe.failures import network_failure
from corscheck.probe.wire import HeadersTooBig, NoResponse, ProtocolError
from tests.conftest import Reply

PAGE = "https://app.example"
ACAO = "Access-Control-Allow-Origin"


def spec(url, **kwargs):
    return RequestSpec(url, PAGE, probe_reflection=False, **kwargs)


def as_httpx_raises(outer, inner, os_error):
    """httpx.X raised from httpcore.X raised from the OSError, the chain httpx really produces."""
    try:
        try:
            raise inner from os_error
        except httpcore.NetworkError as exc:
            raise outer from exc
    except httpx.TransportError as exc:
        return exc


@pytest.mark.parametrize(
    ("os_error", "kind"),
    [
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "tls"),
        (OSError(101, "Network is unreachable"), "other"),
    ],
)
def test_connect_errors_classified_by_their_cause(os_error, kind):
    error = as_httpx_raises(httpx.ConnectError("x"), httpcore.ConnectError("x"), os_error)
    failure = network_failure(error, "https://api.example/", 10)
    assert failure.kind == kind
    assert failure.url == "https://api.example/"


def test_reset_says_reset():
    error = as_httpx_raises(httpx.ReadError("x"), httpcore.ReadError("x"), ConnectionResetError(104, "reset"))
    failure = network_failure(error, "https://api.example/", 10)
    assert (failure.kind, "reset" in failure.message) == ("other", True)


def test_self_referencing_cause_chain_terminates():
    error = httpx.ConnectError("x")
    error.__cause__ = RuntimeError("wrapper")
    error.__cause__.__cause__ = error
    assert network_failure(error, "https://api.example/", 10).kind == "other"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (TimeoutError("timed out"), "timeout"),
        (NoResponse("closed"), "protocol"),
        (ProtocolError("illegal status line"), "protocol"),
        (ValueError("port out of range"), "other"),
        # httpx's, from an in-process app or the --page loader
        (httpx.ConnectTimeout("timed out"), "timeout"),
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.RemoteProtocolError("illegal status line"), "protocol"),
    ],
)
def test_send_errors_become_failures_of_the_check(error, kind):
    assert network_failure(error, "https://api.example/", 10).kind == kind


def test_a_head_over_chromiums_limit_says_so():
    failure = network_failure(HeadersTooBig("over"), "https://api.example/", 10)
    assert failure.kind == "protocol"
    assert "ERR_RESPONSE_HEADERS_TOO_BIG" in failure.message


def test_unresolvable_host_is_a_dns_failure():
    result = run_check(spec("https://corscheck-test.invalid/"), timeout=5)
    assert result.failure.kind in ("dns", "timeout")  # a resolver without network may time out


class RawServer:
    """A TCP server on 127.0.0.1 that runs ``handle(connection)`` for each client: for bytes no
    well-behaved HTTP server would send."""

    def __init__(self, handle):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/"
        self._handle = handle
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _run(self, connection):
        with connection:
            try:
                connection.recv(65536)
                self._handle(connection)
            except OSError:
                pass

    def close(self):
        self._listener.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(handle):
        servers.append(RawServer(handle))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_garbage_response_is_a_protocol_failure(raw_server):
    server = raw_server(lambda conn: conn.sendall(b"SMTP ready\r\n\r\n"))
    result = run_check(spec(server.url))
    assert result.failure.kind == "protocol"


def test_silent_server_times_out_within_the_deadline(raw_server):
    server = raw_server(lambda conn: time.sleep(3))
    started = time.monotonic()
    result = run_check(spec(server.url), timeout=0.3)
    assert result.failure.kind == "timeout"
    assert time.monotonic() - started < 1.0


def test_trickling_server_cannot_stretch_the_deadline(raw_server):
    def trickle(conn):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
            conn.sendall(bytes([byte]))
            time.sleep(0.05)

    server = raw_server(trickle)
    started = time.monotonic()
    result = run_check(spec(server.url), timeout=0.5)
    assert result.failure.kind == "timeout"
    assert time.monotonic() - started < 1.2


def test_body_is_never_read(raw_server):
    def head_then_stall(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 100000\r\n\r\n")
        time.sleep(3)

    server = raw_server(head_then_stall)
    started = time.monotonic()
    result = run_check(spec(server.url), timeout=2)
    assert result.verdict is Verdict.ALLOWED
    assert time.monotonic() - started < 1.0


def test_deadline_spans_every_request_of_a_check(server):
    server.routes[("OPTIONS", "/api")] = Reply(
        204, [(ACAO, "*"), ("Access-Control-Allow-Methods", "PUT")], delay=0.3
    )
    server.routes[("PUT", "/api")] = Reply(200, [(ACAO, "*")], delay=0.3)
    result = run_check(spec(server.url("/api"), method="PUT"), timeout=0.45)
    assert result.preflight.passed is True
    assert result.failure.kind == "timeout"


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture
def https_server(serve, certificate_authority):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    server = serve(tls=context)
    server.route("/api", (ACAO, "*"))
    return server


def test_untrusted_certificate_is_a_tls_failure(https_server):
    result = run_check(spec(https_server.url("/api")))
    assert result.failure.kind == "tls"
    assert "certificate" in result.failure.message


def test_insecure_skips_verification(https_server):
    result = run_check(spec(https_server.url("/api")), verify=False)
    assert result.verdict is Verdict.ALLOWED


def test_bytes_past_content_length_never_become_the_next_response(raw_server):
    answer = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nokEXTRA"

    def too_long_body(conn):
        conn.sendall(answer)
        while conn.recv(65536):  # every further request on this connection
            conn.sendall(answer)

    server = raw_server(too_long_body)
    with Probe(timeout=5) as probe:
        for _ in range(3):
            result = probe.check(spec(server.url))
            assert result.verdict is Verdict.ALLOWED, result.failure
