"""In-process apps as targets: an httpx transport for an ASGI or WSGI callable (no sockets).

Lifespan events are not run, so an app that sets itself up in a startup hook is checked without it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any

import httpx

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def is_asgi(app: Any) -> bool:
    """ASGI apps are coroutine functions, or objects whose __call__ is one; WSGI apps are plain."""
    return inspect.iscoroutinefunction(app) or (callable(app) and inspect.iscoroutinefunction(app.__call__))


def _answer_500_on_crash(app: WSGIApp) -> WSGIApp:
    """What a WSGI server does when the app raises: a bare 500 (with no CORS headers)."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return app(environ, start_response)
        except Exception:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
            return [b"Internal Server Error"]

    return guarded


def app_transport(app: Any) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
    """A transport for ``run_check(..., transport=...)``; a crashing app answers 500, as behind a server."""
    if is_asgi(app):
        return httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.WSGITransport(app=_answer_500_on_crash(app), raise_app_exceptions=False)
