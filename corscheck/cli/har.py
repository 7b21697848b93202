"""`corscheck har FILE.har`: every cross-origin request of a HAR export, judged offline or --live."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corscheck.cli.output import fail, seconds
from corscheck.core.errors import InputError
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.core.model import CheckResult
    from corscheck.inputs.har_check import HarVerdict


def _row(verdict: HarVerdict, result: CheckResult | None, source: str) -> dict[str, Any]:
    spec = verdict.spec
    return {
        "method": spec.method,
        "url": spec.url,
        "origin": spec.origin,
        "request_headers": [list(h) for h in spec.headers],
        "verdict": result.verdict.value if result else "failed",
        "source": source,
        "findings": [
            {"code": f.code, "severity": f.severity.value, "message": f.message} for f in result.findings
        ]
        if result
        else [],
        "browser_message": result.browser_message if result else None,
        "note": verdict.note if source == "har" else None,
    }


def _render_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no cross-origin requests in the HAR\n"
    lines = []
    for row in rows:
        lines.append(f"{row['verdict'].upper():<8} {row['method']} {row['url']}  (from {row['origin']})")
        lines += [f"         {f['code']}: {f['message']}" for f in row["findings"] if f["severity"] != "info"]
        if row["note"]:
            lines.append(f"         note: {row['note']}")
    failed = sum(row["verdict"] != "allowed" for row in rows)
    lines.append(f"{len(rows)} cross-origin requests, {failed} failed")
    return "\n".join(lines) + "\n"


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
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")] = False,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds allowed per live check.", min=0.001, callback=seconds, metavar="SECONDS"),
    ] = 10.0,
) -> None:
    """Judge every cross-origin request of a HAR export, failed first."""
    from corscheck.inputs.har import pair_preflights, read_har
    from corscheck.inputs.har_check import judge_all

    try:
        verdicts = judge_all(pair_preflights(read_har(file.read_text(encoding="utf-8"))), origin)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}", ExitCode.USAGE)
    except (InputError, UnicodeDecodeError) as exc:
        fail(f"{file}: {exc}", ExitCode.USAGE)
    rows = []
    for verdict in verdicts:
        if live:
            from corscheck.probe import run_check  # httpx loads only for --live

            rows.append(_row(verdict, run_check(verdict.spec, timeout=timeout), "live"))
        else:
            rows.append(_row(verdict, verdict.result, "har"))
    rows.sort(key=lambda row: row["verdict"] == "allowed")
    if json_output:
        sys.stdout.write(json.dumps({"schema": 1, "requests": rows}, indent=2) + "\n")
    else:
        sys.stdout.write(_render_text(rows))
    raise typer.Exit(ExitCode.FAILED if any(row["verdict"] != "allowed" for row in rows) else ExitCode.OK)
