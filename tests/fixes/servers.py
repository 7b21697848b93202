"""Start each framework's real server on 127.0.0.1 with a --fix-for snippet pasted in as its CORS config."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: The route every server answers: it sends the header the page needs to read.
PATH = "/items"
EXPOSED = ("X-Total-Count", "3")


def _free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def _wsgi(app) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{PATH}"
    finally:
        server.shutdown()


@contextmanager
def _asgi(app) -> Iterator[str]:
    uvicorn = pytest.importorskip("uvicorn")
    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PATH}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@contextmanager
def flask(snippet: str) -> Iterator[str]:
    pytest.importorskip("flask_cors", reason="flask-cors not installed")
    from flask import Flask

    app = Flask("corscheck_fix_test")

    @app.route(PATH, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def items():
        return "ok", 200, [EXPOSED]

    exec(snippet, {"app": app})
    with _wsgi(app) as url:
        yield url


def _starlette_app(snippet: str, framework: str):
    if framework == "fastapi":
        from fastapi import FastAPI
        from fastapi.responses import PlainTextResponse

        app = FastAPI()

        @app.api_route(PATH, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
        def items():
            return PlainTextResponse("ok", headers=dict([EXPOSED]))
    else:
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route

        def items(request):
            return PlainTextResponse("ok", headers=dict([EXPOSED]))

        app = Starlette(routes=[Route(PATH, items, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])])
    namespace = {"app": app}
    exec(snippet, namespace)
    return namespace["app"]  # a snippet may wrap the app (CORSMiddleware as the outermost layer)


@contextmanager
def starlette(snippet: str) -> Iterator[str]:
    pytest.importorskip("starlette", reason="starlette not installed")
    with _asgi(_starlette_app(snippet, "starlette")) as url:
        yield url


@contextmanager
def fastapi(snippet: str) -> Iterator[str]:
    pytest.importorskip("fastapi", reason="fastapi not installed")
    with _asgi(_starlette_app(snippet, "fastapi")) as url:
        yield url


@contextmanager
def django(snippet: str) -> Iterator[str]:
    pytest.importorskip("corsheaders", reason="django-cors-headers not installed")
    import django as django_module
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import path

    namespace = {
        "INSTALLED_APPS": ["django.contrib.contenttypes"],
        "MIDDLEWARE": ["django.middleware.common.CommonMiddleware"],
    }
    exec(snippet, namespace)

    def items(request):
        response = HttpResponse("ok")
        response[EXPOSED[0]] = EXPOSED[1]
        return response

    urls = types.ModuleType("corscheck_fix_urls")
    # The second route ends in a slash: without it, CommonMiddleware answers with its APPEND_SLASH redirect.
    urls.urlpatterns = [path(PATH.lstrip("/"), items), path(PATH.lstrip("/") + "/slashed/", items)]
    sys.modules["corscheck_fix_urls"] = urls
    config = {k: v for k, v in namespace.items() if k.isupper()}
    # Set even when another test configured Django first (tests/api does).
    config |= {"ROOT_URLCONF": "corscheck_fix_urls", "ALLOWED_HOSTS": ["*"]}
    if settings.configured:
        for key, value in config.items():
            setattr(settings, key, value)
    else:
        settings.configure(DEBUG=False, SECRET_KEY="test", **config)
        django_module.setup()
    from django.core.handlers.wsgi import WSGIHandler

    with _wsgi(WSGIHandler()) as url:
        yield url


@contextmanager
def aiohttp(setup: str) -> Iterator[str]:
    """An aiohttp app whose PATH answers GET and PUT; ``setup`` configures aiohttp_cors on ``app``
    and must call ``cors_routes(cors)`` to register the routes with it."""
    pytest.importorskip("aiohttp_cors", reason="aiohttp-cors not installed")
    import asyncio

    from aiohttp import web

    async def items(request):
        return web.Response(text="ok", headers=dict([EXPOSED]))

    def cors_routes(cors):
        resource = cors.add(app.router.add_resource(PATH))
        for method in ("GET", "PUT"):
            cors.add(resource.add_route(method, items))

    app = web.Application()
    exec(setup, {"app": app, "cors_routes": cors_routes})
    sock = _free_socket()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PATH}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
        sock.close()


NPM_DIR = Path(os.environ.get("CORSCHECK_NPM_DIR", Path(tempfile.gettempdir()) / "corscheck-npm-cors"))


@contextmanager
def _process(command: list[str], port: int, cwd: Path) -> Iterator[str]:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{command[0]} did not start: {process.stderr.read().decode()[-500:]}"
                    ) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}{PATH}"
    finally:
        process.terminate()
        process.wait(5)
        process.stderr.close()


def _port() -> int:
    sock = _free_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


def _npm_install(*packages: str) -> bool:
    """``packages`` from the npm registry into NPM_DIR, once; False when that is not possible."""
    if all((NPM_DIR / "node_modules" / package).is_dir() for package in packages):
        return True
    if shutil.which("node") is None or shutil.which("npm") is None:
        return False
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    command = ["npm", "install", "--prefix", str(NPM_DIR), "--no-audit", "--no-fund", *packages]
    try:
        subprocess.run(command, capture_output=True, timeout=180, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return all((NPM_DIR / "node_modules" / package).is_dir() for package in packages)


def _install_express() -> bool:
    return _npm_install("express", "cors")


@contextmanager
def express(snippet: str) -> Iterator[str]:
    if not _install_express():
        pytest.skip(f"express/cors not installed: npm install --prefix {NPM_DIR} express cors")
    port = _port()
    script = NPM_DIR / "fix_server.js"
    script.write_text(
        'const express = require("express");\nconst app = express();\n'
        + snippet
        + f'app.all("{PATH}", (req, res) => {{ res.set("{EXPOSED[0]}", "{EXPOSED[1]}"); res.send("ok"); }});\n'
        + f'app.listen({port}, "127.0.0.1");\n'
    )
    with _process(["node", str(script)], port, NPM_DIR) as url:
        yield url


@contextmanager
def fastify(options: str) -> Iterator[str]:
    """Fastify with @fastify/cors registered with ``options`` (a JavaScript object literal)."""
    if not _npm_install("fastify", "@fastify/cors"):
        pytest.skip(f"fastify not installed: npm install --prefix {NPM_DIR} fastify @fastify/cors")
    port = _port()
    script = NPM_DIR / "fastify_server.js"
    script.write_text(
        'const app = require("fastify")();\n'
        f'app.register(require("@fastify/cors"), {options});\n'
        f'app.all("{PATH}", async (req, reply) => {{ reply.header("{EXPOSED[0]}", "{EXPOSED[1]}"); return "ok"; }});\n'
        f'app.listen({{port: {port}, host: "127.0.0.1"}});\n'
    )
    with _process(["node", str(script)], port, NPM_DIR) as url:
        yield url


@contextmanager
def nginx(snippet: str) -> Iterator[str]:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("nginx not installed: apt-get install -y nginx")
    port = _port()
    # A `geo` line of the snippet belongs in the http block, the location in the server block.
    http_lines = "".join(line + "\n" for line in snippet.splitlines() if line.startswith("geo "))
    snippet = "".join(line + "\n" for line in snippet.splitlines() if not line.startswith("geo "))
    location = snippet.replace(
        "    # proxy_pass http://backend;  (your existing handler)\n",
        f'    add_header {EXPOSED[0]} {EXPOSED[1]} always;\n    return 200 "ok";\n',
    )
    with tempfile.TemporaryDirectory() as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            f"daemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {prefix};\n{http_lines}"
            f" server {{\n  listen 127.0.0.1:{port};\n{location}\n }}\n}}\n"
        )
        with _process([binary, "-p", prefix, "-c", str(conf)], port, Path(prefix)) as url:
            yield url


SERVERS = {
    "flask": flask,
    "starlette": starlette,
    "fastapi": fastapi,
    "django": django,
    "express": express,
    "nginx": nginx,
}
