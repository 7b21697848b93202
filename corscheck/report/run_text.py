"""`corscheck run --format text`: one line per check as it finishes, then a summary table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from corscheck.core.model import Severity
from corscheck.core.profiles import PROFILES
from corscheck.core.rules import fix_of
from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome, Summary

SEVERITY_STYLES = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def outcome_line(outcome: CaseOutcome, *, verbose: bool = False, show_secrets: bool = False) -> Text:
    """PASS/FAIL and the name, then each reason and each finding worth seeing (warnings even when
    the check passed, infos with -v): severity, code, message and the fix. Outside text (names,
    reasons, messages, the console line) only ever in Text objects, sanitised: no markup."""
    case, result = outcome.case, outcome.result
    if outcome.passed:
        line = Text("PASS ", style="bold green")
    else:
        line = Text("FAIL ", style="bold red")
    line.append(shown(case.name, show_secrets=show_secrets), style="bold")
    line.append(f"  {result.verdict}", style="dim")
    for reason in outcome.unexplained_reasons:
        line.append(f"\n     {shown(reason, show_secrets=show_secrets)}", style="red")
    for finding in outcome.visible_findings(verbose=verbose):
        line.append(f"\n     {finding.severity:<7} ", style=SEVERITY_STYLES[finding.severity])
        line.append(finding.code, style="bold")
        if finding.next:
            line.append("  (would fail next)", style="dim")
        line.append(f"  {shown(finding.message, show_secrets=show_secrets)}")
        if finding.severity is not Severity.INFO:
            fix = shown(fix_of(finding), show_secrets=show_secrets)
            line.append(f"\n             fix: {fix}", style="dim")
    if not outcome.passed and result.browser_message:
        message = shown(result.browser_message, show_secrets=show_secrets)
        line.append(f"\n     {PROFILES[result.spec.browser].title}: {message}", style="dim")
    return line


def summary_table(summary: Summary, source: str) -> Table:
    # A Text title: a config path is outside text, and a str title would be read as markup.
    title = Text(f"corscheck run: {shown(source, show_secrets=True)}")
    table = Table(title=title, title_justify="left")
    for column in ("total", "passed", "failed", "unreachable"):
        table.add_column(column, justify="right")
    table.add_row(
        str(summary.total),
        Text(str(summary.passed), style="green"),
        Text(str(summary.failed), style="red" if summary.failed else ""),
        Text(str(summary.errors), style="red" if summary.errors else ""),
    )
    return table
