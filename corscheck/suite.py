"""corscheck run: judge each expanded check against its expectation, running checks concurrently."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corscheck.config import CheckCase
from corscheck.core.model import CheckResult, Finding, RequestSpec, Severity, Verdict
from corscheck.core.rules import names_of

if TYPE_CHECKING:
    from concurrent.futures import Future

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

    @property
    def unexplained_reasons(self) -> tuple[str, ...]:
        """The reasons no kept finding states (a wrong verdict, an unreadable header, a status)."""
        stated = {f"{f.code}: {f.message}" for f in self.findings}
        return tuple(reason for reason in self.reasons if reason not in stated)

    def visible_findings(self, *, verbose: bool = False) -> tuple[Finding, ...]:
        """What a report shows: errors when the check failed (a passed check's errors are the block
        it expected), warnings always, infos when verbose."""
        shown = {Severity.WARNING}
        if not self.passed:
            shown.add(Severity.ERROR)
        if verbose:
            shown.add(Severity.INFO)
        return tuple(f for f in self.findings if f.severity in shown)


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
    status = result.actual.response.status if result.actual and result.actual.response else None
    if case.status and status is not None and not case.status[0] <= status <= case.status[1]:
        low, high = case.status
        reasons.append(f"expected status {low if low == high else f'{low}-{high}'}, got {status}")
    deciding = result.findings[0] if result.verdict is Verdict.BLOCKED else None
    for finding in findings:
        explained = finding is deciding or finding.next or finding.code == "CORS-EXPOSE-MISSING"
        if not explained and _RANK[finding.severity] >= _RANK[selection.fail_on]:
            reasons.append(f"{finding.code}: {finding.message}")
    return CaseOutcome(case, result, not reasons, tuple(reasons), findings)


def run_cases(
    cases: Iterable[CheckCase],
    check: Callable[[RequestSpec], CheckResult],
    selection: Selection,
    concurrency: int = 16,
) -> Iterator[CaseOutcome]:
    """Run every case (at most ``concurrency`` at once) and yield outcomes in config order.

    Threads over one shared client: httpx's AsyncClient slowed down with concurrency on these
    machines (see bench/bench_run.py), while a thread pool held its speed.
    """
    from concurrent.futures import ThreadPoolExecutor  # here: `corscheck check` only uses evaluate()

    workers = max(1, concurrency)
    pending_cases = iter(cases)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # A sliding window keeps memory flat however many checks there are, and config order.
        window: deque[tuple[CheckCase, Future[CheckResult]]] = deque()

        def submit_next() -> None:
            case = next(pending_cases, None)
            if case is not None:
                window.append((case, pool.submit(check, case.spec)))

        for _ in range(2 * workers):
            submit_next()
        while window:
            case, future = window.popleft()
            result = future.result()
            submit_next()
            yield evaluate(case, result, selection)


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
