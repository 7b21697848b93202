"""The curl parser on its own: quoting flavours, Firefox's copy, preflight copies, bad input."""

import pytest

from corscheck.core.errors import InputError
from corscheck.core.model import Credentials
from corscheck.inputs.copied import to_spec
from corscheck.inputs.curl import parse_curl
from corscheck.inputs.fetch_copy import parse_fetch
from corscheck.inputs.shell_words import split_cmd, split_posix

# Firefox 13x's "Copy as cURL" (POSIX), as its devtools/client/shared/curl.js writes it.
FIREFOX = """curl 'https://api.example/v1/orders' -X PATCH -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Referer: https://app.example/cart' -H 'Content-Type: application/json' -H 'Origin: https://app.example' -H 'Connection: keep-alive' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-site' -H 'Priority: u=4' -H 'Pragma: no-cache' -H 'Cache-Control: no-cache' -H 'TE: trailers' --data-raw '{"qty":2}'"""


def test_firefox_copy():
    spec = to_spec(parse_curl(FIREFOX))
    assert (spec.url, spec.origin, spec.method) == (
        "https://api.example/v1/orders",
        "https://app.example",
        "PATCH",
    )
    assert spec.headers == (("Content-Type", "application/json"),)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("curl $'a\\'b\\u0021\\n\\x41'", ["curl", "a'b!\nA"]),
        ("curl 'x'\"y\"z \\\n -H 'a: b'", ["curl", "xyz", "-H", "a: b"]),
        ('curl "a\\"b\\$c"', ["curl", 'a"b$c']),
    ],
)
def test_posix_words(text, words):
    assert split_posix(text) == words


def test_cmd_words_undo_devtools_escaping():
    text = 'curl ^"https://a.example/x^" ^\n  -H "x-j: ^{^\\^"a^\\^":1^}" ^\n  --data-raw ^"one^\n\ntwo 100^%^done^"'
    assert split_cmd(text) == [
        "curl",
        "https://a.example/x",
        "-H",
        'x-j: {"a":1}',
        "--data-raw",
        "one\ntwo 100%done",
    ]


def test_head_flag_is_a_head_request():
    assert parse_curl("curl 'https://a.example/' -I -H 'Origin: https://b.example'").method == "HEAD"


def test_url_glob_escapes_are_undone_and_body_makes_post():
    copied = parse_curl("curl 'https://a.example/q?ids=\\[1,2\\]' --data-raw 'x=1'")
    assert copied.url == "https://a.example/q?ids=[1,2]"
    assert copied.method == "POST"


def test_a_copied_preflight_stands_for_its_request():
    copied = parse_curl(
        "curl 'https://api.example/x' -X 'OPTIONS' -H 'Origin: https://app.example'"
        " -H 'Access-Control-Request-Method: DELETE' -H 'Access-Control-Request-Headers: authorization,x-id'"
    )
    spec = to_spec(copied)
    assert spec.method == "DELETE"
    assert [n for n, _ in spec.headers] == ["authorization", "x-id"]


def test_cookie_header_means_credentials_include_unless_told():
    copied = parse_curl("curl 'https://api.example/x' -H 'Origin: https://app.example' -H 'Cookie: a=1'")
    assert to_spec(copied).credentials is Credentials.INCLUDE
    assert to_spec(copied, credentials=Credentials.OMIT).credentials is Credentials.OMIT


def test_non_default_accept_is_an_author_header():
    spec = to_spec(
        parse_curl("curl 'https://a.example/' -H 'Origin: https://b.example' -H 'Accept: application/json'")
    )
    assert spec.headers == (("Accept", "application/json"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("curl 'https://a.example/' --frobnicate", "unknown curl flag --frobnicate"),
        ("curl 'https://a.example/ -H 'x: y'", "unterminated"),
        ("curl $'https://a.example/", "unterminated $'"),
        ('curl ^"https://a.example/', "unterminated"),
        ("wget https://a.example/", "does not start with `curl`"),
        ("curl -H 'x: y'", "no URL"),
        ("curl 'https://a.example/' -H", "needs a value"),
        ("curl 'https://a.example/' -H 'novalue'", "Name: value"),
        ("curl 'https://a.example/'", "no Origin or Referer"),
    ],
)
def test_bad_curl_is_one_input_error(text, message):
    with pytest.raises(InputError, match=message.replace("$", r"\$")):
        to_spec(parse_curl(text))


@pytest.mark.parametrize(
    "text",
    [
        "fetch('https://a.example/')",
        'fetch("https://a.example/", {"headers": [1]});',
        'fetch("https://a.example/", {oops});',
        "curl x",
    ],
)
def test_bad_fetch_copy(text):
    with pytest.raises(InputError):
        parse_fetch(text)


def test_firefox_fetch_copy():
    text = """await fetch("https://api.example/x", {
    "credentials": "include",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "X-Requested-With": "XMLHttpRequest",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site"
    },
    "referrer": "https://app.example/page",
    "method": "GET",
    "mode": "cors"
});"""
    spec = to_spec(parse_fetch(text))
    assert spec.origin == "https://app.example"
    assert spec.credentials is Credentials.INCLUDE
    assert spec.headers == (("X-Requested-With", "XMLHttpRequest"),)


def test_attached_and_grouped_short_options_parse_as_curl_reads_them():
    copied = parse_curl(
        "curl -sSk -XPUT -HOrigin:https://app.example '-HX-Trace: 1' -bsid=abc -ualice:PASS https://api.example/x"
    )
    assert copied.method == "PUT"
    assert copied.cookie == "sid=abc"
    assert copied.headers == (
        ("Origin", "https://app.example"),
        ("X-Trace", "1"),
        ("Authorization", "Basic YWxpY2U6UEFTUw=="),
    )


@pytest.mark.parametrize(
    ("command", "named"),
    [
        ("curl -Zalice:PASS https://api.example/x", "-Z"),
        ("curl --oauth2-bearer PASS https://api.example/x", "--oauth2-bearer"),
        ("curl 'https://api.example/?token=PASS' 'https://api.example/?token=PASS'", "second URL"),
        ("curl -H 'Authorization PASS' https://api.example/x", "-H"),
    ],
)
def test_parse_errors_name_the_flag_never_the_value(command, named):
    with pytest.raises(InputError) as raised:
        parse_curl(command)
    assert named in str(raised.value)
    assert "PASS" not in str(raised.value)
