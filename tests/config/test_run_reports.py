"""JUnit, SARIF and GitHub renderings of run outcomes, parsed back and checked field by field."""

import json
import xml.etree.ElementTree as ET

from corscheck.config import CheckCase
from corscheck.core.model import NetworkFailure, RequestSpec, Verdict
from corscheck.report import github, junit, sarif
from corscheck.suite import Selection, evaluate
from tests.core.conftest import respond, run_exchange

PAGE = "https://app.example"


def outcome(name, expect, server, line=5, **spec):
    case = CheckCase(
        name,
        RequestSpec("https://api.example/x", PAGE, probe_reflection=False, **spec),
        Verdict(expect),
        "corscheck.toml",
        line,
    )
    return evaluate(case, run_exchange(case.spec, server), Selection())


def allowed(r):
    return respond(200, ("Access-Control-Allow-Origin", "*"), ("X-Evil", "a\x01b"))


def blocked(r):
    return respond(200, ("Access-Control-Allow-Origin", PAGE + "/\x0c"))


def unreachable(r):
    return NetworkFailure("refused", "connection refused", r.url)


OUTCOMES = [
    outcome("passes", "allowed", allowed),
    outcome("wrong verdict", "allowed", blocked, line=9),
    outcome("down", "allowed", unreachable, line=12),
]


def test_junit_parses_back_with_counts_and_clean_text():
    root = ET.fromstring(junit.render(OUTCOMES))
    suite = root.find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("errors") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["passes"].find("failure") is None
    failure = cases["wrong verdict"].find("failure")
    assert failure.get("message") == "expected allowed, got blocked"
    assert "CORS-ORIGIN-MISMATCH" in failure.text
    assert cases["down"].find("error").get("message") == "connection refused"


def test_junit_with_no_checks_is_still_valid():
    root = ET.fromstring(junit.render([]))
    assert root.find("testsuite").get("tests") == "0"


def test_sarif_has_rules_and_points_at_the_check():
    log = json.loads(sarif.render(OUTCOMES))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert "CORS-ORIGIN-MISMATCH" in ids and len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    results = run["results"]
    assert {r["ruleId"] for r in results} >= {"CORS-ORIGIN-MISMATCH", "CORSCHECK-EXPECTATION"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"] == "corscheck.toml"
        assert region["region"]["startLine"] in (9, 12)


def test_github_annotations_escape_and_cap():
    text = github.render(OUTCOMES)
    lines = text.splitlines()
    assert lines[0].startswith(
        "::error file=corscheck.toml,line=9,title=corscheck (CORS-ORIGIN-MISMATCH)::wrong verdict: expected allowed, got blocked"
    )
    assert all("\n" not in line for line in lines)
    many = github.render([OUTCOMES[1]] * 15)
    assert sum(line.startswith("::error") for line in many.splitlines()) == github.MAX_ANNOTATIONS
    assert len(many.splitlines()) == 15
