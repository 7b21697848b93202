"""End to end: the probe drives the engine against real HTTP servers on 127.0.0.1."""

import socket

from corscheck.core.model import Credentials, RequestKind, RequestSpec, Verdict
from corscheck.probe import run_check
from tests.conftest import Reply

PAGE = "https://app.example"
ACAO = "Access-Control-Allow-Origin"


def spec(url, **kwargs):
    kwargs.setdefault("probe_reflection", False)
    return RequestSpec(url=url, origin=PAGE, **kwargs)


def test_simple_get_allowed_and_sent_as_planned(server):
    server.route("/api", (ACAO, "*"))
    result = run_check(spec(server.url("/api")))
    assert result.verdict is Verdict.ALLOWED
    [received] = server.received
    assert received.method == "GET"
    assert received.header("Origin") == PAGE
    # Exactly the planned headers plus Host: none of httpx's defaults.
    planned = [name.lower() for name, _ in result.steps[0].request.headers]
    assert sorted(received.names) == sorted(planned + ["host"])
    assert "accept-encoding" not in received.names


def test_missing_allow_origin_blocks_with_console_message(server):
    server.route("/api")
    result = run_check(spec(server.url("/api")))
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-ORIGIN-MISSING"
    assert "has been blocked by CORS policy" in result.browser_message


def test_preflight_passes_then_actual_request_sent(server):
    server.route(
        "/api",
        (ACAO, PAGE),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "X-Api-Key, Content-Type"),
        status=204,
        method="OPTIONS",
    )
    server.route("/api", (ACAO, PAGE), method="PUT")
    result = run_check(
        spec(
            server.url("/api"),
            method="put",
            headers=(("X-Api-Key", "k"), ("Content-Type", "application/json")),
        )
    )
    assert result.verdict is Verdict.ALLOWED
    preflight, actual = server.received
    assert preflight.method == "OPTIONS"
    assert preflight.header("Access-Control-Request-Method") == "PUT"
    assert preflight.header("Access-Control-Request-Headers") == "content-type,x-api-key"
    assert actual.method == "PUT"
    assert actual.header("X-Api-Key") == "k"
    assert actual.body, "a request with Content-Type carries a placeholder body"


def test_failed_preflight_sends_no_actual_request(server):
    server.route("/api", (ACAO, PAGE), status=204, method="OPTIONS")
    result = run_check(spec(server.url("/api"), method="DELETE"))
    assert result.verdict is Verdict.BLOCKED
    assert [r.method for r in server.received] == ["OPTIONS"]
    assert result.findings[0].code == "CORS-METHOD-NOT-ALLOWED"


def test_duplicated_allow_origin_lines_reach_the_engine_apart(server):
    server.route("/api", (ACAO, PAGE), (ACAO, PAGE))
    result = run_check(spec(server.url("/api")))
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-ORIGIN-MULTIPLE"
    assert result.actual.response.headers.count((ACAO, PAGE)) == 2


def test_header_case_and_order_are_kept(server):
    server.route("/api", ("X-B", "2"), ("access-control-ALLOW-origin", "*"), ("X-A", "1"))
    result = run_check(spec(server.url("/api")))
    names = [name for name, _ in result.actual.response.headers]
    assert names[:3] == ["X-B", "access-control-ALLOW-origin", "X-A"]


def test_redirect_followed_with_cors_check_per_hop(serve):
    first, second = serve(), serve()
    second.route("/final", (ACAO, "*"))
    first.route("/start", (ACAO, "*"), ("Location", second.url("/final")), status=302)
    result = run_check(spec(first.url("/start")))
    assert result.verdict is Verdict.ALLOWED
    [hop] = result.redirects
    assert (hop.from_url, hop.to_url, hop.status) == (first.url("/start"), second.url("/final"), 302)
    # A cross-origin hop taints the request's origin to "null".
    assert second.received[0].header("Origin") == "null"


def test_redirect_without_cors_headers_blocks(serve):
    first, second = serve(), serve()
    second.route("/final", (ACAO, "*"))
    first.route("/start", ("Location", second.url("/final")), status=301)
    result = run_check(spec(first.url("/start")))
    assert result.verdict is Verdict.BLOCKED
    assert second.received == []


def test_expose_header_readable_only_when_listed(server):
    server.route(
        "/listed", (ACAO, "*"), ("X-Total-Count", "3"), ("Access-Control-Expose-Headers", "X-Total-Count")
    )
    server.route("/unlisted", (ACAO, "*"), ("X-Total-Count", "3"))
    listed = run_check(spec(server.url("/listed"), expose=("X-Total-Count",)))
    unlisted = run_check(spec(server.url("/unlisted"), expose=("X-Total-Count",)))
    assert "x-total-count" in listed.exposed_headers and listed.unreadable_expose == ()
    assert unlisted.unreadable_expose == ("X-Total-Count",)
    assert any(f.code == "CORS-EXPOSE-MISSING" for f in unlisted.findings)


def test_credentials_send_cookie_and_need_allow_credentials(server):
    server.route("/api", (ACAO, PAGE))
    result = run_check(spec(server.url("/api"), credentials=Credentials.INCLUDE, cookie="sid=1"))
    assert result.verdict is Verdict.BLOCKED
    assert server.received[0].header("Cookie") == "sid=1"
    assert result.findings[0].code == "CORS-CREDENTIALS-NOT-TRUE"


def test_wildcard_with_credentials_is_blocked(server):
    server.route("/api", (ACAO, "*"), ("Access-Control-Allow-Credentials", "true"))
    result = run_check(spec(server.url("/api"), credentials=Credentials.INCLUDE))
    assert result.verdict is Verdict.BLOCKED


def test_reflection_probe_detects_an_echoed_origin(server):
    server.routes[("*", "/api")] = lambda request: Reply(200, [(ACAO, request.header("Origin"))])
    result = run_check(RequestSpec(server.url("/api"), PAGE))
    assert result.verdict is Verdict.ALLOWED
    assert [s.request.kind for s in result.steps] == [RequestKind.ACTUAL, RequestKind.REFLECTION_PROBE]
    assert server.received[1].header("Origin") == "https://corscheck-probe.invalid"
    assert any(f.code == "LINT-ORIGIN-REFLECTED" for f in result.findings)


def test_refused_connection_is_a_network_failure():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        result = run_check(spec(f"http://127.0.0.1:{port}/"))
    assert result.verdict is Verdict.ERROR
    assert result.failure.kind == "refused"
