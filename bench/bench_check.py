"""Time one `corscheck check --json` process against a loopback server, next to two floors doing the
same two requests (a preflight and the actual PUT): two `curl` processes, and a bare Python script
using httpx; and `python -c pass`, the interpreter's own start. Prints the medians, both ratios
(target: at most 0.6x the httpx script's CPU) and the time above `python -c pass` (target: 150 ms).

    python bench/bench_check.py [--runs 30]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORIGIN = "https://app.example"
CORS_HEADERS = [
    ("Access-Control-Allow-Origin", ORIGIN),
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Allow-Headers", "x-api-key"),
    ("Vary", "Origin"),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Without it Nagle and delayed ACK add ~40 ms to every keep-alive exchange.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(204 if self.command == "OPTIONS" else 200)
        for name, value in CORS_HEADERS:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_OPTIONS = do_PUT = answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that close right after the head are expected


BARE_HTTPX = """
import sys, httpx
url, origin = sys.argv[1], sys.argv[2]
with httpx.Client(verify=False) as client:
    client.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT",
                                 "Access-Control-Request-Headers": "x-api-key"})
    client.put(url, headers={"Origin": origin, "X-Api-Key": "k"})
"""


def corscheck_command() -> list[str]:
    script = shutil.which("corscheck")
    return [script] if script else [sys.executable, "-m", "corscheck"]


def run_once(commands: list[list[str]]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of running ``commands`` one after the other."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(groups: dict[str, list[list[str]]], runs: int, warmup: int = 3) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds per group, hyperfine style. The groups take turns within each
    round, so a busy machine slows them all alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in groups}
    for round_number in range(warmup + runs):
        for name, commands in groups.items():
            sample = run_once(commands)
            if round_number >= warmup:
                samples[name].append(sample)
    return {
        name: (statistics.median(s[0] for s in taken), statistics.median(s[1] for s in taken))
        for name, taken in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api"

    check = [*corscheck_command(), "check", url, "--origin", ORIGIN, "-X", "PUT", "-H", "X-Api-Key: k"]
    check += ["--json", "--no-probe-reflection"]
    verify = subprocess.run(check, capture_output=True, text=True)
    if verify.returncode != 0:
        sys.exit(f"corscheck did not report allowed (exit {verify.returncode}): {verify.stderr}")
    curl = [
        [
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-X",
            "OPTIONS",
            "-H",
            f"Origin: {ORIGIN}",
            "-H",
            "Access-Control-Request-Method: PUT",
            "-H",
            "Access-Control-Request-Headers: x-api-key",
            url,
        ],
        ["curl", "-s", "-o", "/dev/null", "-X", "PUT", "-H", f"Origin: {ORIGIN}", "-H", "X-Api-Key: k", url],
    ]
    bare = [[sys.executable, "-c", BARE_HTTPX, url, ORIGIN]]
    python = [[sys.executable, "-c", "pass"]]

    results = measure(
        {
            "corscheck check --json": [check],
            "two curl calls": curl,
            "bare httpx script": bare,
            "python -c pass": python,
        },
        runs,
    )
    server.shutdown()
    print(f"median of {runs} runs after 3 warm-up runs ({' '.join(check[:1])})")
    print(f"  {'':<24} {'wall':>9} {'cpu':>9}")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<24} {wall * 1000:6.1f} ms {cpu * 1000:6.1f} ms")
    ours = results["corscheck check --json"]
    for floor, target in (("two curl calls", ""), ("bare httpx script", "   (target <= 0.6x)")):
        wall, cpu = (ours[i] / results[floor][i] for i in (0, 1))
        print(f"  corscheck / {floor:<18} {wall:6.2f}x {cpu:8.2f}x{target}")
    wall, cpu = (1000 * (ours[i] - results["python -c pass"][i]) for i in (0, 1))
    print(f"  corscheck - python -c pass {wall:6.1f} ms {cpu:6.1f} ms   (target <= 150 ms)")


if __name__ == "__main__":
    main()
