"""Time one `corscheck check --json` process against a loopback server, next to two floors doing the
same two requests (a preflight and the actual PUT): two `curl` processes, and a bare Python script
using httpx; and `python -c pass`, the interpreter's own start. The same over https (a trustme
certificate on loopback; corscheck given it with --cacert, the httpx script with a context trusting
it). Every command takes its turn in each round. Prints the medians, the ratios (targets: at most
0.6x the httpx script's CPU for http, 0.8x for https) and the time above `python -c pass` (target:
150 ms).

    python bench/bench_check.py [--runs 30]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
import ssl, sys, httpx
url, origin, ca_file = sys.argv[1], sys.argv[2], sys.argv[3]
verify = ssl.create_default_context(cafile=ca_file) if url.startswith("https:") else False
with httpx.Client(verify=verify) as client:
    client.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT",
                                 "Access-Control-Request-Headers": "x-api-key"})
    client.put(url, headers={"Origin": origin, "X-Api-Key": "k"})
"""


def compile_corscheck() -> None:
    """Write corscheck's bytecode, as installing it does: under PYTHONDONTWRITEBYTECODE (or a
    read-only tree) every process would compile each module from source first (~60 ms)."""
    import compileall

    import corscheck

    compileall.compile_dir(str(Path(corscheck.__file__).parent), quiet=1)


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


def start_server(tls: ssl.SSLContext | None = None) -> QuietServer:
    server = QuietServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_command(url: str, ca_file: str) -> list[str]:
    command = [*corscheck_command(), "check", url, "--origin", ORIGIN, "-X", "PUT", "-H", "X-Api-Key: k"]
    command += ["--json", "--no-probe-reflection"]
    if url.startswith("https:"):
        command += ["--cacert", ca_file]
    verify = subprocess.run(command, capture_output=True, text=True)
    if verify.returncode != 0:
        sys.exit(f"corscheck did not report allowed (exit {verify.returncode}): {verify.stderr}")
    return command


def curl_commands(url: str) -> list[list[str]]:
    preflight = ["-X", "OPTIONS", "-H", f"Origin: {ORIGIN}", "-H", "Access-Control-Request-Method: PUT"]
    preflight += ["-H", "Access-Control-Request-Headers: x-api-key"]
    actual = ["-X", "PUT", "-H", f"Origin: {ORIGIN}", "-H", "X-Api-Key: k"]
    return [
        ["curl", "-s", "-o", "/dev/null", *preflight, url],
        ["curl", "-s", "-o", "/dev/null", *actual, url],
    ]


def report(results: dict[str, tuple[float, float]], scheme: str, target: str) -> None:
    ours = results[f"corscheck check --json ({scheme})"]
    for floor, wanted in (("two curl calls", ""), ("bare httpx script", f"   (target <= {target})")):
        wall, cpu = (ours[i] / results[f"{floor} ({scheme})"][i] for i in (0, 1))
        print(f"  {scheme:<5} corscheck / {floor:<18} {wall:6.2f}x {cpu:8.2f}x{wanted}")
    wall, cpu = (1000 * (ours[i] - results["python -c pass"][i]) for i in (0, 1))
    print(f"  {scheme:<5} corscheck - python -c pass {wall:6.1f} ms {cpu:6.1f} ms   (target <= 150 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    compile_corscheck()

    import trustme  # a test dependency: the https server's certificate authority

    authority = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(tls)
    servers = {"http": start_server(), "https": start_server(tls)}
    with tempfile.NamedTemporaryFile(suffix=".pem") as ca_file:
        authority.cert_pem.write_to_path(ca_file.name)
        groups: dict[str, list[list[str]]] = {}
        for scheme, server in servers.items():
            url = f"{scheme}://127.0.0.1:{server.server_address[1]}/api"
            groups[f"corscheck check --json ({scheme})"] = [check_command(url, ca_file.name)]
            groups[f"two curl calls ({scheme})"] = [
                [*c[:-1], "--cacert", ca_file.name, c[-1]] for c in curl_commands(url)
            ]
            groups[f"bare httpx script ({scheme})"] = [
                [sys.executable, "-c", BARE_HTTPX, url, ORIGIN, ca_file.name]
            ]
        groups["python -c pass"] = [[sys.executable, "-c", "pass"]]
        results = measure(groups, runs)
    for server in servers.values():
        server.shutdown()
    print(f"median of {runs} interleaved runs after 3 warm-up runs ({corscheck_command()[0]})")
    print(f"  {'':<32} {'wall':>9} {'cpu':>9}")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<32} {wall * 1000:6.1f} ms {cpu * 1000:6.1f} ms")
    report(results, "http", "0.6x")
    report(results, "https", "0.8x")


if __name__ == "__main__":
    main()
