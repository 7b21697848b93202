"""Where output goes: one-line errors on stderr, colour decided per stream."""

from __future__ import annotations

import math
import os
import shutil
import sys
from enum import StrEnum
from typing import NoReturn, TextIO

import typer

from corscheck.exitcodes import ExitCode
from corscheck.report.sanitise import shown


def seconds(value: float) -> float:
    """Callback for --timeout: NaN passes the option's ``min`` (every comparison with NaN is false)."""
    if math.isnan(value):
        raise typer.BadParameter(f"{value} is not a number of seconds")
    return value


class ColorMode(StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(mode: ColorMode, stream: TextIO) -> bool:
    """The flag, then NO_COLOR, then FORCE_COLOR, then whether ``stream`` is a terminal."""
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


def fail(message: str, code: ExitCode) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    # Messages quote URLs and values from outside: sanitised, and their secrets masked.
    print(f"corscheck: error: {shown(message, show_secrets=False)}", file=sys.stderr)
    raise typer.Exit(code)
