"""corscheck audit over many URLs: concurrent audits, results in input order, memory flat."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from corscheck.core.audit import AuditResult, AuditSpec


def run_audits(
    specs: Iterable[AuditSpec], audit: Callable[[AuditSpec], AuditResult], concurrency: int = 16
) -> Iterator[AuditResult]:
    """Audit every spec (at most ``concurrency`` URLs at once) and yield results in input order."""
    workers = max(1, concurrency)
    pending = iter(specs)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # A sliding window: memory stays flat however long the list of URLs is.
        window: deque[Future[AuditResult]] = deque()

        def submit_next() -> None:
            spec = next(pending, None)
            if spec is not None:
                window.append(pool.submit(audit, spec))

        for _ in range(2 * workers):
            submit_next()
        while window:
            result = window.popleft().result()
            submit_next()
            yield result
