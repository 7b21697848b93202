"""`corscheck har FILE.har`: every cross-origin request of a HAR export, judged offline or --live."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corscheck.cli import options
from corscheck.cli.network import network_settings
from corscheck.cli.output import ColorMode, fail, terminal_width, use_color, write_report
from corscheck.cli.report_file import open_report
from corscheck.core.errors import InputError
from corscheck.core.model import ThirdPartyCookies
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.core.model import CheckResult, RequestSpec
    from corscheck.inputs.har_check import HarVerdict
    from corscheck.probe.network import NetworkSettings

#: Methods --live re-sends as recorded; any other is preflight-only unless --send-unsafe.
REPLAYED_METHODS = ("GET", "HEAD", "OPTIONS")


def _row(
    verdict: HarVerdict,
    result: CheckResult | None,
    source: str,
    *,
    label: str | None = None,
    note: str | None,
    show_secrets: bool,
) -> dict[str, Any]:
    """One request as har reports it, credentials masked (report/secrets.py) unless show_secrets."""
    from corscheck.report.json import finding_to_dict
    from corscheck.report.secrets import mask_lines, mask_text

    def masked(text: str | None) -> str | None:
        return None if text is None else mask_text(text, show_secrets)

    spec = verdict.spec
    return {
        "method": spec.method,
        "url": masked(spec.url),
        "origin": spec.origin,
        "request_headers": [list(h) for h in mask_lines(spec.headers, show_secrets)],
        "verdict": label or (result.verdict.value if result else "failed"),
        "source": source,
        "findings": [finding_to_dict(f, show_secrets) for f in result.findings] if result else [],
        "browser_message": masked(result.browser_message) if result else None,
        "note": masked(note),
        "browser": spec.browser,
    }


def _recheck(
    verdict: HarVerdict,
    check: Callable[[RequestSpec], CheckResult],
    *,
    preflight_only: bool,
    send_unsafe: bool,
    show_secrets: bool,
) -> dict[str, Any]:
    """One request re-checked live. A HAR does not record fetch()'s credentials mode, so when the
    browser failed a request that passes live, the other mode is tried before anything is called
    allowed."""
    from corscheck.core.model import Credentials, Verdict
    from corscheck.core.request import normalise_method

    spec = verdict.spec
    notes = []
    method = normalise_method(spec.method).upper()
    if not preflight_only and not send_unsafe and method not in REPLAYED_METHODS:
        preflight_only = True
        notes.append(f"{spec.method} not re-sent: preflight only (--send-unsafe re-sends it)")
    spec = replace(spec, preflight_only=preflight_only)
    result = check(spec)
    if not verdict.failed or result.verdict is not Verdict.ALLOWED:
        return _row(verdict, result, "live", note="; ".join(notes) or None, show_secrets=show_secrets)
    other = Credentials.OMIT if spec.credentials is Credentials.INCLUDE else Credentials.INCLUDE
    retried = check(replace(spec, credentials=other))
    if retried.verdict is not Verdict.ALLOWED:
        sends = "sends" if other is Credentials.INCLUDE else "does not send"
        notes.insert(
            0, f"blocked with credentials: {str(other)!r} — the page's fetch evidently {sends} credentials"
        )
        return _row(verdict, retried, "live", note="; ".join(notes), show_secrets=show_secrets)
    notes.insert(
        0,
        "the browser failed this request, but corscheck cannot reproduce it live with either credentials"
        f" mode ({verdict.note or 'the HAR keeps no reason'})",
    )
    return _row(
        verdict, result, "live", label="unreproduced", note="; ".join(notes), show_secrets=show_secrets
    )


def _render_text(rows: list[dict[str, Any]], skipped: list[str], *, width: int, color: bool) -> str:
    from rich.console import RenderableType
    from rich.padding import Padding
    from rich.text import Text

    from corscheck.report.sanitise import sanitise
    from corscheck.report.text import to_text

    lines: list[RenderableType] = [Text(sanitise(f"skipped {problem}")) for problem in skipped]
    if not rows:
        return to_text([*lines, Text("no cross-origin requests in the HAR")], width=width, color=color)
    for row in rows:
        verdict = row["verdict"]
        title = Text(f"{verdict.upper():<8} ", style="bold green" if verdict == "allowed" else "bold red")
        title.append(sanitise(f"{row['method']} {row['url']}  (from {row['origin']})", newlines=True))
        if row["browser"] != "chromium":
            title.append(f"  in {row['browser']}")
        lines.append(title)
        for finding in row["findings"]:
            if finding["severity"] == "info":
                continue
            text = Text(finding["code"], style="bold")
            if finding["next"]:
                text.append("  would fail next", style="magenta")
            text.append(f": {sanitise(finding['message'], newlines=True)}")
            lines.append(Padding(text, (0, 0, 0, 9)))
            if not finding["next"]:
                fix = Text("fix: ", style="bold green") + Text(sanitise(finding["fix"], newlines=True))
                lines.append(Padding(fix, (0, 0, 0, 9)))
        if row["note"]:
            lines.append(Padding(Text(f"note: {sanitise(row['note'], newlines=True)}"), (0, 0, 0, 9)))
    failed = sum(row["verdict"] != "allowed" for row in rows)
    requests = "request" if len(rows) == 1 else "requests"
    lines.append(Text(f"{len(rows)} cross-origin {requests}, {failed} failed"))
    return to_text(lines, width=width, color=color)


def _with_browser_cookies(
    verdicts: list[HarVerdict],
    cookie_jar: Path | None,
    set_cookies: list[str],
    third_party_cookies: ThirdPartyCookies,
) -> list[HarVerdict]:
    """The requests to re-check live, with the browser's cookies (read before anything is sent)."""
    from corscheck.inputs.cookie_jar import browser_cookies, read_cookie_jar

    jar = read_cookie_jar(cookie_jar) if cookie_jar is not None else ()
    return [
        replace(
            verdict,
            spec=replace(
                verdict.spec,
                cookies=browser_cookies(jar, set_cookies, verdict.spec.url),
                third_party_cookies=third_party_cookies,
            ),
        )
        for verdict in verdicts
    ]


def _recheck_all(
    verdicts: list[HarVerdict],
    timeout: float,
    network: NetworkSettings,
    *,
    preflight_only: bool,
    send_unsafe: bool,
    show_secrets: bool,
) -> list[dict[str, Any]]:
    from corscheck.probe import Probe  # the probe loads only for --live

    with Probe(timeout=timeout, network=network) as probe:
        return [
            _recheck(
                verdict,
                probe.check,
                preflight_only=preflight_only,
                send_unsafe=send_unsafe,
                show_secrets=show_secrets,
            )
            for verdict in verdicts
        ]


def har(
    file: Annotated[
        Path,
        typer.Argument(help="A HAR file exported by Chromium, Firefox or Playwright.", show_default=False),
    ],
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin", "-o", help="The page's origin, when the HAR does not show it.", metavar="ORIGIN"
        ),
    ] = None,
    live: Annotated[bool, typer.Option("--live", help="Re-check every request against the server.")] = False,
    json_output: options.Json = False,
    output: options.Output = None,
    timeout: options.Timeout = 10.0,
    color_mode: options.Color = ColorMode.AUTO,
    no_color: options.NoColor = False,
    insecure: options.Insecure = False,
    cacert: options.CaCert = None,
    cert: options.Cert = None,
    key: options.Key = None,
    proxy: options.Proxy = None,
    noproxy: options.NoProxy = None,
    preflight_only: options.PreflightOnly = False,
    send_unsafe: Annotated[
        bool,
        typer.Option(
            "--send-unsafe", help="With --live, re-send recorded writes too (not only their preflight)."
        ),
    ] = False,
    show_secrets: options.ShowSecrets = False,
    page: options.PageUrl = None,
    cookie_jar: options.CookieJar = None,
    set_cookie: options.SetCookie = None,
    third_party_cookies: options.ThirdPartyCookiesOption = ThirdPartyCookies.ALLOW,
    browser: options.BrowserOption = options.Browser.CHROMIUM,
) -> None:
    """Judge every cross-origin request of a HAR export, failed first.

    --live never re-sends a method other than GET, HEAD or OPTIONS unless --send-unsafe is given:
    such requests are checked by their preflight only.
    """
    from corscheck.core.origin import parse_origin
    from corscheck.inputs.har import pair_preflights, read_har
    from corscheck.inputs.har_check import judge_all

    network, page_facts = None, None
    try:
        if live or page is not None:  # offline, nothing is fetched
            network = network_settings(
                insecure=insecure, cacert=cacert, cert=cert, key=key, proxy=proxy, noproxy=noproxy
            )
            if page is not None:
                from corscheck.cli.page import page_and_origin

                page_facts, origin = page_and_origin(page, origin, timeout, network)
        if origin is not None:
            parse_origin(origin)
        with file.open("rb") as stream:
            log = read_har(stream)
        skipped = list(log.skipped)
        paired = pair_preflights(log.entries)
        verdicts = [
            verdict
            for index, engine in enumerate(browser.engines())
            for verdict in judge_all(paired, origin, skipped if index == 0 else None, page_facts, engine)
        ]
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}", ExitCode.USAGE)
    except InputError as exc:
        fail(f"{file}: {exc}", ExitCode.USAGE)
    if live and network is not None:
        try:
            verdicts = _with_browser_cookies(verdicts, cookie_jar, set_cookie or [], third_party_cookies)
            rows = _recheck_all(
                verdicts,
                timeout,
                network,
                preflight_only=preflight_only,
                send_unsafe=send_unsafe,
                show_secrets=show_secrets,
            )
        except InputError as exc:
            fail(str(exc), ExitCode.USAGE)
    else:
        rows = [
            _row(verdict, verdict.result, "har", note=verdict.note, show_secrets=show_secrets)
            for verdict in verdicts
        ]
    rows.sort(key=lambda row: row["verdict"] == "allowed")
    if json_output:
        from corscheck.report.json import SCHEMA

        document = {
            "schema": SCHEMA,
            "requests": rows,
            "tls_verify": not (live and insecure),
            "skipped": skipped,
        }
        with open_report(output) as stream:
            json.dump(document, stream, indent=2, default=str)  # in pieces: no second copy of a large report
            stream.write("\n")
    else:
        color = output in (None, "-") and use_color(color_mode, sys.stdout, no_color=no_color)
        write_report(_render_text(rows, skipped, width=terminal_width(), color=color), output)
    # With --browser all, a request any engine fails fails the run: the worst engine's code.
    raise typer.Exit(ExitCode.FAILED if any(row["verdict"] != "allowed" for row in rows) else ExitCode.OK)
