"""Send an audit's probe requests: one request each, a small body read so connections are reused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from corscheck.core.audit import Audit, AuditResult, AuditSpec, ProbeRequest
from corscheck.core.model import NetworkFailure, ResponseHead
from corscheck.probe.clients import Clients
from corscheck.probe.deadline import DeadlineExceeded, deadline
from corscheck.probe.failures import network_failure
from corscheck.probe.send import MAX_TIMEOUT, SEND_ERRORS, head_of, timed_out, to_httpx

#: A body up to this size is read so the connection goes back to the pool; a larger one is dropped
#: with its connection (probe answers are judged by their head alone).
REUSE_BODY_LIMIT = 64 * 1024


class Politeness:
    """At most ``per_host`` requests in flight to one host, and at most ``rate`` requests a second
    in all (0: no limit)."""

    def __init__(self, per_host: int, rate: float) -> None:
        self._per_host = per_host
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._next_start = 0.0

    def slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self._per_host)
            return slot

    def wait_turn(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self._interval
        if start > now:
            time.sleep(start - now)


class AuditProbe:
    """Runs audits over shared clients; thread-safe (the runner shares one between threads)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        verify: bool = True,
        politeness: Politeness | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        #: Seconds allowed for each probe request.
        self.timeout = min(timeout, MAX_TIMEOUT)
        self._clients = Clients(verify=verify, transport=transport)
        self._politeness = politeness or Politeness(per_host=4, rate=0)

    def audit(self, spec: AuditSpec, on_request: Callable[[], None] | None = None) -> AuditResult:
        audit = Audit(spec)
        while probes := audit.next_stage():
            for probe in probes:
                outcome = self._send(probe)
                if isinstance(outcome, NetworkFailure):
                    audit.fail(probe, outcome)
                else:
                    audit.receive(probe, outcome)
                if on_request is not None:
                    on_request()
        return audit.result()

    def _send(self, probe: ProbeRequest) -> ResponseHead | NetworkFailure:
        planned = probe.request
        with self._politeness.slot(planned.url):
            self._politeness.wait_turn()
            try:
                with deadline(self.timeout):
                    return self._exchange(to_httpx(planned, self.timeout))
            except DeadlineExceeded:
                return timed_out(planned, self.timeout)
            except SEND_ERRORS as exc:
                return network_failure(exc, planned.url, self.timeout)

    def _exchange(self, request: httpx.Request) -> ResponseHead:
        response = self._clients.for_url(request.url).send(request, stream=True)
        try:
            head = head_of(response)
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > REUSE_BODY_LIMIT:
                    break
            return head
        finally:
            response.close()

    def close(self) -> None:
        self._clients.close()

    def __enter__(self) -> AuditProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
