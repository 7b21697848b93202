"""Read a HAR export (Chromium, Firefox, Playwright) into requests, each paired with its preflight."""

from __future__ import annotations

import decimal
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import ijson

from corscheck.core.errors import InputError
from corscheck.core.model import HeaderLines, ResponseHead


@dataclass(frozen=True)
class HarEntry:
    """One recorded request and, when the browser kept one, its response head."""

    method: str
    url: str
    request_headers: HeaderLines
    #: None when the browser recorded no response: status 0 or -1, typically ``net::ERR_FAILED``.
    response: ResponseHead | None
    failure: str | None = None
    #: The page's URL, when the HAR names it (Chromium writes it as the page title).
    page_url: str | None = None

    @property
    def is_preflight(self) -> bool:
        names = {n.lower() for n, _ in self.request_headers}
        return self.method == "OPTIONS" and "access-control-request-method" in names

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.request_headers if n.lower() == name), None)


@dataclass(frozen=True)
class HarRequest:
    """A request the page made, with the preflight the HAR recorded for it (if any)."""

    actual: HarEntry
    preflight: HarEntry | None = None


@dataclass(frozen=True)
class HarLog:
    """The readable entries of a HAR, in recording order, and why any others were skipped."""

    entries: list[HarEntry]
    #: One line per entry that could not be read ("entry 7: ..."); the rest are still judged.
    skipped: list[str] = field(default_factory=list)


def _lines(headers: Any, where: str) -> HeaderLines:
    if not isinstance(headers, list):
        raise InputError(f"{where} headers are not a list")
    lines = []
    for header in headers:
        name = header.get("name") if isinstance(header, dict) else None
        value = header.get("value") if isinstance(header, dict) else None
        if not isinstance(name, str) or not isinstance(value, str):
            raise InputError(f"a {where} header has no string name or value")
        if not name.startswith(":"):  # HTTP/2 pseudo-headers (":authority") are not header lines
            lines.append((name, value))
    return tuple(lines)


def _entry(raw: Any, pages: dict[str, str]) -> HarEntry:
    try:
        request, response = raw["request"], raw["response"]
        method, url = request["method"], request["url"]
        status = int(response["status"])
    except (KeyError, TypeError, ValueError, OverflowError, decimal.InvalidOperation):
        raise InputError("lacks request.method, request.url or response.status") from None
    if not isinstance(method, str) or not isinstance(url, str):
        raise InputError("request.method or request.url is not a string")
    failure = response.get("_failureText") or raw.get("_error") or None
    if failure is not None and not isinstance(failure, str):
        raise InputError("_failureText or _error is not a string")
    head = None
    if status > 0 and not failure:
        head = ResponseHead(
            status, _lines(response.get("headers", []), "response"), str(response.get("statusText", ""))
        )
    return HarEntry(
        method=method,
        url=url,
        request_headers=_lines(request.get("headers", []), "request"),
        response=head,
        failure=failure or (None if head else f"status {status}"),
        page_url=pages.get(str(raw.get("pageref", ""))),
    )


def read_har(source: str | bytes | BinaryIO) -> HarLog:
    """Every readable entry in recording order; InputError for anything that is not a HAR.

    The file is streamed twice (pages, then entries) rather than loaded: a HAR with response bodies
    can be hundreds of MB, and only the request and response heads are kept.
    """
    if isinstance(source, str):
        source = source.encode("utf-8", "surrogatepass")  # a lone surrogate is then invalid JSON
    kinds: dict[str, str] = {}
    try:
        pages = list(ijson.items(_noting_kinds(_rewound(source), kinds), "log.pages.item"))
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid HAR: not JSON ({exc})") from None
    if kinds.get("log.entries") is None:
        raise InputError("invalid HAR: no log.entries")
    if kinds["log.entries"] != "start_array":
        raise InputError("invalid HAR: log.entries is not a list")
    if kinds.get("log.pages", "start_array") != "start_array":
        raise InputError("invalid HAR: log.pages is not a list")
    titles = {str(p.get("id")): str(p.get("title", "")) for p in pages if isinstance(p, dict)}
    page_urls = {pid: title for pid, title in titles.items() if title.startswith(("http://", "https://"))}
    log = HarLog([])
    raw_entries = enumerate(ijson.items(_rewound(source), "log.entries.item"), start=1)
    try:
        for number, raw in raw_entries:
            try:
                log.entries.append(_entry(raw, page_urls))
            except InputError as exc:
                log.skipped.append(f"entry {number}: {exc}")
    except (ijson.JSONError, UnicodeDecodeError) as exc:  # the first pass read the same bytes
        raise InputError(f"invalid HAR: not JSON ({exc})") from None
    if log.skipped and not log.entries:
        raise InputError(f"invalid HAR: no entry could be read ({log.skipped[0]})")
    return log


def _rewound(source: bytes | BinaryIO) -> bytes | BinaryIO:
    if not isinstance(source, bytes):
        source.seek(0)
    return source


def _noting_kinds(source: bytes | BinaryIO, kinds: dict[str, str]) -> Iterator[tuple[str, str, Any]]:
    """ijson's events, noting the first event of log.entries and log.pages (what kind of value)."""
    for prefix, event, value in ijson.parse(source):
        if prefix in ("log.entries", "log.pages") and prefix not in kinds:
            kinds[prefix] = event
        yield prefix, event, value


def pair_preflights(entries: list[HarEntry]) -> list[HarRequest]:
    """Each actual request with the preflight recorded before it for the same URL and method (the
    earliest still unpaired), in linear time."""
    waiting: dict[tuple[str, str | None], deque[HarEntry]] = defaultdict(deque)
    preflights: list[HarEntry] = []
    requests: list[HarRequest] = []
    for entry in entries:
        if entry.is_preflight:
            waiting[(entry.url, entry.header("access-control-request-method"))].append(entry)
            preflights.append(entry)
            continue
        queue = waiting.get((entry.url, entry.method))
        requests.append(HarRequest(entry, queue.popleft() if queue else None))
    # A preflight whose request was never recorded stands for it (Chromium may keep only the preflight).
    unpaired = {id(p) for queue in waiting.values() for p in queue}
    requests += [HarRequest(p, None) for p in preflights if id(p) in unpaired]
    return requests
