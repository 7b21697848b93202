"""--browser all: the same fetch() judged by every engine, one verdict each and the difference in words.

Pure: results in, text or a JSON-ready dict out (no rich, so --json never loads it).
"""

from __future__ import annotations

from typing import Any

from corscheck.core.model import CheckResult
from corscheck.core.profiles import PROFILES
from corscheck.report.sanitise import shown
from corscheck.report.secrets import mask_text


def _title(result: CheckResult) -> str:
    return PROFILES[result.spec.browser].title


def _names(results: list[CheckResult]) -> str:
    """ "Chromium", "Chromium and Safari", "Chromium, Firefox and Safari"."""
    titles = [_title(r) for r in results]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def _why(result: CheckResult) -> str:
    """What decided this engine's verdict: its first finding (the blocking one comes first)."""
    if result.findings:
        return result.findings[0].message
    return result.browser_message or ""


def difference_line(results: list[CheckResult]) -> str:
    """ "allowed in Chromium and Safari, blocked in Firefox: <why>", or that every engine agrees."""
    by_verdict: dict[str, list[CheckResult]] = {}
    for result in results:
        by_verdict.setdefault(str(result.verdict), []).append(result)
    if len(by_verdict) == 1:
        return f"{next(iter(by_verdict))} in every browser"
    groups = sorted(by_verdict.items(), key=lambda item: -len(item[1]))
    summary = ", ".join(f"{verdict} in {_names(group)}" for verdict, group in groups)
    minority = groups[-1][1][0]
    return f"{summary}: {_why(minority)}"


def render_text(results: list[CheckResult], *, show_secrets: bool) -> str:
    """One line per engine, then the line that calls out the difference."""
    width = max(len(_title(r)) for r in results)
    lines = ["Per browser:"]
    for result in results:
        line = f"  {_title(result):<{width}}  {result.verdict}"
        if result.browser_message:
            line += f"  {shown(result.browser_message, show_secrets=show_secrets)}"
        lines.append(line)
    lines.append(shown(difference_line(results), show_secrets=show_secrets))
    return "\n".join(lines) + "\n"


def engine_summary(result: CheckResult, *, show_secrets: bool) -> dict[str, Any]:
    """One engine's entry in the JSON report's ``browsers`` section (README: JSON output)."""
    preflight = result.preflight
    cache = result.preflight_cache
    return {
        "verdict": str(result.verdict),
        "browser_message": None
        if result.browser_message is None
        else mask_text(result.browser_message, show_secrets),
        "preflight_sent": preflight is not None,
        "request_headers": [name for name, _ in result.sent_headers],
        "exposed_headers": sorted(result.exposed_headers),
        "preflight_cache_seconds": None if cache is None else cache.seconds,
        "findings": [finding.code for finding in result.findings],
    }


def browsers_section(results: list[CheckResult], *, show_secrets: bool) -> dict[str, Any]:
    return {
        "engines": {r.spec.browser: engine_summary(r, show_secrets=show_secrets) for r in results},
        "differences": mask_text(difference_line(results), show_secrets),
    }
