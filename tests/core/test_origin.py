import pytest

from corscheck.core.errors import InputError
from corscheck.core.origin import (
    Origin,
    is_potentially_trustworthy,
    parse_origin,
    parse_url,
    site_relation,
)


@pytest.mark.parametrize(
    ("text", "serialised"),
    [
        ("https://app.example", "https://app.example"),
        ("HTTPS://App.Example", "https://app.example"),
        ("https://app.example:443", "https://app.example"),
        ("http://app.example:80", "http://app.example"),
        ("http://app.example:8080", "http://app.example:8080"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("http://[0:0::1]", "http://[::1]"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("null", "null"),
    ],
)
def test_origins_serialise_like_a_browser(text, serialised):
    assert parse_origin(text).serialize() == serialised


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("app.example", "missing scheme"),
        ("https://app.example/", "path"),
        ("https://app.example/app", "path"),
        ("https://app.example?x=1", "path or query"),
        ("ftp://app.example", "http:// or https://"),
        ("https://", "no host"),
        ("https://a.example:99999", "malformed"),
        ("https://user@a.example", "user name"),
        ("https://a b.example", "whitespace"),
        ("Null", "http:// or https://"),
    ],
)
def test_bad_origins_are_input_errors_naming_the_problem(text, problem):
    with pytest.raises(InputError, match=problem):
        parse_origin(text)


def test_null_is_the_opaque_origin():
    assert parse_origin("null").opaque
    assert not parse_origin("https://a.example").opaque


def test_urls_are_normalised_as_sent():
    url = parse_url("HTTPS://API.Example:443/Tasks?x=1#frag")
    assert url.text == "https://api.example/Tasks?x=1"
    assert url.origin == Origin("https", "api.example", None)
    assert parse_url("http://a.example").text == "http://a.example/"


def test_url_credentials_are_detected_and_strippable():
    url = parse_url("https://user:pw@api.example/x")
    assert url.has_credentials
    assert url.without_credentials() == "https://api.example/x"


@pytest.mark.parametrize("text", ["not a url", "mailto:a@b", "//api.example/x", "https:///x"])
def test_bad_urls_are_input_errors(text):
    with pytest.raises(InputError):
        parse_url(text)


@pytest.mark.parametrize(
    ("url", "trustworthy"),
    [
        ("https://a.example/", True),
        ("http://127.0.0.1:8000/", True),
        ("http://localhost/", True),
        ("http://[::1]/", True),
        ("http://a.example/", False),
        ("http://10.0.0.1/", False),
    ],
)
def test_potentially_trustworthy_urls(url, trustworthy):
    assert is_potentially_trustworthy(parse_url(url)) is trustworthy


def test_site_relation():
    page = parse_origin("https://app.example.com")
    assert site_relation(page, page) == "same-origin"
    assert site_relation(page, parse_origin("https://api.example.com")) == "same-site"
    assert site_relation(page, parse_origin("https://other.test")) == "cross-site"
    assert site_relation(page, parse_origin("http://app.example.com")) == "cross-site"
    assert site_relation(parse_origin("null"), page) == "cross-site"
