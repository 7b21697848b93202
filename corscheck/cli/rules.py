"""`corscheck rules [CODE]`: list the finding codes, or explain one."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from corscheck.cli import options
from corscheck.cli.output import ColorMode, fail, terminal_width, use_color
from corscheck.core.rules import RULES, Rule, find_rule, render_rules_markdown
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from rich.console import RenderableType


def _explain(rule: Rule) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.text import Text

    from corscheck.report.text import SEVERITY_STYLES

    heading = (
        Text(rule.code, style="bold") + Text(" (") + Text(str(rule.severity), SEVERITY_STYLES[rule.severity])
    )
    heading.append(
        f", since {rule.since}" + (f", also written {', '.join(rule.aliases)}" if rule.aliases else "") + ")"
    )
    parts: list[RenderableType] = [heading, Text(rule.title), Text(""), Text(rule.summary), Text("")]
    parts += [Text("Why it matters: ", style="bold") + Text(rule.why), Text("")]
    parts += [Text("Fix: ", style="bold green") + Text(rule.fix), Text(""), Text("Example:", style="bold")]
    parts += [Padding(Text(line), (0, 0, 0, 4)) for line in rule.example.splitlines()]
    if rule.chromium:
        parts += [Text(""), Text(f"Chromium error: {rule.chromium.value}")]
    return parts


def _table(width: int) -> list[RenderableType]:
    """One rule a line; on a narrow terminal the title goes under its code instead of being cut."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from corscheck.report.text import SEVERITY_STYLES

    code_width = max(len(code) for code in RULES)
    stacked = width < code_width + 9 + 40  # room for the code, the severity and a 40-column title
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    if not stacked:
        grid.add_column()
    lines: list[RenderableType] = []
    for rule in RULES.values():
        severity = Text(str(rule.severity), SEVERITY_STYLES[rule.severity])
        if stacked:
            lines += [
                Text(rule.code, style="bold") + Text("  ") + severity,
                Padding(Text(rule.title), (0, 0, 0, 4)),
            ]
        else:
            grid.add_row(rule.code, severity, rule.title)
    return lines if stacked else [grid]


def rules(
    code: Annotated[
        str | None, typer.Argument(help="A finding code, e.g. CORS-ORIGIN-MISSING.", show_default=False)
    ] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/rules.md.")] = False,
    color: options.Color = ColorMode.AUTO,
    no_color: options.NoColor = False,
) -> None:
    """List the finding codes, or explain one."""
    from corscheck.report.text import to_text

    if markdown:
        print(render_rules_markdown(), end="")
        return
    width = terminal_width()
    if code is None:
        lines = _table(width)
    elif (found := find_rule(code)) is not None:
        lines = _explain(found)
    else:
        fail(f"unknown rule code {code!r}; `corscheck rules` lists them", ExitCode.USAGE)
    sys.stdout.write(to_text(lines, width=width, color=use_color(color, sys.stdout, no_color=no_color)))
