"""JUnit XML for `corscheck run`: one testcase per expanded check (Jenkins/GitLab render it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import partial

from corscheck.report.sanitise import shown
from corscheck.suite import CaseOutcome, Summary


def render(outcomes: Iterable[CaseOutcome], *, show_secrets: bool = False) -> str:
    # Sanitised text is also valid XML 1.0 text: no C0 controls but newline, no U+FFFE/U+FFFF.
    _clean = partial(shown, show_secrets=show_secrets, newlines=True)
    suite = ET.Element("testsuite", name="corscheck")
    summary = Summary()
    for outcome in outcomes:
        summary.add(outcome)
        case = ET.SubElement(
            suite, "testcase", name=_clean(outcome.case.name), classname=_clean(outcome.case.source)
        )
        result = outcome.result
        detail = "\n".join(_clean(f"{f.code} ({f.severity}): {f.message}") for f in outcome.findings)
        if outcome.unreachable:
            failure = result.failure
            element = ET.SubElement(
                case, "error", message=_clean(failure.message if failure else "unreachable")
            )
            element.text = detail
        elif not outcome.passed:
            element = ET.SubElement(
                case, "failure", message=_clean("; ".join(outcome.reasons)), type="corscheck"
            )
            element.text = "\n".join(filter(None, [_clean(result.browser_message or ""), detail]))
        ET.SubElement(case, "system-out").text = _clean(
            f"{result.spec.method} {result.spec.url} from {result.spec.origin}: {result.verdict}"
        )
    suite.set("tests", str(summary.total))
    suite.set("failures", str(summary.failed - summary.errors))
    suite.set("errors", str(summary.errors))
    suite.set("skipped", "0")
    root = ET.Element("testsuites", tests=str(summary.total))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
