"""A multi-gigabyte body: corscheck reads the head (and at most a few KiB of an error's body) and hangs up;
memory and bytes read stay small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from corscheck.core.model import BODY_PREVIEW_BYTES, RequestSpec, Verdict
from corscheck.probe import run_check
from corscheck.probe.send import BODY_PREVIEW_SECONDS
from tests.faults.cli import PAGE, check
from tests.faults.hostile import OPEN_RESPONSE, Connection, answer_each

BODY_SIZE = 4 * 1024**3
CHUNK = b"x" * 65536
#: Upper bound on what the server may push before the client hangs up: kernel buffers on both
#: sides of a loopback connection (a few MB), not the 4 GB the server offers.
MAX_BYTES_SENT = 32 * 1024**2
#: What reading even part of the body into memory would cost over a normal check.
MAX_EXTRA_RSS_MB = 16


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


#: Runs argv[2:] and writes its peak RSS (kB) to argv[1]. Linux carries a process's peak RSS across
#: fork and exec, so measured straight from pytest the figure would be pytest's own size; a small
#: interpreter in between makes it the child's.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def _run_measured(*args: str, timeout: float = 30) -> tuple[int, bytes, bytes, float]:
    """Run a child process; return its exit code, stdout, stderr and peak RSS in MB."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = os.path.join(scratch, "peak")
        process = subprocess.run(
            [sys.executable, "-c", _MEASURE, peak_file, *args], capture_output=True, timeout=timeout
        )
        with open(peak_file) as peak:
            peak_kb = int(peak.read())  # ru_maxrss is in kilobytes on Linux
    return process.returncode, process.stdout, process.stderr, peak_kb / 1024


def test_huge_body_keeps_process_memory_bounded(hostile):
    """The real process (python -m corscheck): a 4 GB body costs no more memory than a 2-byte one."""
    command = [sys.executable, "-m", "corscheck", "check", "--origin", PAGE, "--json"]
    small = hostile(answer_each(OPEN_RESPONSE))
    *_, baseline_mb = _run_measured(*command, small.url("/api"))
    huge = hostile(_endless_body, send_buffer=64 * 1024)
    started = time.monotonic()
    code, stdout, stderr, peak_mb = _run_measured(*command, huge.url("/api"))
    elapsed = time.monotonic() - started
    assert code == 0, stderr
    assert b"Traceback" not in stdout + stderr
    assert json.loads(stdout)["verdict"] == "allowed"
    _wait_for_client_hangup(huge)
    sent_mb = huge.bytes_sent / 1024**2
    print(
        f"\n4 GB body offered: peak RSS {peak_mb:.1f} MB (2-byte body: {baseline_mb:.1f} MB),"
        f" server sent {sent_mb:.1f} MB, {elapsed:.2f} s"
    )
    assert peak_mb < baseline_mb + MAX_EXTRA_RSS_MB
    assert huge.bytes_sent < MAX_BYTES_SENT


def _error_with_endless_body(conn: Connection) -> None:
    """A 500 without CORS headers (the body is read, to recognise the server) that announces 4 GB."""
    while conn.read_head():
        if not conn.send(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n" % BODY_SIZE):
            return
        for _ in range(BODY_SIZE // len(CHUNK)):
            if not conn.send(CHUNK):
                return


def test_huge_error_body_is_read_only_a_few_kib(hostile):
    server = hostile(_error_with_endless_body, send_buffer=64 * 1024)
    result = run_check(RequestSpec(url=server.url("/api"), origin=PAGE), timeout=5)
    assert result.verdict is Verdict.BLOCKED
    assert result.actual.response.body == b"x" * BODY_PREVIEW_BYTES
    _wait_for_client_hangup(server)
    assert server.bytes_sent < MAX_BYTES_SENT


def _stalled_error_body(conn: Connection) -> None:
    """A 500 whose body stops after 10 of its 1000 bytes, and the connection stays open."""
    if conn.read_head() and conn.send(b"HTTP/1.1 500 Oops\r\nContent-Length: 1000\r\n\r\nInternal S"):
        conn.read_head()  # until the client hangs up


def test_stalled_error_body_costs_at_most_the_preview_wait_and_never_the_verdict(hostile):
    server = hostile(_stalled_error_body)
    started = time.monotonic()
    result = run_check(RequestSpec(url=server.url("/api"), origin=PAGE, probe_reflection=False), timeout=5)
    elapsed = time.monotonic() - started
    assert result.verdict is Verdict.BLOCKED and result.failure is None
    assert result.actual.response.body == b"Internal S"
    assert elapsed < BODY_PREVIEW_SECONDS + 1.5
