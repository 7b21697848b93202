"""A hard deadline for one blocking call: httpx's timeouts restart with every read, so a server that
trickles its response a byte at a time would otherwise hold a check far beyond --timeout."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DeadlineExceeded(Exception):
    pass


def call_with_deadline(call: Callable[[], T], seconds: float) -> T:
    """Return ``call()``, or raise DeadlineExceeded once ``seconds`` have passed.

    The call runs in a daemon thread; one that overruns is abandoned (its own per-read timeout,
    or the client closing, ends it later, and it never holds up the process exit).
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
