"""docs/audit.md is generated from the probe table."""

from pathlib import Path

from corscheck.core.audit_probes import render_audit_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_docs_audit_md_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_audit_markdown(), (
        "docs/audit.md is stale: regenerate it from corscheck.core.audit_probes.render_audit_markdown()"
    )
