"""`corscheck audit` on the command line: where URLs come from, what it states, formats and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from typer.testing import CliRunner

from corscheck.cli import app
from tests.audit.test_zoo import TRUSTED, allow_list, echo_any, handwritten, public_api


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["audit", *args], input=input)


def test_urls_from_a_file_and_stdin_in_input_order(tmp_path):
    with handwritten(echo_any) as echo, handwritten(public_api) as public:
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# estate\n{public}\n\n{echo}\n")
        from_file = invoke("--input", str(listing), "-o", TRUSTED, "--format", "json")
        from_stdin = invoke("-", "-o", TRUSTED, "--format", "json", input=f"{public}\n{echo}\n")
    for result in (from_file, from_stdin):
        assert result.exit_code == 1
        urls = [r["url"] for r in json.loads(result.stdout)["results"]]
        assert urls == [public, echo]
        # The request count is stated up front, on stderr (stdout stays pure JSON).
        assert "2 URL(s), 8 request(s)" in result.stderr


def test_bad_input_is_one_line_and_exit_2():
    for args, words in (
        (("not-a-url",), "must start with http"),
        (("http://x.test/", "-o", "https://app.example/path"), "has a path"),
        (("http://x.test/", "-H", "no colon"), "Name: value"),
        ((), "no URL to audit"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_nothing_reachable_exits_3():
    result = invoke("http://127.0.0.1:9/", "-o", TRUSTED, "-q")
    assert result.exit_code == 3
    assert "UNREACHABLE" in result.stdout and "refused" in result.stdout


def test_fail_on_sets_the_threshold():
    with handwritten(allow_list(TRUSTED, "http://localhost:3000")) as url:  # a medium finding
        assert invoke(url, "-o", TRUSTED, "-q").exit_code == 1
        assert invoke(url, "-o", TRUSTED, "-q", "--fail-on", "high").exit_code == 0


def test_ci_formats_parse_and_carry_the_findings():
    with handwritten(echo_any) as url:
        junit = invoke(url, "-o", TRUSTED, "-q", "--format", "junit")
        sarif = invoke(url, "-o", TRUSTED, "-q", "--format", "sarif")
        github = invoke(url, "-o", TRUSTED, "-q", "--format", "github")
    suite = ET.fromstring(junit.stdout)
    assert suite.get("failures") == "1" and "AUDIT-ORIGIN-REFLECTED" in suite.find("testcase/failure").text
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("AUDIT-ORIGIN-REFLECTED", "error")]
    assert github.stdout.startswith("::error title=corscheck audit (AUDIT-ORIGIN-REFLECTED%2C critical)::")


def test_text_report_escapes_control_characters_from_the_server():
    def hostile(origin, method):
        return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "tru\x1b[31me")]

    with handwritten(hostile) as url:
        result = invoke(url, "-o", TRUSTED, "-q", "--fail-on", "info")
    assert "tru\\x1b[31me" in result.stdout and "\x1b" not in result.stdout


def test_an_audit_declared_in_corscheck_toml(tmp_path, monkeypatch):
    with handwritten(allow_list(TRUSTED, "null")) as url:
        (tmp_path / "corscheck.toml").write_text(
            f'[audit]\nurls = ["{url}"]\norigins = ["{TRUSTED}"]\nfail_on = "critical"\n'
        )
        monkeypatch.chdir(tmp_path)
        result = invoke("--format", "json", "-q")
        # `corscheck run` reads the same file without complaint.
        run = CliRunner().invoke(app, ["run"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["fail_on"] == "critical"
    assert [f["code"] for f in json.loads(result.stdout)["results"][0]["findings"]] == ["AUDIT-ORIGIN-NULL"]
    assert run.exit_code == 0, run.output


def test_a_bad_audit_table_is_exit_2(tmp_path):
    config = tmp_path / "corscheck.toml"
    config.write_text('[audit]\nurls = "http://x.test/"\n')
    result = invoke("--config", str(config))
    assert result.exit_code == 2 and "key 'urls'" in result.stderr


def test_the_readme_audit_table_is_valid(tmp_path):
    from pathlib import Path

    from corscheck.audit_config import load_audit_config

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = next(b for b in readme.split("```toml\n")[1:] if b.startswith("[audit]"))
    config = tmp_path / "corscheck.toml"
    config.write_text(block.split("```")[0])
    declared = load_audit_config(config)
    assert declared.origins == ("https://app.example.com",) and declared.fail_on == "high"
