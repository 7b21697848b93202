"""`corscheck audit URL... [--origin TRUSTED]...`: which origins can read these URLs, and does it matter."""

from __future__ import annotations

import secrets
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corscheck.cli.check import parse_header
from corscheck.cli.output import fail, seconds
from corscheck.cli.run import _open_output
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.core.audit import AuditSpec


class AuditFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"


class RiskLevel(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


def read_urls(arguments: list[str], url_file: Path | None) -> list[str]:
    """URLs from the arguments, then from the file (``-``: stdin), one a line; blanks and # skipped."""
    urls = [u for u in arguments if u != "-"]
    lines: list[str] = []
    if "-" in arguments or (url_file is not None and str(url_file) == "-"):
        lines += sys.stdin.read().splitlines()
    elif url_file is not None:
        try:
            lines += url_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {url_file}: {getattr(exc, 'strerror', None) or exc}", ExitCode.USAGE)
    urls += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return urls


def build_specs(urls: list[str], trusted: list[str], method: str, headers: list[str]) -> list[AuditSpec]:
    from corscheck.core.audit import Audit, AuditSpec

    token = "corscheck" + secrets.token_hex(3)
    specs = [
        AuditSpec(url, tuple(trusted), method, tuple(parse_header(h) for h in headers), token) for url in urls
    ]
    for spec in specs:
        Audit(spec)  # validates the URL, origins, method and headers before anything is sent
    return specs


def audit(
    urls: Annotated[
        list[str] | None,
        typer.Argument(help="URLs to audit ('-' reads them from stdin, one a line).", show_default=False),
    ] = None,
    url_file: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="A file of URLs, one a line ('-' for stdin).", show_default=False),
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option(
            "--origin",
            "-o",
            help="An origin the policy is meant to allow (repeatable) [default: learned from the server].",
            metavar="ORIGIN",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", "-X", help="The fetch() method (only ever sent as a preflight).")
    ] = "GET",
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="A request header the page sets. Repeatable.", metavar="'NAME: VALUE'"
        ),
    ] = None,
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Report format.", envvar="CORSCHECK_FORMAT")
    ] = AuditFormat.TEXT,
    output: Annotated[
        str | None, typer.Option("--output", help="Write the report to this file ('-' for stdout).")
    ] = None,
    fail_on: Annotated[
        RiskLevel, typer.Option("--fail-on", help="Exit 1 on a finding of this risk or worse.")
    ] = RiskLevel.MEDIUM,
    concurrency: Annotated[int, typer.Option(help="URLs audited at once.", min=1, max=256)] = 16,
    per_host: Annotated[int, typer.Option("--per-host", help="Requests in flight to one host.", min=1)] = 4,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second in all (0: no limit).", min=0)
    ] = 0.0,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds allowed for each request.", min=0.001, callback=seconds, envvar="CORSCHECK_TIMEOUT"
        ),
    ] = 10.0,
    insecure: Annotated[
        bool,
        typer.Option("--insecure", "-k", help="Do not verify TLS certificates.", envvar="CORSCHECK_INSECURE"),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not state the request count.")] = False,
) -> None:
    """Find the origins a CORS policy lets in that it should not, with the risk a browser gives them.

    Exit codes: 0 nothing at or above --fail-on, 1 a finding at or above it, 2 bad usage,
    3 no URL reachable.
    """
    from corscheck.core.audit import request_counts
    from corscheck.core.audit_probes import Risk

    listed = read_urls(urls or [], url_file)
    if not listed:
        fail("no URL to audit: name one, or give --input FILE (one URL a line)", ExitCode.USAGE)
    try:
        specs = build_specs(listed, origin or [], method, header or [])
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    if not quiet:
        first, most = (sum(c) for c in zip(*(request_counts(s) for s in specs), strict=True))
        print(
            f"corscheck audit: {len(specs)} URL(s), {first} request(s), up to {most} more where a"
            " server echoes a trusted origin",
            file=sys.stderr,
        )

    from corscheck.audit_run import run_audits
    from corscheck.probe.audit import AuditProbe, Politeness
    from corscheck.report.audit import RENDERERS, failed

    threshold = Risk(fail_on.value)
    with AuditProbe(timeout=timeout, verify=not insecure, politeness=Politeness(per_host, rate)) as probe:
        results = list(run_audits(specs, probe.audit, concurrency))
    with _open_output(output) as stream:
        stream.write(RENDERERS[output_format.value](results, threshold))
    if all(r.failure is not None for r in results):
        raise typer.Exit(ExitCode.UNREACHABLE)
    raise typer.Exit(ExitCode.FAILED if any(failed(r, threshold) for r in results) else ExitCode.OK)
