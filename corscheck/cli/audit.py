"""`corscheck audit URL... [--origin TRUSTED]...`: which origins can read these URLs, and does it matter."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corscheck.cli import options
from corscheck.cli.check import parse_header
from corscheck.cli.network import network_settings
from corscheck.cli.output import fail
from corscheck.cli.report_file import open_report
from corscheck.core.audit_probes import Risk
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.audit_config import AuditConfig
    from corscheck.core.audit import AuditSpec


class AuditFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"


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


def build_specs(
    urls: list[str],
    trusted: list[str],
    method: str,
    headers: list[str],
    cookie: str | None,
    browsers: tuple[str, ...],
) -> list[AuditSpec]:
    import secrets  # hashlib and random: only an audit needs them

    from corscheck.core.audit import Audit, AuditSpec

    token = "corscheck" + secrets.token_hex(3)
    specs = [
        AuditSpec(
            url, tuple(trusted), method, tuple(parse_header(h) for h in headers), token, cookie, browsers
        )
        for url in urls
    ]
    for spec in specs:
        Audit(spec)  # validates the URL, origins, method and headers before anything is sent
    return specs


def _declared_audit(config: Path | None) -> AuditConfig:
    """The [audit] table of --config, or of the config file found here (empty when there is none)."""
    from corscheck.audit_config import AuditConfig, NoAuditTable, load_audit_config
    from corscheck.config import ConfigError, find_config

    path = config or find_config(Path())
    if path is None:
        return AuditConfig()
    try:
        return load_audit_config(path)
    except NoAuditTable as exc:
        if config is None:
            return AuditConfig()
        fail(str(exc), ExitCode.USAGE)
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)


def audit(
    urls: Annotated[
        list[str] | None,
        typer.Argument(
            help="URLs to audit ('-' reads them from stdin, one a line).",
            metavar="URL...",
            show_default=False,
        ),
    ] = None,
    url_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="A file of URLs, one a line ('-' for stdin).",
            show_default=False,
            metavar="FILE",
        ),
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
        str | None,
        typer.Option(
            "--method",
            "-X",
            help="The fetch() method; one that needs a preflight is sent only as OPTIONS. [default: GET]",
            metavar="METHOD",
            show_default=False,
        ),
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="A request header the page sets. Repeatable.", metavar="'NAME: VALUE'"
        ),
    ] = None,
    cookie: Annotated[
        str | None,
        typer.Option(
            "--cookie",
            "-b",
            help="The Cookie header the browser holds for the URL: each URL is also fetched with it and"
            " without, and a per-user response that a probe origin reads without cookies is medium.",
            metavar="COOKIES",
        ),
    ] = None,
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Report format.", envvar="CORSCHECK_FORMAT")
    ] = AuditFormat.TEXT,
    output: options.Output = None,
    fail_on: Annotated[
        Risk | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 on a finding of this risk or worse. [default: medium]",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Read the [audit] table of this file when no URL is given"
            " [default: ./corscheck.toml, else [tool.corscheck] in ./pyproject.toml].",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[int, typer.Option(help="URLs audited at once.", min=1, max=256, metavar="N")] = 16,
    per_host: Annotated[
        int,
        typer.Option(
            "--per-host", help="Requests in flight to one host (a browser opens 6).", min=1, metavar="N"
        ),
    ] = 6,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second in all (0: no limit).", min=0, metavar="N")
    ] = 0.0,
    timeout: options.Timeout = 10.0,
    insecure: options.Insecure = False,
    cacert: options.CaCert = None,
    cert: options.Cert = None,
    key: options.Key = None,
    proxy: options.Proxy = None,
    noproxy: options.NoProxy = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not state the request count.")] = False,
    browser: options.BrowserOption = options.Browser.CHROMIUM,
) -> None:
    """Find the origins a CORS policy lets in that should not read.

    Sends crafted Origin values (docs/audit.md) and judges each accepted one as the browser would:
    could a page there read, with or without the user's cookies, and who can put a page there.

    Exit codes: 0 nothing at or above --fail-on, 1 a finding at or above it, 2 bad usage,
    3 no URL reachable.
    """
    from corscheck.audit_config import AuditConfig
    from corscheck.core.audit import request_counts

    declared = AuditConfig()
    listed = read_urls(urls or [], url_file)
    if not listed:
        declared = _declared_audit(config)
        listed = list(declared.urls)
    if not listed:
        fail("no URL to audit: name one, give --input FILE, or list urls in [audit]", ExitCode.USAGE)
    try:
        specs = build_specs(
            listed,
            origin or list(declared.origins),
            method or declared.method or "GET",
            header or list(declared.headers),
            cookie if cookie is not None else declared.cookie,
            browser.engines(),
        )
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

    threshold = fail_on or Risk(declared.fail_on or Risk.MEDIUM)
    try:
        network = network_settings(
            insecure=insecure, cacert=cacert, cert=cert, key=key, proxy=proxy, noproxy=noproxy
        )
        probe = AuditProbe(timeout=timeout, network=network, politeness=Politeness(per_host, rate))
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    with probe:
        results = list(run_audits(specs, probe.audit, concurrency))
    with open_report(output) as stream:
        stream.write(RENDERERS[output_format.value](results, threshold))
    if all(r.failure is not None for r in results):
        raise typer.Exit(ExitCode.UNREACHABLE)
    raise typer.Exit(ExitCode.FAILED if any(failed(r, threshold) for r in results) else ExitCode.OK)
