"""Time one corscheck.check() of an app in-process (app=) against the same check over loopback.

The apps are Flask with Flask-CORS (WSGI) and FastAPI with its CORSMiddleware (ASGI); the check is a
credentialed JSON PUT reading X-Total-Count (a preflight, the PUT, and the reflection probe). Over
loopback the same app runs behind its usual server (werkzeug's, uvicorn) in a separate process, so
the wall-time difference is the server and the sockets; CPU is this process's alone.

    python bench/bench_app.py [--runs 200]
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import corscheck

PAGE = "https://app.example"
FETCH = {
    "origin": PAGE,
    "method": "PUT",
    "headers": {"Content-Type": "application/json"},
    "credentials": "include",
    "expose": ["X-Total-Count"],
}


def flask_app() -> object:
    from flask import Flask
    from flask_cors import CORS

    app = Flask("bench")

    @app.route("/items", methods=["GET", "PUT"])
    def items() -> tuple[str, int, dict[str, str]]:
        return "[]", 200, {"X-Total-Count": "0"}

    CORS(app, origins=[PAGE], supports_credentials=True, expose_headers=["X-Total-Count"])
    return app


def fastapi_app() -> object:
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.api_route("/items", methods=["GET", "PUT"])
    def items() -> PlainTextResponse:
        return PlainTextResponse("[]", headers={"X-Total-Count": "0"})

    app.add_middleware(
        CORSMiddleware,
        allow_origins=[PAGE],
        allow_methods=["PUT"],
        allow_headers=["Content-Type"],
        allow_credentials=True,
        expose_headers=["X-Total-Count"],
    )
    return app


def serve(name: str, port: int) -> None:
    """The app behind its usual server, in this (child) process, until killed."""
    if name == "flask":
        from werkzeug.serving import run_simple

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        run_simple("127.0.0.1", port, flask_app(), threaded=True)
    else:
        import uvicorn

        uvicorn.run(fastapi_app(), host="127.0.0.1", port=port, log_level="error")


@contextmanager
def server_process(name: str) -> Iterator[str]:
    """A separate process, as a real server is: no GIL shared with the checks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, __file__, "--serve", name, str(port)])
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/items"
    finally:
        process.terminate()
        process.wait(5)


def median_ms(check: Callable[[], corscheck.CheckResult], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of one check (after a warm-up)."""
    assert check().allowed, check().report()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        check()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--serve", nargs=2, metavar=("APP", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    print(f"median of {args.runs} checks (3 requests each), ms: wall / CPU of this process")
    for name, build in (("flask", flask_app), ("fastapi", fastapi_app)):
        app = build()
        in_process = median_ms(lambda app=app: corscheck.check("/items", app=app, **FETCH), args.runs)
        with server_process(name) as url:
            loopback = median_ms(lambda url=url: corscheck.check(url, **FETCH), args.runs)
        print(
            f"{name:8} in-process {in_process[0]:6.2f} / {in_process[1]:6.2f}   "
            f"loopback {loopback[0]:6.2f} / {loopback[1]:6.2f}   "
            f"loopback/in-process {loopback[0] / in_process[0]:.2f}x"
        )


if __name__ == "__main__":
    main()
