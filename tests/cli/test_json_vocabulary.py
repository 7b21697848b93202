"""The JSON documents speak one vocabulary: har's findings carry details as check's do, explain has --json."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corscheck.cli import app

HAR = Path(__file__).parents[1] / "fixtures/devtools/chromium.har"
CHROMIUM = (
    "Access to fetch at 'https://api.example/items' from origin 'https://app.example' has been blocked by CORS"
    " policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."
)


def test_har_findings_have_check_s_fields(tmp_path):
    result = CliRunner().invoke(app, ["har", str(HAR), "--json"])
    findings = [f for row in json.loads(result.stdout)["requests"] for f in row["findings"]]
    assert findings
    assert all({"code", "severity", "message", "details"} <= set(f) for f in findings)


def test_har_output_writes_the_report_to_a_file(tmp_path):
    out = tmp_path / "har.json"
    result = CliRunner().invoke(app, ["har", str(HAR), "--json", "--output", str(out)])
    assert result.stdout == ""
    assert json.loads(out.read_text())["schema"] == 1


def test_explain_json_is_the_rule_and_the_facts():
    result = CliRunner().invoke(app, ["explain", CHROMIUM, "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["schema"] == 1 and document["code"] == "CORS-PREFLIGHT-STATUS"
    assert document["url"] == "https://api.example/items" and document["preflight"] is True
    assert document["fix"].startswith("Answer the preflight with 204 or 200")
