"""`corscheck check URL --origin O`: one fetch(), checked as Chromium would check it."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Annotated

import typer

from corscheck.cli.copied import spec_from_copy
from corscheck.cli.fix import FixFramework, fix_document, print_fix
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
from corscheck.cli.output import ColorMode, fail, seconds, terminal_width, use_color
from corscheck.core.errors import InputError
from corscheck.core.model import AddressSpace, Credentials, LnaPermission, Mode, Page, RequestSpec
from corscheck.exitcodes import ExitCode, exit_code_for
from corscheck.report import RenderOptions, reporter


def parse_header(line: str) -> tuple[str, str]:
    """``"Name: value"`` as curl's -H takes it."""
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        raise InputError("a -H value is not of the form 'Name: value'")  # never echoed: it may be a secret
    return name.strip(), value.strip()


def check(
    url: Annotated[
        str | None,
        typer.Argument(help="The URL the page's fetch() requests.", metavar="URL", show_default=False),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin",
            "-o",
            help="The page's origin: scheme://host[:port] (no path), or null.",
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
            help="fetch()'s credentials mode [default: same-origin; include for a copy with cookies].",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    cookie: Annotated[
        str | None,
        typer.Option(
            "--cookie",
            "-b",
            help="The Cookie header the browser holds for the URL (sent only with --credentials include).",
            metavar="COOKIES",
        ),
    ] = None,
    expose: Annotated[
        list[str] | None,
        typer.Option(
            "--expose",
            "-e",
            help="A response header JavaScript must be able to read. Repeatable.",
            metavar="NAME",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout (schema 1) and nothing else.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds allowed for the whole check.",
            min=0.001,
            callback=seconds,
            envvar="CORSCHECK_TIMEOUT",
            metavar="SECONDS",
        ),
    ] = 10.0,
    insecure: Insecure = False,
    cacert: CaCert = None,
    cert: Cert = None,
    key: Key = None,
    proxy: Proxy = None,
    noproxy: NoProxy = None,
    preflight_only: PreflightOnly = False,
    quiet: Annotated[
        int,
        typer.Option(
            "--quiet", "-q", count=True, help="No report; only errors and the exit code.", show_default=False
        ),
    ] = 0,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="Show every header sent and received.", show_default=False
        ),
    ] = 0,
    color: Annotated[
        ColorMode, typer.Option(help="Colour the report.", envvar="CORSCHECK_COLOR")
    ] = ColorMode.AUTO,
    no_color: Annotated[bool, typer.Option("--no-color", help="Same as --color never.")] = False,
    probe_reflection: Annotated[
        bool,
        typer.Option(
            "--probe-reflection/--no-probe-reflection",
            help="Send one extra request from a made-up origin to detect an echoed Origin.",
        ),
    ] = True,
    show_secrets: Annotated[
        bool,
        typer.Option("--show-secrets", help="Show Authorization and Cookie values instead of masking them."),
    ] = False,
    from_curl: Annotated[
        str | None,
        typer.Option(
            "--from-curl",
            help="Check the request of DevTools' Copy as cURL (bash, cmd or Firefox); - reads stdin.",
            metavar="COMMAND",
            show_default=False,
        ),
    ] = None,
    fix_for: Annotated[
        FixFramework | None,
        typer.Option(
            "--fix-for",
            help="Also print the server configuration that lets this request through.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
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
    page: Annotated[
        str | None,
        typer.Option(
            "--page",
            help="The page the fetch() runs on: fetched for its CSP, COEP and address; gives the origin.",
            metavar="URL",
            show_default=False,
        ),
    ] = None,
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
) -> None:
    """Check one fetch() as Chromium would.

    Would the page's JavaScript be allowed to read the response? Exit codes: 0 allowed (and every
    --expose header readable), 1 blocked or an --expose header unreadable, 2 bad usage or input,
    3 target unreachable.
    """
    try:
        if from_curl is not None or from_fetch is not None:
            if url is not None or method != "GET" or header or cookie is not None:
                raise InputError("a --from-curl/--from-fetch copy gives the URL, method, headers and cookies")
            copied = spec_from_copy(from_curl, from_fetch, origin, credentials)
            spec = replace(
                copied,
                expose=tuple(expose or ()),
                probe_reflection=probe_reflection,
                preflight_only=preflight_only,
            )
        elif url is None or (origin is None and page is None):
            raise InputError("check needs a URL and --origin or --page (or --from-curl / --from-fetch)")
        else:
            spec = RequestSpec(
                url=url,
                origin=origin if origin is not None else "null",  # --page gives the origin below
                method=method,
                headers=tuple(parse_header(line) for line in header or ()),
                credentials=credentials or Credentials.SAME_ORIGIN,
                cookie=cookie,
                expose=tuple(expose or ()),
                probe_reflection=probe_reflection,
                preflight_only=preflight_only,
            )
        network = network_settings(
            insecure=insecure, cacert=cacert, cert=cert, key=key, proxy=proxy, noproxy=noproxy
        )
        page_facts = Page(csp=tuple(csp or ()), coep=coep)
        if page is not None:
            from corscheck.cli.page import page_and_origin

            page_facts, page_origin = page_and_origin(page, origin, timeout, network)
            page_facts = replace(
                page_facts, csp=page_facts.csp + tuple(csp or ()), coep=coep or page_facts.coep
            )
            spec = replace(spec, origin=page_origin)
        spec = replace(
            spec,
            mode=mode,
            page=page_facts,
            target_address_space=target_address_space,
            lna_permission=lna_permission,
        )
        from corscheck.probe import app_transport, run_check  # httpx loads only when a check runs

        transport = None
        if app is not None:
            from corscheck.probe.apps import app_url, load_app

            spec = replace(spec, url=app_url(spec.url))
            transport = app_transport(load_app(app))
        result = run_check(spec, timeout=timeout, network=network, transport=transport)
    except InputError as exc:
        fail(str(exc), ExitCode.USAGE)

    code = exit_code_for(result)
    options = RenderOptions(
        show_secrets=show_secrets,
        color=use_color(ColorMode.NEVER if no_color else color, sys.stdout),
        verbose=verbose > quiet,
        width=terminal_width(),
        tls_verify=not insecure,
    )
    if json_output:
        from corscheck.report.json import dumps, result_to_dict

        document = result_to_dict(result, show_secrets=show_secrets, tls_verify=options.tls_verify)
        if fix_for is not None:
            document["fix_for"] = fix_document(fix_for.value, result)
        sys.stdout.write(dumps(document))
    elif quiet <= verbose and code is not ExitCode.UNREACHABLE:
        sys.stdout.write(reporter("text")(result, options))
    if fix_for is not None:
        # The config depends on the request; an unreachable server only means nothing is merged in.
        print_fix(fix_for.value, result, options, to_stderr=json_output)
    if code is ExitCode.UNREACHABLE and result.failure is not None:
        fail(f"cannot reach {result.failure.url}: {result.failure.message}", code)
    if result.failure is not None and result.failure.kind == "redirect":
        # A redirect the browser refuses is a network error too: one line on stderr, so scripts
        # reading --json or -q learn why nothing more was fetched.
        at = result.steps[-1].request.url
        fail(f"the browser stops following redirects at {at}: {result.failure.message}", code)
    raise typer.Exit(code)
