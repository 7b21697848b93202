"""The same check through an async transport: ASGI apps (httpx.ASGITransport) are async-only."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx

from corscheck.core.engine import Exchange
from corscheck.core.model import (
    BODY_PREVIEW_BYTES,
    CheckResult,
    NetworkFailure,
    PlannedRequest,
    RequestSpec,
    ResponseHead,
    wants_body_preview,
)
from corscheck.probe import lifespan
from corscheck.probe.app_send import (
    KEPT_RESPONSE,
    PREVIEW_ERRORS,
    AppSender,
    head_of,
    is_plain,
    keep_response,
    to_httpx,
)
from corscheck.probe.apps import asgi_transport
from corscheck.probe.failures import network_failure
from corscheck.probe.send import BODY_PREVIEW_SECONDS, timed_out


async def _keep_response(response: httpx.Response) -> None:
    keep_response(response)


async def _read_preview(response: httpx.Response) -> bytes:
    preview = bytearray()
    async for chunk in response.aiter_raw():
        preview += chunk
        if len(preview) >= BODY_PREVIEW_BYTES:
            break
    return bytes(preview[:BODY_PREVIEW_BYTES])


async def _with_body_preview(head: ResponseHead, response: httpx.Response) -> ResponseHead:
    """As probe.send.with_body_preview, for an async response."""
    if not wants_body_preview(head.status) or not is_plain(response):
        return head
    try:
        return replace(head, body=await asyncio.wait_for(_read_preview(response), BODY_PREVIEW_SECONDS))
    except (TimeoutError, *PREVIEW_ERRORS):
        return head


async def _send_async(client: httpx.AsyncClient, planned: PlannedRequest, timeout: float) -> ResponseHead:
    request = to_httpx(planned, timeout)
    try:
        response = await client.send(request, stream=True)
    except (httpx.RemoteProtocolError, httpx.InvalidURL):
        received = request.extensions.get(KEPT_RESPONSE)  # an unparsable Location: see keep_response
        if received is None:
            raise
        response = received
    try:
        return await _with_body_preview(head_of(response), response)
    finally:
        await response.aclose()


async def run_check_async(
    spec: RequestSpec, *, timeout: float = 10.0, transport: httpx.AsyncBaseTransport
) -> CheckResult:
    """Check one request against an in-process ASGI app, within ``timeout`` seconds in all.

    The app's lifespan runs around the check (see probe/lifespan.py); an app whose startup fails
    is checked as a server that never came up.
    """
    exchange = Exchange(spec)
    deadline = time.monotonic() + timeout
    if not isinstance(transport, httpx.ASGITransport):
        await _drive(exchange, transport, deadline, timeout)
        return exchange.result()
    try:
        async with lifespan.running(transport.app, timeout) as app:
            started = asgi_transport(app)
            await _drive(exchange, started, deadline, timeout)
    except (lifespan.StartupFailed, TimeoutError) as exc:
        planned = exchange.next_request()
        if planned is not None:
            exchange.fail(_not_started(exc, planned, timeout))
    return exchange.result()


def _not_started(exc: Exception, planned: PlannedRequest, timeout: float) -> NetworkFailure:
    if isinstance(exc, TimeoutError):
        message = f"the app did not finish its startup within {timeout:g} s"
        return NetworkFailure("timeout", message, planned.url)
    # A server whose app fails to start never listens: the browser sees a refused connection.
    return NetworkFailure("refused", f"the app's startup failed: {exc}", planned.url)


async def _drive(
    exchange: Exchange, transport: httpx.AsyncBaseTransport, deadline: float, timeout: float
) -> None:
    hooks = {"response": [_keep_response]}
    async with httpx.AsyncClient(
        transport=transport, follow_redirects=False, trust_env=False, event_hooks=hooks
    ) as client:
        while (planned := exchange.next_request()) is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                exchange.fail(timed_out(planned, timeout))
                continue
            try:
                head = await asyncio.wait_for(_send_async(client, planned, remaining), remaining)
            except TimeoutError:
                exchange.fail(timed_out(planned, timeout))
                continue
            except AppSender.errors as exc:
                exchange.fail(network_failure(exc, planned.url, timeout))
                continue
            exchange.receive(head)
