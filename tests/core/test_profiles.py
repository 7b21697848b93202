"""The engine profiles: one fetch(), judged by each engine's own data (docs/browser-behaviour.md)."""

from dataclasses import replace

import pytest

from corscheck.core.access import cors_check
from corscheck.core.messages import CorsErrorKind
from corscheck.core.model import Cookie, Credentials, RequestKind, RequestSpec, SameSite, Verdict
from corscheck.core.preflight import max_age
from corscheck.core.profiles import CHROMIUM, FIREFOX, PROFILES
from corscheck.core.request import needs_preflight, prepare_headers
from tests.core.conftest import respond

API = "https://api.example/a"
PAGE = "https://app.example"
ALLOW = ("Access-Control-Allow-Origin", PAGE)


def header(request, name):
    return next((v for n, v in request.headers if n.lower() == name.lower()), None)


LNA_ERRORS = {
    CorsErrorKind.LNA_INSECURE_CONTEXT,
    CorsErrorKind.LNA_PERMISSION_DENIED,
    CorsErrorKind.LNA_TARGET_MISMATCH,
}


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_has_a_console_line_for_every_cors_error_it_can_raise(name):
    profile = PROFILES[name]
    raised = set(CorsErrorKind)
    if profile.userinfo_redirect_as_spec:
        raised.discard(CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS)  # a network error instead
    if not profile.local_network_access:
        raised -= LNA_ERRORS
    assert profile.name == name
    assert raised <= set(profile.console.reasons)


@pytest.mark.parametrize("name, value", [("DPR", "2"), ("Save-Data", "on"), ("Viewport-Width", "800")])
def test_client_hints_are_safelisted_only_in_chromium(name, value):
    assert not needs_preflight("GET", ((name, value),), CHROMIUM)
    assert needs_preflight("GET", ((name, value),), FIREFOX)


def test_a_script_set_user_agent_is_dropped_by_chromium_and_preflighted_by_firefox():
    assert prepare_headers((("User-Agent", "bot"),), CHROMIUM).dropped == ("User-Agent",)
    sent = prepare_headers((("User-Agent", "bot"),), FIREFOX).sent
    assert sent == (("User-Agent", "bot"),)
    assert needs_preflight("GET", sent, FIREFOX)


@pytest.mark.parametrize(
    "value, chromium, firefox",
    [(None, 5, 0), ("abc", 5, 0), ("+5", 5, 0), ("600", 600, 600), ("100000", 7200, 86400), ("-1", 0, 0)],
)
def test_preflight_cache_lifetimes(value, chromium, firefox):
    assert (max_age(value, CHROMIUM), max_age(value, FIREFOX)) == (chromium, firefox)


def test_two_allow_origin_lines_and_one_listed_line_are_told_apart_only_by_firefox():
    two_lines = (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Origin", PAGE))
    listed = (("Access-Control-Allow-Origin", f"{PAGE}, https://b.example"),)
    assert cors_check(two_lines, PAGE, False, FIREFOX).kind is CorsErrorKind.MULTIPLE_ALLOW_ORIGIN
    assert cors_check(listed, PAGE, False, FIREFOX).kind is not CorsErrorKind.MULTIPLE_ALLOW_ORIGIN
    assert cors_check(listed, PAGE, False, CHROMIUM).kind is CorsErrorKind.MULTIPLE_ALLOW_ORIGIN


def test_after_a_tainting_redirect_firefox_preflights_with_the_page_origin(run):
    def server(r):
        ok = ("Access-Control-Allow-Methods", "PUT")
        if r.url == API:
            if r.method == "OPTIONS":
                return respond(204, ALLOW, ok)
            return respond(307, ALLOW, ("Location", "https://cdn.example/x"))
        null = ("Access-Control-Allow-Origin", "null")
        return respond(204, null, ok) if r.method == "OPTIONS" else respond(200, null)

    chromium = run(RequestSpec(API, PAGE, method="PUT"), server)
    firefox = run(RequestSpec(API, PAGE, method="PUT", browser="firefox"), server)
    assert header(chromium.steps[2].request, "Origin") == "null"
    assert chromium.verdict is Verdict.ALLOWED
    assert header(firefox.steps[2].request, "Origin") == PAGE
    assert firefox.verdict is Verdict.BLOCKED
    assert "does not match ‘null’" in firefox.browser_message


def test_firefox_preflights_every_hop_after_a_preflighted_request(run):
    def server(r):
        if r.url == API and r.method == "OPTIONS":
            return respond(204, ALLOW, ("Access-Control-Allow-Methods", "PUT"))
        if r.url == API:
            return respond(303, ALLOW, ("Location", "/b"))
        return respond(204, ALLOW) if r.method == "OPTIONS" else respond(200, ALLOW)

    chromium = run(RequestSpec(API, PAGE, method="PUT", probe_reflection=False), server)
    firefox = run(RequestSpec(API, PAGE, method="PUT", probe_reflection=False, browser="firefox"), server)
    kinds = [s.request.kind for s in firefox.steps]
    assert kinds == [RequestKind.PREFLIGHT, RequestKind.ACTUAL, RequestKind.PREFLIGHT, RequestKind.ACTUAL]
    assert header(firefox.steps[2].request, "Access-Control-Request-Method") == "GET"
    assert [s.request.kind for s in chromium.steps].count(RequestKind.PREFLIGHT) == 1


def test_firefox_words_a_missing_header_with_the_status(run):
    result = run(RequestSpec(API, PAGE, browser="firefox"), lambda r: respond(404))
    assert result.browser_message == (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
        f" {API}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404."
    )


def test_firefox_cookies_unset_samesite_is_none_and_a_redirect_chain_counts():
    from corscheck.core.cookies import choose
    from corscheck.core.model import Cookie, SameSite, ThirdPartyCookies
    from corscheck.core.origin import parse_origin, parse_url

    site = parse_origin("https://app.site.example")
    url = parse_url("https://api.site.example/x", "url")
    other = parse_url("https://api.other.example/r", "url")
    unset = Cookie("u", "1", "api.other.example", host_only=True, secure=True)
    lax = Cookie("l", "1", "api.site.example", host_only=True, same_site=SameSite.LAX)
    allow = ThirdPartyCookies.ALLOW

    def sent(cookie, target, **engine):
        choice = choose((cookie,), url=target, page=site, credentials=True, third_party=allow, **engine)
        return [c.name for c in choice.sent]

    assert sent(unset, other) == []  # Chromium: Lax by default
    assert sent(unset, other, unset_is_lax=False) == ["u"]
    assert sent(lax, url) == ["l"]
    assert sent(lax, url, chain=(other.origin,)) == []


def test_safari_judges_a_preflight_status_before_its_cors_headers(run):
    spec = RequestSpec(API, PAGE, method="PUT", probe_reflection=False)
    chromium = run(spec, lambda r: respond(404))
    safari = run(replace(spec, browser="safari"), lambda r: respond(404))
    assert "No 'Access-Control-Allow-Origin' header" in chromium.browser_message
    assert safari.browser_message == "Preflight response is not successful. Status code: 404"


def test_safari_blocks_http_on_loopback_from_an_https_page_as_mixed_content(run):
    spec = RequestSpec("http://127.0.0.1:8080/a", PAGE, probe_reflection=False)
    server = lambda r: respond(200, ("Access-Control-Allow-Origin", PAGE))  # noqa: E731
    assert run(spec, server).verdict is Verdict.ALLOWED
    safari = run(replace(spec, browser="safari"), server)
    assert safari.verdict is Verdict.BLOCKED
    assert safari.steps == ()
    assert safari.browser_message.endswith("This content was blocked and must")


def test_safari_names_the_target_of_a_refused_redirect_and_the_origin_it_sent(run):
    def server(r):
        if r.url == API:
            return respond(302, ("Location", "/b"))
        return respond(200)

    safari = run(RequestSpec(API, PAGE, probe_reflection=False, browser="safari"), server)
    assert safari.browser_message == (
        "Cross-origin redirection to https://api.example/b denied by Cross-Origin Resource Sharing"
        f" policy: Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 302"
    )


def test_safari_quotes_an_invalid_allow_methods_value_whole_and_as_received(run):
    def server(r):
        return respond(204, ALLOW, ("Access-Control-Allow-Methods", "DELETE, P;T\x0b"))

    safari = run(RequestSpec(API, PAGE, method="PUT", probe_reflection=False, browser="safari"), server)
    assert (
        safari.browser_message == "Header Access-Control-Allow-Methods has an invalid value: DELETE, P;T\x0b"
    )


def test_safari_sends_a_secure_cookie_only_over_https_even_to_loopback(run):
    jar = (Cookie("sec", "1", "127.0.0.1", True, secure=True, same_site=SameSite.NONE),)
    spec = RequestSpec(
        "http://127.0.0.1:8080/a", "http://127.0.0.1:9090", credentials=Credentials.INCLUDE, cookies=jar
    )
    server = lambda r: respond(200)  # noqa: E731
    assert header(run(spec, server).steps[0].request, "Cookie") == "sec=1"
    assert header(run(replace(spec, browser="safari"), server).steps[0].request, "Cookie") is None


def test_safari_keeps_lax_cookies_back_after_a_redirect_through_another_site(run):
    page, api, other = "https://app.site.test", "https://api.site.test/a", "https://api.other.test/x"
    jar = (Cookie("lax", "1", "api.site.test", True, same_site=SameSite.LAX),)
    allow = (("Access-Control-Allow-Credentials", "true"),)

    def server(r):
        if r.url == api:
            return respond(302, ("Access-Control-Allow-Origin", page), *allow, ("Location", other))
        if r.url == other:
            return respond(302, ("Access-Control-Allow-Origin", "null"), *allow, ("Location", api + "?back"))
        return respond(200, ("Access-Control-Allow-Origin", "null"), *allow)

    spec = RequestSpec(api, page, credentials=Credentials.INCLUDE, cookies=jar, probe_reflection=False)
    assert header(run(spec, server).steps[-1].request, "Cookie") == "lax=1"
    assert header(run(replace(spec, browser="safari"), server).steps[-1].request, "Cookie") is None
