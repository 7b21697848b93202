"""One deadline for a whole check.

httpx's timeouts restart with every read, so a server that trickles its response a byte at a time
would otherwise hold a check far beyond --timeout. ``DeadlineBackend`` bounds every socket operation
by the time left to the check that the calling thread is running (set with ``deadline``), so the
request is still sent in the caller's thread: a thread per request cost ``corscheck run`` a third of
its speed (bench/bench_run.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpcore

from corscheck.core.origin import ip_literal

T = TypeVar("T")

#: A socket timeout of 0 would mean "non-blocking", not "already late".
_SHORTEST_WAIT = 0.001

_current = threading.local()


class DeadlineExceeded(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every network wait of this thread, until the block ends, by ``seconds`` in all
    (or less, inside a block with an earlier deadline)."""
    previous: float | None = getattr(_current, "at", None)
    at = time.monotonic() + seconds
    _current.at = at if previous is None else min(previous, at)
    try:
        yield
    finally:
        _current.at = previous


def _bounded(timeout: float | None) -> float | None:
    """``timeout``, shortened to what is left of this thread's deadline."""
    at: float | None = getattr(_current, "at", None)
    if at is None:
        return timeout
    left = max(at - time.monotonic(), _SHORTEST_WAIT)
    return left if timeout is None else min(timeout, left)


def call_with_deadline(call: Callable[[], T], seconds: float) -> T:
    """Return ``call()``, or raise DeadlineExceeded once ``seconds`` have passed.

    For calls that take no timeout of their own (name resolution, an in-process app). The call runs
    in a daemon thread; one that overruns is abandoned and never holds up the process exit.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name="corscheck-send", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DeadlineExceeded
    if failure:
        raise failure[0]
    return outcome[0]


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every wait bounded by the calling thread's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        seconds = _bounded(timeout)

        def connect() -> httpcore.NetworkStream:
            return self._inner.connect_tcp(host, port, seconds, local_address, socket_options)

        if seconds is None or ip_literal(host) is not None:
            return DeadlineStream(connect())
        # Name resolution has no timeout of its own, so a connection to a host name is made in a
        # helper thread.
        try:
            return DeadlineStream(call_with_deadline(connect, seconds))
        except DeadlineExceeded:
            raise httpcore.ConnectTimeout(f"no connection to {host} within the time left") from None

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
