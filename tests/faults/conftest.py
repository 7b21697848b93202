"""Fixtures for the fault suite: hostile raw-socket servers, closed after each test."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from tests.faults.hostile import HostileServer


def _ipv6_loopback_works() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


IPV6 = _ipv6_loopback_works()
LOOPBACKS = ["127.0.0.1", pytest.param("::1", marks=pytest.mark.skipif(not IPV6, reason="no IPv6 loopback"))]


@pytest.fixture
def hostile() -> Iterator[Callable[..., HostileServer]]:
    """``hostile(handler, host=..., tls=...)`` starts a HostileServer for this test."""
    servers: list[HostileServer] = []

    def start(handler, **kwargs) -> HostileServer:
        servers.append(HostileServer(handler, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
