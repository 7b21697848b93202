"""Time `corscheck run` over N checks against a loopback server, next to the floor: the faster of a
bare httpx.AsyncClient loop and a bare thread pool over one httpx.Client sending the same requests
at the same concurrency. Prints wall and CPU times, the ratios (target: at most 1.25x) and corscheck's peak
memory for two batch sizes (flat memory: the larger batch should not need much more).

    python bench/bench_run.py [--checks 2000] [--concurrency 16 64] [--repeat 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ORIGIN = "https://app.example"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Without it Nagle and delayed ACK add ~40 ms to every keep-alive exchange.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients close after the head without reading the body: resets are expected


def serve(port_queue: multiprocessing.Queue[int]) -> None:
    server = QuietServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


FLOOR_THREADS = """
import sys
from concurrent.futures import ThreadPoolExecutor
import httpx
base, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
with httpx.Client(limits=limits, trust_env=False, verify=False) as client:
    def one(i):
        request = client.build_request("GET", f"{base}/r/{i}", headers={"Origin": "https://app.example"})
        response = client.send(request, stream=True)
        response.close()
        return response.headers.get("access-control-allow-origin") == "*"
    with ThreadPoolExecutor(concurrency) as pool:
        assert all(pool.map(one, range(n)))
"""

FLOOR_ASYNC = """
import asyncio, sys
import httpx
base, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
async def main():
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, trust_env=False, verify=False) as client:
        gate = asyncio.Semaphore(concurrency)
        async def one(i):
            async with gate:
                request = client.build_request("GET", f"{base}/r/{i}", headers={"Origin": "https://app.example"})
                response = await client.send(request, stream=True)
                await response.aclose()
                return response.headers.get("access-control-allow-origin") == "*"
        assert all(await asyncio.gather(*(one(i) for i in range(n))))
asyncio.run(main())
"""


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one process, via GNU time."""
    with tempfile.NamedTemporaryFile("r") as stats:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", stats.name, *command],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        user, system, peak = stats.read().strip().splitlines()[-1].split()
        return elapsed, float(user) + float(system), int(peak)


def config_for(base: str, checks: int, directory: Path) -> Path:
    path = directory / f"bench-{checks}.toml"
    urls = ", ".join(f'"/r/{i}"' for i in range(checks))
    path.write_text(
        textwrap.dedent(f"""\
        [defaults]
        base_url = "{base}"
        origin = "{ORIGIN}"

        [[check]]
        name = "bench"
        url = [{urls}]
        """)
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        small = config_for(base, args.checks // 4, directory)
        large = config_for(base, args.checks, directory)
        for concurrency in args.concurrency:

            def corscheck(config: Path, concurrency: int = concurrency) -> list[str]:
                return [
                    python,
                    "-m",
                    "corscheck",
                    "run",
                    str(config),
                    "--format",
                    "json",
                    "--output",
                    "/dev/null",
                    "--concurrency",
                    str(concurrency),
                ]

            floors = {
                "threads": [python, "-c", FLOOR_THREADS, base, str(args.checks), str(concurrency)],
                "asyncio": [python, "-c", FLOOR_ASYNC, base, str(args.checks), str(concurrency)],
            }
            times: dict[str, list[float]] = {name: [] for name in (*floors, "corscheck")}
            cpu: dict[str, list[float]] = {name: [] for name in times}
            memory: dict[str, list[int]] = {"small": [], "large": []}
            for _ in range(args.repeat):
                for name, command in floors.items():
                    elapsed, seconds, _ = measure(command)
                    times[name].append(elapsed)
                    cpu[name].append(seconds)
                elapsed, seconds, peak = measure(corscheck(large))
                times["corscheck"].append(elapsed)
                cpu["corscheck"].append(seconds)
                memory["large"].append(peak)
                memory["small"].append(measure(corscheck(small))[2])
            wall = {name: statistics.median(values) for name, values in times.items()}
            used = {name: statistics.median(values) for name, values in cpu.items()}
            floor_name = min(floors, key=lambda name: wall[name])
            print(f"concurrency {concurrency}, {args.checks} checks (median of {args.repeat}):")
            print(f"  {'':<10} {'wall':>8} {'cpu':>8}")
            for name in times:
                print(f"  {name:<10} {wall[name]:6.2f} s {used[name]:6.2f} s")
            print(
                f"  ratio corscheck / floor ({floor_name}): {wall['corscheck'] / wall[floor_name]:.2f}x wall,"
                f" {used['corscheck'] / used[floor_name]:.2f}x cpu"
            )
            print(
                f"  corscheck peak RSS: {statistics.median(memory['small']) / 1024:.1f} MiB for"
                f" {args.checks // 4} checks, {statistics.median(memory['large']) / 1024:.1f} MiB for"
                f" {args.checks}"
            )
    server.terminate()


if __name__ == "__main__":
    main()
