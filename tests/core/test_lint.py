"""Each lint finding fires on its trigger and stays quiet on a clean exchange."""

import pytest

from corscheck.core.model import Credentials, RequestSpec, Verdict
from tests.core.conftest import respond

PAGE = "https://app.example"
API = "https://api.example/x"
ALLOW = ("Access-Control-Allow-Origin", PAGE)
CLEAN_PREFLIGHT = (
    ALLOW,
    ("Access-Control-Allow-Methods", "PUT"),
    ("Access-Control-Max-Age", "600"),
    ("Vary", "Origin"),
)


def codes(result):
    return {f.code for f in result.findings}


def simple(run, *lines, status=200, **spec):
    return run(RequestSpec(API, PAGE, probe_reflection=False, **spec), lambda r: respond(status, *lines))


def preflighted(run, *lines, status=204, method="PUT"):
    def server(r):
        return respond(status, *lines) if r.method == "OPTIONS" else respond(200, ALLOW, ("Vary", "Origin"))

    return run(RequestSpec(API, PAGE, method=method, probe_reflection=False), server)


def test_clean_exchanges_have_no_findings(run):
    assert codes(simple(run, ALLOW, ("Vary", "Origin"))) == set()
    assert codes(preflighted(run, *CLEAN_PREFLIGHT)) == set()


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ((("Access-Control-Allow-Origin", "null"),), "LINT-NULL-ALLOWED"),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")),
            "LINT-WILDCARD-PLUS-CREDENTIALS",
        ),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "false")),
            "LINT-ACAC-NOT-TRUE",
        ),
        ((("Access-Control-Allow-Origin", f"{PAGE}, https://b.example"),), "LINT-ALLOW-ORIGIN-LIST"),
        ((("Access-Control-Allow-Origin", "https://*.example"),), "LINT-ALLOW-ORIGIN-LIST"),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Private-Network", "true")),
            "LINT-PNA-LEGACY",
        ),
        ((ALLOW,), "LINT-NO-VARY-ORIGIN"),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "Content-Type")),
            "LINT-EXPOSE-USELESS",
        ),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "Set-Cookie")),
            "CORS-EXPOSE-SET-COOKIE",
        ),
        (
            (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "a b")),
            "CORS-EXPOSE-INVALID",
        ),
    ],
)
def test_response_lints(run, lines, code):
    assert code in codes(simple(run, *lines))


def test_error_responses_without_cors(run):
    result = simple(run, status=500)
    assert result.verdict is Verdict.BLOCKED
    assert {"CORS-ORIGIN-MISSING", "LINT-ERRORS-WITHOUT-CORS"} <= codes(result)


def test_expose_wildcard_with_credentials(run):
    lines = (
        ALLOW,
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "*"),
        ("Vary", "Origin"),
    )
    result = simple(run, *lines, credentials=Credentials.INCLUDE)
    assert "CORS-EXPOSE-WILDCARD-CREDENTIALS" in codes(result)


@pytest.mark.parametrize(
    ("max_age", "code"),
    [
        (None, "LINT-MAXAGE-MISSING"),
        ("86400", "LINT-MAXAGE-CAPPED"),
        ("1h", "LINT-MAXAGE-INVALID"),
        ("-5", "LINT-MAXAGE-INVALID"),
    ],
)
def test_max_age_lints(run, max_age, code):
    lines = [ALLOW, ("Access-Control-Allow-Methods", "PUT")]
    if max_age is not None:
        lines.append(("Access-Control-Max-Age", max_age))
    result = preflighted(run, *lines)
    assert code in codes(result)
    assert result.preflight_cache.header == max_age


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "LINT-PREFLIGHT-AUTH-LAYER"),
        (403, "LINT-PREFLIGHT-AUTH-LAYER"),
        (404, "LINT-PREFLIGHT-UNHANDLED"),
        (405, "LINT-PREFLIGHT-UNHANDLED"),
    ],
)
def test_preflight_status_lints(run, status, code):
    result = preflighted(run, status=status)
    assert result.verdict is Verdict.BLOCKED
    assert code in codes(result)


def test_preflight_redirect_to_login_is_an_auth_layer(run):
    result = preflighted(run, ("Location", "https://sso.example/login?next=/x"), status=302)
    assert {"CORS-PREFLIGHT-REDIRECT", "LINT-PREFLIGHT-AUTH-LAYER"} <= codes(result)


def test_authorization_via_wildcard_warns_but_allows(run):
    def server(r):
        return (
            respond(204, ALLOW, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "60"))
            if r.method == "OPTIONS"
            else respond(200, ALLOW, ("Vary", "Origin"))
        )

    result = run(
        RequestSpec(API, PAGE, headers=(("Authorization", "Bearer x"),), probe_reflection=False), server
    )
    assert result.verdict is Verdict.ALLOWED
    assert "CORS-AUTHORIZATION-WILDCARD" in codes(result)


def test_safelist_overflow(run):
    result = simple(run, ("Access-Control-Allow-Origin", "*"), headers=(("Accept", "a" * 200),))
    assert result.preflight is not None
    assert "LINT-SAFELIST-OVERFLOW" in codes(result)


def test_method_case(run):
    result = preflighted(run, ALLOW, ("Access-Control-Allow-Methods", "PATCH"), method="patch")
    assert {"CORS-METHOD-NOT-ALLOWED", "LINT-METHOD-CASE"} <= codes(result)
