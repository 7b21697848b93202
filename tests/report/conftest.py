"""Results for reporter tests, computed by the real engine from plain-data responses (no network)."""

import pytest

from corscheck.core.engine import Exchange
from corscheck.core.model import NetworkFailure, RequestSpec, ResponseHead


def check(spec: RequestSpec, answers: dict) -> object:
    """Run ``spec`` with ``answers``: request kind → ResponseHead or NetworkFailure."""
    exchange = Exchange(spec)
    while (request := exchange.next_request()) is not None:
        answer = answers[str(request.kind)]
        if isinstance(answer, NetworkFailure):
            exchange.fail(answer)
        else:
            exchange.receive(answer)
    return exchange.result()


@pytest.fixture
def result_of():
    return check


def head(status=200, *lines):
    return ResponseHead(status, tuple(lines), "OK")
