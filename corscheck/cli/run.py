"""`corscheck run [CONFIG]`: every check of a corscheck.toml, concurrently, in a format CI reads."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from corscheck.cli import options
from corscheck.cli.interrupt import stop_on_ctrl_c
from corscheck.cli.network import network_settings
from corscheck.cli.output import ColorMode, fail, use_color
from corscheck.cli.report_file import open_report
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.config import CheckCase
    from corscheck.core.model import CheckResult, RequestSpec
    from corscheck.suite import CaseOutcome, Summary


def _shard(value: str) -> tuple[int, int]:
    """--shard K/N: the K-th of N slices (1-based)."""
    index, slash, count = value.partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise InputError(f"--shard {value!r} is not K/N with 1 <= K <= N (e.g. 2/4)")
    return int(index), int(count)


def run(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Config file (default: ./corscheck.toml, else [tool.corscheck] in ./pyproject.toml).",
            metavar="CONFIG",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Overrides [defaults] base_url.", envvar="CORSCHECK_BASE_URL", metavar="URL"
        ),
    ] = None,
    output_format: options.OutputFormat = options.Format.TEXT,
    json_output: options.Json = False,
    output: options.Output = None,
    concurrency: Annotated[
        int, typer.Option(help="Checks in flight at once (1 to 256).", min=1, max=256, metavar="N")
    ] = 16,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Run only the K-th of N even slices of the checks (round-robin in config order), e.g. 2/4.",
            metavar="K/N",
        ),
    ] = None,
    fail_on: options.FailOnOption = options.FailOn.ERROR,
    select: options.Select = None,
    ignore: options.Ignore = None,
    timeout: options.Timeout = 10.0,
    insecure: options.Insecure = False,
    cacert: options.CaCert = None,
    cert: options.Cert = None,
    key: options.Key = None,
    proxy: options.Proxy = None,
    noproxy: options.NoProxy = None,
    preflight_only: options.PreflightOnly = False,
    quiet: options.Quiet = 0,
    verbose: options.Verbose = 0,
    color: options.Color = ColorMode.AUTO,
    no_color: options.NoColor = False,
    probe_reflection: options.ProbeReflection = True,
    show_secrets: options.ShowSecrets = False,
    max_checks: options.MaxChecks = None,
    page: options.PageUrl = None,
    browser: options.BrowserOverride = None,
) -> None:
    """Run every check in a config file, concurrently.

    Exit codes: 0 every check passed, 1 a check failed, 2 bad usage or config, 3 nothing reachable.
    """
    # Imported here, not at the top: `corscheck check` should not pay for them.
    from corscheck.config import MAX_CHECKS, find_config, on_page, read_config
    from corscheck.suite import Summary, run_cases

    path = config or find_config(Path())
    if path is None:
        fail(
            "no corscheck.toml (or [tool.corscheck] in pyproject.toml) here; name a config file",
            ExitCode.USAGE,
        )
    try:
        shard_slice = _shard(shard) if shard is not None else None
        config_file = read_config(
            path,
            base_url=base_url,
            max_checks=max_checks or MAX_CHECKS,
            browser=browser.value if browser is not None else None,
        )
        selection = options.selection(fail_on, select, ignore)
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)
    plan = config_file.cases
    source = str(path)
    picked = range(len(plan))
    if shard_slice is not None:
        index, count = shard_slice
        picked = picked[index - 1 :: count]
        source += f" (shard {index}/{count})"
    total = len(picked)
    # Lazily, like the plan itself: each case is built when a worker reaches it.
    cases: Iterable[CheckCase] = (plan[i] for i in picked)
    if preflight_only:
        cases = (replace(case, spec=replace(case.spec, preflight_only=True)) for case in cases)
    if not probe_reflection:
        cases = (replace(case, spec=replace(case.spec, probe_reflection=False)) for case in cases)
    report_format = options.Format.JSON if json_output else output_format
    show_infos = verbose > quiet

    from corscheck.probe import Probe  # the probe loads only once the config is valid

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
            if report_format is options.Format.TEXT and quiet > verbose:
                for _ in outcomes:  # -q: no report, but every check runs and counts
                    pass
            elif report_format is options.Format.TEXT:
                text_color = use_color(color, stream, no_color=no_color)
                _write_text(
                    outcomes, stream, summary, source, total, text_color, show_infos, show_secrets, stop
                )
            elif report_format is options.Format.JSON:
                from corscheck.report.run_json import render_stream

                pieces = render_stream(
                    outcomes, show_secrets=show_secrets, tls_verify=not insecure, interrupted=stop.is_set
                )
                for piece in pieces:
                    stream.write(piece)
            else:
                stream.write(
                    render_machine(report_format, outcomes, verbose=show_infos, show_secrets=show_secrets)
                )
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
        fail(f"no check reached its target ({summary.errors} unreachable)", ExitCode.UNREACHABLE)
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


def render_machine(
    report_format: options.Format,
    outcomes: Iterator[CaseOutcome],
    *,
    verbose: bool = False,
    show_secrets: bool = False,
) -> str:
    """junit, sarif or github for a list of outcomes (infos only when verbose)."""
    if report_format is options.Format.JUNIT:
        from corscheck.report.junit import render
    elif report_format is options.Format.SARIF:
        from corscheck.report.sarif import render
    else:
        from corscheck.report.github import render
    return render(outcomes, verbose=verbose, show_secrets=show_secrets)


def _write_text(
    outcomes: Iterator[CaseOutcome],
    stream: TextIO,
    summary: Summary,
    source: str,
    total: int,
    color: bool,
    verbose: bool,
    show_secrets: bool,
    stop: threading.Event,
) -> None:
    from rich.console import Console
    from rich.progress import Progress

    from corscheck.report.run_text import outcome_line, summary_table

    class ReportConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # rich would exit 1; a closed stdout is not a failed check

    # One console owns the stream: with a terminal the bar is drawn on it and cleared before each
    # line; anywhere else (a file, a pipe, `| tee`) there is no bar at all.
    console = ReportConsole(
        file=stream, force_terminal=color or None, no_color=not color, highlight=False, soft_wrap=True
    )
    show_bar = stream is sys.stdout and stream.isatty()
    with Progress(console=console, transient=True, disable=not show_bar) as progress:
        task = progress.add_task("checking", total=total)
        for outcome in outcomes:
            console.print(outcome_line(outcome, verbose=verbose, show_secrets=show_secrets))
            progress.advance(task)
    console.print(summary_table(summary, source))
    if stop.is_set():
        console.print(f"interrupted: {summary.total} of {total} checks reported")
