"""`corscheck run` end to end against real loopback servers: expectations, formats, exit codes."""

import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from corscheck.cli import app

PAGE = "https://app.example.com"


@pytest.fixture
def api(server):
    """Allows PAGE with credentials and exposes X-Total-Count; refuses every other origin."""

    def answer(request):
        from tests.conftest import Reply

        origin = request.header("Origin")
        if origin != PAGE:
            return Reply(200, [("Vary", "Origin")])
        lines = [
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
            ("X-Total-Count", "7"),
            ("Access-Control-Expose-Headers", "X-Total-Count"),
        ]
        if request.method == "OPTIONS":
            lines += [
                ("Access-Control-Allow-Methods", "POST, DELETE"),
                ("Access-Control-Allow-Headers", "content-type, authorization"),
                ("Access-Control-Max-Age", "600"),
            ]
            return Reply(204, lines)
        return Reply(200, lines)

    server.routes[("*", "/tasks")] = answer
    return server


def write_config(tmp_path, base_url, extra=""):
    path = tmp_path / "corscheck.toml"
    path.write_text(
        f"""[defaults]
base_url = "{base_url}"
origin = "{PAGE}"
credentials = "include"

[[check]]
name = "app lists tasks"
url = "/tasks"
expose = ["x-total-count"]

[[check]]
name = "app creates and deletes tasks"
url = "/tasks"
method = ["POST", "DELETE"]
headers = {{ "Content-Type" = "application/json", "Authorization" = "Bearer x" }}

[[check]]
name = "unknown origins are refused"
url = "/tasks"
origin = ["https://evil.example.com", "null", "https://app.example.com.evil.net"]
expect = "blocked"
{extra}"""
    )
    return path


def invoke(*args):
    return CliRunner().invoke(app, ["run", *args])


def test_all_checks_pass(tmp_path, api):
    result = invoke(str(write_config(tmp_path, api.origin)))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("PASS ") == 6
    assert "FAIL" not in result.stdout


def test_json_report_streams_every_result_and_summary(tmp_path, api):
    result = invoke(str(write_config(tmp_path, api.origin)), "--format", "json")
    document = json.loads(result.stdout)
    assert document["schema"] == 1
    assert document["summary"] == {"total": 6, "passed": 6, "failed": 0, "errors": 0, "unreachable": 0}
    first = document["results"][0]
    assert first["name"] == "app lists tasks" and first["expect"] == "allowed" and first["passed"] is True
    assert first["exposed_headers"] == ["content-length", "x-total-count"]
    deletes = document["results"][2]
    assert deletes["preflight"]["request"]["headers"]["access-control-request-method"] == "DELETE"
    assert deletes["request"]["headers"]["Authorization"] == "<masked>"


def test_a_failing_expectation_exits_1_with_junit(tmp_path, api):
    extra = (
        '\n[[check]]\nname = "evil is allowed (wrong)"\nurl = "/tasks"\norigin = "https://evil.example.com"\n'
    )
    out = tmp_path / "report.xml"
    result = invoke(str(write_config(tmp_path, api.origin, extra)), "--format", "junit", "--output", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite.get("tests") == "7" and suite.get("failures") == "1"
    failure = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failure] == ["evil is allowed (wrong)"]


def test_fail_on_warning_and_ignore(tmp_path, server):
    server.route("/open", ("Access-Control-Allow-Origin", "null"))
    path = tmp_path / "c.toml"
    path.write_text(f'[[check]]\nname = "null page"\nurl = "{server.url("/open")}"\norigin = "null"\n')
    assert invoke(str(path)).exit_code == 0
    assert invoke(str(path), "--fail-on", "warning").exit_code == 1
    assert (
        invoke(
            str(path), "--fail-on", "warning", "--ignore", "LINT-NULL-ALLOWED,LINT-NO-VARY-ORIGIN"
        ).exit_code
        == 0
    )


def test_sarif_and_github_formats(tmp_path, api):
    extra = '\n[[check]]\nname = "wrong"\nurl = "/tasks"\norigin = "https://evil.example.com"\n'
    config = write_config(tmp_path, api.origin, extra)
    sarif = json.loads(invoke(str(config), "--format", "sarif").stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CORSCHECK-EXPECTATION"]
    line = config.read_text().splitlines().index("[[check]]", 20) + 1
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line
    github = invoke(str(config), "--format", "github").stdout
    assert github.startswith(f"::error file={config},line={line},")


def test_nothing_reachable_exits_3(tmp_path):
    result = invoke(str(write_config(tmp_path, "http://127.0.0.1:1")))
    assert result.exit_code == 3


def test_base_url_from_environment(tmp_path, api, monkeypatch):
    config = write_config(tmp_path, "http://127.0.0.1:1")
    monkeypatch.setenv("CORSCHECK_BASE_URL", api.origin)
    assert invoke(str(config)).exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[[check]]\nname = "x"\nurl = "https://a.example/"\norigin = "https://a.example/"\n',
            "check 'x': key 'origin'",
        ),
        (
            '[[check]]\nname = "x"\nurl = "/a"\norigin = "https://a.example"\n',
            "check 'x': key 'url': '/a' is relative",
        ),
        (
            '[[check]]\nname = "x"\nurl = "https://a.example/"\norigin = "https://a.example"\nmethods = "GET"\n',
            "key 'methods'",
        ),
        ("not toml [", "invalid TOML"),
    ],
)
def test_bad_config_exits_2_before_any_request(tmp_path, server, content, message):
    path = tmp_path / "corscheck.toml"
    path.write_text(content)
    result = invoke(str(path))
    assert result.exit_code == 2
    assert message in result.stderr and str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert server.received == []


def test_missing_config_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke()
    assert result.exit_code == 2
    assert "no corscheck.toml" in result.stderr
