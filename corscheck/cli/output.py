"""Where output goes: one-line errors on stderr, colour decided per stream."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NoReturn, TextIO

import typer
from typer._click import exceptions as click_errors  # typer 0.28 vendors click
from typer._click.core import ParameterSource
from typer.core import TyperGroup

from corscheck.exitcodes import ExitCode
from corscheck.report.sanitise import shown


class ColorMode(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(mode: ColorMode, stream: TextIO, *, no_color: bool = False) -> bool:
    """--no-color, then the --color flag, then NO_COLOR, then FORCE_COLOR, then whether ``stream``
    is a terminal."""
    if no_color:
        return False
    if mode is not ColorMode.AUTO:
        return mode is ColorMode.ALWAYS
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") in ("dumb", "unknown"):
        return False
    return stream.isatty()


def terminal_width() -> int:
    return shutil.get_terminal_size(fallback=(100, 24)).columns


def error_line(message: str) -> None:
    # Messages quote URLs and values from outside: sanitised, and their secrets masked.
    print(f"corscheck: error: {shown(message, show_secrets=False)}", file=sys.stderr)


def note_line(message: str) -> None:
    """Something corscheck decided for the user (it took a page URL's origin, it chose credentials)."""
    print(f"corscheck: note: {message}", file=sys.stderr)


def fail(message: str, code: ExitCode) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    error_line(message)
    raise typer.Exit(code)


def write_report(report: str, output: str | None) -> None:
    """The report on stdout, or in the --output file (replaced atomically, as run's)."""
    from corscheck.cli.report_file import open_report  # it builds on fail() above

    with open_report(output) as stream:
        stream.write(report)


def _usage_error(error: click_errors.UsageError) -> str:
    """click's four-line usage block as one line, naming where a bad value came from."""
    if isinstance(error, click_errors.BadParameter) and error.param is not None and error.ctx is not None:
        param = error.param
        source = error.ctx.get_parameter_source(param.name) if param.name else None
        if source is ParameterSource.ENVIRONMENT and param.param_type_name == "option":
            where = str(param.envvar)
        else:
            where = "/".join(param.opts) if param.param_type_name == "option" else (param.human_readable_name)
        return f"{where}: {error.message}"
    message = error.format_message()
    if error.ctx is not None:
        message += f" (see '{error.ctx.command_path} --help')"
    return message


class OneLineErrors(TyperGroup):
    """The command group: a usage error is one `corscheck: error:` line (exit 2), and a command
    given no arguments prints its help and exits 0."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.NoArgsIsHelpError as exc:
            print(exc.ctx.get_help())
            result = ExitCode.OK
        except click_errors.UsageError as exc:
            error_line(_usage_error(exc))
            result = ExitCode.USAGE
        except click_errors.ClickException as exc:
            error_line(exc.format_message())
            result = exc.exit_code
        except typer.Abort:
            raise KeyboardInterrupt from None
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else ExitCode.OK)
