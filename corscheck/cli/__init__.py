"""The command line: typer options in, exit codes out (the only typer importer)."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Iterable
from typing import Annotated

import typer

from corscheck import __version__
from corscheck.cli.output import OneLineErrors
from corscheck.exitcodes import ExitCode

#: Each command (its function has the command's name, in the module of that name), in help order,
#: and whether it prints its help when given no arguments.
COMMANDS = {
    "check": True,
    "rules": False,
    "run": False,
    "demo": False,
    "explain": True,
    "har": True,
    "audit": False,
}


def build_app(commands: Iterable[str] = COMMANDS) -> typer.Typer:
    """The command line with ``commands`` registered (each command's module imported)."""
    app = typer.Typer(
        name="corscheck",
        help="Would a real browser (Chromium) let this page's JavaScript read that response?",
        no_args_is_help=True,
        cls=OneLineErrors,
        context_settings={"help_option_names": ["-h", "--help"]},
        # Plain click help: identical in the README, and no rich import just to print it.
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    for name in commands:
        module = importlib.import_module(f"corscheck.cli.{name}")
        app.command(no_args_is_help=COMMANDS[name])(getattr(module, name))
    return app


def _print_version(value: bool) -> None:
    if value:
        print(f"corscheck {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Would a real browser (Chromium) let this page's JavaScript read that response?"""


def __getattr__(name: str) -> typer.Typer:
    """``corscheck.cli.app``: every command (for tests and embedding), built on first use."""
    if name != "app":
        raise AttributeError(name)
    app = globals()["app"] = build_app()
    return app


def main(prog_name: str = "corscheck") -> None:
    """Run the CLI; whatever happens, exit with a documented code and never a traceback."""
    # httpcore imports trio whenever it is installed (~60 ms); this process never runs trio.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    # typer builds every registered command's options at start-up: a command line naming its
    # command gets only that one (~15 ms less; the others' modules are not even imported).
    named = sys.argv[1:2]
    try:
        build_app(named if named and named[0] in COMMANDS else COMMANDS)(prog_name=prog_name)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("CORSCHECK_DEBUG"):
            traceback.print_exc()
        hint = "" if os.environ.get("CORSCHECK_DEBUG") else " (set CORSCHECK_DEBUG=1 for the traceback)"
        from corscheck.report.sanitise import sanitise

        print(f"corscheck: internal error: {type(exc).__name__}: {sanitise(str(exc))}{hint}", file=sys.stderr)
        sys.exit(ExitCode.INTERNAL_ERROR)
