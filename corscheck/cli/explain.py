"""`corscheck explain "MESSAGE"`: name the rule behind a browser's console CORS error and the server fix."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from corscheck.cli import options
from corscheck.cli.output import ColorMode, fail, terminal_width, use_color
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from rich.console import RenderableType

    from corscheck.core.console import ConsoleError
    from corscheck.core.console_hints import ConsoleHint
    from corscheck.core.model import RequestSpec

#: A header value for `-H`: what the page sends does not matter to the check, only the name does.
_SOME_VALUE = "1"


def request_of(error: ConsoleError) -> RequestSpec | None:
    """The fetch() the message describes, as far as it says (None without a URL)."""
    from corscheck.core.model import Credentials, RequestSpec

    if not error.url:
        return None
    code = error.code
    return RequestSpec(
        url=error.first_url or error.url,
        origin=error.origin or "ORIGIN",
        method=error.value if code == "CORS-METHOD-NOT-ALLOWED" and error.value else "GET",
        headers=((error.value, _SOME_VALUE),) if code == "CORS-HEADER-NOT-ALLOWED" and error.value else (),
        credentials=Credentials.INCLUDE
        if code in ("CORS-WILDCARD-CREDENTIALS", "CORS-CREDENTIALS-NOT-TRUE")
        else Credentials.SAME_ORIGIN,
    )


def _next_steps(spec: RequestSpec | None, preflight: bool) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.text import Text

    from corscheck.report.command import check_command
    from corscheck.report.sanitise import sanitise

    if spec is None:
        return []
    lines: list[RenderableType] = [Text(""), Text("Confirm it (and see what else would fail):", style="bold")]
    # Never wrapped: a terminal soft-wraps it and a copy keeps it one command.
    lines.append(Text(f"  {sanitise(check_command(spec), newlines=True)}", no_wrap=True, overflow="ignore"))
    notes = []
    if spec.origin == "ORIGIN":
        notes.append("ORIGIN: the page's origin, which the message does not name")
    if preflight and spec.method == "GET" and not spec.headers:
        notes.append("add the -X and -H the page's fetch() uses: they caused the preflight")
    lines += [Padding(Text(f"({note})", style="italic"), (0, 0, 0, 2)) for note in notes]
    return lines


def render_explanation(error: ConsoleError) -> list[RenderableType]:
    from rich.text import Text

    from corscheck.core.advice import server_fix
    from corscheck.core.rules import RULES
    from corscheck.report.sanitise import sanitise

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
    lines: list[RenderableType] = [Text(f"{rule.code}: {rule.title}", style="bold red"), Text("")]
    lines += [Text(f"  {name + ':':<17}{sanitise(value, newlines=True)}") for name, value in facts if value]
    lines += [Text(""), Text(rule.summary), Text(""), Text("Why it matters: ", style="bold") + Text(rule.why)]
    lines += [Text(""), Text("Fix: ", style="bold green") + Text(sanitise(server_fix(error), newlines=True))]
    if error.also:
        lines += [
            Text(""),
            Text(
                f"{error.browser.capitalize()} prints the same words for {', '.join(error.also)};"
                " run `corscheck check` against the URL to tell which."
            ),
        ]
    return lines + _next_steps(request_of(error), error.preflight)


def render_hint(hint: ConsoleHint) -> list[RenderableType]:
    from rich.text import Text

    from corscheck.core.model import RequestSpec
    from corscheck.report.sanitise import sanitise

    lines: list[RenderableType] = [Text(hint.title, style="bold"), Text(""), Text(hint.explanation)]
    if hint.url:
        origin = sanitise(hint.origin or "ORIGIN", newlines=True)
        spec = RequestSpec(url=sanitise(hint.url, newlines=True), origin=origin, method=hint.method or "GET")
        lines += _next_steps(spec, preflight=False)
    return lines


def _fix_snippet(framework: str, error: ConsoleError, color: bool, width: int) -> list[RenderableType]:
    from rich.text import Text

    from corscheck.fixes import FRAMEWORKS, fix_for_request
    from corscheck.report.snippet import highlight

    if framework not in FRAMEWORKS:  # auto: explain has a message, no response to recognise
        raise InputError(
            "--fix-for auto recognises the server from its responses: use check, or name a framework"
        )
    spec = request_of(error)
    if spec is None or spec.origin == "ORIGIN":
        raise InputError("--fix-for needs a message that names the URL and the page's origin")
    _, lexer = FRAMEWORKS[framework]
    code = highlight(fix_for_request(framework, spec), lexer, color=color, width=width)
    title = (
        f"Server configuration for {framework} from this message alone (the check above merges in"
        " what the server already allows):"
    )
    snippet = Text.from_ansi(code) if color else Text(code)
    snippet.no_wrap, snippet.overflow = True, "ignore"
    return [Text(""), Text(title, style="bold"), Text(""), snippet]


def explanation_json(error: ConsoleError) -> str:
    """--json: schema 1, the recognised facts and the rule's words, for scripts and editors."""
    from corscheck.core.advice import server_fix
    from corscheck.core.rules import RULES

    rule = RULES[error.code]
    document = {
        "schema": 1,
        "code": rule.code,
        "severity": str(rule.severity),
        "title": rule.title,
        **{name: value for name, value in asdict(error).items() if name != "code"},
        "also": list(error.also),
        "summary": rule.summary,
        "fix": server_fix(error),
    }
    return json.dumps(document, indent=2) + "\n"


def explain(
    message: Annotated[
        str,
        typer.Argument(
            help="The console error, quoted; - reads it from stdin.", metavar="MESSAGE", show_default=False
        ),
    ],
    fix_for: options.FixFor = None,
    json_output: options.Json = False,
    color_mode: options.Color = ColorMode.AUTO,
    no_color: options.NoColor = False,
) -> None:
    """Explain a browser console CORS error and the server fix."""
    from corscheck.core.console import recognise
    from corscheck.core.console_hints import hint_for
    from corscheck.report.text import to_text

    text = sys.stdin.read() if message == "-" else message
    color = use_color(color_mode, sys.stdout, no_color=no_color)
    width = terminal_width()
    try:
        try:
            error = recognise(text)
        except InputError:
            hint = hint_for(text)
            if hint is None or fix_for is not None or json_output:
                raise
            sys.stdout.write(to_text(render_hint(hint), width=width, color=color))
            return
        if json_output:
            sys.stdout.write(explanation_json(error))
            return
        lines = render_explanation(error)
        if fix_for is not None:
            lines += _fix_snippet(fix_for.value, error, color, width)
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    sys.stdout.write(to_text(lines, width=width, color=color))
