"""`corscheck run --format text`: one line per check as it finishes, then a summary table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome, Summary


def outcome_line(outcome: CaseOutcome, *, show_secrets: bool = False) -> Text:
    """Outside text (names, reasons, the console line) only ever in Text objects: no markup."""
    case, result = outcome.case, outcome.result
    if outcome.passed:
        line = Text("PASS ", style="bold green")
    else:
        line = Text("FAIL ", style="bold red")
    line.append(shown(case.name, show_secrets=show_secrets), style="bold")
    line.append(f"  {result.verdict}", style="dim")
    for reason in outcome.reasons:
        line.append(f"\n     {shown(reason, show_secrets=show_secrets)}", style="red")
    if not outcome.passed and result.browser_message:
        message = shown(result.browser_message, show_secrets=show_secrets)
        line.append(f"\n     Chromium: {message}", style="dim")
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
