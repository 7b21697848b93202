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
