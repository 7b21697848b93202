"""Which cookies the browser attaches: Set-Cookie parsing, matching and Chromium's send rules."""

from __future__ import annotations

import pytest

from corscheck.core.cookies import WithheldReason, choose, parse_set_cookie, stored
from corscheck.core.errors import InputError
from corscheck.core.model import SameSite, ThirdPartyCookies
from corscheck.core.origin import parse_origin, parse_url, registrable_domain, site_relation

API = parse_url("https://api.example.com/v1/items")


def _choose(lines, url, page, *, credentials=True, third_party=ThirdPartyCookies.ALLOW, set_by=API):
    jar = tuple(parse_set_cookie(line, set_by) for line in lines)
    choice = choose(
        jar, url=parse_url(url), page=parse_origin(page), credentials=credentials, third_party=third_party
    )
    return [c.name for c in choice.sent], {w.cookie.name: w.reason for w in choice.withheld}


def test_attributes_are_read_as_a_browser_reads_them():
    cookie = parse_set_cookie(
        " sid = 1 ; domain=.Example.COM; PATH=/v1; secure; HttpOnly; samesite=NONE; Priority=High", API
    )
    assert (cookie.name, cookie.value, cookie.domain, cookie.host_only) == ("sid", "1", "example.com", False)
    assert (cookie.path, cookie.secure, cookie.http_only, cookie.same_site) == (
        "/v1",
        True,
        True,
        SameSite.NONE,
    )


def test_tolerant_defaults():
    cookie = parse_set_cookie("token; SameSite=sometimes; Path=relative", API)
    # No "=": the whole pair is the value; an unknown SameSite is no SameSite; a path not starting
    # with "/" is the default path (the setting URL's directory).
    assert (cookie.name, cookie.value, cookie.same_site, cookie.path) == ("", "token", SameSite.UNSET, "/v1")
    assert cookie.host_only and cookie.domain == "api.example.com"


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("", "neither a name nor a value"),
        ("a=1; Domain=other.com", "is not in"),
        ("a=1; Domain=com", "public suffix"),
        ("a=1; SameSite=None", "without Secure"),
        ("a=1; Max-Age=0", "deletes it"),
        ("a=1\x07", "control character"),
        ("__Secure-a=1", "__Secure-"),
        ("__Host-a=1; Secure; Domain=example.com", "__Host-"),
    ],
)
def test_a_cookie_the_browser_would_not_store_is_an_input_error(line, why):
    with pytest.raises(InputError, match=why):
        parse_set_cookie(line, API)


def test_a_secure_cookie_from_plain_http_is_refused_except_from_a_trustworthy_host():
    with pytest.raises(InputError, match="plain http"):
        parse_set_cookie("a=1; Secure", parse_url("http://api.example.com/"))
    assert parse_set_cookie("a=1; Secure", parse_url("http://localhost:8000/")).secure


def test_a_later_cookie_with_the_same_name_domain_and_path_replaces_the_earlier():
    jar = stored((parse_set_cookie("a=1", API), parse_set_cookie("b=2", API), parse_set_cookie("a=3", API)))
    assert [(c.name, c.value) for c in jar] == [("b", "2"), ("a", "3")]


def test_same_site_page_gets_every_same_site_cookie_longest_path_first():
    sent, withheld = _choose(
        ["s=1; SameSite=Strict; Path=/", "l=1; SameSite=Lax; Path=/v1", "u=1; Path=/"],
        "https://api.example.com/v1/items",
        "https://app.example.com",
    )
    assert sent == ["l", "s", "u"] and withheld == {}


def test_schemeful_an_http_page_is_another_site_for_an_https_api():
    sent, withheld = _choose(
        ["s=1; SameSite=Strict", "l=1; SameSite=Lax", "u=1", "n=1; SameSite=None; Secure"],
        "https://api.example.com/v1/x",
        "http://app.example.com",
    )
    assert sent == ["n"]
    assert withheld == {
        "s": WithheldReason.SAME_SITE_STRICT,
        "l": WithheldReason.SAME_SITE_LAX,
        "u": WithheldReason.SAME_SITE_UNSET,
    }


def test_blocked_third_party_cookies_keep_even_samesite_none_back():
    sent, withheld = _choose(
        ["n=1; SameSite=None; Secure"],
        "https://api.example.com/v1/x",
        "https://app.other.org",
        third_party=ThirdPartyCookies.BLOCK,
    )
    assert sent == [] and withheld == {"n": WithheldReason.THIRD_PARTY_BLOCKED}


def test_secure_goes_to_https_and_to_loopback_names_only():
    set_by = parse_url("https://api.example.com/")
    _, withheld = _choose(["s=1; Secure"], "http://api.example.com/", "http://api.example.com", set_by=set_by)
    assert withheld == {"s": WithheldReason.SECURE}
    loopback = parse_url("https://127.0.0.1/")
    sent, _ = _choose(["s=1; Secure"], "http://127.0.0.1:8000/", "http://127.0.0.1:3000", set_by=loopback)
    assert sent == ["s"]


def test_host_only_domain_and_path_matching():
    lines = ["host=1; Path=/", "dom=1; Domain=example.com; Path=/", "deep=1; Path=/v1/items/7"]
    sent, withheld = _choose(lines, "https://www.api.example.com/v1/items", "https://www.api.example.com")
    assert sent == ["dom"] and withheld == {}  # host-only and the path cookie belong to api.example.com
    sent, withheld = _choose(lines, "https://api.example.com/v1/itemsX", "https://api.example.com")
    assert sorted(sent) == ["dom", "host"] and withheld == {"deep": WithheldReason.PATH}


def test_no_credentials_no_cookies():
    _, withheld = _choose(
        ["a=1"], "https://api.example.com/v1/x", "https://app.example.com", credentials=False
    )
    assert withheld == {"a": WithheldReason.CREDENTIALS}


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("a.b.example.com", "example.com"),
        ("example.com", "example.com"),
        ("localhost", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "[::1]"),
        ("a.example.co.uk", "co.uk"),
    ],
)
def test_one_registrable_domain_approximation(host, site):
    assert registrable_domain(host) == site


def test_site_relation_uses_it_schemefully():
    page = parse_origin("https://app.example.com")
    assert site_relation(page, parse_origin("https://api.example.com")) == "same-site"
    assert site_relation(page, parse_origin("http://api.example.com")) == "cross-site"
    assert site_relation(parse_origin("http://10.0.0.1:1"), parse_origin("http://10.0.0.1:2")) == "same-site"
    assert site_relation(parse_origin("http://10.0.0.1"), parse_origin("http://10.0.0.2")) == "cross-site"
