"""--fix-for: print the framework configuration that would make the checked request pass."""

from __future__ import annotations

import sys
from enum import StrEnum

from corscheck.core.model import CheckResult
from corscheck.fixes import FRAMEWORKS, fix_for
from corscheck.report import RenderOptions

#: ``--fix-for auto``: the framework recognised from the responses (see LINT-SERVER-RECOGNISED).
AUTO = "auto"

FixFramework = StrEnum(  # type: ignore[misc]
    "FixFramework", {name.replace("-", "_").upper(): name for name in (*FRAMEWORKS, AUTO)}
)


def _chosen(framework: str, result: CheckResult) -> tuple[str | None, str]:
    """The framework ``--fix-for framework`` means for this result (None: auto recognised none), and
    how it was chosen, for the heading."""
    if framework != AUTO:
        return framework, ""
    guess = next((guess for guess in result.servers if guess.fix_for in FRAMEWORKS), None)
    if guess is None:
        return None, ""
    return guess.fix_for, f" (recognised, {guess.confidence})"


def _reached(result: CheckResult) -> bool:
    return result.failure is None or result.failure.kind == "redirect"


def fix_document(framework: str, result: CheckResult) -> dict[str, object]:
    """The ``fix_for`` member of the --json report."""
    chosen, _ = _chosen(framework, result)
    return {
        # None: --fix-for auto recognised no framework.
        "framework": chosen,
        "config": fix_for(chosen, result) if chosen is not None else None,
        # False: the server could not be reached, so the config comes from the request alone.
        "merged_with_server": _reached(result),
    }


def print_fix(framework: str, result: CheckResult, options: RenderOptions, *, to_stderr: bool) -> None:
    """The snippet after the report (on stderr under --json, so stdout stays one JSON document)."""
    from corscheck.report.snippet import highlight

    chosen, how = _chosen(framework, result)
    if chosen is None:
        names = ", ".join(FRAMEWORKS)
        sys.stderr.write(f"--fix-for auto: no framework recognised in the responses; name one: {names}\n")
        return
    _, lexer = FRAMEWORKS[chosen]
    code = highlight(
        fix_for(chosen, result), lexer, color=options.color and not to_stderr, width=options.width
    )
    stream = sys.stderr if to_stderr else sys.stdout
    source = (
        ""
        if _reached(result)
        else " (from the request alone: the server could not be reached, so what it already allows"
        " is not merged in)"
    )
    stream.write(
        f"\nServer configuration for {chosen}{how} that lets this request through{source}:\n\n{code}"
    )
