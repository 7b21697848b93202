"""Run the real `corscheck` CLI in-process and check the error contract: one line, a code, no traceback."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from corscheck.cli import app

PAGE = "https://app.example"


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    #: Wall-clock seconds the command took.
    elapsed: float

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def __repr__(self) -> str:
        return f"Outcome(exit {self.exit_code}, stderr={self.stderr[:300]!r}, stdout={self.stdout[:300]!r})"

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document (json.loads rejects trailing data)."""
        return json.loads(self.stdout)


def run_cli(*args: str) -> Outcome:
    """Invoke corscheck as a user would; an exception escaping typer is a bug, never an outcome."""
    started = time.monotonic()
    result = CliRunner().invoke(app, list(args))
    elapsed = time.monotonic() - started
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"corscheck {' '.join(args)!r} raised") from result.exception
    outcome = Outcome(result.exit_code, result.stdout, result.stderr, elapsed)
    assert "Traceback" not in outcome.stdout + outcome.stderr
    return outcome


def check(url: str, *options: str) -> Outcome:
    """`corscheck check URL --origin PAGE OPTIONS...`"""
    return run_cli("check", url, "--origin", PAGE, *options)


def assert_one_line_error(outcome: Outcome, code: int, *words: str) -> str:
    """Exit ``code`` with exactly one stderr line that mentions every one of ``words``."""
    assert outcome.exit_code == code, outcome
    assert len(outcome.stderr_lines) == 1, outcome.stderr
    line = outcome.stderr_lines[0]
    for word in words:
        assert word.lower() in line.lower(), line
    return line


def assert_unreachable(url: str, *words: str, timeout: str = "2") -> Outcome:
    """Both output modes: exit 3, one stderr line naming the problem; --json still one document."""
    text = check(url, "--timeout", timeout)
    assert_one_line_error(text, 3, *words)
    assert text.stdout == ""
    as_json = check(url, "--timeout", timeout, "--json")
    assert_one_line_error(as_json, 3, *words)
    document = as_json.json()
    assert document["verdict"] == "error"
    assert document["failure"]["kind"]
    return text
