"""`corscheck run --format text`: one line per check as it finishes, then a summary table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from corscheck.suite import CaseOutcome, Summary


def outcome_line(outcome: CaseOutcome) -> Text:
    case, result = outcome.case, outcome.result
    if outcome.passed:
        line = Text("PASS ", style="bold green")
    else:
        line = Text("FAIL ", style="bold red")
    line.append(case.name, style="bold")
    line.append(f"  {result.verdict}", style="dim")
    for reason in outcome.reasons:
        line.append(f"\n     {reason}", style="red")
    if not outcome.passed and result.browser_message:
        line.append(f"\n     Chromium: {result.browser_message}", style="dim")
    return line


def summary_table(summary: Summary, source: str) -> Table:
    table = Table(title=f"corscheck run: {source}", title_justify="left")
    for column in ("total", "passed", "failed", "unreachable"):
        table.add_column(column, justify="right")
    table.add_row(
        str(summary.total),
        Text(str(summary.passed), style="green"),
        Text(str(summary.failed), style="red" if summary.failed else ""),
        Text(str(summary.errors), style="red" if summary.errors else ""),
    )
    return table
