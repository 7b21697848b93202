"""Time `corscheck audit` over N URLs next to Corsy's scan of the same URLs, with each tool's peak memory.

The URLs live on loopback servers with the policies an estate has: no CORS, a public `*` API, a
strict allow-list, an allow-list with a prefix check, and an echo of anything. nginx serves them
when it is installed, so that the servers' own CPU hardly competes with the tools on a small machine
(``--python-servers`` uses Python's http.server in a separate process instead).

Corsy is not shipped with corscheck: clone https://github.com/s0md3v/Corsy somewhere and name it
(its requirements, requests and tld, installed in the Python given by CORSY_PYTHON)::

    CORSY_PATH=/tmp/corsy CORSY_PYTHON=/tmp/corsy-venv/bin/python python bench/bench_audit.py [--urls 500]

Without CORSY_PATH only corscheck is timed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TRUSTED = "https://app.example.com"


def _policy(kind: str, origin: str | None) -> list[tuple[str, str]]:
    if kind == "none" or not origin:
        return []
    if kind == "public":
        return [("Access-Control-Allow-Origin", "*")]
    allowed = {
        "strict": origin == TRUSTED,
        "prefix": origin.startswith(TRUSTED),
        "echo": True,
    }[kind]
    if not allowed:
        return [("Vary", "Origin")]
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]


def _handler(kind: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self.send_response(200)
            for name, value in _policy(kind, self.headers.get("Origin")):
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        pass


KINDS = ("none", "public", "strict", "prefix", "echo")


def _serve(ports: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import threading

    for kind in KINDS:
        server = QuietServer(("127.0.0.1", 0), _handler(kind))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports.put((kind, server.server_address[1]))
    threading.Event().wait()


NGINX_POLICIES = {
    "none": "",
    "public": "add_header Access-Control-Allow-Origin * always;",
    "strict": 'if ($http_origin = "https://app.example.com") { set $allowed $http_origin; }',
    "prefix": 'if ($http_origin ~ "^https://app\\.example\\.com") { set $allowed $http_origin; }',
    "echo": "set $allowed $http_origin;",
}
#: Sent only when $allowed is set (nginx leaves out a header whose value is empty).
NGINX_ALLOWED = (
    "add_header Access-Control-Allow-Origin $allowed always;"
    " add_header Access-Control-Allow-Credentials $credentials always;"
    ' add_header Vary "Origin" always;'
)


def _nginx(prefix: Path) -> tuple[subprocess.Popen[bytes], dict[str, int]] | None:
    """The same five policies in nginx, so that the servers' CPU hardly counts (None without nginx)."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        return None
    ports = {}
    servers = []
    for kind, policy in NGINX_POLICIES.items():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports[kind] = probe.getsockname()[1]
        allowed = "" if kind in ("none", "public") else NGINX_ALLOWED
        servers.append(
            f'server {{ listen 127.0.0.1:{ports[kind]}; location / {{ set $allowed "";'
            f" {policy} {allowed} return 200 ok; }} }}"
        )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/error.log; worker_processes 1;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{ access_log off; client_body_temp_path {prefix};\n"
        ' map $allowed $credentials { "" ""; default "true"; }\n' + "\n".join(servers) + "\n}\n"
    )
    process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf)], stderr=subprocess.PIPE)
    for port in ports.values():
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
    return process, ports


def _timed(command: list[str], cwd: str | None, url_file: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak memory (MiB) of one process, the URLs on
    its stdin (Corsy reads them there whenever stdin is not a terminal)."""
    start = time.perf_counter()
    with url_file.open() as stdin:
        process = subprocess.Popen(
            command, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--python-servers", action="store_true", help="Serve from Python's http.server instead of nginx."
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        started = None if args.python_servers else _nginx(Path(tmp))
        if started is not None:
            nginx, ports = started
            server_name = "nginx"
        else:
            queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
            server = multiprocessing.Process(target=_serve, args=(queue,), daemon=True)
            server.start()
            ports = dict(queue.get() for _ in KINDS)
            server_name = "Python http.server"
        urls = [f"http://127.0.0.1:{ports[KINDS[i % len(KINDS)]]}/item/{i}" for i in range(args.urls)]
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n")
        tools = {
            "corscheck audit": (
                [
                    sys.executable,
                    "-m",
                    "corscheck",
                    "audit",
                    "-q",
                    "--input",
                    str(url_file),
                    "--origin",
                    TRUSTED,
                    "--format",
                    "json",
                    "--output",
                    str(Path(tmp) / "out.json"),
                ],
                None,
            )
        }
        corsy = os.environ.get("CORSY_PATH")
        if corsy:
            python = os.environ.get("CORSY_PYTHON", sys.executable)
            tools["corsy"] = ([python, "corsy.py", "-q"], corsy)
        print(
            f"{args.urls} URLs ({', '.join(KINDS)} in turn) on {server_name}, the tools taking turns,"
            f" median of {args.repeat} runs (fastest in brackets):"
        )
        # Taking turns, so that load from elsewhere on the machine falls on both tools alike.
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in tools}
        for _ in range(args.repeat):
            for name, (command, cwd) in tools.items():
                runs[name].append(_timed(command, cwd, url_file))
        for name, timed in runs.items():
            wall, cpu, rss = (statistics.median(figures) for figures in zip(*timed, strict=True))
            print(
                f"  {name:16} wall {wall:5.2f} s ({min(t[0] for t in timed):.2f})"
                f"  cpu {cpu:5.2f} s ({min(t[1] for t in timed):.2f})  peak {rss:.0f} MiB"
            )
        if started is not None:
            nginx.terminate()
            nginx.wait(5)
        else:
            server.terminate()


if __name__ == "__main__":
    main()
