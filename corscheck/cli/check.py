"""`corscheck check URL --origin O`: one fetch(), checked as Chromium would check it."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.core import ParameterSource  # typer 0.28 vendors click

from corscheck.cli import options
from corscheck.cli.copied import spec_from_copy
from corscheck.cli.fix import FixFramework, fix_document, print_fix
from corscheck.cli.network import network_settings
from corscheck.cli.output import (
    ColorMode,
    error_line,
    fail,
    note_line,
    terminal_width,
    use_color,
    write_report,
)
from corscheck.core.errors import InputError
from corscheck.core.model import (
    AddressSpace,
    CheckResult,
    Credentials,
    LnaPermission,
    Mode,
    Page,
    RequestSpec,
    ThirdPartyCookies,
    Verdict,
)
from corscheck.exitcodes import ExitCode, exit_code_for
from corscheck.report import RenderOptions, reporter

if TYPE_CHECKING:
    from corscheck.suite import CaseOutcome, Selection


def parse_header(line: str) -> tuple[str, str]:
    """``"Name: value"`` as curl's -H takes it."""
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        raise InputError("a -H value is not of the form 'Name: value'")  # never echoed: it may be a secret
    return name.strip(), value.strip()


def check(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Argument(help="The URL the page's fetch() requests.", metavar="URL", show_default=False),
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option(
            "--origin",
            "-o",
            help="The page's origin (scheme://host[:port], a page URL's origin is taken, or null)."
            " Repeatable: one result per origin.",
            envvar="CORSCHECK_ORIGIN",
            metavar="ORIGIN",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", "-X", help="The fetch() method.", metavar="METHOD")
    ] = "GET",
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", "-H", help="A request header the page sets. Repeatable.", metavar="'NAME: VALUE'"
        ),
    ] = None,
    credentials: Annotated[
        Credentials | None,
        typer.Option(
            "--credentials",
            help="fetch()'s credentials mode [default: same-origin; include with -b or a copy with cookies].",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    cookie: Annotated[
        str | None,
        typer.Option(
            "--cookie",
            "-b",
            help="The Cookie header the browser holds for the URL (implies --credentials include).",
            metavar="COOKIES",
        ),
    ] = None,
    cookie_jar: options.CookieJar = None,
    set_cookie: options.SetCookie = None,
    third_party_cookies: options.ThirdPartyCookiesOption = ThirdPartyCookies.ALLOW,
    expose: Annotated[
        list[str] | None,
        typer.Option(
            "--expose",
            "-e",
            help="A response header JavaScript must be able to read. Repeatable.",
            metavar="NAME",
        ),
    ] = None,
    json_output: options.Json = False,
    output_format: options.OutputFormat = options.Format.TEXT,
    output: options.Output = None,
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
    fail_on: options.FailOnOption = options.FailOn.ERROR,
    select: options.Select = None,
    ignore: options.Ignore = None,
    probe_reflection: options.ProbeReflection = True,
    show_secrets: options.ShowSecrets = False,
    from_curl: Annotated[
        str | None,
        typer.Option(
            "--from-curl",
            help="Check the request of DevTools' Copy as cURL (bash, cmd or Firefox); - reads stdin.",
            metavar="COMMAND",
            show_default=False,
        ),
    ] = None,
    fix_for: options.FixFor = None,
    app: Annotated[
        str | None,
        typer.Option(
            "--app",
            help="Check this ASGI or WSGI app in-process, no server (URL may then be a path).",
            metavar="MODULE:APP",
            show_default=False,
        ),
    ] = None,
    from_fetch: Annotated[
        str | None,
        typer.Option(
            "--from-fetch",
            help="Check the request of DevTools' Copy as fetch (or Node.js); - reads stdin.",
            metavar="CODE",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[Mode, typer.Option("--mode", help="fetch()'s mode.", case_sensitive=False)] = Mode.CORS,
    page: options.PageUrl = None,
    csp: Annotated[
        list[str] | None,
        typer.Option(
            "--csp",
            help="The page's Content-Security-Policy (instead of --page). Repeatable.",
            metavar="POLICY",
        ),
    ] = None,
    coep: Annotated[
        str | None,
        typer.Option(
            "--coep", help="The page's Cross-Origin-Embedder-Policy (instead of --page).", metavar="VALUE"
        ),
    ] = None,
    target_address_space: Annotated[
        AddressSpace | None,
        typer.Option(
            "--target-address-space",
            help="fetch()'s targetAddressSpace option.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    lna_permission: Annotated[
        LnaPermission,
        typer.Option(
            "--lna-permission",
            help="The user's answer to the Local Network Access prompt (prompt: allow, and warn).",
            case_sensitive=False,
        ),
    ] = LnaPermission.PROMPT,
    browser: options.BrowserOption = options.Browser.CHROMIUM,
) -> None:
    """Check one fetch() as Chromium (or --browser) would.

    Would the page's JavaScript be allowed to read the response? Exit codes: 0 allowed (and every
    --expose header readable), 1 blocked, an --expose header unreadable or a finding at --fail-on,
    2 bad usage or input, 3 target unreachable. Several --origin: the worst of their codes.
    """
    try:
        specs = _specs(
            url,
            origin or [],
            _origin_source(ctx),
            method,
            header or [],
            credentials,
            cookie,
            from_curl,
            from_fetch,
            has_page=page is not None,
            has_cookies=cookie_jar is not None or bool(set_cookie),
        )
        selection = options.selection(fail_on, select, ignore)
        network = network_settings(
            insecure=insecure, cacert=cacert, cert=cert, key=key, proxy=proxy, noproxy=noproxy
        )
        page_facts = Page(csp=tuple(csp or ()), coep=coep)
        if page is not None:
            from corscheck.cli.page import page_and_origin

            if len(specs) > 1:
                raise InputError("--page gives the origin: give at most one --origin with it")
            given = specs[0].origin if origin else None
            fetched, page_origin = page_and_origin(page, given, timeout, network)
            page_facts = fetched.with_own(page_facts)
            specs = [replace(spec, origin=page_origin) for spec in specs]
        specs = [
            replace(
                spec,
                expose=tuple(expose or ()),
                probe_reflection=probe_reflection,
                preflight_only=preflight_only,
                mode=mode,
                page=page_facts,
                target_address_space=target_address_space,
                lna_permission=lna_permission,
                third_party_cookies=third_party_cookies,
                browser=engine,
            )
            for spec in specs
            for engine in browser.engines()  # one after another for each origin
        ]
        from corscheck.probe import app_transport, run_check  # the probe loads only when a check runs

        transport = None
        if app is not None:
            from corscheck.probe.apps import app_url, load_app

            specs = [replace(spec, url=app_url(spec.url)) for spec in specs]
            transport = app_transport(load_app(app))
        if cookie_jar is not None or set_cookie:
            from corscheck.inputs.cookie_jar import browser_cookies, read_cookie_jar

            jar = read_cookie_jar(cookie_jar) if cookie_jar is not None else ()
            specs = [
                replace(spec, cookies=browser_cookies(jar, set_cookie or (), spec.url)) for spec in specs
            ]
            if credentials is None and cookie is None and from_curl is None and from_fetch is None:
                note_line(
                    "the browser holds cookies: checking with --credentials include (--credentials overrides)"
                )
        outcomes = [
            _evaluate(run_check(spec, timeout=timeout, network=network, transport=transport), selection)
            for spec in specs
        ]
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)

    render_format = options.Format.JSON if json_output else output_format
    stdout_is_report = output in (None, "-")
    report_options = RenderOptions(
        show_secrets=show_secrets,
        color=stdout_is_report and use_color(color, sys.stdout, no_color=no_color),
        verbose=verbose > quiet,
        width=terminal_width(),
        tls_verify=not insecure,
    )
    codes = [_exit_code(outcome) for outcome in outcomes]
    reachable = [
        outcome for outcome, code in zip(outcomes, codes, strict=True) if code is not ExitCode.UNREACHABLE
    ]
    engines = len(browser.engines())
    if render_format is not options.Format.TEXT:
        write_report(_render(render_format, outcomes, report_options, fix_for, engines), output)
    elif reachable and (quiet <= verbose or not stdout_is_report):  # -q silences the terminal only
        write_report(_render(render_format, reachable, report_options, fix_for, engines), output)
    if fix_for is not None:
        # The config depends on the request; an unreachable server only means nothing is merged in.
        # With --browser all, once per request (every engine's fix is the same server change).
        for outcome in outcomes[::engines]:
            print_fix(
                fix_for.value,
                outcome.result,
                report_options,
                to_stderr=render_format is not options.Format.TEXT,
            )
    for outcome, code in list(zip(outcomes, codes, strict=True))[::engines]:
        _explain_failure(outcome.result, code)
    raise typer.Exit(max(codes))  # with --browser all, the worst engine's


def _origin_source(ctx: typer.Context) -> str:
    """Where --origin came from, for error messages: the flag or the environment variable."""
    from_env = ctx.get_parameter_source("origin") is ParameterSource.ENVIRONMENT
    return "CORSCHECK_ORIGIN" if from_env else "--origin"


def _origins(values: list[str], source: str) -> list[str]:
    """Each --origin as an origin: a page URL is cut to its origin, with a note on stderr."""
    from corscheck.core.origin import page_origin

    origins = []
    for value in values:
        if "," in value:
            raise InputError(f"{source} {value!r} is a list: give each origin its own --origin")
        try:
            origin, note = page_origin(value)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
        if note:
            note_line(note)
        origins.append(origin)
    return origins


def _specs(
    url: str | None,
    origin_values: list[str],
    origin_source: str,
    method: str,
    header_lines: list[str],
    credentials: Credentials | None,
    cookie: str | None,
    from_curl: str | None,
    from_fetch: str | None,
    *,
    has_page: bool = False,
    has_cookies: bool = False,
) -> list[RequestSpec]:
    """One request to check per origin, from the flags or from a DevTools copy."""
    origins = _origins(origin_values, origin_source)
    headers = tuple(parse_header(line) for line in header_lines)
    if from_curl is not None or from_fetch is not None:
        if url is not None or method != "GET" or cookie is not None:
            raise InputError(
                "a --from-curl/--from-fetch copy gives the URL, method and cookies: drop the URL, -X and -b"
            )
        # No --origin: the copy's own Origin (or Referer) says it.
        page_origins: list[str | None] = [*origins] or [None]
        copies = [spec_from_copy(from_curl, from_fetch, origin, credentials) for origin in page_origins]
        if from_curl is not None and credentials is None and copies[0].cookie:
            note_line(
                "the copy sends a cookie: checking with --credentials include (--credentials overrides)"
            )
        return [replace(copy, headers=copy.headers + headers) for copy in copies]
    if has_page and not origins:
        origins = ["null"]  # --page gives the origin
    missing = [name for name, value in (("a URL", url), ("--origin or --page", origins)) if not value]
    if missing:
        raise InputError(f"check needs {' and '.join(missing)} (or --from-curl / --from-fetch)")
    assert url is not None
    if cookie is not None and credentials is None:
        note_line("-b sends a cookie: checking with --credentials include (--credentials overrides)")
        credentials = Credentials.INCLUDE
    elif has_cookies and credentials is None:
        credentials = Credentials.INCLUDE  # check() notes it once the cookies are read
    return [
        RequestSpec(
            url=url,
            origin=origin,
            method=method,
            headers=headers,
            credentials=credentials or Credentials.SAME_ORIGIN,
            cookie=cookie,
        )
        for origin in origins
    ]


def _evaluate(result: CheckResult, selection: Selection) -> CaseOutcome:
    """A check is a case expecting "allowed": the same judgement `run` makes."""
    from corscheck.config import CheckCase
    from corscheck.suite import evaluate

    spec = result.spec
    name = f"{spec.method} {spec.url} from {spec.origin}"
    if spec.browser != "chromium":
        name += f" in {spec.browser}"
    case = CheckCase(name, spec, Verdict.ALLOWED, source="", line=0)
    return evaluate(case, result, selection)


def _exit_code(outcome: CaseOutcome) -> ExitCode:
    code = exit_code_for(outcome.result)
    if code is ExitCode.OK and not outcome.passed:
        return ExitCode.FAILED  # a finding at --fail-on
    return code


def _render(
    render_format: options.Format,
    outcomes: list[CaseOutcome],
    report_options: RenderOptions,
    fix_for: FixFramework | None,
    engines: int,
) -> str:
    """check's report: text and json as always (one result, or several for several --origin), the
    CI formats as `run` writes them. With --browser all (``engines`` > 1) each request's outcomes
    come one per engine: the first engine's report, then every engine's verdict side by side."""
    groups = [outcomes[i : i + engines] for i in range(0, len(outcomes), engines)]
    if render_format is options.Format.TEXT:  # the findings --select/--ignore kept, as run's text
        from corscheck.report.engines import render_text

        texts = []
        for group in groups:
            kept = replace(group[0].result, findings=group[0].findings)
            text = reporter("text")(kept, report_options)
            if engines > 1:
                results = [outcome.result for outcome in group]
                text += "\n" + render_text(results, show_secrets=report_options.show_secrets)
            texts.append(text)
        return "\n".join(texts)
    if render_format is options.Format.JSON:  # every finding, as run's JSON
        from corscheck.report.engines import browsers_section
        from corscheck.report.json import SCHEMA, dumps, result_to_dict

        documents = []
        for group in groups:
            outcome = group[0]
            document = result_to_dict(
                outcome.result, show_secrets=report_options.show_secrets, tls_verify=report_options.tls_verify
            )
            if engines > 1:
                results = [each.result for each in group]
                document["browsers"] = browsers_section(results, show_secrets=report_options.show_secrets)
            if fix_for is not None:
                document["fix_for"] = fix_document(fix_for.value, outcome.result)
            documents.append(document)
        if len(documents) == 1:
            return dumps(documents[0])
        for document in documents:
            del document["schema"]
        return dumps({"schema": SCHEMA, "results": documents})
    from corscheck.cli.run import render_machine

    return render_machine(
        render_format,
        iter(outcomes),
        verbose=report_options.verbose,
        show_secrets=report_options.show_secrets,
    )


def _explain_failure(result: CheckResult, code: ExitCode) -> None:
    """A network error is one line on stderr, so scripts reading --json or -q learn why."""
    if code is ExitCode.UNREACHABLE and result.failure is not None:
        error_line(f"cannot reach {result.failure.url}: {result.failure.message}")
    elif result.failure is not None and result.failure.kind == "redirect":
        at = result.steps[-1].request.url
        error_line(f"the browser stops following redirects at {at}: {result.failure.message}")
