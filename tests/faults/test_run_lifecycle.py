"""`corscheck run` under stress: stalled checks overlap, Ctrl-C stops it at once with a partial report,
reports are replaced atomically, and a closed stdout is not a failed check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from tests.faults.cli import PAGE, run_cli
from tests.faults.hostile import OPEN_RESPONSE, answer_each


def _config(tmp_path, *urls: str) -> str:
    path = tmp_path / "corscheck.toml"
    checks = "".join(
        f'[[check]]\nname = "check {i}"\nurl = "{url}"\norigin = "{PAGE}"\n' for i, url in enumerate(urls)
    )
    path.write_text(checks)
    return str(path)


def _stalling_on(*paths: str):
    """Answer at once, except on ``paths``: read the request and never answer."""

    def handle(conn) -> None:
        while head := conn.read_head():
            if any(f" {path} ".encode() in head for path in paths):
                time.sleep(30)
                return
            if not conn.send(OPEN_RESPONSE):
                return

    return handle


def test_stalled_checks_overlap_instead_of_holding_the_pool(tmp_path, hostile):
    """4 stalled checks spread over 40 at concurrency 4: about one --timeout, not four in a row."""
    stalled = ("/5", "/15", "/25", "/35")
    server = hostile(_stalling_on(*stalled))
    urls = [server.url(f"/{i}") for i in range(40)]
    outcome = run_cli(
        "run", _config(tmp_path, *urls), "--format", "json", "--timeout", "2", "--concurrency", "4"
    )
    results = json.loads(outcome.stdout)["results"]
    assert [r["url"] for r in results] == urls  # config order kept
    timed_out = [r["url"] for r in results if r["verdict"] == "error"]
    assert timed_out == [server.url(path) for path in stalled]
    assert outcome.elapsed < 2 + 1.5, outcome.elapsed


def _start_run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "corscheck", "run", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize("fmt", ["json", "junit", "sarif", "github", "text"])
def test_ctrl_c_stops_within_a_second_with_a_well_formed_partial_report(tmp_path, hostile, fmt):
    server = hostile(_stalling_on("/stall"))
    config = _config(tmp_path, server.url("/0"), server.url("/1"), server.url("/stall"), server.url("/3"))
    report = tmp_path / f"report.{fmt}"
    run = _start_run(config, "--format", fmt, "--output", str(report), "--timeout", "30")
    deadline = time.monotonic() + 10
    while len(server.heads) < 4 and time.monotonic() < deadline:  # every check under way
        time.sleep(0.05)
    time.sleep(0.3)
    interrupted = time.monotonic()
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=10)
    assert time.monotonic() - interrupted < 1.0
    assert run.returncode == 130, stderr
    text = report.read_text()
    if fmt == "json":
        document = json.loads(text)
        assert document["interrupted"] is True
        assert [r["name"] for r in document["results"]] == ["check 0", "check 1", "check 3"]
    elif fmt == "junit":
        assert ET.fromstring(text).get("tests") == "3"
    elif fmt == "sarif":
        json.loads(text)
    elif fmt == "text":
        assert "interrupted: 3 of 4 checks reported" in text


def test_a_run_that_fails_keeps_the_previous_report(tmp_path):
    report = tmp_path / "report.json"
    report.write_text('{"previous": true}')
    config = tmp_path / "corscheck.toml"
    config.write_text('[[check]]\nurl = "http://127.0.0.1:9/"\norigin = "nope"\n')
    outcome = run_cli("run", str(config), "--format", "json", "--output", str(report))
    assert outcome.exit_code == 2, outcome
    assert report.read_text() == '{"previous": true}'
    assert set(tmp_path.iterdir()) == {report, config}


def test_an_unwritable_report_is_one_line_and_exit_2(tmp_path, hostile):
    server = hostile(answer_each(OPEN_RESPONSE))
    outcome = run_cli("run", _config(tmp_path, server.url("/")), "--output", str(tmp_path / "no" / "r.xml"))
    assert outcome.exit_code == 2, outcome
    assert outcome.stderr.startswith("corscheck: error: cannot write") and outcome.stderr.count("\n") == 1


def test_a_report_is_replaced_only_when_complete(tmp_path, hostile):
    server = hostile(answer_each(OPEN_RESPONSE))
    report = tmp_path / "report.xml"
    report.write_text("old")
    outcome = run_cli("run", _config(tmp_path, server.url("/")), "--format", "junit", "--output", str(report))
    assert outcome.exit_code == 0, outcome
    assert ET.fromstring(report.read_text()).get("tests") == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corscheck.toml", "report.xml"]  # no temporary left


def test_a_new_report_gets_the_mode_any_new_file_gets(tmp_path, hostile):
    server = hostile(answer_each(OPEN_RESPONSE))
    report = tmp_path / "new-report.xml"
    previous = os.umask(0o022)
    try:
        outcome = run_cli(
            "run", _config(tmp_path, server.url("/")), "--format", "junit", "--output", str(report)
        )
    finally:
        os.umask(previous)
    assert outcome.exit_code == 0, outcome
    assert report.stat().st_mode & 0o777 == 0o644  # as `> file` or curl -o, not the temporary's 0600


def test_a_closed_stdout_is_not_a_failed_check(tmp_path, hostile):
    server = hostile(answer_each(OPEN_RESPONSE))
    config = _config(tmp_path, *[server.url(f"/{i}") for i in range(200)])
    run = subprocess.run(
        f"{sys.executable} -m corscheck run {config} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        executable="/bin/bash",
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert run.stdout.startswith("PASS check 0")
    assert run.stderr == ""
    piped = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m corscheck run {config} | head -1 >/dev/null"],
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0, piped.stderr


def _matrix_config(tmp_path, values: int) -> str:
    """One [[check]] whose three lists multiply to values**3 checks, in a few KB."""
    urls = ", ".join(f'"/p{i}"' for i in range(values))
    origins = ", ".join(f'"https://o{i}.example"' for i in range(values))
    methods = ", ".join(f'"M{i}"' for i in range(values))
    path = tmp_path / "corscheck.toml"
    path.write_text(
        f'[defaults]\nbase_url = "http://127.0.0.1:9"\n[[check]]\nname = "m"\n'
        f"url = [{urls}]\norigin = [{origins}]\nmethod = [{methods}]\n"
    )
    return str(path)


def test_a_huge_matrix_is_counted_and_refused_before_it_is_expanded(tmp_path):
    config = _matrix_config(tmp_path, 100)  # 10^6 checks from a few KB
    outcome = run_cli("run", config)
    assert outcome.exit_code == 2, outcome
    assert "expands to 1000000 checks, over the limit of 10000" in outcome.stderr
    assert outcome.elapsed < 10  # counted, not expanded (91 s and 484 MB before; a loaded machine)


def test_a_matrix_plan_builds_each_check_only_when_reached(tmp_path):
    from pathlib import Path

    from corscheck.config import load_config

    plan = load_config(Path(_matrix_config(tmp_path, 100)), max_checks=10**6)
    assert len(plan) == 10**6
    last = plan[-1]
    assert (last.spec.url, last.spec.origin, last.spec.method) == (
        "http://127.0.0.1:9/p99",
        "https://o99.example",
        "M99",
    )
    assert [c.spec.method for c in plan[:3]] == ["M0", "M1", "M2"]  # itertools.product order


def test_a_full_disk_is_one_line_and_keeps_the_previous_report(tmp_path, hostile, monkeypatch):
    import errno

    import corscheck.cli.report_file as report_file

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report_file.os, "fsync", no_space)  # a disk fills up as the report is saved
    server = hostile(answer_each(OPEN_RESPONSE))
    report = tmp_path / "report.json"
    report.write_text('{"previous": true}')
    outcome = run_cli("run", _config(tmp_path, server.url("/")), "--format", "json", "--output", str(report))
    assert outcome.exit_code == 2, outcome
    assert outcome.stderr == f"corscheck: error: cannot write {report}: No space left on device\n"
    assert report.read_text() == '{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corscheck.toml", "report.json"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/a\x7fb", "http://xn--a.example/"])
def test_a_malformed_url_in_a_config_is_exit_2(tmp_path, url):
    outcome = run_cli("run", _config(tmp_path, url))
    assert outcome.exit_code == 2, outcome
    assert outcome.stderr.startswith("corscheck: error:") and outcome.stderr.count("\n") == 1


def test_a_url_that_cannot_be_reached_fails_only_its_own_check(tmp_path, hostile):
    server = hostile(answer_each(OPEN_RESPONSE))
    # https: from the https page an http name would be mixed content, blocked before sending.
    urls = ["https://127.0.0.1:1/", "https://xn--ls8h.la/", server.url("/ok")]
    outcome = run_cli("run", _config(tmp_path, *urls), "--format", "json")
    assert outcome.exit_code == 1, outcome
    verdicts = [r["verdict"] for r in json.loads(outcome.stdout)["results"]]
    assert verdicts == ["error", "error", "allowed"]
