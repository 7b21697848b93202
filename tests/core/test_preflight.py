import pytest

from corscheck.core.messages import CorsErrorKind as K
from corscheck.core.model import ResponseHead
from corscheck.core.preflight import check_preflight, max_age, preflight_headers

ORIGIN = "https://app.example"
ALLOW = ("Access-Control-Allow-Origin", ORIGIN)


def judge(status=204, lines=(ALLOW,), method="PUT", unsafe=(), include=False):
    head = ResponseHead(status, tuple(lines))
    return check_preflight(
        head, origin=ORIGIN, include_credentials=include, method=method, unsafe_names=list(unsafe)
    )


def test_preflight_headers_are_built_like_chromium():
    assert preflight_headers("patch", ["x-b", "content-type", "x-b"], ORIGIN) == (
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "patch"),
        ("Access-Control-Request-Headers", "content-type,x-b"),
        ("Origin", ORIGIN),
    )
    assert all(n != "Access-Control-Request-Headers" for n, _ in preflight_headers("PUT", [], ORIGIN))


def test_a_passing_preflight():
    outcome = judge(lines=(ALLOW, ("Access-Control-Allow-Methods", "PUT")))
    assert outcome.error is None
    assert outcome.cache.chromium_seconds == 5


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_fail_before_anything_else(status):
    outcome = judge(status, lines=(("Location", "/elsewhere"),))
    assert outcome.error.kind is K.PREFLIGHT_REDIRECT
    assert outcome.error.preflight


def test_a_3xx_without_location_is_a_bad_status_not_a_redirect():
    outcome = judge(302, lines=(ALLOW, ("Access-Control-Allow-Methods", "PUT")))
    assert outcome.error.kind is K.PREFLIGHT_INVALID_STATUS


@pytest.mark.parametrize("status", [401, 403, 404, 405, 500])
def test_origin_check_runs_before_status(status):
    assert judge(status, lines=()).error.kind is K.MISSING_ALLOW_ORIGIN
    assert judge(status).error.kind is K.PREFLIGHT_INVALID_STATUS


@pytest.mark.parametrize("status", [200, 204, 299])
def test_ok_statuses(status):
    assert judge(status, lines=(ALLOW, ("Access-Control-Allow-Methods", "PUT"))).error is None


@pytest.mark.parametrize("value", ["GET POST", "PUT;", '"PUT"', "PUT, GE T"])
def test_unparsable_allow_methods(value):
    outcome = judge(lines=(ALLOW, ("Access-Control-Allow-Methods", value)))
    assert outcome.error.kind is K.INVALID_ALLOW_METHODS
    assert not outcome.error.preflight


def test_empty_elements_are_ignored():
    assert judge(lines=(ALLOW, ("Access-Control-Allow-Methods", ", PUT,,"))).error is None


@pytest.mark.parametrize("value", ["x-a x-b", "x:y", "café"])
def test_unparsable_allow_headers(value):
    outcome = judge(
        lines=(ALLOW, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", value))
    )
    assert outcome.error.kind is K.INVALID_ALLOW_HEADERS


def test_methods_compare_case_sensitively():
    outcome = judge(method="patch", lines=(ALLOW, ("Access-Control-Allow-Methods", "PATCH")))
    assert outcome.error.kind is K.METHOD_DISALLOWED
    assert outcome.error.hint == "patch"
    assert outcome.method_case_mismatch == "PATCH"


def test_safelisted_methods_need_no_listing():
    assert judge(method="POST", lines=(ALLOW,), unsafe=()).error is None


def test_method_wildcard_only_without_credentials():
    lines = (ALLOW, ("Access-Control-Allow-Methods", "*"), ("Access-Control-Allow-Credentials", "true"))
    assert judge(method="DELETE", lines=lines).error is None
    assert judge(method="DELETE", lines=lines, include=True).error.kind is K.METHOD_DISALLOWED


def test_headers_compare_case_insensitively_and_name_the_last_sorted_missing():
    lines = (ALLOW, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "X-A"))
    assert judge(lines=lines, unsafe=["x-a"]).error is None
    outcome = judge(lines=lines, unsafe=["x-c", "x-a", "x-b"])
    assert outcome.error.kind is K.HEADER_DISALLOWED
    assert outcome.error.hint == "x-c"  # the heuristic for Chromium's hash-table order
    assert outcome.disallowed_headers == ("x-b", "x-c")


def test_header_wildcard_rules():
    lines = (
        ALLOW,
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    )
    assert judge(lines=lines, unsafe=["x-a"]).error is None
    assert judge(lines=lines, unsafe=["x-a"], include=True).error.kind is K.HEADER_DISALLOWED
    authorised = judge(lines=lines, unsafe=["authorization"])
    assert authorised.error is None and authorised.authorization_via_wildcard


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, 5),
        ("600", 600),
        ("7200", 7200),
        ("86400", 7200),
        ("-1", 0),
        ("0", 0),
        ("1.5", 5),
        ("10m", 5),
        ("600, 600", 5),
    ],
)
def test_max_age(value, seconds):
    assert max_age(value) == seconds
