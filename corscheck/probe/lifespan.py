"""Run an ASGI app's lifespan around a check, as uvicorn's default (``--lifespan auto``) does.

An app that sets itself up in a startup hook (a database pool, a settings load, CORS middleware
added from config) is only checked faithfully once that hook has run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class StartupFailed(Exception):
    """The app answered ``lifespan.startup.failed``: behind a server, it would never have started."""


def _last_line(message: str) -> str:
    """Starlette sends a whole traceback; its last line names the error."""
    lines = [line for line in str(message).splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no reason given"


def _with_state(app: ASGIApp, state: dict[str, Any]) -> ASGIApp:
    """Give each request a copy of the lifespan state, as servers do (Starlette's ``request.state``)."""

    async def app_with_state(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": state.copy()}
        await app(scope, receive, send)

    return app_with_state


@asynccontextmanager
async def running(app: ASGIApp, timeout: float) -> AsyncIterator[ASGIApp]:
    """Start ``app``'s lifespan, yield the app to send requests to, then shut it down.

    An app that does not speak the lifespan protocol (it raises or returns at once) is used as is.
    Raises StartupFailed, or TimeoutError when startup takes longer than ``timeout`` seconds.
    """
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    started: asyncio.Future[None] = loop.create_future()
    stopped: asyncio.Future[None] = loop.create_future()

    async def send(message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            started.set_result(None)
        elif kind == "lifespan.startup.failed":
            started.set_exception(StartupFailed(_last_line(message.get("message", ""))))
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            stopped.set_result(None)

    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task: asyncio.Future[None] = asyncio.ensure_future(app(scope, to_app.get, send))
    to_app.put_nowait({"type": "lifespan.startup"})
    try:
        await asyncio.wait({task, started}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            if not task.done():
                raise TimeoutError
            # Returned or raised without an answer: no lifespan support (uvicorn's "auto" too).
            with suppress(Exception):
                task.result()
            yield app
            return
        started.result()  # raises StartupFailed
        yield _with_state(app, state)
        to_app.put_nowait({"type": "lifespan.shutdown"})
        await asyncio.wait({task, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not task.done():
            task.cancel()
        with suppress(Exception, asyncio.CancelledError):
            await task
        if started.done() and not started.cancelled():
            started.exception()  # retrieved, so asyncio does not log it as unhandled
