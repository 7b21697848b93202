"""The ``--json`` report: schema 1, the public contract documented field by field in the README."""

from __future__ import annotations

import json
from typing import Any

from corscheck.core.headers import as_dict
from corscheck.core.model import CheckResult, Finding, HeaderLines, Step
from corscheck.core.rules import fix_of
from corscheck.report import RenderOptions
from corscheck.report.secrets import mask_lines, mask_text

SCHEMA = 1


def _lines(lines: HeaderLines) -> list[list[str]]:
    return [[name, value] for name, value in lines]


def _step_summary(step: Step | None, show_secrets: bool) -> dict[str, Any] | None:
    """The contract's view of one step: header names lower-cased, repeated lines joined with ", "."""
    if step is None:
        return None
    response = step.response
    return {
        "status": response.status if response else None,
        "response_headers": as_dict(mask_lines(response.headers, show_secrets)) if response else {},
        # A same-origin request has no check to fail (passed is None in the engine).
        "passed": step.passed is not False,
    }


def _preflight(result: CheckResult, show_secrets: bool) -> dict[str, Any] | None:
    step = result.preflight
    if step is None:
        return None
    request = {
        "method": step.request.method,
        "headers": as_dict(mask_lines(step.request.headers, show_secrets)),
    }
    return {"required": True, "request": request, **(_step_summary(step, show_secrets) or {})}


def _step(step: Step, show_secrets: bool) -> dict[str, Any]:
    """Every request and response line exactly as sent and received (names keep their case)."""
    request, response = step.request, step.response
    return {
        "kind": str(request.kind),
        "request": {
            "method": request.method,
            "url": mask_text(request.url, show_secrets),
            "header_lines": _lines(mask_lines(request.headers, show_secrets)),
        },
        "response": None
        if response is None
        else {
            "status": response.status,
            "reason": response.reason,
            "http_version": response.http_version,
            "header_lines": _lines(mask_lines(response.headers, show_secrets)),
        },
        "passed": step.passed,
    }


def _masked(value: object, show_secrets: bool) -> object:
    """A finding detail: URLs in it lose their secrets like every other URL."""
    return mask_text(value, show_secrets) if isinstance(value, str) else value


def finding_to_dict(finding: Finding, show_secrets: bool) -> dict[str, Any]:
    """One finding as every JSON document shows it (check, run, har)."""
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "message": mask_text(finding.message, show_secrets),
        "details": {key: _masked(value, show_secrets) for key, value in finding.details.items()},
        # Additions: the fix in this request's words, and whether the browser would fail it only
        # after the blocking one (never part of the verdict).
        "fix": mask_text(fix_of(finding), show_secrets),
        "next": finding.next,
    }


def result_to_dict(
    result: CheckResult, *, show_secrets: bool = False, tls_verify: bool = True
) -> dict[str, Any]:
    spec = result.spec
    cache = result.preflight_cache
    failure = result.failure

    def masked(text: str) -> str:
        return mask_text(text, show_secrets)

    return {
        "schema": SCHEMA,
        "url": masked(spec.url),
        "origin": spec.origin,
        "request": {
            "method": result.method,
            "headers": dict(mask_lines(result.sent_headers, show_secrets)),
            "credentials": str(spec.credentials),
            "mode": str(spec.mode),  # added to schema 1
        },
        "verdict": str(result.verdict),
        "preflight": _preflight(result, show_secrets),
        "actual": _step_summary(result.actual, show_secrets),
        "redirects": [
            {"from": masked(hop.from_url), "to": masked(hop.to_url), "status": hop.status}
            for hop in result.redirects
        ],
        "exposed_headers": sorted(result.exposed_headers),
        "findings": [finding_to_dict(f, show_secrets) for f in result.findings],
        "browser_message": None if result.browser_message is None else masked(result.browser_message),
        # Additions to the schema-1 contract (new fields only; existing ones never change).
        "unreadable_expose": list(result.unreadable_expose),
        "preflight_cache": None
        if cache is None
        else {
            "max_age_header": cache.header,
            "chromium_seconds": cache.chromium_seconds,
            "seconds": cache.seconds,  # the simulated browser's
        },
        "failure": None
        if failure is None
        else {"kind": failure.kind, "message": masked(failure.message), "url": masked(failure.url)},
        "steps": [_step(step, show_secrets) for step in result.steps],
        # False when --preflight-only kept the actual request back (its response was never judged).
        "actual_sent": not result.actual_withheld,
        # False when -k turned certificate verification off.
        "tls_verify": tls_verify,
        "browser": spec.browser,
        "servers": [
            {
                "framework": guess.framework,
                "name": guess.name,
                "confidence": guess.confidence,
                "evidence": list(guess.evidence),
                "versions": guess.versions,
                "fix_for": guess.fix_for,
            }
            for guess in result.servers
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str) + "\n"


def render(result: CheckResult, options: RenderOptions) -> str:
    return dumps(result_to_dict(result, show_secrets=options.show_secrets, tls_verify=options.tls_verify))
