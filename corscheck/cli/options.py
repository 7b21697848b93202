"""The options several commands share, defined once so a flag means the same in every command.

README.md's "Shared options" table lists them; tests/cli/test_options.py holds the table, these
definitions and every command's --help to each other.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer._click.types import ParamType  # typer 0.28 vendors click

from corscheck.cli.output import ColorMode


class Seconds(ParamType):
    """A positive number of seconds; inf is no limit (its own type, so errors say "seconds")."""

    name = "seconds"

    def convert(self, value: object, param: Any, ctx: Any) -> float:
        if isinstance(value, float):
            return value
        try:
            seconds = float(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if math.isnan(seconds) or seconds <= 0:
            self.fail(f"{value!r} is not a positive number of seconds", param, ctx)
        return seconds


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"


def finding_codes(option: str, values: list[str] | None) -> tuple[str, ...]:
    """--select/--ignore values: repeatable, comma-separated, case-insensitive, each a known code or
    the prefix of one (a typo would otherwise silently select or ignore nothing)."""
    from corscheck.core.errors import InputError
    from corscheck.core.rules import RULES

    codes = tuple(code.strip().upper() for value in values or () for code in value.split(",") if code.strip())
    for code in codes:
        if not any(known.startswith(code) for known in RULES):
            raise InputError(f"{option} {code}: no finding code starts with it; `corscheck rules` lists them")
    return codes


Color = Annotated[
    ColorMode,
    typer.Option(
        "--color",
        help="Colour the report: auto (a terminal, unless NO_COLOR), always, never.",
        envvar="CORSCHECK_COLOR",
        show_default=False,
    ),
]
NoColor = Annotated[bool, typer.Option("--no-color", help="Same as --color never.")]
Quiet = Annotated[
    int,
    typer.Option(
        "--quiet", "-q", count=True, help="No report; only errors and the exit code.", show_default=False
    ),
]
Verbose = Annotated[
    int,
    typer.Option(
        "--verbose",
        "-v",
        count=True,
        help="More detail: every header sent and received; infos in run and the CI formats.",
        show_default=False,
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds allowed for each check, every request included.",
        click_type=Seconds(),
        envvar="CORSCHECK_TIMEOUT",
        metavar="SECONDS",
    ),
]
Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout (schema 1) and nothing else.")
]
OutputFormat = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Report format (--json is --format json).",
        envvar="CORSCHECK_FORMAT",
        case_sensitive=False,
    ),
]
Output = Annotated[
    str | None,
    typer.Option("--output", help="Write the report to this file ('-' for stdout).", metavar="FILE"),
]
ShowSecrets = Annotated[
    bool,
    typer.Option("--show-secrets", help="Show Authorization and Cookie values instead of masking them."),
]
FailOnOption = Annotated[
    FailOn,
    typer.Option(
        "--fail-on", help="A finding of this severity or worse fails the check.", case_sensitive=False
    ),
]
Select = Annotated[
    list[str] | None,
    typer.Option("--select", help="Only these finding codes (or prefixes). Repeatable.", metavar="CODE"),
]
Ignore = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Skip these finding codes (or prefixes). Repeatable.", metavar="CODE"),
]
ProbeReflection = Annotated[
    bool,
    typer.Option(
        "--probe-reflection/--no-probe-reflection",
        help="Send one extra request from a made-up origin to detect an echoed Origin.",
    ),
]
