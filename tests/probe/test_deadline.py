"""The check's deadline bounds every socket wait, in the caller's thread."""

import socket
import time

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import Probe
from corscheck.probe.deadline import bounded, deadline
from tests.conftest import Reply

PAGE = "https://app.example"
ACAO = ("Access-Control-Allow-Origin", "*")


def test_bounded_is_the_timeout_outside_a_deadline():
    assert bounded(5.0) == 5.0
    assert bounded(None) is None


def test_bounded_shortens_a_timeout_to_the_time_left():
    with deadline(0.5):
        assert 0.4 < bounded(10.0) <= 0.5
        assert 0.4 < bounded(None) <= 0.5
        assert bounded(0.1) == 0.1


def test_an_inner_deadline_never_extends_the_outer_one_and_ends_with_its_block():
    with deadline(0.5):
        with deadline(60):
            assert bounded(None) <= 0.5
        with deadline(0.05):
            assert bounded(None) <= 0.05
        assert 0.05 < bounded(None) <= 0.5
    assert bounded(None) is None


def test_a_passed_deadline_still_waits_a_moment_never_forever():
    with deadline(0):
        assert 0 < bounded(None) < 0.01  # 0 would make the socket non-blocking, None unbounded


def test_a_host_name_that_never_resolves_ends_at_the_deadline(monkeypatch):
    def resolver_that_never_answers(*args, **kwargs):
        time.sleep(2)
        raise AssertionError("the deadline should have ended the wait")

    monkeypatch.setattr(socket, "getaddrinfo", resolver_that_never_answers)
    started = time.monotonic()
    with Probe(timeout=0.2) as probe:
        result = probe.check(RequestSpec("https://api.example/", PAGE, probe_reflection=False))
    assert result.failure.kind == "timeout"
    assert time.monotonic() - started < 1.0


def test_a_body_read_to_the_byte_keeps_its_connection_for_the_next_check(server):
    """Bytes a broken server sends past its Content-Length (or after a 204) never become the next
    response (test_failures.py pins that): a connection is reused only after an exact read."""
    server.routes[("GET", "/api")] = Reply(200, [ACAO], body=b"x" * 1000)
    with Probe(timeout=5) as probe:
        for _ in range(2):
            result = probe.check(RequestSpec(server.url("/api"), PAGE, probe_reflection=False))
            assert result.verdict is Verdict.ALLOWED
    assert server.connections == 1
