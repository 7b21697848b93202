"""Read a response head the way Chromium does (each rule below checked in Chromium 156).

Chromium reads a status line without digits as 200 and any version (HttpResponseHeaders::
ParseStatusLine), keeps header values with control bytes such as VT (0x0B) and judges them (an
allow-origin ending in VT is "not equal to the supplied origin"), and skips the lines it cannot
parse (net/http/http_util.cc, HeadersIterator). Strict parsers (h11, http.client) refuse such a
response as a whole, which is why the probe reads heads with these rules (probe/wire.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

#: Chromium's limit on a response head (net/http/http_stream_parser.cc, kMaxHeaderBufSize); a larger
#: one is net::ERR_RESPONSE_HEADERS_TOO_BIG.
CHROMIUM_MAX_HEADERS_SIZE = 256 * 1024

_TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_NAME = re.compile(_TOKEN)
#: "HTTP" in any case, any version, then digits (possibly none) and a reason. Anything else is an
#: HTTP/0.9 reply, which Chromium refuses on a non-default port (ERR_INVALID_HTTP_RESPONSE).
_STATUS_LINE = re.compile(
    rb"(?i:HTTP)(?:/(?P<version>[0-9.]*))?[ \t]*(?P<code>[0-9]*)[ \t]*(?P<reason>.*)", re.S
)
_WHITESPACE = b" \t"


class InvalidHead(Exception):
    """Bytes that are not an HTTP response head (Chromium: ERR_INVALID_HTTP_RESPONSE)."""


@dataclass(frozen=True)
class RawHead:
    status: int
    reason: bytes
    #: "1.0" or "1.1": what the version means for the connection (any other version reads as 1.1).
    version: str
    #: (name, value) byte pairs in wire order, repeated lines kept apart.
    headers: list[tuple[bytes, bytes]]


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


def looks_like_http(start: bytes | bytearray) -> bool:
    """Whether a response's first bytes can begin a status line (any 4 bytes tell)."""
    return start[:4].upper() == b"HTTP"[: len(start)]


def parse_head(head: bytes | bytearray) -> RawHead:
    """A head's bytes (up to, without, its blank line); lines end in LF or CRLF."""
    lines = [line[:-1] if line.endswith(b"\r") else line for line in head.split(b"\n")]
    status_line = bytes(lines[0])
    match = _STATUS_LINE.fullmatch(status_line)
    if match is None:
        raise InvalidHead(f"illegal status line: {status_line[:80]!r}")
    return RawHead(
        status=int(match["code"]) if match["code"] else 200,
        reason=match["reason"],
        version="1.0" if match["version"] in (b"1.0", b"0.9") else "1.1",
        headers=list(decode_header_lines(lines[1:])),
    )
