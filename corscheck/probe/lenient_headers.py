"""Let h11 read header values the way Chromium does.

h11 rejects a response whose header values contain bytes such as VT (0x0B) or FF (0x0C). Chromium
keeps those lines and judges the values (an allow-origin ending in VT is "not equal to the supplied
origin"), so corscheck must see them too. h11 has no option for this; widening its one header-line
pattern is the smallest change that does it. Names must still be tokens, values still end at CR/LF.
"""

from __future__ import annotations

import re

import h11._readers
import httpcore._sync.http11

#: Chromium's limit on a response head (net/http/http_stream_parser.cc, kMaxHeaderBufSize); a larger
#: one is net::ERR_RESPONSE_HEADERS_TOO_BIG. httpcore's own limit is 100 KiB, which would call a
#: response with 10,000 short headers unreachable although Chromium reads it.
CHROMIUM_MAX_HEADERS_SIZE = 256 * 1024

_TOKEN = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
LENIENT_HEADER_LINE = re.compile(rb"(?P<field_name>" + _TOKEN + rb"):[ \t]*(?P<field_value>[^\r\n]*?)[ \t]*")


def install() -> None:
    """Replace h11's header-line pattern and httpcore's head size limit (idempotent)."""
    h11._readers.header_field_re = LENIENT_HEADER_LINE
    httpcore._sync.http11.HTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE = CHROMIUM_MAX_HEADERS_SIZE
