"""`corscheck run` against hostile servers: each check bounded by --timeout, every format well-formed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from tests.faults.cli import PAGE, run_cli
from tests.faults.hostile import answer_each

HOSTILE_ALLOW_ORIGIN = (
    b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: \x1b[31m\x07\x0b" + PAGE.encode() + b"\r\n"
)
HOSTILE_ALLOW_ORIGIN += b"Content-Length: 0\r\n\r\n"


def _config(tmp_path, *urls: str) -> str:
    path = tmp_path / "corscheck.toml"
    checks = "".join(
        f'[[check]]\nname = "check {i}"\nurl = "{url}"\norigin = "{PAGE}"\n' for i, url in enumerate(urls)
    )
    path.write_text(checks)
    return str(path)


def _parses(fmt: str, stdout: str) -> None:
    if fmt in ("json", "sarif"):
        json.loads(stdout)
    elif fmt == "junit":
        ET.fromstring(stdout.encode())  # XML 1.0 forbids the control bytes the server sent


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
def test_control_bytes_from_the_server_keep_every_format_well_formed(tmp_path, hostile, fmt):
    server = hostile(answer_each(HOSTILE_ALLOW_ORIGIN))
    outcome = run_cli("run", _config(tmp_path, server.url("/a")), "--format", fmt)
    assert outcome.exit_code == 1, outcome
    _parses(fmt, outcome.stdout)
    if fmt != "json":  # JSON escapes them; everywhere else they must not reach the terminal or file
        assert "\x1b" not in outcome.stdout
        assert "\x07" not in outcome.stdout


def test_every_check_is_bounded_by_the_timeout(tmp_path, hostile):
    """Four stalled checks run concurrently: the run takes about one --timeout, not four."""
    silent = hostile(lambda conn: conn.read_head() and time.sleep(30))
    urls = [silent.url(f"/{i}") for i in range(4)]
    outcome = run_cli("run", _config(tmp_path, *urls), "--format", "json", "--timeout", "1")
    assert outcome.exit_code == 3, outcome  # nothing was reachable
    document = json.loads(outcome.stdout)
    assert [result["failure"]["kind"] for result in document["results"]] == ["timeout"] * 4
    assert outcome.elapsed < 1 + 2.0


def test_unreachable_and_reachable_checks_together_exit_1(tmp_path, hostile):
    server = hostile(answer_each(HOSTILE_ALLOW_ORIGIN))
    outcome = run_cli(
        "run", _config(tmp_path, server.url("/a"), "http://127.0.0.1:9/refused"), "--format", "junit"
    )
    assert outcome.exit_code == 1, outcome
    suite = ET.fromstring(outcome.stdout.encode()).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "1")


def test_the_installed_entry_point_prints_one_line_and_exits_3():
    """Through main() itself (CliRunner skips its last-resort handler): python -m corscheck."""
    process = subprocess.run(
        [sys.executable, "-m", "corscheck", "check", "http://127.0.0.1:9/api", "--origin", PAGE, "--json"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert process.returncode == 3
    assert process.stderr.count("\n") == 1
    assert "refused" in process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    assert json.loads(process.stdout)["verdict"] == "error"
