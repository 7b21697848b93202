"""GitHub Actions workflow commands (::error file=…::message) for `corscheck run`."""

from __future__ import annotations

from collections.abc import Iterable

from corscheck.config import CheckCase
from corscheck.core.model import Severity
from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome

#: GitHub shows only this many annotations per step; the rest go to the log as plain lines.
MAX_ANNOTATIONS = 10


def annotation_property(value: str) -> str:
    return (
        value.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def annotation_message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _location(case: CheckCase) -> str:
    """Where the check is defined (nothing for `corscheck check`, which has no file)."""
    if not case.source:
        return ""
    return f"file={annotation_property(shown(case.source, show_secrets=True))},line={case.line},"


#: Finding severity → the workflow command that annotates it.
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(outcomes: Iterable[CaseOutcome], *, verbose: bool = False, show_secrets: bool = False) -> str:
    """An ::error per failed check, then a ::warning (::notice with verbose) per finding that did not
    fail it, so a warning shows even on a passing run. Outside text is sanitised, secrets masked."""
    annotations: list[tuple[str, str, str, CheckCase]] = []  # (command, title, text, check) in order
    for outcome in outcomes:
        case = outcome.case
        failing = set()
        if not outcome.passed:
            code = outcome.findings[0].code if outcome.findings else "expectation"
            text = f"{case.name}: " + "; ".join(outcome.reasons)
            if outcome.result.browser_message:
                text += f"\n{outcome.result.browser_message}"
            annotations.append(("error", f"corscheck ({code})", text, case))
            failing = {reason.partition(":")[0] for reason in outcome.reasons}
        for finding in outcome.visible_findings(verbose=verbose):
            if finding.severity is Severity.ERROR or finding.code in failing:
                continue  # already in the check's ::error
            title = f"corscheck ({finding.code})"
            annotations.append((COMMANDS[finding.severity], title, f"{case.name}: {finding.message}", case))
    lines = []
    for index, (command, title, raw, case) in enumerate(annotations):
        text = shown(raw, show_secrets=show_secrets, newlines=True)
        if index < MAX_ANNOTATIONS:
            title = annotation_property(title)
            lines.append(f"::{command} {_location(case)}title={title}::{annotation_message(text)}")
        else:
            where = f"{shown(case.source, show_secrets=True)}:{case.line}: " if case.source else ""
            lines.append(f"corscheck: {command}: {where}{annotation_message(text)}")
    return "".join(line + "\n" for line in lines)
