"""Drive the Exchange with a plain-data 'server': a function from PlannedRequest to ResponseHead."""

import pytest

from corscheck.core.engine import Exchange
from corscheck.core.model import NetworkFailure, ResponseHead


def respond(status=200, *lines):
    return ResponseHead(status, tuple(lines))


def run_exchange(spec, server):
    """Run ``spec`` against ``server``; a server may return a NetworkFailure instead of a head."""
    exchange = Exchange(spec)
    seen = []
    while (request := exchange.next_request()) is not None:
        seen.append(request)
        answer = server(request)
        if isinstance(answer, NetworkFailure):
            exchange.fail(answer)
        else:
            exchange.receive(answer)
    return exchange.result()


@pytest.fixture
def run():
    return run_exchange
