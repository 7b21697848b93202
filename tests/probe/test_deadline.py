"""The check's deadline bounds every socket wait, in the caller's thread."""

import time

import httpcore
import pytest

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import Probe
from corscheck.probe.deadline import DeadlineBackend, _bounded, deadline
from tests.conftest import Reply

PAGE = "https://app.example"
ACAO = ("Access-Control-Allow-Origin", "*")


def test_bounded_is_the_timeout_outside_a_deadline():
    assert _bounded(5.0) == 5.0
    assert _bounded(None) is None


def test_bounded_shortens_a_timeout_to_the_time_left():
    with deadline(0.5):
        assert 0.4 < _bounded(10.0) <= 0.5
        assert 0.4 < _bounded(None) <= 0.5
        assert _bounded(0.1) == 0.1


def test_an_inner_deadline_never_extends_the_outer_one_and_ends_with_its_block():
    with deadline(0.5):
        with deadline(60):
            assert _bounded(None) <= 0.5
        with deadline(0.05):
            assert _bounded(None) <= 0.05
        assert 0.05 < _bounded(None) <= 0.5
    assert _bounded(None) is None


def test_a_passed_deadline_still_waits_a_moment_never_forever():
    with deadline(0):
        assert 0 < _bounded(None) < 0.01  # 0 would make the socket non-blocking, None unbounded


class SlowResolver(httpcore.NetworkBackend):
    """A backend whose connect blocks like a resolver that never answers."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        time.sleep(2)
        raise AssertionError("the deadline should have ended the wait")


def test_a_host_name_that_never_resolves_ends_at_the_deadline():
    backend = DeadlineBackend(SlowResolver())
    started = time.monotonic()
    with deadline(0.2), pytest.raises(httpcore.ConnectTimeout):
        backend.connect_tcp("api.example", 443, timeout=10)
    assert time.monotonic() - started < 1.0


def test_a_read_body_still_does_not_keep_its_connection_for_reuse(server):
    """A small body is read before hanging up (test_hang_up.py), but reusing the connection was
    tried and dropped: bytes a broken server sends past its Content-Length (or after a 204) then
    became the next response (test_failures.py pins that)."""
    server.routes[("GET", "/api")] = Reply(200, [ACAO], body=b"x" * 1000)
    with Probe(timeout=5) as probe:
        for _ in range(2):
            result = probe.check(RequestSpec(server.url("/api"), PAGE, probe_reflection=False))
            assert result.verdict is Verdict.ALLOWED
    assert server.connections == 2
