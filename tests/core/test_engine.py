import pytest

from corscheck.core.engine import PROBE_ORIGIN, Exchange
from corscheck.core.errors import InputError
from corscheck.core.model import Credentials, NetworkFailure, RequestKind, RequestSpec, Verdict
from tests.core.conftest import respond

PAGE = "https://app.example"
API = "https://api.example/tasks"
ALLOW = ("Access-Control-Allow-Origin", PAGE)


def codes(result):
    return [f.code for f in result.findings]


def header(request, name):
    return next((v for n, v in request.headers if n.lower() == name.lower()), None)


def test_simple_get_allowed_with_exposure(run):
    spec = RequestSpec(API, PAGE, expose=("X-Total-Count",), probe_reflection=False)
    result = run(
        spec,
        lambda r: respond(
            200,
            ALLOW,
            ("Access-Control-Expose-Headers", "X-Total-Count"),
            ("X-Total-Count", "3"),
            ("Vary", "Origin"),
        ),
    )
    assert result.verdict is Verdict.ALLOWED
    assert result.exposed_headers == ("x-total-count",)
    assert result.preflight is None
    assert header(result.actual.request, "Origin") == PAGE
    assert codes(result) == []


def test_seed_scenario_total_count_not_exposed(run):
    spec = RequestSpec(API, PAGE, expose=("X-Total-Count",), probe_reflection=False)
    result = run(spec, lambda r: respond(200, ("Access-Control-Allow-Origin", "*"), ("X-Total-Count", "3")))
    assert result.verdict is Verdict.ALLOWED
    assert result.unreadable_expose == ("X-Total-Count",)
    assert codes(result) == ["CORS-EXPOSE-MISSING"]
    assert result.findings[0].details["cause"] == "not-exposed"


def test_blocked_request_has_chromium_message_and_no_exposure(run):
    result = run(RequestSpec(API, PAGE), lambda r: respond(200, ("Content-Type", "text/plain")))
    assert result.verdict is Verdict.BLOCKED
    assert result.exposed_headers == ()
    assert result.browser_message == (
        f"Access to fetch at '{API}' from origin '{PAGE}' has been blocked by CORS policy: "
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert codes(result)[0] == "CORS-ORIGIN-MISSING"


def test_preflight_is_sent_like_chromium_and_carries_no_credentials(run):
    spec = RequestSpec(
        API,
        PAGE,
        method="put",
        headers=(
            ("X-B", "1"),
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer s"),
            ("Cookie", "no"),
        ),
        credentials=Credentials.INCLUDE,
        cookie="session=1",
        probe_reflection=False,
    )
    ok = (
        ALLOW,
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "authorization, content-type, x-b"),
    )
    result = run(spec, lambda r: respond(204, *ok) if r.method == "OPTIONS" else respond(200, *ok))
    assert result.verdict is Verdict.ALLOWED
    preflight = result.preflight.request
    assert preflight.method == "OPTIONS"
    assert header(preflight, "Access-Control-Request-Method") == "PUT"
    assert header(preflight, "Access-Control-Request-Headers") == "authorization,content-type,x-b"
    assert header(preflight, "Cookie") is None and header(preflight, "Authorization") is None
    actual = result.actual.request
    assert actual.method == "PUT"
    assert header(actual, "Cookie") == "session=1"
    assert header(actual, "Authorization") == "Bearer s"
    assert "CORS-REQUEST-FORBIDDEN-HEADER" in codes(result)


def test_failed_preflight_stops_before_the_actual_request(run):
    spec = RequestSpec(API, PAGE, method="DELETE")
    result = run(spec, lambda r: respond(401, ALLOW))
    assert result.verdict is Verdict.BLOCKED
    assert [s.request.kind for s in result.steps] == [RequestKind.PREFLIGHT]
    assert codes(result)[:1] == ["CORS-PREFLIGHT-STATUS"]
    assert "LINT-PREFLIGHT-AUTH-LAYER" in codes(result)
    assert (
        "Response to preflight request doesn't pass access control check: It does not have HTTP ok status."
        in result.browser_message
    )


def test_credentials_only_on_actual_request_when_included(run):
    for mode, expected in [
        (Credentials.OMIT, None),
        (Credentials.SAME_ORIGIN, None),
        (Credentials.INCLUDE, "a=1"),
    ]:
        result = run(
            RequestSpec(API, PAGE, credentials=mode, cookie="a=1", probe_reflection=False),
            lambda r: respond(200, ALLOW, ("Access-Control-Allow-Credentials", "true")),
        )
        assert header(result.actual.request, "Cookie") == expected


def test_same_origin_request_skips_cors(run):
    result = run(
        RequestSpec(PAGE + "/api", PAGE, cookie="a=1"),
        lambda r: respond(200, ("X-Secret", "1"), ("Set-Cookie", "b=2")),
    )
    assert result.verdict is Verdict.ALLOWED
    assert result.exposed_headers == ("x-secret",)
    assert header(result.actual.request, "Origin") is None
    assert header(result.actual.request, "Cookie") == "a=1"
    assert codes(result) == ["CORS-SAME-ORIGIN"]


def test_redirect_hop_needs_cors_headers(run):
    def server(r):
        if r.url == API:
            return respond(302, ("Location", "/final"))
        return respond(200, ALLOW)

    result = run(RequestSpec(API, PAGE), server)
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].details["stage"] == "redirect"
    assert result.browser_message.startswith(f"Access to fetch at '{API}' from origin")


def test_redirect_to_other_origin_taints_and_message_names_both_urls(run):
    final = "https://cdn.example/file"

    def server(r):
        if r.url == API:
            return respond(302, ALLOW, ("Location", final))
        return respond(200, ALLOW)

    result = run(RequestSpec(API, PAGE), server)
    assert result.verdict is Verdict.BLOCKED
    assert header(result.actual.request, "Origin") == "null"
    assert result.findings[0].details["cause"] == "tainted"
    assert f"at '{final}' (redirected from '{API}') from origin '{PAGE}'" in result.browser_message
    assert "LINT-REDIRECT-TAINTED" in codes(result)
    assert [(h.from_url, h.to_url, h.status) for h in result.redirects] == [(API, final, 302)]


def test_tainted_request_allowed_by_null_or_wildcard(run):
    for value in ("null", "*"):

        def server(r, value=value):
            if r.url == API:
                return respond(307, ALLOW, ("Location", "https://cdn.example/x"))
            return respond(200, ("Access-Control-Allow-Origin", value))

        assert run(RequestSpec(API, PAGE), server).verdict is Verdict.ALLOWED


def test_preflight_repeated_after_redirect_with_null_origin(run):
    def server(r):
        ok = ("Access-Control-Allow-Methods", "PUT")
        if r.url == API:
            return (
                respond(204, ALLOW, ok)
                if r.method == "OPTIONS"
                else respond(307, ALLOW, ("Location", "https://cdn.example/x"))
            )
        return (
            respond(204, ("Access-Control-Allow-Origin", "null"), ok)
            if r.method == "OPTIONS"
            else respond(200, ("Access-Control-Allow-Origin", "null"))
        )

    result = run(RequestSpec(API, PAGE, method="PUT"), server)
    kinds = [(s.request.kind, s.request.url) for s in result.steps]
    assert kinds == [
        (RequestKind.PREFLIGHT, API),
        (RequestKind.ACTUAL, API),
        (RequestKind.PREFLIGHT, "https://cdn.example/x"),
        (RequestKind.ACTUAL, "https://cdn.example/x"),
    ]
    assert header(result.steps[2].request, "Origin") == "null"
    assert result.verdict is Verdict.ALLOWED


def test_redirect_loop_is_a_network_error(run):
    result = run(
        RequestSpec(API, PAGE),
        lambda r: respond(302, ("Access-Control-Allow-Origin", "*"), ("Location", API)),
    )
    assert result.verdict is Verdict.ERROR
    assert codes(result)[0] == "CORS-REDIRECT-LIMIT"
    assert len(result.redirects) == 20


def test_network_failure_is_an_error_verdict(run):
    result = run(RequestSpec(API, PAGE), lambda r: NetworkFailure("refused", "connection refused", r.url))
    assert result.verdict is Verdict.ERROR
    assert result.failure.kind == "refused"
    assert codes(result) == ["CORS-NETWORK-FAILURE"]
    assert result.browser_message is None


def test_reflection_probe_detects_an_echoing_server(run):
    def echo(r):
        return respond(200, ("Access-Control-Allow-Origin", header(r, "Origin")), ("Vary", "Origin"))

    result = run(RequestSpec(API, PAGE), echo)
    probe = result.steps[-1]
    assert probe.request.kind is RequestKind.REFLECTION_PROBE
    assert header(probe.request, "Origin") == PROBE_ORIGIN
    assert "LINT-ORIGIN-REFLECTED" in codes(result)


def test_reflection_probe_for_unsafe_methods_is_an_options_request(run):
    ok = ("Access-Control-Allow-Methods", "DELETE")
    result = run(
        RequestSpec(API, PAGE, method="DELETE"), lambda r: respond(204, ALLOW, ok, ("Vary", "Origin"))
    )
    assert result.steps[-1].request.method == "OPTIONS"
    assert "LINT-ORIGIN-REFLECTED" not in codes(result)


def test_echo_without_vary_is_flagged_unless_constant(run):
    def echo(r):
        return respond(200, ("Access-Control-Allow-Origin", header(r, "Origin")))

    assert "LINT-NO-VARY-ORIGIN" in codes(run(RequestSpec(API, PAGE), echo))
    constant = run(RequestSpec(API, PAGE), lambda r: respond(200, ALLOW))
    assert "LINT-NO-VARY-ORIGIN" not in codes(constant)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (RequestSpec("api.example/x", PAGE), "http"),
        (RequestSpec(API, "https://app.example/"), "path"),
        (RequestSpec(API, PAGE, method="TRACE"), "forbidden"),
        (RequestSpec("https://u:p@api.example/", PAGE), "user name"),
        (RequestSpec(API, PAGE, headers=(("Bad Name", "x"),)), "token"),
    ],
)
def test_bad_input_raises_input_error(spec, problem):
    with pytest.raises(InputError, match=problem):
        Exchange(spec)


def test_result_before_the_end_is_a_programming_error():
    with pytest.raises(RuntimeError):
        Exchange(RequestSpec(API, PAGE)).result()


def test_redirect_with_credentials_is_blocked_with_chromiums_empty_location(run):
    result = run(
        RequestSpec(API, PAGE),
        lambda r: respond(
            302, ("Access-Control-Allow-Origin", "*"), ("Location", "https://u:p@cdn.example/")
        ),
    )
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-REDIRECT-CREDENTIALS"
    assert result.findings[0].details["location"] == "https://u:p@cdn.example/"
    assert result.browser_message.endswith(
        "Redirect location '' contains a username and password, which is disallowed for cross-origin requests."
    )


def test_console_message_escapes_control_characters_like_chromium(run):
    result = run(
        RequestSpec(API, PAGE), lambda r: respond(200, ("Access-Control-Allow-Origin", "\x0b" + PAGE))
    )
    assert f"has a value '\\u000B{PAGE}' that is not equal" in result.browser_message


def test_redirect_to_ftp_names_the_ftp_url_like_chromium(run):
    result = run(
        RequestSpec(API, PAGE),
        lambda r: respond(302, ("Access-Control-Allow-Origin", "*"), ("Location", "ftp://files.example/x")),
    )
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-REDIRECT-SCHEME"
    assert result.browser_message.startswith(
        f"Access to fetch at 'ftp://files.example/x' (redirected from '{API}')"
    )
    assert "only supported for protocol schemes" in result.browser_message


def test_redirect_to_data_is_a_silent_network_error(run):
    result = run(
        RequestSpec(API, PAGE),
        lambda r: respond(302, ("Access-Control-Allow-Origin", "*"), ("Location", "data:,x")),
    )
    assert result.verdict is Verdict.ERROR
    assert result.browser_message is None
    assert result.findings[0].code == "CORS-REDIRECT-SCHEME"


def test_authorization_under_wildcard_is_never_cached_by_chromium(run):
    ok = (ALLOW, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "600"))
    result = run(
        RequestSpec(API, PAGE, headers=(("Authorization", "x"),), probe_reflection=False),
        lambda r: respond(204, *ok),
    )
    assert result.verdict is Verdict.ALLOWED
    assert result.preflight_cache.chromium_seconds == 0
