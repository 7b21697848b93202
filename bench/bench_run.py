"""Time `corscheck run` over N checks against a loopback server, next to the floor: a bare thread
pool over one httpx.Client sending the same requests at the same concurrency. Prints wall and CPU
times (CPU is the steadier figure on a shared machine) and corscheck's throughput relative to the
floor (target: at least 1.0x); then time and peak RSS of batches of growing size (flat memory: at
most 60 MiB at 10,000 checks).

    python bench/bench_run.py [--checks 2000] [--concurrency 16 64] [--repeat 15]
                              [--sizes 100 1000 10000] [--scale-repeat 3]

--repeat 0 or --sizes with no value skips that part.
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
        pass  # the floor hangs up without reading the body: its resets are expected


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


def compile_corscheck() -> None:
    """Write corscheck's bytecode, as installing it does: under PYTHONDONTWRITEBYTECODE (or a
    read-only tree) every process would compile each module from source first (~60 ms)."""
    import compileall

    import corscheck

    compileall.compile_dir(str(Path(corscheck.__file__).parent), quiet=1)


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


def corscheck_run(config: Path, concurrency: int) -> list[str]:
    return [
        sys.executable,
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


def compare_with_floor(base: str, config: Path, checks: int, concurrency: int, repeat: int) -> None:
    """corscheck and the floor take turns, so a busy machine slows both alike."""
    floor = [sys.executable, "-c", FLOOR_THREADS, base, str(checks), str(concurrency)]
    runs: dict[str, list[tuple[float, float, int]]] = {"floor": [], "corscheck": []}
    for _ in range(repeat):
        runs["floor"].append(measure(floor))
        runs["corscheck"].append(measure(corscheck_run(config, concurrency)))
    wall = {name: statistics.median(run[0] for run in taken) for name, taken in runs.items()}
    cpu = {name: statistics.median(run[1] for run in taken) for name, taken in runs.items()}
    print(f"concurrency {concurrency}, {checks} checks (median of {repeat} interleaved runs):")
    print(f"  {'':<10} {'wall':>8} {'cpu':>8}")
    for name in runs:
        print(f"  {name:<10} {wall[name]:6.2f} s {cpu[name]:6.2f} s")
    print(
        f"  throughput corscheck / floor: {wall['floor'] / wall['corscheck']:.2f}x wall,"
        f" {cpu['floor'] / cpu['corscheck']:.2f}x cpu (target >= 1.0x)"
    )


def scale(base: str, configs: dict[int, Path], concurrency: int, repeat: int) -> None:
    """Time and peak memory per batch size, sizes taking turns: how the cost grows with the batch."""
    runs: dict[int, list[tuple[float, float, int]]] = {size: [] for size in configs}
    for _ in range(repeat):
        for size, config in configs.items():
            runs[size].append(measure(corscheck_run(config, concurrency)))
    print(f"scaling at concurrency {concurrency} (median of {repeat} interleaved runs):")
    print(f"  {'checks':>7} {'wall':>8} {'cpu':>8} {'peak RSS':>10} {'cpu/check':>10}")
    for size, taken in runs.items():
        wall, cpu = (statistics.median(run[i] for run in taken) for i in (0, 1))
        peak = statistics.median(run[2] for run in taken) / 1024
        print(f"  {size:>7} {wall:6.2f} s {cpu:6.2f} s {peak:6.1f} MiB {cpu / size * 1000:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--scale-repeat", type=int, default=3)
    args = parser.parse_args()
    compile_corscheck()

    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for concurrency in args.concurrency:
            if args.repeat:
                compare_with_floor(
                    base, config_for(base, args.checks, directory), args.checks, concurrency, args.repeat
                )
        if args.sizes:
            configs = {size: config_for(base, size, directory) for size in args.sizes}
            scale(base, configs, args.concurrency[0], args.scale_repeat)
    server.terminate()


if __name__ == "__main__":
    main()
