"""SARIF 2.1.0 for GitHub code scanning: one rule per finding code, results pointing at the check."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from corscheck import __version__
from corscheck.core.model import Severity
from corscheck.core.rules import RULES
from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: A failed expectation that no finding explains (e.g. allowed but expected blocked).
EXPECTATION_RULE = "CORSCHECK-EXPECTATION"


def _rules() -> list[dict[str, Any]]:
    rules = [
        {
            "id": rule.code,
            "name": "".join(part.title() for part in rule.code.split("-")),
            "shortDescription": {"text": rule.title[:1024]},
            "fullDescription": {"text": rule.summary[:1024]},
            "help": {
                "text": f"{rule.why}\nFix: {rule.fix}",
                "markdown": f"{rule.why}\n\n**Fix:** {rule.fix}",
            },
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
        }
        for rule in RULES.values()
    ]
    rules.append(
        {
            "id": EXPECTATION_RULE,
            "name": "CorscheckExpectation",
            "shortDescription": {"text": "A check's verdict differs from its expectation"},
            "fullDescription": {"text": "The check expected allowed (or blocked) and got the other."},
            "help": {"text": "Change the server's CORS policy, or the check's expect."},
            "defaultConfiguration": {"level": "error"},
        }
    )
    return rules


def render(outcomes: Iterable[CaseOutcome], *, show_secrets: bool = False) -> str:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for outcome in outcomes:
        if outcome.passed:
            continue
        case = outcome.case
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": shown(case.source, show_secrets=True)},
                "region": {"startLine": case.line},
            }
        }
        reported = [f for f in outcome.findings if any(r.startswith(f.code) for r in outcome.reasons)]
        verdict_wrong = outcome.result.verdict is not case.expect
        if verdict_wrong and outcome.result.findings and outcome.result.findings[0] in outcome.findings:
            reported.insert(0, outcome.result.findings[0])  # the finding that decided the verdict
        if not reported or verdict_wrong:
            text = f"{case.name}: " + "; ".join(outcome.reasons)
            results.append(
                {
                    "ruleId": EXPECTATION_RULE,
                    "ruleIndex": index[EXPECTATION_RULE],
                    "level": "error",
                    "message": {"text": shown(text, show_secrets=show_secrets, newlines=True)},
                    "locations": [location],
                }
            )
        for finding in reported:
            results.append(
                {
                    "ruleId": finding.code,
                    "ruleIndex": index[finding.code],
                    "level": LEVELS[finding.severity],
                    "message": {
                        "text": shown(
                            f"{case.name}: {finding.message}", show_secrets=show_secrets, newlines=True
                        )
                    },
                    "locations": [location],
                }
            )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corscheck",
                        "semanticVersion": __version__,
                        "informationUri": "https://pypi.org/project/corscheck/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
