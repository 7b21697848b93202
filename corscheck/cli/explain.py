"""`corscheck explain "MESSAGE"`: name the rule behind a browser's console CORS error and the server fix."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from corscheck.cli.output import fail
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.core.console import ConsoleError


def render_explanation(error: ConsoleError) -> str:
    from corscheck.core.advice import server_fix
    from corscheck.core.rules import RULES

    rule = RULES[error.code]
    facts = [
        ("browser", error.browser),
        ("url", error.url),
        ("redirected from", error.first_url),
        ("origin", error.origin),
        ("value", error.value),
        ("status", str(error.status) if error.status else None),
        ("failed on", "the preflight (OPTIONS) response" if error.preflight else None),
    ]
    lines = [f"{rule.code}: {rule.title}", ""]
    lines += [f"  {name + ':':<17}{value}" for name, value in facts if value]
    lines += ["", rule.summary, "", f"Why it matters: {rule.why}", "", f"Fix: {server_fix(error)}"]
    if error.also:
        lines += [
            "",
            f"{error.browser.capitalize()} prints the same words for {', '.join(error.also)};"
            " run `corscheck check` against the URL to tell which.",
        ]
    return "\n".join(lines) + "\n"


def explain(
    message: Annotated[
        str,
        typer.Argument(
            help="The console error, quoted; - reads it from stdin.", metavar="MESSAGE", show_default=False
        ),
    ],
) -> None:
    """Explain a browser console CORS error and the server fix."""
    from corscheck.core.console import recognise

    text = sys.stdin.read() if message == "-" else message
    try:
        error = recognise(text)
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    print(render_explanation(error), end="")
