"""Reports of `corscheck audit`: text, json, junit, sarif and github, each a pure function of results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from corscheck import __version__
from corscheck.core.audit import AuditResult
from corscheck.core.audit_probes import RISK_ORDER, Risk
from corscheck.core.rules import RULES
from corscheck.report.github import annotation_message, annotation_property
from corscheck.report.sanitise import sanitise

#: SARIF and GitHub speak three levels.
LEVELS = {
    Risk.CRITICAL: "error",
    Risk.HIGH: "error",
    Risk.MEDIUM: "warning",
    Risk.LOW: "warning",
    Risk.INFO: "note",
}


def at_or_above(risk: Risk, threshold: Risk) -> bool:
    return RISK_ORDER.index(risk) <= RISK_ORDER.index(threshold)


def failed(result: AuditResult, threshold: Risk) -> bool:
    return any(at_or_above(f.risk, threshold) for f in result.findings)


def _clean(text: str) -> str:
    """Outside text (URLs, what a server sent) as the one sanitiser shows it; line breaks kept."""
    return sanitise(text, newlines=True)


def render_text(results: Sequence[AuditResult], threshold: Risk) -> str:
    lines = []
    for result in results:
        if result.failure is not None:
            lines.append(f"UNREACHABLE {_clean(result.url)}: {_clean(result.failure.message)}")
            continue
        status = "FAIL" if failed(result, threshold) else "ok  "
        worst = f" (worst: {result.worst})" if result.worst else ""
        lines.append(f"{status} {_clean(result.url)}: {len(result.findings)} finding(s){worst}")
        lines.append(f"  trusted: {_clean(', '.join(result.trusted))}")
        for finding in result.findings:
            message = _clean(finding.message).replace("\n", "\n      ")
            lines.append(f"  [{finding.risk}] {finding.code}\n      {message}")
            lines.append(f"      Fix: {RULES[finding.code].fix}")
    lines.append(_summary_line(results, threshold))
    return "\n".join(lines) + "\n"


def _summary_line(results: Sequence[AuditResult], threshold: Risk) -> str:
    counts = dict.fromkeys(RISK_ORDER, 0)
    for result in results:
        for finding in result.findings:
            counts[finding.risk] += 1
    failing = sum(failed(r, threshold) for r in results)
    unreachable = sum(r.failure is not None for r in results)
    requests = sum(r.requests for r in results)
    found = ", ".join(f"{n} {risk}" for risk, n in counts.items() if n) or "no findings"
    return (
        f"{len(results)} URL(s), {requests} request(s): {found}; {failing} at or above {threshold},"
        f" {unreachable} unreachable"
    )


def _result_json(result: AuditResult) -> dict[str, Any]:
    return {
        "url": result.url,
        "trusted": list(result.trusted),
        "requests": result.requests,
        "error": None
        if result.failure is None
        else {"kind": result.failure.kind, "message": result.failure.message},
        "findings": [
            {
                "code": f.code,
                "risk": str(f.risk),
                "severity": LEVELS[f.risk],
                "message": f.message,
                "origins": list(f.origins),
            }
            for f in result.findings
        ],
    }


def render_json(results: Sequence[AuditResult], threshold: Risk) -> str:
    document = {
        "schema": 1,
        "command": "audit",
        "version": __version__,
        "fail_on": str(threshold),
        "results": [_result_json(r) for r in results],
        "summary": {
            "urls": len(results),
            "requests": sum(r.requests for r in results),
            "failed": sum(failed(r, threshold) for r in results),
            "unreachable": sum(r.failure is not None for r in results),
        },
    }
    return json.dumps(document, indent=2) + "\n"


def render_junit(results: Sequence[AuditResult], threshold: Risk) -> str:
    cases = []
    failures = errors = 0
    for result in results:
        name = quoteattr(_clean(result.url))
        if result.failure is not None:
            errors += 1
            body = f"<error message={quoteattr(_clean(result.failure.message))}/>"
        elif failed(result, threshold):
            failures += 1
            text = "\n\n".join(f"[{f.risk}] {f.code}\n{f.message}" for f in result.findings)
            worst = result.worst
            body = f"<failure message={quoteattr(f'worst finding: {worst}')}>{escape(_clean(text))}</failure>"
        else:
            body = ""
        cases.append(f'  <testcase classname="corscheck.audit" name={name}>{body}</testcase>')
    head = (
        f'<testsuite name="corscheck audit" tests="{len(results)}" failures="{failures}" errors="{errors}">'
    )
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', head, *cases, "</testsuite>"]) + "\n"


def render_sarif(results: Sequence[AuditResult], threshold: Risk) -> str:
    codes = sorted({f.code for r in results for f in r.findings})
    rules = [
        {
            "id": code,
            "name": "".join(part.title() for part in code.split("-")),
            "shortDescription": {"text": RULES[code].title},
            "fullDescription": {"text": RULES[code].summary},
            "help": {"text": f"{RULES[code].why}\nFix: {RULES[code].fix}"},
        }
        for code in codes
    ]
    index = {code: i for i, code in enumerate(codes)}
    findings = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.risk],
            "message": {"text": f"{r.url}: {f.message}"},
            "properties": {"risk": str(f.risk), "origins": list(f.origins)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": r.url}}}],
        }
        for r in results
        for f in r.findings
        if at_or_above(f.risk, threshold)
    ]
    driver = {"name": "corscheck", "semanticVersion": __version__, "rules": rules}
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": findings}],
    }
    return json.dumps(log, indent=2) + "\n"


def render_github(results: Sequence[AuditResult], threshold: Risk) -> str:
    lines = []
    for result in results:
        if result.failure is not None:
            failure = _clean(f"{result.url}: {result.failure.message}")
            lines.append(f"::error title=corscheck audit::{annotation_message(failure)}")
        for f in result.findings:
            level = LEVELS[f.risk] if at_or_above(f.risk, threshold) else "notice"
            level = "notice" if level == "note" else level
            title = annotation_property(f"corscheck audit ({f.code}, {f.risk})")
            message = annotation_message(_clean(f"{result.url}: {f.message}"))
            lines.append(f"::{level} title={title}::{message}")
    return "".join(line + "\n" for line in lines)


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}
