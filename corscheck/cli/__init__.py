"""The command line: typer options in, exit codes out (the only typer importer)."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from corscheck import __version__
from corscheck.cli import audit, check, demo, explain, har, rules, run
from corscheck.exitcodes import ExitCode

app = typer.Typer(
    name="corscheck",
    help="Would a real browser (Chromium) let this page's JavaScript read that response?",
    no_args_is_help=True,
    # Plain click help: identical in the README, and no rich import just to print it.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.command(no_args_is_help=True)(check.check)
app.command()(rules.rules)
app.command()(run.run)
app.command()(demo.demo)
app.command(no_args_is_help=True)(explain.explain)
app.command(no_args_is_help=True)(har.har)
app.command()(audit.audit)


def _print_version(value: bool) -> None:
    if value:
        print(f"corscheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Would a real browser (Chromium) let this page's JavaScript read that response?"""


def main(prog_name: str = "corscheck") -> None:
    """Run the CLI; whatever happens, exit with a documented code and never a traceback."""
    # httpcore imports trio whenever it is installed (~60 ms); this process never runs trio.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    try:
        app(prog_name=prog_name)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("CORSCHECK_DEBUG"):
            traceback.print_exc()
        hint = "" if os.environ.get("CORSCHECK_DEBUG") else " (set CORSCHECK_DEBUG=1 for the traceback)"
        from corscheck.report.sanitise import sanitise

        print(f"corscheck: internal error: {type(exc).__name__}: {sanitise(str(exc))}{hint}", file=sys.stderr)
        sys.exit(ExitCode.INTERNAL_ERROR)
