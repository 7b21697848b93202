"""--fix-for: print the framework configuration that would make the checked request pass."""

from __future__ import annotations

import sys
from enum import StrEnum

from corscheck.core.model import CheckResult
from corscheck.fixes import FRAMEWORKS, fix_for
from corscheck.report import RenderOptions

FixFramework = StrEnum("FixFramework", {name.replace("-", "_").upper(): name for name in FRAMEWORKS})  # type: ignore[misc]


def _reached(result: CheckResult) -> bool:
    return result.failure is None or result.failure.kind == "redirect"


def fix_document(framework: str, result: CheckResult) -> dict[str, object]:
    """The ``fix_for`` member of the --json report."""
    return {
        "framework": framework,
        "config": fix_for(framework, result),
        # False: the server could not be reached, so the config comes from the request alone.
        "merged_with_server": _reached(result),
    }


def print_fix(framework: str, result: CheckResult, options: RenderOptions, *, to_stderr: bool) -> None:
    """The snippet after the report (on stderr under --json, so stdout stays one JSON document)."""
    from corscheck.report.snippet import highlight

    _, lexer = FRAMEWORKS[framework]
    code = highlight(
        fix_for(framework, result), lexer, color=options.color and not to_stderr, width=options.width
    )
    stream = sys.stderr if to_stderr else sys.stdout
    source = (
        ""
        if _reached(result)
        else " (from the request alone: the server could not be reached, so what it already allows"
        " is not merged in)"
    )
    stream.write(f"\nServer configuration for {framework} that lets this request through{source}:\n\n{code}")
