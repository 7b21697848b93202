"""The audit's plan and judgement on plain data: which stage sends what, and which risk each answer earns."""

from __future__ import annotations

from collections.abc import Callable

from corscheck.core.audit import Audit, AuditResult, AuditSpec, request_counts
from corscheck.core.audit_probes import LEAD_CHARACTERS, SPECIAL_CHARACTERS
from corscheck.core.model import ResponseHead

TRUSTED = "https://app.example.com"
Server = Callable[[str, str], list[tuple[str, str]]]


def run(server: Server, **spec: object) -> tuple[AuditResult, list[list[str]]]:
    """Drive an Audit against a function (origin, method) → header lines; also return each stage's origins."""
    audit = Audit(AuditSpec("https://api.example.com/me", (TRUSTED,), token="tok", **spec))  # type: ignore[arg-type]
    stages = []
    while probes := audit.next_stage():
        stages.append([p.probe.origin for p in probes])
        for probe in probes:
            origin = dict(probe.request.headers)["Origin"]
            audit.receive(probe, ResponseHead(200, tuple(server(origin, probe.request.method))))
    return audit.result(), stages


def echo(origin: str, credentials: str = "true") -> list[tuple[str, str]]:
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", credentials),
        ("Vary", "Origin"),
    ]


def risks(result: AuditResult) -> dict[str, str]:
    return {f.code: str(f.risk) for f in result.findings}


def test_a_strict_list_is_probed_in_full_and_passes():
    result, stages = run(lambda origin, method: echo(origin) if origin == TRUSTED else [])
    assert risks(result) == {}
    assert len(stages) == 2  # no special character got through: stage 3 is not needed
    assert "https://app.example.com.tok.com" in stages[1] and "null" in stages[0]
    stage_three = len(SPECIAL_CHARACTERS) - len(LEAD_CHARACTERS)
    assert (
        result.requests
        == sum(request_counts(AuditSpec("https://api.example.com/me", (TRUSTED,)))) - stage_three
    )


def test_no_cors_at_all_costs_stage_one_only():
    result, stages = run(lambda origin, method: [])
    assert (risks(result), len(stages), result.requests) == ({}, 1, 4)


def test_a_parser_that_stops_at_underscore_brings_the_other_characters_and_engine_aware_risks():
    def stops_at_specials(origin: str, method: str) -> list[tuple[str, str]]:
        host = origin.removeprefix("https://")
        for char in "_`!~$&'()*+,;={}^|-":
            host = host.split(char)[0]
        return echo(origin) if f"https://{host}" == TRUSTED else []

    result, stages = run(stops_at_specials)
    assert len(stages) == 3
    (finding,) = result.findings
    assert (finding.code, str(finding.risk)) == ("AUDIT-ORIGIN-SPECIAL-CHAR", "critical")
    lines = finding.message.splitlines()
    assert any(
        line.startswith("https://app.example.com_.tok.com, https://app.example.com-.tok.com:")
        and "(critical" in line
        for line in lines
    )
    assert any(
        "app.example.com!.tok.com" in line and "(high" in line and "Safari only" in line for line in lines
    )
    assert any("app.example.com^.tok.com" in line and "no browser sends" in line for line in lines)


def test_a_static_allow_origin_is_learned_and_cannot_be_fooled():
    result, _ = run(lambda origin, method: [("Access-Control-Allow-Origin", "https://www.example.com")])
    assert "https://www.example.com" in result.trusted
    assert risks(result) == {}


def test_star_with_credentials_true_is_still_only_info():
    result, _ = run(
        lambda origin, method: [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Credentials", "true"),
        ]
    )
    assert risks(result) == {"AUDIT-WILDCARD": "info"}


def test_an_echo_without_vary_is_flagged_only_when_the_value_really_varies():
    def no_vary(origin: str, method: str) -> list[tuple[str, str]]:
        return [("Access-Control-Allow-Origin", origin)] if origin == TRUSTED else []

    def fixed(origin: str, method: str) -> list[tuple[str, str]]:
        return [("Access-Control-Allow-Origin", TRUSTED)]

    assert risks(run(no_vary)[0]) == {"AUDIT-VARY-MISSING": "low"}
    assert risks(run(fixed)[0]) == {}


def test_upper_case_trust_is_info_because_no_browser_sends_it():
    def case_blind(origin: str, method: str) -> list[tuple[str, str]]:
        return echo(origin) if origin.lower() == TRUSTED else []

    assert risks(run(case_blind)[0]) == {"AUDIT-ORIGIN-CASE": "info"}


def test_a_preflight_only_hole_is_found_with_the_named_request():
    def loose_preflight(origin: str, method: str) -> list[tuple[str, str]]:
        if method == "OPTIONS":
            return [
                *echo(origin),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-token"),
            ]
        return echo(origin) if origin == TRUSTED else []

    result, stages = run(loose_preflight, method="PUT", headers=(("X-Token", "1"),))
    assert risks(result) == {"AUDIT-ORIGIN-REFLECTED": "critical"}
    assert "pass the preflight for PUT with x-token with cookies" in result.findings[0].message
    # Without -X/-H the same server has nothing to show.
    assert risks(run(loose_preflight)[0]) == {}


def test_an_http_origin_is_high_and_says_why():
    def http_too(origin: str, method: str) -> list[tuple[str, str]]:
        return echo(origin) if origin in (TRUSTED, "http://app.example.com") else []

    result, _ = run(http_too)
    assert risks(result) == {"AUDIT-ORIGIN-HTTP": "high"}
    assert "network attacker" in result.findings[0].message


def test_a_trusted_playground_host_is_critical():
    result, _ = run(lambda origin, method: echo(origin) if origin in (TRUSTED, "https://codepen.io") else [])
    assert risks(result) == {"AUDIT-ORIGIN-PUBLISH-ANYTHING": "critical"}


def test_a_host_compared_without_its_port_is_low():
    def any_port(origin: str, method: str) -> list[tuple[str, str]]:
        return echo(origin) if origin.split(":")[:2] == TRUSTED.split(":") else []

    result, _ = run(any_port)
    assert risks(result) == {"AUDIT-ORIGIN-PORT": "low"}
