"""`corscheck run [CONFIG]`: every check of a corscheck.toml, concurrently, in a format CI reads."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from corscheck.cli.interrupt import stop_on_ctrl_c
from corscheck.cli.network import (
    CaCert,
    Cert,
    Insecure,
    Key,
    NoProxy,
    PreflightOnly,
    Proxy,
    network_settings,
)
from corscheck.cli.output import ColorMode, fail, seconds, use_color
from corscheck.cli.report_file import open_report
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.config import CheckCase
    from corscheck.core.model import CheckResult, RequestSpec
    from corscheck.suite import CaseOutcome, Summary


class RunFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"


def _codes(values: list[str] | None) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values or () for code in value.split(",") if code.strip())


def run(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Config file (default: ./corscheck.toml, else [tool.corscheck] in ./pyproject.toml).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Overrides [defaults] base_url.", envvar="CORSCHECK_BASE_URL"),
    ] = None,
    output_format: Annotated[
        RunFormat, typer.Option("--format", "-f", help="Report format.", envvar="CORSCHECK_FORMAT")
    ] = RunFormat.TEXT,
    output: Annotated[
        str | None, typer.Option("--output", help="Write the report to this file ('-' for stdout).")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Checks in flight at once.", min=1, max=256)] = 16,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="A finding of this severity or worse fails its check.")
    ] = FailOn.ERROR,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these finding codes (or prefixes). Repeatable.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip these finding codes (or prefixes). Repeatable.")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds allowed for each check.", min=0.001, callback=seconds, envvar="CORSCHECK_TIMEOUT"
        ),
    ] = 10.0,
    insecure: Insecure = False,
    cacert: CaCert = None,
    cert: Cert = None,
    key: Key = None,
    proxy: Proxy = None,
    noproxy: NoProxy = None,
    preflight_only: PreflightOnly = False,
    color: Annotated[
        ColorMode, typer.Option(help="Colour the text report.", envvar="CORSCHECK_COLOR")
    ] = ColorMode.AUTO,
    show_secrets: Annotated[bool, typer.Option("--show-secrets", help="Do not mask credentials.")] = False,
    max_checks: Annotated[
        int | None,
        typer.Option(
            "--max-checks",
            min=1,
            help="Refuse a config that expands to more checks than this [default: 10000].",
            show_default=False,
        ),
    ] = None,
    page: Annotated[
        str | None,
        typer.Option(
            "--page",
            help="The page every fetch() runs on: fetched once for its CSP, COEP and address.",
            metavar="URL",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run every check in a config file, concurrently.

    Exit codes: 0 every check passed, 1 a check failed, 2 bad usage or config, 3 nothing reachable.
    """
    # Imported here, not at the top: `corscheck check` should not pay for them.
    from corscheck.config import MAX_CHECKS, ConfigError, find_config, on_page, read_config
    from corscheck.core.errors import InputError
    from corscheck.core.model import Severity
    from corscheck.suite import Selection, Summary, run_cases

    path = config or find_config(Path())
    if path is None:
        fail(
            "no corscheck.toml (or [tool.corscheck] in pyproject.toml) here; name a config file",
            ExitCode.USAGE,
        )
    try:
        config_file = read_config(path, base_url=base_url, max_checks=max_checks or MAX_CHECKS)
    except ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    cases: Iterable[CheckCase] = config_file.cases
    total = len(config_file.cases)
    if preflight_only:  # lazily, like the plan itself
        cases = (replace(case, spec=replace(case.spec, preflight_only=True)) for case in cases)
    selection = Selection(fail_on=Severity(fail_on.value), select=_codes(select), ignore=_codes(ignore))

    from corscheck.probe import Probe  # httpx loads only once the config is valid

    summary = Summary()
    with ExitStack() as stack:
        stop = stack.enter_context(stop_on_ctrl_c())
        try:
            network = network_settings(
                insecure=insecure,
                cacert=cacert or config_file.ca_cert,
                cert=cert,
                key=key,
                proxy=proxy,
                noproxy=noproxy,
            )
            if page is not None:
                from corscheck.cli.page import page_and_origin

                page_facts, page_origin = page_and_origin(page, None, timeout, network)
                cases = on_page(cases, page_facts, page_origin)
            check: Callable[[RequestSpec], CheckResult]
            if config_file.cases.app is not None:  # [defaults] app: every check goes to it
                check = _app_check(config_file.cases.app, timeout)
            else:
                check = stack.enter_context(Probe(timeout=timeout, network=network)).check
        except InputError as exc:  # a ConfigError too
            fail(str(exc), ExitCode.USAGE)
        stream = stack.enter_context(open_report(output))
        outcomes = _counted(run_cases(cases, check, selection, concurrency, stop), summary)
        try:
            if output_format is RunFormat.TEXT:
                _write_text(outcomes, stream, summary, str(path), total, color, show_secrets, stop)
            else:
                _write_machine(output_format, outcomes, stream, show_secrets, stop, tls_verify=not insecure)
            stream.flush()
        except BrokenPipeError:
            # `run | head -1`: the reader has what it wanted; stop checking, and keep the interpreter
            # from failing again on the closed stdout at exit.
            stop.set()
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(ExitCode.FAILED if summary.failed else ExitCode.OK) from None
    if stop.is_set():
        raise typer.Exit(ExitCode.INTERRUPTED)
    if summary.total and summary.errors == summary.total:
        raise typer.Exit(ExitCode.UNREACHABLE)
    raise typer.Exit(ExitCode.FAILED if summary.failed else ExitCode.OK)


def _app_check(app: str, timeout: float) -> Callable[[RequestSpec], CheckResult]:
    """Checks that go to the config's in-process app ([defaults] app) instead of the network."""
    from corscheck.core.errors import InputError
    from corscheck.probe import app_transport, run_check
    from corscheck.probe.apps import load_app

    try:
        transport = app_transport(load_app(app))
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    return partial(run_check, timeout=timeout, transport=transport)


def _counted(outcomes: Iterator[CaseOutcome], summary: Summary) -> Iterator[CaseOutcome]:
    for outcome in outcomes:
        summary.add(outcome)
        yield outcome


def _write_machine(
    output_format: RunFormat,
    outcomes: Iterator[CaseOutcome],
    stream: TextIO,
    show_secrets: bool,
    stop: threading.Event,
    *,
    tls_verify: bool,
) -> None:
    if output_format is RunFormat.JSON:
        from corscheck.report.run_json import render_stream

        pieces = render_stream(
            outcomes, show_secrets=show_secrets, tls_verify=tls_verify, interrupted=stop.is_set
        )
        for piece in pieces:
            stream.write(piece)
        return
    if output_format is RunFormat.JUNIT:
        from corscheck.report.junit import render
    elif output_format is RunFormat.SARIF:
        from corscheck.report.sarif import render
    else:
        from corscheck.report.github import render
    stream.write(render(outcomes, show_secrets=show_secrets))


def _write_text(
    outcomes: Iterator[CaseOutcome],
    stream: TextIO,
    summary: Summary,
    source: str,
    total: int,
    color: ColorMode,
    show_secrets: bool,
    stop: threading.Event,
) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from corscheck.report.run_text import outcome_line, summary_table

    class ReportConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # rich would exit 1; a closed stdout is not a failed check

    console = ReportConsole(
        file=stream, no_color=not use_color(color, stream), highlight=False, soft_wrap=True
    )
    # The bar lives on stderr, only for a person at a terminal. stdout lines go through the bar's
    # console only when stdout is that same terminal; redirected stdout stays pure.
    show_bar = sys.stderr.isatty() and stream is sys.stdout
    with Progress(
        console=Console(stderr=True),
        transient=True,
        disable=not show_bar,
        redirect_stdout=stream.isatty(),
        redirect_stderr=False,
    ) as progress:
        task = progress.add_task("checking", total=total)
        for outcome in outcomes:
            console.print(outcome_line(outcome, show_secrets=show_secrets))
            progress.advance(task)
    console.print(summary_table(summary, source))
    if stop.is_set():
        console.print(f"interrupted: {summary.total} of {total} checks reported")
