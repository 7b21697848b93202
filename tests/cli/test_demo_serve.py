"""`corscheck demo --serve`: the server stays up, and the commands it prints work when pasted."""

import shlex
import subprocess
import sys

from typer.testing import CliRunner

from corscheck.cli import app


def test_serve_prints_commands_that_work_when_pasted():
    server = subprocess.Popen(
        [sys.executable, "-m", "corscheck", "demo", "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        printed = []
        while not (line := server.stdout.readline()).startswith("# Trailing slash"):
            printed.append(line)
        command = server.stdout.readline().strip()
        assert printed[0].startswith("corscheck demo server on http://127.0.0.1:")
        words = shlex.split(command)
        assert words[:2] == ["corscheck", "check"]
        result = CliRunner().invoke(app, [*words[1:], "--json"])
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()
    assert result.exit_code == 1, result.stdout
    assert '"code": "CORS-ORIGIN-MISMATCH"' in result.stdout
