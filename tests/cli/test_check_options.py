"""`corscheck check` speaks run's options: --fail-on/--select/--ignore, --format, --output, several
--origin, origins as people type them, -b and --credentials, and errors that name the missing piece."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from tests.conftest import Reply

PAGE = "https://app.example"
OTHER = "https://other.example"


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["check", *args], env=env)


@pytest.fixture
def echoing(server):
    """Any Origin echoed with credentials (Starlette's allow_origins=["*"], allow_credentials=True)."""

    def answer(request):
        origin = request.header("Origin") or ""
        lines = [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
        return Reply(200, [*lines, ("Vary", "Origin")])

    server.routes[("*", "/me")] = answer
    return server


def test_fail_on_select_and_ignore_mean_what_they_mean_in_run(echoing):
    url = echoing.url("/me")
    assert invoke(url, "-o", PAGE).exit_code == 0
    assert invoke(url, "-o", PAGE, "--fail-on", "warning").exit_code == 1
    assert invoke(url, "-o", PAGE, "--fail-on", "warning", "--ignore", "LINT-ORIGIN").exit_code == 0
    assert invoke(url, "-o", PAGE, "--fail-on", "warning", "--select", "CORS-").exit_code == 0
    assert "LINT-ORIGIN-REFLECTED" in invoke(url, "-o", PAGE).stdout
    assert "LINT-ORIGIN-REFLECTED" not in invoke(url, "-o", PAGE, "--ignore", "LINT-ORIGIN-REFLECTED").stdout
    unknown = invoke(url, "-o", PAGE, "--select", "CORS-NOPE")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("corscheck: error: --select CORS-NOPE")


def test_ci_formats_carry_the_warning(echoing):
    url = echoing.url("/me")
    sarif = json.loads(invoke(url, "-o", PAGE, "--format", "sarif").stdout)
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] == [
        ("LINT-ORIGIN-REFLECTED", "warning")
    ]
    github = invoke(url, "-o", PAGE, "-f", "github").stdout
    assert github.startswith("::warning title=corscheck (LINT-ORIGIN-REFLECTED)::GET ")
    assert json.loads(invoke(url, "-o", PAGE, "--format", "json").stdout)["schema"] == 1


def test_output_writes_the_report_to_a_file(echoing, tmp_path):
    out = tmp_path / "report.json"
    result = invoke(echoing.url("/me"), "-o", PAGE, "--json", "--output", str(out))
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(out.read_text())["verdict"] == "allowed"


def test_several_origins_give_one_result_each_and_the_worst_exit_code(server):
    server.route("/items", ("Access-Control-Allow-Origin", PAGE))
    url = server.url("/items")
    result = invoke(url, "--origin", PAGE, "--origin", OTHER, "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["schema"] == 1
    assert [(r["origin"], r["verdict"]) for r in document["results"]] == [
        (PAGE, "allowed"),
        (OTHER, "blocked"),
    ]
    text = invoke(url, "-o", PAGE, "-o", OTHER).stdout
    assert text.count("ALLOWED GET") == 1 and text.count("BLOCKED GET") == 1
    assert invoke(url, "-o", OTHER, "-o", "https://third.example").exit_code == 1


def test_a_list_in_one_origin_is_told_it_is_a_list():
    result = invoke("http://127.0.0.1:9/", "--origin", f"{PAGE},{OTHER}")
    assert result.exit_code == 2
    assert result.stderr == (
        f"corscheck: error: --origin '{PAGE},{OTHER}' is a list: give each origin its own --origin\n"
    )


@pytest.mark.parametrize("typed", [PAGE + "/", PAGE + "/dashboard?tab=2"])
def test_an_address_bar_url_is_cut_to_its_origin_with_a_note(server, typed):
    server.route("/items", ("Access-Control-Allow-Origin", PAGE))
    result = invoke(server.url("/items"), "--origin", typed, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["origin"] == PAGE
    assert result.stderr == f"corscheck: note: {typed!r} is a page URL; checking from its origin {PAGE}\n"


def test_errors_name_where_the_origin_came_from():
    flag = invoke("http://127.0.0.1:9/", "--origin", "app.example")
    assert flag.stderr.startswith("corscheck: error: --origin: origin 'app.example' must start with")
    env = invoke("http://127.0.0.1:9/", env={"CORSCHECK_ORIGIN": "file:///home/me/page.html"})
    assert env.exit_code == 2
    assert env.stderr.startswith("corscheck: error: CORSCHECK_ORIGIN: ") and "use null" in env.stderr


def test_a_cookie_implies_credentials_include_unless_credentials_is_given(server):
    server.route("/me", ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"))
    implied = invoke(server.url("/me"), "-o", PAGE, "-b", "sid=1", "--json", "--no-probe-reflection")
    assert json.loads(implied.stdout)["request"]["credentials"] == "include"
    assert "--credentials include" in implied.stderr
    assert server.received[-1].header("Cookie") == "sid=1"
    chosen = invoke(server.url("/me"), "-o", PAGE, "-b", "sid=1", "--credentials", "same-origin", "--json")
    assert json.loads(chosen.stdout)["request"]["credentials"] == "same-origin"
    assert chosen.stderr == ""
    assert server.received[-1].header("Cookie") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origin", PAGE], "check needs a URL (or --from-curl / --from-fetch)"),
        (["http://127.0.0.1:9/"], "check needs --origin or --page (or --from-curl / --from-fetch)"),
    ],
)
def test_a_missing_url_or_origin_is_named(args, message):
    result = invoke(*args)
    assert (result.exit_code, result.stderr) == (2, f"corscheck: error: {message}\n")


def test_a_copy_with_cookies_says_it_checks_with_credentials(server):
    server.route("/me", ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"))
    copy = f"curl '{server.url('/me')}' -H 'Origin: {PAGE}' -b 'sid=1'"
    result = invoke("--from-curl", copy, "--json", "--no-probe-reflection")
    assert json.loads(result.stdout)["request"]["credentials"] == "include"
    assert result.stderr == (
        "corscheck: note: the copy sends a cookie: checking with --credentials include (--credentials overrides)\n"
    )


def test_from_curl_with_h_adds_the_header(server):
    server.route("/items", ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Headers", "x-trace"))
    copy = f"curl '{server.url('/items')}' -H 'Origin: {PAGE}'"
    result = invoke("--from-curl", copy, "-H", "X-Trace: 1", "--json", "--no-probe-reflection")
    assert result.exit_code == 0, result.stderr
    assert (
        json.loads(result.stdout)["preflight"]["request"]["headers"]["access-control-request-headers"]
        == "x-trace"
    )
    assert server.received[-1].header("X-Trace") == "1"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--timeout", "abc"], {}, "--timeout: 'abc' is not a number of seconds"),
        ([], {"CORSCHECK_TIMEOUT": "abc"}, "CORSCHECK_TIMEOUT: 'abc' is not a number of seconds"),
        (["--color", "purple"], {}, "--color: "),
    ],
)
def test_a_bad_option_value_is_one_line_naming_where_it_came_from(args, env, message):
    result = invoke("http://127.0.0.1:9/", "-o", PAGE, *args, env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"corscheck: error: {message}")
    assert result.stderr.count("\n") == 1


def test_bare_corscheck_prints_help_and_exits_0():
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert re.match(r"Usage: \S+ \[OPTIONS\] COMMAND", result.stdout)


def test_expectation_code_is_a_documented_rule():
    result = CliRunner().invoke(app, ["rules", "CORSCHECK-EXPECTATION"])
    assert result.exit_code == 0 and result.stdout.startswith("CORSCHECK-EXPECTATION (error")
