"""In-process apps as targets: an httpx transport for an ASGI or WSGI callable (no sockets).

An ASGI app's lifespan runs around each check (probe/lifespan.py).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from corscheck.core.errors import InputError
from corscheck.core.origin import APP_BASE_URL

if TYPE_CHECKING:
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


def asgi_transport(app: Any) -> httpx.ASGITransport:
    """An ASGI app's transport; its exceptions become 500 responses."""
    import httpx  # ~140 ms: loaded only for an in-process app

    return httpx.ASGITransport(app=app, raise_app_exceptions=False)


def app_transport(app: Any) -> httpx.BaseTransport | httpx.AsyncBaseTransport:
    """A transport for ``run_check(..., transport=...)``; a crashing app answers 500, as behind a server."""
    if is_asgi(app):
        return asgi_transport(app)
    import httpx

    return httpx.WSGITransport(app=_answer_500_on_crash(app), raise_app_exceptions=False)


def load_app(target: str) -> Any:
    """The app an import string such as ``"pkg.module:app"`` (or ``"pkg.module:app.wsgi"``) names.

    The current directory is importable first, as with uvicorn and gunicorn.
    """
    module_name, colon, attributes = target.partition(":")
    if not colon or not module_name or not attributes:
        raise InputError(f"app {target!r} is not of the form 'package.module:attribute'")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise InputError(f"app {target!r}: cannot import {module_name}: {exc}") from None
    except Exception as exc:  # the module's own code failed: name it, no traceback
        failure = f"{type(exc).__name__}: {exc}"
        raise InputError(f"app {target!r}: importing {module_name} failed: {failure}") from None
    for attribute in attributes.split("."):
        if not hasattr(found, attribute):
            raise InputError(f"app {target!r}: {module_name} has no attribute {attributes!r}")
        found = getattr(found, attribute)
    if not callable(found):
        raise InputError(f"app {target!r} is not an ASGI or WSGI callable")
    return found


def app_url(url: str) -> str:
    """A path (``/items``) as a URL of the in-process app; an absolute URL as it is."""
    return APP_BASE_URL + url if url.startswith("/") else url
