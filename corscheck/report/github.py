"""GitHub Actions workflow commands (::error file=…::message) for `corscheck run`."""

from __future__ import annotations

from collections.abc import Iterable

from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome

#: GitHub shows only this many annotations per step; the rest go to the log as plain lines.
MAX_ANNOTATIONS = 10


def _property(value: str) -> str:
    return (
        value.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(outcomes: Iterable[CaseOutcome], *, show_secrets: bool = False) -> str:
    lines = []
    annotated = 0
    for outcome in outcomes:
        if outcome.passed:
            continue
        case = outcome.case
        code = outcome.findings[0].code if outcome.findings else "expectation"
        text = f"{case.name}: " + "; ".join(outcome.reasons)
        if outcome.result.browser_message:
            text += f"\n{outcome.result.browser_message}"
        text = shown(text, show_secrets=show_secrets, newlines=True)
        source = shown(case.source, show_secrets=True)
        if annotated < MAX_ANNOTATIONS:
            annotated += 1
            title = _property(f"corscheck ({code})")
            lines.append(f"::error file={_property(source)},line={case.line},title={title}::{_message(text)}")
        else:
            lines.append(f"corscheck: {source}:{case.line}: {_message(text)}")
    return "".join(line + "\n" for line in lines)
