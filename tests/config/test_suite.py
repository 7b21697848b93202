"""Judging checks against expectations, and running them concurrently in config order."""

import threading
import time

from corscheck.config import CheckCase
from corscheck.core.model import NetworkFailure, RequestSpec, Severity, Verdict
from corscheck.suite import CaseOutcome, Selection, Summary, evaluate, run_cases
from tests.core.conftest import respond, run_exchange

PAGE = "https://app.example"
API = "https://api.example/x"


def case(expect="allowed", **spec):
    return CheckCase(
        "c", RequestSpec(API, PAGE, probe_reflection=False, **spec), Verdict(expect), "corscheck.toml", 3
    )


def result_for(c, *lines, status=200):
    return run_exchange(c.spec, lambda r: respond(status, *lines))


def test_allowed_as_expected_passes():
    c = case()
    outcome = evaluate(c, result_for(c, ("Access-Control-Allow-Origin", "*")), Selection())
    assert outcome.passed and outcome.reasons == ()


def test_expected_block_passes_despite_its_deciding_error():
    c = case("blocked")
    outcome = evaluate(c, result_for(c), Selection())
    assert outcome.result.findings[0].severity is Severity.ERROR
    assert outcome.passed


def test_wrong_verdict_fails_with_a_reason():
    c = case("blocked")
    outcome = evaluate(c, result_for(c, ("Access-Control-Allow-Origin", "*")), Selection())
    assert not outcome.passed
    assert outcome.reasons == ("expected blocked, got allowed",)


def test_unreadable_expose_header_fails():
    c = case(expose=("X-Total-Count",))
    outcome = evaluate(
        c, result_for(c, ("Access-Control-Allow-Origin", "*"), ("X-Total-Count", "1")), Selection()
    )
    assert outcome.reasons == ("JavaScript cannot read X-Total-Count",)


def test_fail_on_warning_and_select_ignore():
    c_null = CheckCase("c", RequestSpec(API, "null", probe_reflection=False), Verdict.ALLOWED, "f", 1)
    result = run_exchange(c_null.spec, lambda r: respond(200, ("Access-Control-Allow-Origin", "null")))
    assert evaluate(c_null, result, Selection()).passed
    failing = evaluate(c_null, result, Selection(fail_on=Severity.WARNING))
    assert not failing.passed and failing.reasons[0].startswith("LINT-NULL-ALLOWED")
    assert evaluate(
        c_null, result, Selection(fail_on=Severity.WARNING, ignore=("LINT-NULL", "LINT-NO-VARY"))
    ).passed
    selected = evaluate(c_null, result, Selection(fail_on=Severity.WARNING, select=("CORS-",)))
    assert selected.passed and all(f.code.startswith("CORS-") for f in selected.findings)


def test_unreachable_counts_as_error_in_summary():
    c = case()
    result = run_exchange(c.spec, lambda r: NetworkFailure("refused", "connection refused", r.url))
    outcome = evaluate(c, result, Selection())
    summary = Summary()
    summary.add(outcome)
    assert (summary.total, summary.passed, summary.failed, summary.errors) == (1, 0, 1, 1)


def test_run_cases_keeps_order_and_bounds_concurrency():
    running = 0
    peak = 0
    lock = threading.Lock()
    cases = [
        CheckCase(f"c{i}", RequestSpec(f"{API}?i={i}", PAGE, probe_reflection=False), Verdict.ALLOWED, "f", 1)
        for i in range(40)
    ]

    def check(spec):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01 * (int(spec.url.rsplit("=", 1)[1]) % 3))
        with lock:
            running -= 1
        return run_exchange(spec, lambda r: respond(200, ("Access-Control-Allow-Origin", "*")))

    outcomes = list(run_cases(cases, check, Selection(), concurrency=4))
    assert [o.case.name for o in outcomes] == [c.name for c in cases]
    assert all(isinstance(o, CaseOutcome) and o.passed for o in outcomes)
    assert 1 < peak <= 4


def test_a_readable_alias_selects_and_ignores_its_code():
    from corscheck.core.model import Finding, Severity
    from corscheck.suite import Selection

    finding = Finding("LINT-ACAC-NOT-TRUE", Severity.INFO, "m")
    assert Selection(select=("LINT-ALLOW-CREDENTIALS",)).keeps(finding)
    assert not Selection(ignore=("LINT-ALLOW-CREDENTIALS-NOT-TRUE",)).keeps(finding)
    assert not Selection(select=("CORS-",)).keeps(finding)
