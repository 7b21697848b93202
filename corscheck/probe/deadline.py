"""One deadline for a whole check.

A socket timeout restarts with every read, so a server that trickles its response a byte at a time
would otherwise hold a check far beyond --timeout. The probe bounds every socket operation by
``bounded()``, the time left to the check that the calling thread is running (set with ``deadline``),
so the request is still sent in the caller's thread: a thread per request cost ``corscheck run`` a
third of its speed (bench/bench_run.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

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


def bounded(timeout: float | None) -> float | None:
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
