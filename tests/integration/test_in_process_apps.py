"""In-process WSGI and ASGI apps through httpx transports: the same checks, no sockets."""

import asyncio

import httpx

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import app_transport, run_check

PAGE = "https://app.example"


def wsgi_app(environ, start_response):
    origin = environ.get("HTTP_ORIGIN", "")
    if environ["PATH_INFO"] == "/crash":
        raise RuntimeError("the app crashed")
    headers = [("Content-Type", "application/json")]
    if environ["PATH_INFO"] == "/cors":
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    start_response("200 OK", headers)
    return [b"{}"]


async def asgi_app(scope, receive, send):
    request_headers = dict(scope["headers"])
    headers = [(b"content-type", b"application/json")]
    if scope["path"] == "/cors":
        headers += [(b"access-control-allow-origin", request_headers[b"origin"]), (b"Vary", b"Origin")]
    if scope["path"] == "/crash":
        raise RuntimeError("the app crashed")
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"{}"})


def wsgi_transport():
    return app_transport(wsgi_app)


def asgi_transport():
    return app_transport(asgi_app)


def test_app_kind_detected():
    assert isinstance(wsgi_transport(), httpx.WSGITransport)
    assert isinstance(asgi_transport(), httpx.ASGITransport)


def test_wsgi_app_allowed_and_reflection_detected():
    result = run_check(RequestSpec("https://testserver/cors", PAGE), transport=wsgi_transport())
    assert result.verdict is Verdict.ALLOWED
    assert any(f.code == "LINT-ORIGIN-REFLECTED" for f in result.findings)


def test_wsgi_app_without_cors_blocked():
    result = run_check(RequestSpec("https://testserver/plain", PAGE), transport=wsgi_transport())
    assert result.verdict is Verdict.BLOCKED


def test_wsgi_crash_is_checked_as_a_500():
    result = run_check(RequestSpec("https://testserver/crash", PAGE), transport=wsgi_transport())
    assert result.verdict is Verdict.BLOCKED
    assert result.actual.response.status == 500


def test_asgi_app_allowed_with_header_case_kept():
    result = run_check(
        RequestSpec("https://testserver/cors", PAGE, probe_reflection=False), transport=asgi_transport()
    )
    assert result.verdict is Verdict.ALLOWED
    assert ("Vary", "Origin") in result.actual.response.headers


def test_asgi_crash_is_checked_as_a_500():
    result = run_check(RequestSpec("https://testserver/crash", PAGE), transport=asgi_transport())
    assert result.verdict is Verdict.BLOCKED
    assert result.actual.response.status == 500


def test_asgi_check_works_inside_a_running_event_loop():
    async def caller_with_a_loop():
        return run_check(
            RequestSpec("https://testserver/cors", PAGE, probe_reflection=False), transport=asgi_transport()
        )

    assert asyncio.run(caller_with_a_loop()).verdict is Verdict.ALLOWED
