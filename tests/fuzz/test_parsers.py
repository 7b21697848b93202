"""Fuzz every parser of user text: it returns, or raises InputError (exit 2), and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corscheck.cli.check import parse_header
from corscheck.core.engine import Exchange
from corscheck.core.errors import InputError
from corscheck.core.headers import is_token
from corscheck.core.model import Credentials, RequestSpec, ResponseHead, Verdict
from corscheck.core.origin import parse_origin, parse_url
from corscheck.core.request import normalise_method, prepare_headers
from tests.fuzz.conftest import FUZZ, TRIED

# --- strategies ---------------------------------------------------------------------------------

#: Characters parsers trip over; sampled whole, since per-character alphabets make generation slow.
TRICKY_CHARS = ":/?#[]@!$&'()*+,;=%.-_~ \t\r\n\x00\x0b\x0c\\\"<>^`{|}\x7f\u00a8\u00ad\u00e9\u2603\ufffd"
#: Any text, or a run of the tricky characters around a little text.
tricky = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(list(TRICKY_CHARS)), st.text(max_size=8)),
    st.builds(lambda a, b: a + b, st.text(max_size=8), st.sampled_from(list(TRICKY_CHARS))),
)
schemes = st.sampled_from(["http", "https", "HTTP", "ftp", "file", "data", "javascript", "", "h\ttp"])
hosts = st.one_of(
    st.sampled_from(
        [
            "app.example",
            "APP.Example",
            "127.0.0.1",
            "[::1]",
            "[::1",
            "::1",
            "b\u00fccher.example",
            "xn--",
            "a..b",
            "",
            "%41",
            "user:pw@host",
            "host:99999",
            "host:0",
            "host:",
            "[fe80::1%25eth0]",
            "999.999.999.999",
        ]
    ),
    tricky,
)
suffixes = st.sampled_from(["", "/", "/path", "?q=1", "#frag", ":443", ":80", ":8080/x", "\\x", "//", " "])
url_like = st.one_of(
    tricky,
    st.builds(lambda s, h, x, t: f"{s}://{h}{x}{t}", schemes, hosts, suffixes, st.text(max_size=10)),
)


def _counted(name: str) -> None:
    TRIED[name] += 1


@pytest.mark.parametrize("text", ["https://app.example\u00a8", "https://a\u00afb.example"])
def test_idna_host_mapped_to_a_space_is_bad_input(text):
    with pytest.raises(InputError):
        parse_origin(text)
    with pytest.raises(InputError):
        parse_url(text)


# --- -H "Name: value" ---------------------------------------------------------------------------


@FUZZ
@given(line=st.one_of(tricky, st.builds(lambda n, v: f"{n}:{v}", tricky, tricky)))
def test_header_option(line):
    _counted("-H header")
    try:
        name, value = parse_header(line)
        prepared = prepare_headers(((name, value),))
    except InputError:
        return
    for sent_name, sent_value in prepared.sent:
        assert is_token(sent_name)
        assert not any(c in sent_value for c in "\r\n\x00")
        sent_value.encode("latin-1")  # what the probe puts on the wire: must not raise


@FUZZ
@given(lines=st.lists(st.tuples(tricky, tricky), max_size=6))
def test_header_lists(lines):
    _counted("header lists (config headers)")
    try:
        prepared = prepare_headers(tuple(lines))
    except InputError:
        return
    names = [name.lower() for name, _ in prepared.sent]
    assert len(names) == len(set(names))  # duplicates are combined, as fetch() does


# --- origins, URLs, methods ---------------------------------------------------------------------


@FUZZ
@given(text=url_like)
def test_origin(text):
    _counted("--origin")
    try:
        origin = parse_origin(text)
    except InputError:
        return
    serialised = origin.serialize()
    assert parse_origin(serialised) == origin  # the serialisation parses back to itself
    assert "/" not in serialised.partition("://")[2]


@FUZZ
@given(text=url_like)
def test_url(text):
    _counted("URL")
    try:
        url = parse_url(text)
    except InputError:
        return
    again = parse_url(url.text)
    assert again.text == url.text  # normalising is idempotent
    assert again.origin == url.origin
    assert parse_origin(url.origin.serialize()) == url.origin


@FUZZ
@given(text=st.one_of(tricky, st.sampled_from(["get", "Patch", "TRACE", "track", "CONNECT", "M-SEARCH"])))
def test_method(text):
    _counted("--method")
    try:
        method = normalise_method(text)
    except InputError:
        return
    assert is_token(method)
    assert normalise_method(method) == method


# --- a Location header (server text, parsed by the same URL code) ------------------------------


@FUZZ
@given(location=url_like, status=st.sampled_from([301, 302, 303, 307, 308]))
def test_redirect_location(location, status):
    _counted("redirect Location")
    exchange = Exchange(
        RequestSpec("https://api.example/start", "https://app.example", probe_reflection=False)
    )
    exchange.next_request()
    exchange.receive(ResponseHead(status, (("Access-Control-Allow-Origin", "*"), ("Location", location))))
    follow_up = exchange.next_request()
    if follow_up is not None:
        assert parse_url(follow_up.url).text == follow_up.url  # only valid http(s) URLs are fetched
        return
    assert exchange.result().verdict in (Verdict.ALLOWED, Verdict.BLOCKED, Verdict.ERROR)


# --- the whole spec, as `check` builds it -------------------------------------------------------


@FUZZ
@given(
    url=url_like,
    origin=st.one_of(st.just("https://app.example"), st.just("null"), url_like),
    method=st.one_of(st.just("GET"), tricky),
    headers=st.lists(st.tuples(tricky, tricky), max_size=3),
    cookie=st.one_of(st.none(), tricky),
    credentials=st.sampled_from(list(Credentials)),
)
def test_check_spec(url, origin, method, headers, cookie, credentials):
    _counted("check spec (URL, origin, method, -H, cookie)")
    try:
        exchange = Exchange(RequestSpec(url, origin, method, tuple(headers), credentials, cookie=cookie))
    except InputError:
        return
    request = exchange.next_request()
    if request is None:  # refused before sending: mixed content, say
        assert exchange.result().verdict is Verdict.BLOCKED
        return
    for name, value in request.headers:
        (name + value).encode("latin-1")  # the probe sends header bytes as Latin-1
        assert not any(c in value for c in "\r\n\x00"), (name, value)
