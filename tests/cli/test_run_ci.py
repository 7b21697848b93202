"""`corscheck run` in CI: warnings in every format, code and fix in text, statuses, shards, colour."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from tests.conftest import Reply

PAGE = "https://app.example"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def invoke(*args: str):
    return CliRunner().invoke(app, ["run", *args])


@pytest.fixture
def echoing(server):
    """Starlette's allow_origins=["*"] with allow_credentials=True: any Origin echoed, with credentials."""

    def answer(request):
        origin = request.header("Origin") or ""
        return Reply(
            200,
            [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin"),
            ],
        )

    server.routes[("*", "/me")] = answer
    return server


def config(tmp_path, *checks: str) -> str:
    path = tmp_path / "corscheck.toml"
    path.write_text("".join(f"[[check]]\n{check}\n" for check in checks))
    return str(path)


def echo_check(server) -> str:
    return f'name = "account"\nurl = "{server.url("/me")}"\norigin = "{PAGE}"\ncredentials = "include"'


def test_a_warning_that_does_not_fail_shows_in_every_format(tmp_path, echoing):
    path = config(tmp_path, echo_check(echoing))
    text = invoke(path)
    assert text.exit_code == 0
    assert re.search(r"PASS account .*\n +warning +LINT-ORIGIN-REFLECTED +.*echoes any origin", text.stdout)
    assert "fix: " in text.stdout
    github = invoke(path, "--format", "github").stdout
    assert re.search(r"^::warning file=.*title=corscheck \(LINT-ORIGIN-REFLECTED\)::account: ", github, re.M)
    sarif = json.loads(invoke(path, "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("LINT-ORIGIN-REFLECTED", "warning")]
    junit = ET.fromstring(invoke(path, "--format", "junit").stdout.split("\n", 1)[1])
    assert "LINT-ORIGIN-REFLECTED (warning)" in junit.find(".//system-out").text


def test_infos_show_with_verbose_only(tmp_path, server):
    server.route("/typo", ("Access-Control-Allow-Origin", "*"), status=404)
    path = config(tmp_path, f'name = "typo"\nurl = "{server.url("/typo")}"\norigin = "{PAGE}"')
    assert "LINT-STATUS-NOT-OK" not in invoke(path).stdout
    assert re.search(r"info +LINT-STATUS-NOT-OK +JavaScript can read this 404", invoke(path, "-v").stdout)
    assert "::notice " in invoke(path, "-v", "--format", "github").stdout
    assert "::notice " not in invoke(path, "--format", "github").stdout


def test_a_failing_line_shows_code_message_and_fix(tmp_path, server):
    server.route("/items", ("Access-Control-Allow-Origin", PAGE + "/"))
    path = config(tmp_path, f'name = "items"\nurl = "{server.url("/items")}"\norigin = "{PAGE}"')
    result = invoke(path)
    assert result.exit_code == 1
    assert "expected allowed, got blocked" in result.stdout
    assert re.search(r"error +CORS-ORIGIN-MISMATCH +The response from .* does not match", result.stdout)
    assert (
        "fix: Send `Access-Control-Allow-Origin: https://app.example` on the response from" in result.stdout
    )


@pytest.mark.parametrize(("status", "passes"), [("200", False), ('"200-499"', True), ("404", True)])
def test_a_check_can_expect_a_status(tmp_path, server, status, passes):
    server.route("/typo", ("Access-Control-Allow-Origin", "*"), status=404)
    path = config(
        tmp_path, f'name = "typo"\nurl = "{server.url("/typo")}"\norigin = "{PAGE}"\nstatus = {status}'
    )
    result = invoke(path)
    assert result.exit_code == (0 if passes else 1)
    assert ("expected status 200, got 404" in result.stdout) is not passes


def test_a_bad_status_is_a_config_error(tmp_path, server):
    path = config(tmp_path, f'url = "{server.url("/")}"\norigin = "{PAGE}"\nstatus = "ok"')
    result = invoke(path)
    assert result.exit_code == 2 and "key 'status'" in result.stderr


def test_a_config_without_checks_is_an_error(tmp_path):
    path = tmp_path / "corscheck.toml"
    path.write_text(f'[defaults]\norigin = "{PAGE}"\n')
    result = invoke(str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("corscheck: error: ") and "no checks" in result.stderr


def test_shards_split_round_robin_in_config_order(tmp_path, server):
    server.route("/", ("Access-Control-Allow-Origin", "*"))
    checks = [f'name = "c{i}"\nurl = "{server.url("/")}"\norigin = "{PAGE}"' for i in range(5)]
    path = config(tmp_path, *checks)

    def names(shard: str) -> list[str]:
        document = json.loads(invoke(path, "--json", "--shard", shard).stdout)
        return [result["name"] for result in document["results"]]

    assert names("1/2") == ["c0", "c2", "c4"]
    assert names("2/2") == ["c1", "c3"]
    shards = [names(f"{k}/5") for k in range(1, 6)]
    assert all(len(shard) == 1 for shard in shards)
    assert invoke(path, "--shard", "0/2").exit_code == 2
    assert invoke(path, "--shard", "3/2").exit_code == 2


def test_unknown_code_in_select_or_ignore_is_an_error(tmp_path, server):
    path = config(tmp_path, f'url = "{server.url("/")}"\norigin = "{PAGE}"')
    for option in ("--select", "--ignore"):
        result = invoke(path, option, "LINT-NOPE")
        assert result.exit_code == 2 and f"{option} LINT-NOPE" in result.stderr
    assert server.received == []


def test_color_always_colours_a_pipe_and_no_color_wins(tmp_path, server):
    server.route("/", ("Access-Control-Allow-Origin", "*"))
    path = config(tmp_path, f'url = "{server.url("/")}"\norigin = "{PAGE}"')
    assert "\x1b[" in invoke(path, "--color", "always").stdout
    assert "\x1b[" not in invoke(path, "--color", "always", "--no-color").stdout
    assert "\x1b[" not in invoke(path).stdout


def test_quiet_prints_nothing_and_keeps_the_exit_code(tmp_path, server):
    server.route("/", ("Access-Control-Allow-Origin", PAGE + "/"))
    result = invoke(config(tmp_path, f'url = "{server.url("/")}"\norigin = "{PAGE}"'), "-q")
    assert (result.exit_code, result.stdout) == (1, "")


def test_nothing_reachable_says_so_on_stderr(tmp_path):
    result = invoke(config(tmp_path, f'url = "http://127.0.0.1:1/"\norigin = "{PAGE}"'))
    assert result.exit_code == 3
    assert result.stderr == "corscheck: error: no check reached its target (1 unreachable)\n"


def test_on_a_terminal_the_bar_never_shares_a_line_with_a_result(tmp_path, server):
    """stdout and stderr on one pseudo-terminal, as in a shell: each result line starts clean."""
    server.routes[("*", "/")] = Reply(200, [("Access-Control-Allow-Origin", "*")], delay=0.05)
    path = config(
        tmp_path, *[f'name = "c{i}"\nurl = "{server.url("/")}"\norigin = "{PAGE}"' for i in range(8)]
    )
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "corscheck", "run", path, "--concurrency", "1"]
    process = subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env={**os.environ, "TERM": "xterm"}
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=30) == 0
    os.close(controller)
    text = output.decode()
    assert "checking" in text  # the bar was drawn
    results = [line for line in ANSI.sub("", text).replace("\r", "\n").splitlines() if "PASS" in line]
    assert len(results) == 8
    assert all(line.startswith("PASS c") for line in results), results
