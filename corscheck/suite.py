"""corscheck run: judge each expanded check against its expectation, running checks concurrently."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from corscheck.config import CheckCase
from corscheck.core.model import CheckResult, Finding, RequestSpec, Severity, Verdict
from corscheck.core.rules import names_of

_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Selection:
    """Which finding codes count (``--select`` / ``--ignore``, prefixes allowed) and ``--fail-on``."""

    fail_on: Severity = Severity.ERROR
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def keeps(self, finding: Finding) -> bool:
        names = names_of(finding.code)  # a readable alias selects its code too
        if self.select and not any(name.startswith(self.select) for name in names):
            return False
        return not (self.ignore and any(name.startswith(self.ignore) for name in names))


@dataclass(frozen=True)
class CaseOutcome:
    """One check's result and whether it met its expectation."""

    case: CheckCase
    result: CheckResult
    passed: bool
    #: Why it failed, one sentence each (empty when it passed).
    reasons: tuple[str, ...] = ()
    #: The findings left after --select/--ignore.
    findings: tuple[Finding, ...] = field(default=())

    @property
    def unreachable(self) -> bool:
        return self.result.verdict is Verdict.ERROR


def evaluate(case: CheckCase, result: CheckResult, selection: Selection) -> CaseOutcome:
    """Pass when the verdict is the expected one, every expose header is readable and no kept
    finding reaches --fail-on. The finding that decided an expected block, and the ones that would
    fail after it, do not count."""
    findings = tuple(f for f in result.findings if selection.keeps(f))
    reasons = []
    if result.verdict is not case.expect:
        reasons.append(f"expected {case.expect}, got {result.verdict}")
    if result.verdict is Verdict.ALLOWED:
        reasons += [f"JavaScript cannot read {name}" for name in result.unreadable_expose]
    deciding = result.findings[0] if result.verdict is Verdict.BLOCKED else None
    for finding in findings:
        explained = finding is deciding or finding.next or finding.code == "CORS-EXPOSE-MISSING"
        if not explained and _RANK[finding.severity] >= _RANK[selection.fail_on]:
            reasons.append(f"{finding.code}: {finding.message}")
    return CaseOutcome(case, result, not reasons, tuple(reasons), findings)


#: How far past the oldest unfinished check the workers may run. A stalled check then overlaps
#: with the ones after it instead of holding the pool, while finished outcomes waiting for it to
#: be reported stay bounded in memory.
LOOKAHEAD_PER_WORKER = 64


def run_cases(
    cases: Iterable[CheckCase],
    check: Callable[[RequestSpec], CheckResult],
    selection: Selection,
    concurrency: int = 16,
    stop: threading.Event | None = None,
) -> Iterator[CaseOutcome]:
    """Run every case (at most ``concurrency`` at once) and yield outcomes in config order.

    Threads over one shared client: httpx's AsyncClient slowed down with concurrency on these
    machines (see bench/bench_run.py), while a thread pool held its speed. The workers are daemon
    threads, so a stopped run (``stop`` set, e.g. by Ctrl-C) ends at once instead of waiting for
    checks in flight; it then yields the outcomes finished so far, still in config order.
    """
    return _Scheduler(iter(cases), check, selection, max(1, concurrency), stop or threading.Event()).run()


class _Scheduler:
    """Workers take cases in config order; outcomes are handed out in that order as they finish."""

    def __init__(
        self,
        cases: Iterator[CheckCase],
        check: Callable[[RequestSpec], CheckResult],
        selection: Selection,
        workers: int,
        stop: threading.Event,
    ) -> None:
        self._cases = cases
        self._check = check
        self._selection = selection
        self._workers = workers
        self._stop = stop
        self._lookahead = workers * LOOKAHEAD_PER_WORKER
        self._changed = threading.Condition()
        #: Index → finished outcome (or the exception a check raised), until it is handed out.
        self._finished: dict[int, CaseOutcome | BaseException] = {}
        self._taken = 0  # cases taken by workers so far
        self._handed_out = 0  # outcomes yielded so far
        self._exhausted = False

    def run(self) -> Iterator[CaseOutcome]:
        for _ in range(self._workers):
            threading.Thread(target=self._work, daemon=True, name="corscheck-check").start()
        while True:
            with self._changed:
                while not self._next_ready() and not self._stop.is_set():
                    # A timed wait: Ctrl-C's handler sets ``stop`` but cannot notify.
                    self._changed.wait(0.05)
                if self._stop.is_set():
                    break
                if self._handed_out == self._taken and self._exhausted:
                    return
                outcome = self._finished.pop(self._handed_out)
                self._handed_out += 1
                self._changed.notify_all()
            yield self._raise_or_return(outcome)
        with self._changed:  # stopped: what finished, in order
            leftovers = [self._finished[i] for i in sorted(self._finished)]
        for outcome in leftovers:
            yield self._raise_or_return(outcome)

    def _next_ready(self) -> bool:
        done = self._exhausted and self._handed_out == self._taken
        return done or self._handed_out in self._finished

    @staticmethod
    def _raise_or_return(outcome: CaseOutcome | BaseException) -> CaseOutcome:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _take(self) -> tuple[int, CheckCase] | None:
        """The next case for a worker, once it is within the lookahead; None when there is none."""
        with self._changed:
            while not self._stop.is_set() and self._taken >= self._handed_out + self._lookahead:
                self._changed.wait(0.05)
            if self._stop.is_set() or self._exhausted:
                return None
            try:
                case = next(self._cases)
            except StopIteration:
                self._exhausted = True
                self._changed.notify_all()
                return None
            except BaseException as exc:  # noqa: BLE001 - a lazy config's error reaches the reader
                self._exhausted = True
                self._finished[self._taken] = exc
                self._taken += 1
                self._changed.notify_all()
                return None
            self._taken += 1
            return self._taken - 1, case

    def _work(self) -> None:
        while (taken := self._take()) is not None:
            index, case = taken
            try:
                outcome: CaseOutcome | BaseException = evaluate(case, self._check(case.spec), self._selection)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the reader's thread
                outcome = exc
            with self._changed:
                self._finished[index] = outcome
                self._changed.notify_all()


@dataclass
class Summary:
    total: int = 0
    passed: int = 0
    failed: int = 0
    #: Checks whose target could not be reached (counted in failed too).
    errors: int = 0

    def add(self, outcome: CaseOutcome) -> None:
        self.total += 1
        if outcome.passed:
            self.passed += 1
        else:
            self.failed += 1
        if outcome.unreachable:
            self.errors += 1
