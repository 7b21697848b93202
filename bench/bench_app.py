"""Time one corscheck.check() of an app in-process (app=) against the same check over loopback.

The apps are Flask with Flask-CORS (WSGI) and FastAPI with its CORSMiddleware (ASGI); the check is a
credentialed JSON PUT reading X-Total-Count (a preflight, the PUT, and the reflection probe). Over
loopback the same app runs in this process behind a real server (werkzeug's, uvicorn), so both
columns pay for the app and the engine, and the difference is the server and the sockets.

    python bench/bench_app.py [--runs 200]
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import threading
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


@contextmanager
def werkzeug_server(app: object) -> Iterator[str]:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/items"
    finally:
        server.shutdown()


@contextmanager
def uvicorn_server(app: object) -> Iterator[str]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/items"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


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
    runs = parser.parse_args().runs
    print(f"median of {runs} checks (3 requests each), ms: wall / CPU")
    targets = (("flask", flask_app, werkzeug_server), ("fastapi", fastapi_app, uvicorn_server))
    for name, build, serve in targets:
        app = build()
        in_process = median_ms(lambda app=app: corscheck.check("/items", app=app, **FETCH), runs)
        with serve(app) as url:
            loopback = median_ms(lambda url=url: corscheck.check(url, **FETCH), runs)
        print(
            f"{name:8} in-process {in_process[0]:6.2f} / {in_process[1]:6.2f}   "
            f"loopback {loopback[0]:6.2f} / {loopback[1]:6.2f}   "
            f"loopback/in-process {loopback[0] / in_process[0]:.2f}x"
        )


if __name__ == "__main__":
    main()
