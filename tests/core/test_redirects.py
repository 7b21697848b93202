import pytest

from corscheck.core.messages import CorsErrorKind
from corscheck.core.origin import parse_origin, parse_url
from corscheck.core.redirects import RedirectFailure, RedirectState, follow

PAGE = parse_origin("https://app.example")


def state(url, method="GET", headers=(), cors=True, tainted=False, count=0):
    return RedirectState(parse_url(url), method, tuple(headers), cors, tainted, count)


def test_same_origin_hop_keeps_origin_and_headers():
    new = follow(state("https://api.example/a", headers=[("Authorization", "x")]), "/b", 302, PAGE)
    assert new.url.text == "https://api.example/b"
    assert not new.tainted
    assert new.headers == (("Authorization", "x"),)


def test_cross_origin_hop_from_cross_origin_url_taints():
    new = follow(state("https://api.example/a"), "https://cdn.example/b", 302, PAGE)
    assert new.tainted and new.cors


def test_hop_from_page_origin_does_not_taint_but_sets_cors():
    new = follow(state("https://app.example/a", cors=False), "https://api.example/b", 302, PAGE)
    assert not new.tainted and new.cors


def test_back_to_page_origin_stays_cors_and_taints():
    new = follow(state("https://api.example/a"), "https://app.example/b", 302, PAGE)
    assert new.cors and new.tainted


def test_authorization_dropped_on_cross_origin_hop():
    new = follow(
        state("https://api.example/a", headers=[("Authorization", "x"), ("X-A", "1")]),
        "https://cdn.example/",
        307,
        PAGE,
    )
    assert new.headers == (("X-A", "1"),)


@pytest.mark.parametrize(
    ("status", "method", "new_method"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "PUT", "GET"),
        (303, "HEAD", "HEAD"),
        (307, "POST", "POST"),
        (308, "PUT", "PUT"),
        (301, "PUT", "PUT"),
    ],
)
def test_method_rewrites(status, method, new_method):
    new = follow(
        state(
            "https://api.example/a",
            method=method,
            headers=[("Content-Type", "application/json"), ("X-A", "1")],
        ),
        "/b",
        status,
        PAGE,
    )
    assert new.method == new_method
    if new_method != method:
        assert new.headers == (("X-A", "1"),)


def test_twenty_redirects_allowed_twenty_first_fails():
    assert not isinstance(follow(state("https://api.example/a", count=19), "/b", 302, PAGE), RedirectFailure)
    failure = follow(state("https://api.example/a", count=20), "/b", 302, PAGE)
    assert failure.reason == "limit"


@pytest.mark.parametrize(
    "location", ["data:text/plain,hi", "file:///etc/passwd", "ftp://x/", "javascript:alert(1)"]
)
def test_non_http_locations_fail(location):
    assert follow(state("https://api.example/a"), location, 302, PAGE).reason == "scheme"


def test_credentials_in_location():
    failure = follow(state("https://api.example/a"), "https://u:p@api.example/b", 302, PAGE)
    assert failure.cors_error.kind is CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS
    # The spec tolerates a same-origin hop with credentials; Chromium 156 fails it silently.
    same = follow(state("https://app.example/a", cors=False), "https://u:p@app.example/b", 302, PAGE)
    assert same.reason == "credentials" and same.cors_error is None


@pytest.mark.parametrize(
    ("location", "cors"),
    [
        ("ftp://x/", True),
        ("javascript:alert(1)", True),
        ("foo:bar", True),
        ("data:,x", False),
        ("file:///x", False),
        ("about:blank", False),
        ("ws://x/", False),
    ],
)
def test_scheme_failures_are_cors_errors_only_for_some_schemes(location, cors):
    failure = follow(state("https://api.example/a"), location, 302, PAGE)
    assert failure.reason == "scheme"
    assert (failure.cors_error is not None) is cors
