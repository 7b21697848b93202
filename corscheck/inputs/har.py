"""Read a HAR export (Chromium, Firefox, Playwright) into requests, each paired with its preflight."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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


def _lines(headers: Any, where: str) -> HeaderLines:
    if not isinstance(headers, list):
        raise InputError(f"invalid HAR: {where} headers are not a list")
    try:
        # HTTP/2 pseudo-headers (":authority") are not header lines.
        return tuple((str(h["name"]), str(h["value"])) for h in headers if not str(h["name"]).startswith(":"))
    except (KeyError, TypeError):
        raise InputError(f"invalid HAR: a {where} header has no name or value") from None


def _entry(raw: Any, pages: dict[str, str]) -> HarEntry:
    try:
        request, response = raw["request"], raw["response"]
        method, url = str(request["method"]), str(request["url"])
        status = int(response["status"])
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: "status": Infinity
        raise InputError(
            "invalid HAR: an entry lacks request.method, request.url or response.status"
        ) from None
    failure = response.get("_failureText") or raw.get("_error") or None
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


def read_har(text: str) -> list[HarEntry]:
    """Every entry in recording order; InputError for anything that is not a complete HAR."""
    try:
        data = json.loads(text)
        entries, pages = data["log"]["entries"], data["log"].get("pages", [])
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid HAR: not JSON ({exc.msg} at line {exc.lineno})") from None
    except (KeyError, TypeError, AttributeError):
        raise InputError("invalid HAR: no log.entries") from None
    if not isinstance(entries, list):
        raise InputError("invalid HAR: log.entries is not a list")
    if not isinstance(pages, list):
        raise InputError("invalid HAR: log.pages is not a list")
    titles = {str(p.get("id")): str(p.get("title", "")) for p in pages if isinstance(p, dict)}
    page_urls = {pid: title for pid, title in titles.items() if title.startswith(("http://", "https://"))}
    return [_entry(raw, page_urls) for raw in entries]


def pair_preflights(entries: list[HarEntry]) -> list[HarRequest]:
    """Each actual request with the preflight recorded just before it for the same URL and method."""
    pending: list[HarEntry] = []
    requests: list[HarRequest] = []
    for entry in entries:
        if entry.is_preflight:
            pending.append(entry)
            continue
        match = next(
            (
                p
                for p in pending
                if p.url == entry.url and p.header("access-control-request-method") == entry.method
            ),
            None,
        )
        if match is not None:
            pending.remove(match)
        requests.append(HarRequest(entry, match))
    # A preflight whose request was never recorded stands for it (Chromium may keep only the preflight).
    requests += [HarRequest(p, None) for p in pending]
    return requests
