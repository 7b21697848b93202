"""The rule registry is complete and docs/rules.md is generated from it."""

from pathlib import Path

from corscheck.core.messages import REASONS
from corscheck.core.rules import ALIASES, RULES, find_rule, render_rules_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: regenerate it with `corscheck rules --markdown > docs/rules.md`"
    )


def test_every_rule_is_documented_fully():
    for rule in RULES.values():
        assert rule.title and rule.summary and rule.why and rule.fix and rule.example, rule.code
        # CORSCHECK-: run's own verdicts about a check (the code was public in SARIF before the registry had it).
        assert rule.code.startswith(("CORS-", "LINT-", "AUDIT-", "CORSCHECK-")), rule.code


def test_every_chromium_error_has_exactly_one_rule():
    for kind in REASONS:
        assert sum(rule.chromium is kind for rule in RULES.values()) == 1, kind


def test_every_code_the_engine_emits_is_registered():
    source = "".join(
        p.read_text() for p in (Path(__file__).resolve().parents[1] / "corscheck" / "core").glob("*.py")
    )
    import re

    emitted = set(re.findall(r'"((?:CORS|LINT)-[A-Z-]+)"', source)) - set(ALIASES)
    assert emitted <= set(RULES), emitted - set(RULES)


def test_an_alias_names_its_code_and_never_another_code():
    assert not set(ALIASES) & set(RULES)
    for alias, code in ALIASES.items():
        assert find_rule(alias.lower()) is RULES[code]
    assert find_rule("CORS-ALLOW-METHODS-INVALID").code == "CORS-ACAM-INVALID"
