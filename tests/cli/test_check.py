"""`corscheck check` through typer's CliRunner: exit codes, stdout purity, one-line errors, colour."""

import json
import socket

import pytest
from typer.testing import CliRunner

from corscheck.cli import app

PAGE = "https://app.example"
ACAO = "Access-Control-Allow-Origin"


@pytest.fixture
def invoke():
    runner = CliRunner()
    return lambda *args, **kwargs: runner.invoke(app, list(args), **kwargs)


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        yield sock.getsockname()[1]


def test_allowed_exits_0_with_report_on_stdout(invoke, server):
    server.route("/api", (ACAO, "*"))
    result = invoke("check", server.url("/api"), "--origin", PAGE)
    assert result.exit_code == 0
    assert result.stdout.startswith("ALLOWED GET")
    assert result.stderr == ""


def test_blocked_exits_1_and_prints_chromium_message(invoke, server):
    server.route("/api")
    result = invoke("check", server.url("/api"), "--origin", PAGE)
    assert result.exit_code == 1
    assert "BLOCKED" in result.stdout
    assert "has been blocked by CORS policy" in result.stdout
    assert "CORS-ORIGIN-MISSING" in result.stdout


def test_unreadable_expose_header_exits_1(invoke, server):
    server.route("/api", (ACAO, "*"), ("X-Total-Count", "3"))
    result = invoke("check", server.url("/api"), "--origin", PAGE, "--expose", "X-Total-Count")
    assert result.exit_code == 1
    assert "cannot read: X-Total-Count" in result.stdout


def test_exposed_header_exits_0(invoke, server):
    server.route(
        "/api", (ACAO, "*"), ("X-Total-Count", "3"), ("Access-Control-Expose-Headers", "x-total-count")
    )
    result = invoke("check", server.url("/api"), "--origin", PAGE, "-e", "X-Total-Count")
    assert result.exit_code == 0


def test_json_is_the_only_thing_on_stdout(invoke, server):
    server.route("/api", (ACAO, "*"))
    result = invoke("check", server.url("/api"), "--origin", PAGE, "--json", "-v")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["verdict"] == "allowed"
    assert "\x1b" not in result.stdout


def test_json_still_printed_when_unreachable_with_one_line_on_stderr(invoke, closed_port):
    url = f"http://127.0.0.1:{closed_port}/"
    result = invoke("check", url, "--origin", PAGE, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["failure"]["kind"] == "refused"
    assert result.stderr.count("\n") == 1
    assert "refused" in result.stderr


def test_unreachable_exits_3_with_one_line(invoke, closed_port):
    result = invoke("check", f"http://127.0.0.1:{closed_port}/", "--origin", PAGE)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("corscheck: error: cannot reach")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["http://api.example/", "--origin", "https://app.example,https://b.example"],
        ["not a url", "--origin", PAGE],
        ["http://api.example/", "--origin", PAGE, "-H", "no colon here"],
        ["http://api.example/", "--origin", PAGE, "--method", "TRACE"],
    ],
)
def test_bad_input_exits_2_with_one_line(invoke, args):
    result = invoke("check", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("corscheck: error: ")
    assert result.stderr.count("\n") == 1


def test_missing_origin_is_a_usage_error(invoke):
    result = invoke("check", "http://api.example/")
    assert result.exit_code == 2
    assert "--origin" in result.stderr


def test_quiet_prints_nothing_but_keeps_the_exit_code(invoke, server):
    server.route("/api")
    result = invoke("check", server.url("/api"), "--origin", PAGE, "-q")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_verbose_shows_every_header(invoke, server):
    server.route("/api", (ACAO, "*"), ("X-Unrelated", "1"))
    plain = invoke("check", server.url("/api"), "--origin", PAGE)
    verbose = invoke("check", server.url("/api"), "--origin", PAGE, "-v")
    assert "X-Unrelated: 1" not in plain.stdout
    assert "X-Unrelated: 1" in verbose.stdout


def test_an_unreadable_application_header_is_noted_once_without_expose(invoke, server):
    server.route("/api", (ACAO, "*"), ("X-Total-Count", "3"), ("X-Frame-Options", "DENY"))
    plain = invoke("check", server.url("/api"), "--origin", PAGE, "--json")
    asked = invoke("check", server.url("/api"), "--origin", PAGE, "--json", "-e", "X-Total-Count")
    notes = [f for f in json.loads(plain.stdout)["findings"] if f["code"] == "LINT-HEADER-NOT-EXPOSED"]
    assert [(n["severity"], n["details"]["headers"]) for n in notes] == [("info", ["x-total-count"])]
    assert "--expose" in notes[0]["message"]
    codes = [f["code"] for f in json.loads(asked.stdout)["findings"]]
    assert "LINT-HEADER-NOT-EXPOSED" not in codes and "CORS-EXPOSE-MISSING" in codes


def test_secrets_masked_unless_asked(invoke, server):
    server.route("/api", (ACAO, "*"), ("Set-Cookie", "sid=server-secret"))
    args = ["check", server.url("/api"), "--origin", PAGE, "-H", "Authorization: Bearer tok3n", "-v"]
    server.route(
        "/api",
        (ACAO, PAGE),
        ("Access-Control-Allow-Headers", "authorization"),
        ("Set-Cookie", "sid=server-secret"),
    )
    for output in (invoke(*args).stdout, invoke(*args, "--json").stdout):
        assert "tok3n" not in output and "server-secret" not in output
        assert "<masked>" in output
    shown = invoke(*args, "--json", "--show-secrets").stdout
    assert "tok3n" in shown and "server-secret" in shown


@pytest.mark.parametrize(
    ("env", "flag", "coloured"),
    [
        ({}, None, False),  # CliRunner's stdout is not a terminal
        ({"FORCE_COLOR": "1"}, None, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),
        ({"NO_COLOR": "1"}, "--color=always", True),
        ({"FORCE_COLOR": "1"}, "--color=never", False),
        ({"FORCE_COLOR": "1"}, "--no-color", False),
    ],
)
def test_colour_precedence(invoke, server, env, flag, coloured):
    server.route("/api", (ACAO, "*"))
    args = ["check", server.url("/api"), "--origin", PAGE] + ([flag] if flag else [])
    result = invoke(*args, env=env)
    assert ("\x1b[" in result.stdout) is coloured


def test_json_never_coloured(invoke, server):
    server.route("/api", (ACAO, "*"))
    result = invoke("check", server.url("/api"), "--origin", PAGE, "--json", "--color=always")
    json.loads(result.stdout)
    assert "\x1b" not in result.stdout


def test_no_probe_reflection_sends_one_request(invoke, server):
    server.route("/api", (ACAO, PAGE))
    invoke("check", server.url("/api"), "--origin", PAGE, "--no-probe-reflection")
    assert len(server.received) == 1
