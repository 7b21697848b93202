"""Send planned requests to an in-process WSGI app through httpx's transport (no sockets).

httpx is the better tool here: its transports turn a request into a WSGI (or ASGI, probe/asgi.py)
call and back. Live URLs go over probe/wire.py instead.
"""

from __future__ import annotations

from dataclasses import replace

import httpx

from corscheck.core.model import BODY_PREVIEW_BYTES, PlannedRequest, ResponseHead, wants_body_preview
from corscheck.probe.deadline import deadline
from corscheck.probe.send import BODY_PREVIEW_SECONDS, PLACEHOLDER_BODY

#: What reading a body preview can raise; the preview then holds what came before.
PREVIEW_ERRORS = (httpx.HTTPError, httpx.StreamError)
#: Where keep_response leaves the response on its request.
KEPT_RESPONSE = "corscheck.kept_response"


def keep_response(response: httpx.Response) -> None:
    """Keep the response before httpx parses its Location: even with redirects off, httpx raises on
    a Location it cannot parse, and what such a Location means is for the engine (the browser) to say."""
    response.request.extensions[KEPT_RESPONSE] = response


def to_httpx(planned: PlannedRequest, timeout: float) -> httpx.Request:
    """The request exactly as planned: httpx adds only Host and Content-Length, none of a client's
    default headers (those are merged in by ``build_request``, which is not used)."""
    request = httpx.Request(
        planned.method,
        planned.url,
        # Header values are bytes to the browser (a ByteString): Latin-1 text goes out byte for byte,
        # where httpx would encode str values as ASCII and fail.
        headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in planned.headers],
        content=PLACEHOLDER_BODY if planned.has_body else None,
        extensions={"timeout": httpx.Timeout(timeout).as_dict()},
    )
    # httpx upper-cases every method; fetch() sends `patch` as typed, and servers may care.
    request.method = planned.method
    return request


def head_of(response: httpx.Response) -> ResponseHead:
    """Every header line in wire order with its original case, repeated lines kept apart.

    ``response.headers[name]`` would join repeated lines, hiding a duplicated allow-origin.
    """
    lines = tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw)
    return ResponseHead(response.status_code, lines, response.reason_phrase, response.http_version)


def is_plain(response: httpx.Response) -> bool:
    """A body without Content-Encoding: its first bytes are text as sent (no decompression bomb)."""
    encoding: str = response.headers.get("content-encoding", "identity")
    return encoding.strip().lower() == "identity"


def with_body_preview(head: ResponseHead, response: httpx.Response) -> ResponseHead:
    """The head with an error response's first bytes, to recognise the server: never more than
    BODY_PREVIEW_BYTES, within BODY_PREVIEW_SECONDS."""
    if not wants_body_preview(head.status) or not is_plain(response):
        return head
    preview = bytearray()
    try:
        with deadline(BODY_PREVIEW_SECONDS):
            for chunk in response.iter_raw():
                preview += chunk
                if len(preview) >= BODY_PREVIEW_BYTES:
                    break
    except PREVIEW_ERRORS:
        pass  # a body that stalls or breaks off: what came is enough for a fingerprint
    return replace(head, body=bytes(preview[:BODY_PREVIEW_BYTES]))


class AppSender:
    """Sends to one in-process WSGI app."""

    #: What sending can raise (InvalidURL is not an HTTPError; httpx checks hosts by IDNA 2008, and
    #: raises UnicodeError for an emoji domain Chromium accepts).
    errors = (httpx.TransportError, httpx.InvalidURL, UnicodeError)

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            event_hooks={"response": [keep_response]},
        )

    def send(self, planned: PlannedRequest, timeout: float, *, refuse_copies: bool = True) -> ResponseHead:
        """``refuse_copies`` has no say here: an app's response never crosses a wire."""
        request = to_httpx(planned, timeout)
        try:
            response = self._client.send(request, stream=True)
        except (httpx.RemoteProtocolError, httpx.InvalidURL, UnicodeError):
            # An unparsable Location (see keep_response); httpx's IDNA 2008 check of its host raises
            # UnicodeError. The engine judges the Location as the URL Standard does.
            received = request.extensions.get(KEPT_RESPONSE)
            if received is None:
                raise
            response = received
        try:
            return with_body_preview(head_of(response), response)
        finally:
            response.close()

    def close(self) -> None:
        self._client.close()
