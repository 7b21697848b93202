"""Peak time and memory of corscheck on large hostile inputs, each in its own process:

- `har` on a 10 MB HAR of small entries and a 250 MB one with 4 KB bodies, preflights recorded
  ahead of their requests;
- `explain` on 400 KB of Firefox heads with no closing parenthesis;
- `run` on a 3.5 KB config whose lists multiply to 10^6 checks (refused after counting);
- `run` on 320 checks of which 10 stall, at concurrency 16 and --timeout 3 (stalls overlap);
- `run` on 2,000 checks of which 10% reset or stall, at --timeout 3.

    python bench/bench_large_inputs.py [--har-mb SMALL LARGE]

Prints wall seconds and peak RSS (MB) of the corscheck process for each case.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGE = "https://app.example"


def measure(args: list[str], stdin: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of `python -m corscheck ARGS`."""
    started = time.monotonic()
    with open(stdin or os.devnull, "rb") as source:
        process = subprocess.Popen(
            [sys.executable, "-m", "corscheck", *args],
            stdin=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_maxrss / 1024, process.returncode


def write_har(path: Path, megabytes: int, body_bytes: int) -> int:
    """Preflight + request pairs, each to its own URL, with a body of ``body_bytes`` each, streamed
    to disk; returns the number of entries. The preflights of every 5,000 pairs come first, then
    their requests in reverse order: Chromium records a preflight long before a slow request, and
    pairing by scanning the waiting preflights is then quadratic."""
    body = "x" * body_bytes
    entries = 0
    with path.open("w") as out:
        out.write('{"log": {"version": "1.2", "pages": [{"id": "p", "title": "https://app.example/"}],')
        out.write(' "entries": [')
        while out.tell() < megabytes * 1_000_000:
            urls = [f"https://api.example/items/{entries + n}" for n in range(5000)]
            batch = [_preflight(url) for url in urls] + [_actual(url, body) for url in reversed(urls)]
            for entry in batch:
                out.write(("," if entries else "") + json.dumps(entry))
                entries += 1
        out.write("]}}")
    return entries


def _preflight(url: str) -> dict:
    return {
        "pageref": "p",
        "request": {
            "method": "OPTIONS",
            "url": url,
            "headers": [
                {"name": "Origin", "value": PAGE},
                {"name": "Access-Control-Request-Method", "value": "PUT"},
            ],
        },
        "response": {
            "status": 204,
            "headers": [
                {"name": "Access-Control-Allow-Origin", "value": PAGE},
                {"name": "Access-Control-Allow-Methods", "value": "PUT"},
            ],
            "content": {"text": ""},
        },
    }


def _actual(url: str, body: str) -> dict:
    return {
        "pageref": "p",
        "request": {"method": "PUT", "url": url, "headers": [{"name": "Origin", "value": PAGE}]},
        "response": {
            "status": 200,
            "headers": [{"name": "Access-Control-Allow-Origin", "value": PAGE}],
            "content": {"text": body},
        },
    }


def matrix_config(path: Path) -> None:
    urls = ", ".join(f'"/p{i}"' for i in range(100))
    origins = ", ".join(f'"https://o{i}.example"' for i in range(100))
    methods = ", ".join(f'"M{i}"' for i in range(100))
    path.write_text(
        f'[defaults]\nbase_url = "http://127.0.0.1:9"\n[[check]]\nname = "m"\n'
        f"url = [{urls}]\norigin = [{origins}]\nmethod = [{methods}]\n"
    )


def misbehaving_server(stall_every: int, reset_every: int | None) -> tuple[int, list[socket.socket]]:
    """A loopback server: /N stalls when N % stall_every == 0, resets when N % reset_every == 1."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    held: list[socket.socket] = []

    def serve(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        number = int(data.split(b" ")[1].strip(b"/") or 0)
        if number % stall_every == 0:
            held.append(conn)  # never answered
            return
        if reset_every and number % reset_every == 1:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.close()
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n")
        conn.close()

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1], held


def run_config(path: Path, port: int, checks: int) -> None:
    path.write_text(
        "".join(
            f'[[check]]\nname = "c{i}"\nurl = "http://127.0.0.1:{port}/{i}"\norigin = "{PAGE}"\n'
            for i in range(checks)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--har-mb", type=int, nargs=2, default=[10, 250], metavar=("SMALL", "LARGE"))
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        for megabytes, body_bytes in zip(options.har_mb, (0, 4096), strict=True):
            har = work / f"{megabytes}.har"
            entries = write_har(har, megabytes, body_bytes)
            size = har.stat().st_size / 1e6
            name = f"har, {size:.0f} MB, {entries} entries, {body_bytes} B bodies"
            rows.append((name, *measure(["har", str(har), "--json"])))
            har.unlink()
        firefox = (
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
        )
        text = f"{firefox} u (Reason: " * 3800
        line = work / "console.txt"
        line.write_text(text)
        rows.append((f"explain, {len(text) / 1000:.0f} KB", *measure(["explain", "-"], stdin=line)))
        config = work / "matrix.toml"
        matrix_config(config)
        rows.append((f"run, matrix of 10^6 from {config.stat().st_size} B", *measure(["run", str(config)])))
        port, _held = misbehaving_server(stall_every=32, reset_every=None)
        run_config(config, port, 320)
        rows.append(
            ("run, 320 checks, 10 stall, --timeout 3", *measure(["run", str(config), "--timeout", "3"]))
        )
        port, _held = misbehaving_server(stall_every=20, reset_every=20)
        run_config(config, port, 2000)
        rows.append(
            (
                "run, 2000 checks, 5% stall + 5% reset, --timeout 3",
                *measure(["run", str(config), "--timeout", "3", "--format", "json"]),
            )
        )
    print(f"{'case':<55} {'seconds':>8} {'peak MB':>8} {'exit':>5}")
    for name, seconds, peak, code in rows:
        print(f"{name:<55} {seconds:8.2f} {peak:8.0f} {code:5d}")


if __name__ == "__main__":
    main()
