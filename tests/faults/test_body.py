"""A multi-gigabyte body: corscheck reads the head and hangs up; memory and bytes read stay small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from tests.faults.cli import PAGE, check
from tests.faults.hostile import Connection

BODY_SIZE = 4 * 1024**3
CHUNK = b"x" * 65536
#: Upper bound on what the server may push before the client hangs up: kernel buffers on both
#: sides of a loopback connection (a few MB), not the 4 GB the server offers.
MAX_BYTES_SENT = 32 * 1024**2
MAX_RSS_MB = 150


def _endless_body(conn: Connection) -> None:
    """Announce 4 GB and stream it lazily until the client closes the connection."""
    while conn.read_head():
        head = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: %d\r\n\r\n" % BODY_SIZE
        if not conn.send(head):
            return
        for _ in range(BODY_SIZE // len(CHUNK)):
            if not conn.send(CHUNK):
                return


def _wait_for_client_hangup(server, seconds: float = 5.0) -> None:
    """bytes_sent stops growing once the client has closed and the server's send fails."""
    deadline = time.monotonic() + seconds
    last = -1
    while time.monotonic() < deadline and server.bytes_sent != last:
        last = server.bytes_sent
        time.sleep(0.2)


def test_huge_body_is_never_read(hostile):
    server = hostile(_endless_body, send_buffer=64 * 1024)
    outcome = check(server.url("/api"), "--json", "--timeout", "5")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["verdict"] == "allowed"
    _wait_for_client_hangup(server)
    assert server.bytes_sent < MAX_BYTES_SENT


def _run_measured(*args: str, timeout: float = 30) -> tuple[int, bytes, bytes, float]:
    """Run a child process; return its exit code, stdout, stderr and peak RSS in MB (from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        while (waited := os.wait4(process.pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{args} still running after {timeout} s")
            time.sleep(0.02)
        _, status, usage = waited
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in kilobytes on Linux.
        return process.returncode, out.read(), err.read(), usage.ru_maxrss / 1024


def test_huge_body_keeps_process_memory_bounded(hostile):
    """The real process (python -m corscheck), its peak RSS measured by the kernel."""
    server = hostile(_endless_body, send_buffer=64 * 1024)
    started = time.monotonic()
    code, stdout, stderr, peak_mb = _run_measured(
        sys.executable, "-m", "corscheck", "check", server.url("/api"), "--origin", PAGE, "--json"
    )
    elapsed = time.monotonic() - started
    assert code == 0, stderr
    assert b"Traceback" not in stdout + stderr
    assert json.loads(stdout)["verdict"] == "allowed"
    _wait_for_client_hangup(server)
    sent_mb = server.bytes_sent / 1024**2
    print(f"\n4 GB body offered: peak RSS {peak_mb:.1f} MB, server sent {sent_mb:.1f} MB, {elapsed:.2f} s")
    assert peak_mb < MAX_RSS_MB
    assert server.bytes_sent < MAX_BYTES_SENT
