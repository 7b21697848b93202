"""`corscheck rules [CODE]`: list the finding codes, or explain one."""

from __future__ import annotations

from typing import Annotated

import typer

from corscheck.cli.output import fail
from corscheck.core.rules import RULES, Rule, find_rule, render_rules_markdown
from corscheck.exitcodes import ExitCode


def _explain(rule: Rule) -> str:
    parts = [
        f"{rule.code} ({rule.severity}, since {rule.since})"
        + (f", also written {', '.join(rule.aliases)}" if rule.aliases else ""),
        rule.title,
        "",
        rule.summary,
        "",
        f"Why it matters: {rule.why}",
        "",
        f"Fix: {rule.fix}",
        "",
        "Example:",
        *(f"    {line}" for line in rule.example.splitlines()),
    ]
    if rule.chromium:
        parts += ["", f"Chromium error: {rule.chromium.value}"]
    return "\n".join(parts) + "\n"


def rules(
    code: Annotated[
        str | None, typer.Argument(help="A finding code, e.g. CORS-ORIGIN-MISSING.", show_default=False)
    ] = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/rules.md.")] = False,
) -> None:
    """List the finding codes, or explain one."""
    if markdown:
        print(render_rules_markdown(), end="")
    elif code is None:
        width = max(len(c) for c in RULES)
        for rule in RULES.values():
            print(f"{rule.code:<{width}}  {rule.severity:<7}  {rule.title}")
    elif (found := find_rule(code)) is not None:
        print(_explain(found), end="")
    else:
        fail(f"unknown rule code {code!r}; `corscheck rules` lists them", ExitCode.USAGE)
