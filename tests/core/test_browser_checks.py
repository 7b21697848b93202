"""The engine runs the browser's other checks in Chromium's order: construction, CSP, mixed content,
request mode, Local Network Access at connection time, then CORS or CORP on the response."""

from dataclasses import replace

from corscheck.core.engine import Exchange
from corscheck.core.model import (
    AddressSpace,
    LnaPermission,
    Mode,
    Page,
    RequestKind,
    RequestSpec,
    Verdict,
)
from tests.core.conftest import respond

PAGE = "https://app.example"
API = "https://api.example/x"
ACAO_STAR = ("Access-Control-Allow-Origin", "*")


def never_called(request):
    raise AssertionError(f"nothing may be sent, but {request.method} {request.url} was")


def test_no_cors_put_is_chromiums_type_error(run):
    result = run(RequestSpec(API, PAGE, "put", mode=Mode.NO_CORS), never_called)
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-NO-CORS-METHOD"
    assert result.browser_message == (
        "TypeError: Failed to execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode."
    )


def test_no_cors_is_opaque_without_a_preflight_and_drops_unsafe_headers(run):
    sent = []
    spec = RequestSpec(
        API,
        PAGE,
        "POST",
        headers=(("Content-Type", "application/json"), ("X-A", "1"), ("Accept-Language", "de")),
        mode=Mode.NO_CORS,
    )
    result = run(spec, lambda request: sent.append(request) or respond(200, ACAO_STAR))
    assert result.verdict is Verdict.OPAQUE
    assert result.findings[0].code == "CORS-NO-CORS-OPAQUE"
    assert [r.kind for r in sent] == [RequestKind.ACTUAL]
    headers = dict(sent[0].headers)
    assert headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert headers["Accept-Language"] == "de"
    assert "X-A" not in headers
    assert headers["Sec-Fetch-Mode"] == "no-cors"
    assert headers["Origin"] == PAGE  # a POST carries its origin in every mode
    dropped = [f.details["header"] for f in result.findings if f.code == "CORS-NO-CORS-HEADER-DROPPED"]
    assert dropped == ["Content-Type", "X-A"]
    assert result.exposed_headers == ()


def test_no_cors_get_sends_no_origin_and_same_origin_is_readable(run):
    sent = []
    result = run(
        RequestSpec("https://app.example/x", PAGE, mode=Mode.NO_CORS),
        lambda request: sent.append(request) or respond(200),
    )
    assert result.verdict is Verdict.ALLOWED
    assert "Origin" not in dict(sent[0].headers)


def test_corp_same_origin_blocks_a_no_cors_fetch(run):
    result = run(
        RequestSpec(API, PAGE, mode=Mode.NO_CORS),
        lambda request: respond(200, ("Cross-Origin-Resource-Policy", "same-origin")),
    )
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-CORP-BLOCKED"
    assert result.browser_message == "Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin"


def test_coep_require_corp_defaults_a_no_cors_response_to_same_origin(run):
    spec = RequestSpec(API, PAGE, mode=Mode.NO_CORS, page=Page(coep="require-corp"))
    result = run(spec, lambda request: respond(200))
    assert result.browser_message.endswith("NotSameOriginAfterDefaultedToSameOriginByCoep")
    cors = run(replace(spec, mode=Mode.CORS), lambda request: respond(200, ACAO_STAR))
    assert cors.verdict is Verdict.ALLOWED  # a CORS response needs no CORP


def test_same_origin_mode_refuses_another_origin(run):
    result = run(RequestSpec(API, PAGE, mode=Mode.SAME_ORIGIN), never_called)
    assert result.findings[0].code == "CORS-SAME-ORIGIN-MODE"
    assert result.browser_message == (
        f'Fetch API cannot load {API}. Request mode is "same-origin" but the URL\'s origin is not'
        f" same as the request origin {PAGE}."
    )


def test_csp_comes_before_mixed_content(run):
    spec = RequestSpec("http://api.example/x", PAGE, page=Page(csp=("connect-src 'self'",)))
    result = run(spec, never_called)
    assert [f.code for f in result.findings][:1] == ["CORS-CSP-CONNECT-SRC"]
    assert result.browser_message == (
        "Connecting to 'http://api.example/x' violates the following Content Security Policy"
        " directive: \"connect-src 'self'\". The action has been blocked."
    )


def test_report_only_csp_warns_and_sends(run):
    spec = RequestSpec(API, PAGE, page=Page(csp_report_only=("connect-src 'self'",)))
    result = run(spec, lambda request: respond(200, ACAO_STAR))
    assert result.verdict is Verdict.ALLOWED
    [warning] = [f for f in result.findings if f.code == "CORS-CSP-REPORT-ONLY"]
    assert "The policy is report-only" in warning.details["console"]


def test_mixed_content_names_the_page(run):
    spec = RequestSpec("http://api.internal.test:18555/x", PAGE, page=Page(url="https://app.example/home"))
    result = run(spec, never_called)
    assert result.browser_message == (
        "Mixed Content: The page at 'https://app.example/home' was loaded over HTTPS, but requested an"
        " insecure resource 'http://api.internal.test:18555/x'. This request has been blocked; the"
        " content must be served over HTTPS."
    )


def test_a_redirect_to_mixed_content_is_blocked_too(run):
    def server(request):
        return respond(302, ACAO_STAR, ("Location", "http://api.example/y"))

    result = run(RequestSpec(API, PAGE), server)
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-MIXED-CONTENT"
    assert len(result.steps) == 1


def connect_and_run(spec, address):
    """The shell's part: tell the engine each request's address before sending it."""
    exchange = Exchange(spec)
    sent = []
    while (request := exchange.next_request()) is not None:
        if exchange.wants_address():
            exchange.connect(address)
            continue
        sent.append(request)
        exchange.receive(respond(200, ACAO_STAR, ("Access-Control-Allow-Methods", "PUT")))
    return exchange.result(), sent


def test_local_network_access_is_decided_at_connection_time():
    denied = RequestSpec(API, PAGE, "PUT", lna_permission=LnaPermission.DENIED)
    result, sent = connect_and_run(denied, "127.0.0.1")
    assert sent == []  # not even the preflight
    assert result.findings[0].code == "CORS-LNA-PERMISSION-DENIED"
    assert result.browser_message == (
        f"Access to fetch at '{API}' from origin '{PAGE}' has been blocked by CORS policy: Permission"
        " was denied for this request to access the `loopback` address space."
    )
    public_page = Page(csp=("treat-as-public-address",))
    prompt, sent = connect_and_run(
        replace(denied, lna_permission=LnaPermission.PROMPT, page=public_page), "10.0.0.8"
    )
    assert prompt.verdict is Verdict.ALLOWED and len(sent) == 2
    assert [f.code for f in prompt.findings if f.code.startswith("CORS-LNA")] == [
        "CORS-LNA-PERMISSION-PROMPT"
    ]
    # A page taken to be public from its host name alone earns no warning: that is only a guess.
    guessed, _ = connect_and_run(replace(denied, lna_permission=LnaPermission.PROMPT), "10.0.0.8")
    assert guessed.verdict is Verdict.ALLOWED
    assert not [f for f in guessed.findings if f.code.startswith("CORS-LNA")]
    public, _ = connect_and_run(denied, "93.184.216.34")
    assert public.verdict is Verdict.ALLOWED


def test_a_loopback_page_never_asks_for_an_address():
    exchange = Exchange(RequestSpec("http://127.0.0.1:9/x", "http://localhost:3000"))
    assert not exchange.wants_address()


def test_insecure_public_page_and_target_mismatch():
    insecure, _ = connect_and_run(RequestSpec(API, "http://app.example"), "192.168.0.2")
    assert insecure.browser_message.endswith(
        "The request client is not a secure context and the resource is in more-private address space `local`."
    )
    # The page's space came from its host name alone: the finding says so and how to know better.
    assert "assumed from the host name app.example" in insecure.findings[0].message
    known_page = Page(address_space=AddressSpace.PUBLIC)
    measured, _ = connect_and_run(RequestSpec(API, "http://app.example", page=known_page), "192.168.0.2")
    assert measured.findings[0].code == "CORS-LNA-INSECURE-CONTEXT"
    assert "assumed" not in measured.findings[0].message
    mismatch, _ = connect_and_run(
        RequestSpec(API, PAGE, target_address_space=AddressSpace.LOCAL), "127.0.0.1"
    )
    assert mismatch.browser_message.endswith(
        "Request had a target IP address space of `local` yet the resource is in address space `loopback`."
    )
    assert mismatch.findings[0].code == "CORS-LNA-TARGET-MISMATCH"


def test_same_origin_mode_redirect_elsewhere_is_a_network_error(run):
    def server(request):
        return respond(302, ("Location", "https://api.example/y"))

    result = run(RequestSpec("https://app.example/x", PAGE, mode=Mode.SAME_ORIGIN), server)
    assert result.verdict is Verdict.ERROR
    assert result.browser_message is None  # Chromium prints nothing for it
    assert (result.failure.kind, result.findings[0].code) == ("redirect", "CORS-SAME-ORIGIN-MODE")
