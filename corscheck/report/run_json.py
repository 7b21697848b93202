"""`corscheck run --format json`: schema 1, each check's result as `check --json` prints it, streamed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from corscheck.report.json import SCHEMA, result_to_dict
from corscheck.report.secrets import mask_text
from corscheck.suite import CaseOutcome, Summary


def outcome_to_dict(
    outcome: CaseOutcome, *, show_secrets: bool = False, tls_verify: bool = True
) -> dict[str, object]:
    document = result_to_dict(outcome.result, show_secrets=show_secrets, tls_verify=tls_verify)
    del document["schema"]
    case = outcome.case
    return {
        **document,
        "name": mask_text(case.name, show_secrets),
        "expect": str(case.expect),
        "passed": outcome.passed,
        # Additions beyond the contract: why it failed, and where the check is defined.
        "reasons": [mask_text(reason, show_secrets) for reason in outcome.reasons],
        "source": {"file": case.source, "line": case.line},
    }


def render_stream(
    outcomes: Iterable[CaseOutcome],
    *,
    show_secrets: bool = False,
    tls_verify: bool = True,
    interrupted: Callable[[], bool] = lambda: False,
) -> Iterator[str]:
    """The document in pieces, so thousands of results never sit in memory at once; asked at the
    end, ``interrupted`` says whether the results are only those finished before Ctrl-C."""
    summary = Summary()
    yield f'{{"schema": {SCHEMA}, "results": ['
    for index, outcome in enumerate(outcomes):
        summary.add(outcome)
        separator = "," if index else ""
        yield (
            separator
            + "\n  "
            + json.dumps(
                outcome_to_dict(outcome, show_secrets=show_secrets, tls_verify=tls_verify), default=str
            )
        )
    totals = {
        "total": summary.total,
        "passed": summary.passed,
        "failed": summary.failed,
        "errors": summary.errors,
    }
    yield f'\n], "summary": {json.dumps(totals)}, "interrupted": {json.dumps(interrupted())}}}\n'
