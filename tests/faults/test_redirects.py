"""Redirect loops and redirects to URLs a browser never follows: the check stops, says why, exits 1."""

from __future__ import annotations

import pytest

from tests.faults.cli import assert_one_line_error, check
from tests.faults.hostile import answer_each


def _redirect_to(location: bytes) -> bytes:
    # CORS headers on the redirect itself, so the hop passes and only the Location decides.
    return (
        b"HTTP/1.1 302 Found\r\nAccess-Control-Allow-Origin: *\r\nLocation: " + location + b"\r\n"
        b"Content-Length: 0\r\n\r\n"
    )


def test_redirect_loop_stops_after_20_hops(hostile):
    server = hostile(answer_each(_redirect_to(b"/loop")))
    outcome = check(server.url("/loop"), "--json")
    assert_one_line_error(outcome, 1, "redirects")
    document = outcome.json()
    assert document["verdict"] == "error"
    assert document["findings"][0]["code"] == "CORS-REDIRECT-LIMIT"
    assert len(document["redirects"]) == 20
    assert len(server.heads) == 21  # the 21st redirect is refused, never followed


def test_two_url_redirect_loop(hostile):
    server = hostile(answer_each(lambda head: _redirect_to(b"/b" if b"GET /a " in head else b"/a")))
    outcome = check(server.url("/a"))
    assert_one_line_error(outcome, 1, "redirects")
    assert "CORS-REDIRECT-LIMIT" in outcome.stdout


@pytest.mark.parametrize(
    "location",
    [
        b"file:///etc/passwd",
        b"data:text/plain,hello",
        b"ftp://127.0.0.1/file",
        b"javascript:alert(1)",
        b"gopher://127.0.0.1:70/",
        b"about:blank",
        b"ws://127.0.0.1/socket",
    ],
)
def test_redirect_to_non_http_scheme_is_refused(hostile, location):
    server = hostile(answer_each(_redirect_to(location)))
    outcome = check(server.url("/api"), "--json")
    document = outcome.json()
    assert outcome.exit_code == 1, outcome
    assert document["findings"][0]["code"] == "CORS-REDIRECT-SCHEME"
    scheme = location.split(b":")[0].decode()
    if document["verdict"] == "error":  # Chromium fails silently: a network error, named on stderr
        assert_one_line_error(outcome, 1, scheme)
    else:  # Chromium prints a CORS error for schemes it knows but will not fetch cross-origin
        assert document["verdict"] == "blocked"
        assert scheme in document["browser_message"]
        assert outcome.stderr == ""
    assert len(server.heads) == 1  # nothing is fetched from the refused location


@pytest.mark.parametrize(
    "location",
    [
        b"http://exa mple.com/",
        b"http://127.0.0.1:99999/",
        b"http://a:b:c/",  # httpx itself refuses to parse this one; the engine must still decide
        b"http://[::1",
    ],
)
def test_redirect_to_malformed_url_is_a_network_error(hostile, location):
    server = hostile(answer_each(_redirect_to(location)))
    outcome = check(server.url("/api"), "--json")
    assert_one_line_error(outcome, 1, "redirect")
    document = outcome.json()
    assert document["verdict"] == "error"
    assert document["findings"][0]["code"] == "CORS-NETWORK-FAILURE"
    assert len(server.heads) == 1


def test_in_process_asgi_app_with_an_unparsable_location():
    """The async path too: httpx's own Location parsing must not pre-empt the engine's."""
    from corscheck.core.model import RequestSpec
    from corscheck.probe import app_transport, run_check

    async def app(scope, receive, send):
        headers = [(b"access-control-allow-origin", b"*"), (b"location", b"http://a:b:c/")]
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    result = run_check(
        RequestSpec("https://testserver/x", "https://app.example"), transport=app_transport(app)
    )
    assert result.verdict == "error"
    assert result.findings[0].code == "CORS-NETWORK-FAILURE"
    assert result.failure is not None and result.failure.kind == "redirect"


def test_del_in_a_location_path_is_percent_encoded_and_followed(hostile):
    """The URL Standard percent-encodes DEL in a path; Chromium follows the hop."""
    ok = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n"
    server = hostile(answer_each(lambda head: ok if b"GET /a%7Fb " in head else _redirect_to(b"/a\x7fb")))
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["redirects"][0]["to"] == server.url("/a%7Fb")


@pytest.mark.parametrize(
    ("location", "exit_code"),
    [
        (b"http://xn--a.example/", 1),  # Punycode for U+0080: the URL Standard rejects the host
        (b"/" + b"a" * 70_000, 1),  # under Chromium's 2 MiB URL limit: followed to the redirect limit
        (b"https://xn--ls8h.la/", 3),  # a valid emoji domain that httpx's IDNA 2008 refuses (https: an
        # http one is mixed content from the https page, blocked before anything is sent)
    ],
)
def test_a_location_corscheck_cannot_send_is_that_checks_failure(hostile, location, exit_code):
    server = hostile(answer_each(_redirect_to(location)))
    outcome = check(server.url("/api"), "--json")
    assert_one_line_error(outcome, exit_code)
    assert outcome.json()["verdict"] == "error"


def test_del_in_the_users_url_is_bad_input():
    assert_one_line_error(check("http://127.0.0.1:9/a\x7fb"), 2, "control")
