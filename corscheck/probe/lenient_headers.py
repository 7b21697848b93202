"""Let h11 read a response head the way Chromium does (each rule below checked in Chromium 156).

h11 fails the whole response on a status line without digits, an unknown HTTP version, a header
value with VT (0x0B) or FF (0x0C), or one malformed header line. Chromium reads such a status as 200
and any version (HttpResponseHeaders::ParseStatusLine), keeps such values and judges them (an
allow-origin ending in VT is "not equal to the supplied origin"), and skips the lines it cannot
parse (net/http/http_util.cc, HeadersIterator). h11 has no options for this; replacing its
response-head reader is the smallest change that does it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import h11._readers
import h11._receivebuffer
import httpcore._sync.http11

#: Chromium's limit on a response head (net/http/http_stream_parser.cc, kMaxHeaderBufSize); a larger
#: one is net::ERR_RESPONSE_HEADERS_TOO_BIG. httpcore's own limit is 100 KiB, which would call a
#: response with 10,000 short headers unreachable although Chromium reads it.
CHROMIUM_MAX_HEADERS_SIZE = 256 * 1024

_TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_NAME = re.compile(_TOKEN)
#: "HTTP" in any case, any version, then digits (possibly none) and a reason. Anything else is an
#: HTTP/0.9 reply, which Chromium refuses on a non-default port (ERR_INVALID_HTTP_RESPONSE).
_STATUS_LINE = re.compile(
    rb"(?i:HTTP)(?:/(?P<version>[0-9.]*))?[ \t]*(?P<code>[0-9]*)[ \t]*(?P<reason>.*)", re.S
)
_WHITESPACE = b" \t"


def _unfold(lines: Iterable[bytes | bytearray]) -> Iterator[bytes]:
    """Join each continuation line to the line before with one space (HttpUtil::AssembleRawHeaders).

    A continuation of the status line (a first header line starting with a space) is lost with it.
    """
    last: bytearray | None = None
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if last is not None:
                last += b" " + line.lstrip(_WHITESPACE)
            continue
        if last is not None:
            yield bytes(last)
        last = bytearray(line)
    if last is not None:
        yield bytes(last)


def decode_header_lines(lines: Iterable[bytes | bytearray]) -> Iterator[tuple[bytes, bytes]]:
    """(name, value) pairs as Chromium keeps them: spaces around the name and value trimmed, lines
    without a colon or with a name that is not a token skipped (Chromium 156 verified)."""
    for line in _unfold(lines):
        name, colon, value = line.partition(b":")
        name = name.rstrip(_WHITESPACE)
        if colon and _NAME.fullmatch(name):
            yield name, value.strip(_WHITESPACE)


def read_response_head(
    buf: h11._receivebuffer.ReceiveBuffer,
) -> h11.Response | h11.InformationalResponse | None:
    """h11's response-head reader with Chromium's status-line and header-line rules."""
    lines = buf.maybe_extract_lines()
    if lines is None:
        if buf.is_next_line_obviously_invalid_request_line():
            raise h11.LocalProtocolError("illegal status line")
        return None
    if not lines:
        raise h11.LocalProtocolError("no response line received")
    status_line = bytes(lines[0])
    match = _STATUS_LINE.fullmatch(status_line)
    if match is None:
        raise h11.LocalProtocolError(f"illegal status line: {status_line[:80]!r}")
    status = int(match["code"]) if match["code"] else 200
    version = b"1.0" if match["version"] in (b"1.0", b"0.9") else b"1.1"
    kind = h11.InformationalResponse if status < 200 else h11.Response
    return kind(
        headers=list(decode_header_lines(lines[1:])),
        status_code=status,
        reason=match["reason"],
        http_version=version,
        _parsed=True,
    )


def install() -> None:
    """Replace h11's response-head reader and httpcore's head size limit (idempotent)."""
    h11._readers.READERS[h11.SERVER, h11.SEND_RESPONSE] = read_response_head
    h11._readers._decode_header_lines = decode_header_lines
    httpcore._sync.http11.HTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE = CHROMIUM_MAX_HEADERS_SIZE
