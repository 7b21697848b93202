"""Oversized, numerous, folded and non-ASCII response headers."""

from __future__ import annotations

import time

import pytest

from corscheck.core.engine import Exchange
from corscheck.core.model import RequestSpec, ResponseHead
from corscheck.report import RenderOptions, reporter
from tests.faults.cli import PAGE, assert_unreachable, check
from tests.faults.hostile import answer_each

#: Chromium's limit on a response head (net/http/http_stream_parser.cc kMaxHeaderBufSize):
#: a larger head is net::ERR_RESPONSE_HEADERS_TOO_BIG.
CHROMIUM_MAX_HEAD = 256 * 1024


def _response(*lines: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + b"".join(line + b"\r\n" for line in lines) + b"Content-Length: 0\r\n\r\n"


def _ten_thousand_headers() -> bytes:
    many = [b"X-Header-%05d: v" % i for i in range(10_000)]
    response = _response(b"Access-Control-Allow-Origin: *", *many)
    assert len(response) < CHROMIUM_MAX_HEAD  # Chromium reads this response
    return response


def test_ten_thousand_headers_under_chromiums_limit_are_read(hostile):
    server = hostile(answer_each(_ten_thousand_headers()))
    outcome = check(server.url("/api"), "--expose", "X-Header-09999")
    assert outcome.exit_code == 1, outcome  # allowed, but X-Header-09999 is not exposed
    assert outcome.stdout.startswith("ALLOWED")
    assert "< X-Header-09999: v" in outcome.stdout
    assert "cannot read: X-Header-09999" in outcome.stdout


def test_json_report_of_many_headers_is_linear():
    lines = tuple((f"X-Header-{i:05d}", "v") for i in range(2_000))
    result = Exchange(RequestSpec("http://127.0.0.1:9/api", PAGE, probe_reflection=False))
    result.next_request()
    result.receive(ResponseHead(200, (("Access-Control-Allow-Origin", "*"), *lines)))
    started = time.monotonic()
    reporter("json")(result.result(), RenderOptions())
    assert time.monotonic() - started < 0.25


def test_one_megabyte_header_value_is_too_big(hostile):
    server = hostile(answer_each(_response(b"Access-Control-Allow-Origin: *", b"X-Big: " + b"a" * (1 << 20))))
    outcome = assert_unreachable(server.url("/api"), "too big")
    assert len(outcome.stderr) < 300  # the value itself is never echoed


def test_obs_fold_is_unfolded_with_a_space(hostile):
    """Chromium (HttpUtil::AssembleRawHeaders) joins a continuation line to the previous one."""
    response = _response(b"Access-Control-Allow-Origin:", b"  *", b"X-Folded: first", b"\tsecond")
    server = hostile(answer_each(response))
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == 0, outcome
    headers = outcome.json()["actual"]["response_headers"]
    assert headers["access-control-allow-origin"] == "*"
    assert headers["x-folded"] == "first second"


def test_non_ascii_header_bytes_are_latin1_as_javascript_sees_them(hostile):
    response = _response(
        b"Access-Control-Allow-Origin: *",
        b"Access-Control-Expose-Headers: X-Utf8",
        b"X-Latin: caf\xe9",
        b"X-Utf8: caf\xc3\xa9",
    )
    server = hostile(answer_each(response))
    outcome = check(server.url("/api"), "--json", "-e", "X-Utf8")
    assert outcome.exit_code == 0, outcome
    headers = outcome.json()["actual"]["response_headers"]
    # A header value is a ByteString to JavaScript: one character per byte.
    assert headers["x-latin"] == "caf\xe9"
    assert headers["x-utf8"] == "caf\xc3\xa9"
    text = check(server.url("/api"), "-v")
    assert "X-Utf8: caf\\u00C3\\u00A9" in text.stdout  # escaped, never raw bytes on the terminal


def test_non_ascii_byte_in_allow_origin_blocks_with_an_escaped_hint(hostile):
    server = hostile(answer_each(_response(b"Access-Control-Allow-Origin: https://app.example\xff")))
    outcome = check(server.url("/api"))
    assert outcome.exit_code == 1, outcome
    assert "'https://app.example\\u00FF' that is not equal to the supplied origin" in outcome.stdout
    assert outcome.stderr == ""


def test_control_bytes_in_header_values_do_not_reach_the_terminal(hostile):
    server = hostile(answer_each(_response(b"Access-Control-Allow-Origin: \x1b[31mhttps://evil\x07")))
    for args in ((), ("-v",), ("--json",)):
        outcome = check(server.url("/api"), *args)
        assert outcome.exit_code in (1, 3), outcome
        assert "\x1b" not in outcome.stdout + outcome.stderr
        assert "\x07" not in outcome.stdout + outcome.stderr


# What Chromium 156 does with each of these was checked in the browser: a line it cannot parse is
# skipped, never fatal to the response.
@pytest.mark.parametrize(
    ("lines", "verdict"),
    [
        ((b"Access-Control-Allow-Origin : *",), "allowed"),  # spaces before the colon are trimmed
        ((b"Bad Name: x", b"Access-Control-Allow-Origin: *"), "allowed"),  # a non-token name: skipped
        ((b"no colon here", b"Access-Control-Allow-Origin: *"), "allowed"),  # no colon: skipped
        ((b" Access-Control-Allow-Origin: *",), "blocked"),  # continues the status line: lost
        ((b"Access-Control-Allow-Origin: *\x0b",), "blocked"),  # VT is not whitespace: kept, mismatch
    ],
    ids=["space-before-colon", "bad-name", "no-colon", "continued-status-line", "trailing-vt"],
)
def test_malformed_header_lines_are_read_as_chromium_reads_them(hostile, lines, verdict):
    server = hostile(answer_each(_response(*lines)))
    outcome = check(server.url("/api"), "--json")
    assert outcome.exit_code == (0 if verdict == "allowed" else 1), outcome
    assert outcome.json()["verdict"] == verdict
