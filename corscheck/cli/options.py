"""The options several commands share, defined once so a flag means the same in every command.

README.md's "Shared options" table lists them; tests/cli/test_options.py holds the table, these
definitions and every command's --help to each other.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.types import ParamType  # typer 0.28 vendors click

from corscheck.cli.fix import FixFramework
from corscheck.cli.output import ColorMode
from corscheck.core.model import ThirdPartyCookies

if TYPE_CHECKING:
    from corscheck.suite import Selection


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


def selection(fail_on: FailOn, select: list[str] | None, ignore: list[str] | None) -> Selection:
    """Which findings fail a check (--fail-on, --select, --ignore), as check and run both read them."""
    from corscheck.core.model import Severity
    from corscheck.suite import Selection

    return Selection(
        fail_on=Severity(fail_on.value),
        select=finding_codes("--select", select),
        ignore=finding_codes("--ignore", ignore),
    )


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
# The network options, with curl's names and meanings.
Insecure = Annotated[
    bool,
    typer.Option(
        "--insecure",
        "-k",
        help="Do not verify TLS certificates (prints a warning; the JSON says tls_verify: false).",
        envvar="CORSCHECK_INSECURE",
    ),
]
CaCert = Annotated[
    Path | None,
    typer.Option(
        "--cacert",
        help="Trust only the CA certificates in this PEM file (instead of the system's).",
        metavar="FILE",
        show_default=False,
    ),
]
Cert = Annotated[
    Path | None,
    typer.Option(
        "--cert", "-E", help="Client certificate (PEM) for mutual TLS.", metavar="FILE", show_default=False
    ),
]
Key = Annotated[
    Path | None,
    typer.Option(
        "--key", help="Private key (PEM) of --cert, if not in that file.", metavar="FILE", show_default=False
    ),
]
Proxy = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        "-x",
        help="Send requests through this proxy ('' for none) instead of HTTPS_PROXY/HTTP_PROXY/ALL_PROXY.",
        metavar="URL",
        show_default=False,
    ),
]
NoProxy = Annotated[
    str | None,
    typer.Option(
        "--noproxy",
        help="Comma-separated hosts to reach without the proxy ('*' for all), instead of NO_PROXY.",
        metavar="HOSTS",
        show_default=False,
    ),
]

PreflightOnly = Annotated[
    bool,
    typer.Option(
        "--preflight-only",
        help="Send no write: only the preflight, and the actual request only when it is GET or HEAD.",
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
    typer.Option("--show-secrets", help="Show credentials instead of masking them (README: secrets)."),
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
FixFor = Annotated[
    FixFramework | None,
    typer.Option(
        "--fix-for",
        help="Also print the server configuration that lets this request through.",
        case_sensitive=False,
        show_default=False,
    ),
]
PageUrl = Annotated[
    str | None,
    typer.Option(
        "--page",
        help="The page the requests run on: fetched once for its CSP, COEP and address; gives the origin.",
        metavar="URL",
        show_default=False,
    ),
]
MaxChecks = Annotated[
    int | None,
    typer.Option(
        "--max-checks",
        min=1,
        help="Refuse a config that expands to more checks than this [default: 10000].",
        show_default=False,
        metavar="N",
    ),
]
ProbeReflection = Annotated[
    bool,
    typer.Option(
        "--probe-reflection/--no-probe-reflection",
        help="Send one extra request from a made-up origin to detect an echoed Origin.",
    ),
]
CookieJar = Annotated[
    Path | None,
    typer.Option(
        "--cookie-jar",
        help="The browser's cookies, in the file `curl -c` writes (no SameSite there: Lax by default).",
        metavar="FILE",
        show_default=False,
    ),
]
SetCookie = Annotated[
    list[str] | None,
    typer.Option(
        "--set-cookie",
        help="A cookie as the checked URL's server set it ('sid=1; Secure; SameSite=None'). Repeatable.",
        metavar="'NAME=VALUE; ATTRS'",
    ),
]
ThirdPartyCookiesOption = Annotated[
    ThirdPartyCookies,
    typer.Option(
        "--third-party-cookies",
        help="The browser's third-party cookie setting (Chrome allows them, headless Chromium blocks).",
        case_sensitive=False,
    ),
]


class Browser(StrEnum):
    """--browser: an engine (corscheck/core/profiles.py), or all of them."""

    CHROMIUM = "chromium"
    FIREFOX = "firefox"
    SAFARI = "safari"
    ALL = "all"

    def engines(self) -> tuple[str, ...]:
        from corscheck.core.profiles import PROFILES

        return tuple(PROFILES) if self is Browser.ALL else (self.value,)


_BROWSER_HELP = "The browser engine to simulate; all: each engine, one verdict each (exit code: the worst)."
BrowserOption = Annotated[Browser, typer.Option("--browser", help=_BROWSER_HELP, case_sensitive=False)]
#: run's --browser: overrides the config's browser key when given.
BrowserOverride = Annotated[
    Browser | None,
    typer.Option("--browser", help=_BROWSER_HELP, case_sensitive=False, show_default=False),
]
