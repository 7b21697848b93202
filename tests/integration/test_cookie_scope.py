"""-b is the jar's content for the checked URL's host: a redirect to another host gets no cookie."""

from __future__ import annotations

from corscheck.core.engine import Exchange
from corscheck.core.model import Credentials, RequestSpec, ResponseHead
from tests.faults.cli import check, run_cli

PAGE = "https://app.example"
OPEN = [("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true")]
#: After a cross-origin redirect the browser sends `Origin: null`.
OPEN_TO_NULL = [("Access-Control-Allow-Origin", "null"), ("Access-Control-Allow-Credentials", "true")]


def _redirecting(serve, target: str):
    first = serve()
    first.route("/start", *OPEN, ("Location", target), status=302)
    return first


def test_a_redirect_to_another_host_sends_no_cookie(serve):
    second = serve()
    second.route("/end", *OPEN_TO_NULL)
    # 127.0.0.1 and localhost are different hosts to a cookie jar, whatever their ports.
    first = _redirecting(serve, second.url("/end").replace("127.0.0.1", "localhost"))
    outcome = check(first.url("/start"), "--credentials", "include", "-b", "sid=S", "--json")
    assert outcome.exit_code == 0, outcome
    [to_first] = first.received
    [to_second] = second.received
    assert to_first.header("Cookie") == "sid=S"
    assert to_second.header("Cookie") is None
    [finding] = [f for f in outcome.json()["findings"] if f["code"] == "LINT-COOKIE-NOT-SENT"]
    assert "cookie" in finding["message"] and "localhost" in finding["message"]


def test_a_redirect_within_the_host_keeps_the_cookie(serve):
    # Cookies ignore ports: another port on the same host still gets the jar's cookie.
    second = serve()
    second.route("/end", *OPEN_TO_NULL)
    first = _redirecting(serve, second.url("/end"))
    outcome = check(first.url("/start"), "--credentials", "include", "-b", "sid=S", "--json")
    assert outcome.exit_code == 0, outcome
    assert [r.header("Cookie") for r in first.received + second.received] == ["sid=S", "sid=S"]
    assert "LINT-COOKIE-NOT-SENT" not in [f["code"] for f in outcome.json()["findings"]]


def test_from_curl_cookies_stay_on_their_host(serve):
    second = serve()
    second.route("/end", *OPEN_TO_NULL)
    first = _redirecting(serve, second.url("/end").replace("127.0.0.1", "localhost"))
    copy = f"curl '{first.url('/start')}' -H 'Origin: {PAGE}' -b 'sid=S'"
    outcome = run_cli("check", "--from-curl", copy, "--json")
    assert outcome.exit_code == 0, outcome
    assert first.received[0].header("Cookie") == "sid=S"
    assert second.received[0].header("Cookie") is None


def test_https_to_http_on_the_same_host_sends_no_cookie():
    # An http page: from an https one, the http hop would be blocked as mixed content first.
    page = "http://app.example"
    open_to_page = (("Access-Control-Allow-Origin", page), ("Access-Control-Allow-Credentials", "true"))
    spec = RequestSpec(
        "https://api.example/a",
        page,
        credentials=Credentials.INCLUDE,
        cookie="sid=S",
        probe_reflection=False,
    )
    exchange = Exchange(spec)
    first = exchange.next_request()
    assert ("Cookie", "sid=S") in first.headers
    exchange.receive(ResponseHead(302, (*open_to_page, ("Location", "http://api.example/b"))))
    second = exchange.next_request()
    assert second.url == "http://api.example/b"
    assert all(name != "Cookie" for name, _ in second.headers)
    exchange.receive(ResponseHead(200, open_to_page))
    assert "LINT-COOKIE-NOT-SENT" in [f.code for f in exchange.result().findings]


def test_a_same_origin_request_keeps_its_cookie_only_until_it_leaves_the_host():
    spec = RequestSpec("https://app.example/a", PAGE, cookie="sid=S", probe_reflection=False)
    exchange = Exchange(spec)
    assert ("Cookie", "sid=S") in exchange.next_request().headers
    exchange.receive(ResponseHead(302, (("Location", "https://app.example/b"),)))
    assert ("Cookie", "sid=S") in exchange.next_request().headers
