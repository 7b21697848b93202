"""Mend a response one failed check at a time: the header line a fix needs, in the request's own
words, and the response the browser's next check would then be judged on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from corscheck.core.access import ACAC, ACAO
from corscheck.core.headers import combined, printable
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import HeaderLines, ResponseHead
from corscheck.core.preflight import ACAH, ACAM

_ORIGIN_KINDS = frozenset(
    {
        CorsErrorKind.MISSING_ALLOW_ORIGIN,
        CorsErrorKind.MULTIPLE_ALLOW_ORIGIN,
        CorsErrorKind.INVALID_ALLOW_ORIGIN,
        CorsErrorKind.ALLOW_ORIGIN_MISMATCH,
        CorsErrorKind.WILDCARD_ORIGIN,
    }
)
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9!#$%&'*+.^_`|~-]+")
_UPPER_CASED_BY_FETCH = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
_HEADER_NAMES = {ACAO: "Access-Control-Allow-Origin", ACAC: "Access-Control-Allow-Credentials"}
_HEADER_NAMES |= {ACAM: "Access-Control-Allow-Methods", ACAH: "Access-Control-Allow-Headers"}


def merged(value: str | None, needed: Iterable[str], *, case_sensitive: bool) -> list[str]:
    """What the server lists (its unparsable parts cut into tokens) plus what the request needs."""
    found: dict[str, str] = {}
    for item in [*_NOT_TOKEN.split(value or ""), *needed]:
        key = item if case_sensitive else item.lower()
        if item and key not in found:
            found[key] = item
    return list(found.values())


def merged_list(value: str | None, needed: Iterable[str], *, case_sensitive: bool) -> str:
    """:func:`merged`, as a header value."""
    return ", ".join(merged(value, needed, case_sensitive=case_sensitive))


def _with(headers: HeaderLines, name: str, value: str) -> HeaderLines:
    kept = tuple((n, v) for n, v in headers if n.lower() != name)
    return (*kept, (_HEADER_NAMES[name], value))


def mend(
    head: ResponseHead, error: CorsError, *, origin: str, method: str, unsafe_names: Iterable[str]
) -> ResponseHead | None:
    """``head`` changed just enough to pass the check that raised ``error``; None when no change to
    this response can (a redirect, a refused Location)."""
    kind, headers = error.kind, head.headers
    if kind in _ORIGIN_KINDS:
        return replace(head, headers=_with(headers, ACAO, origin))
    if kind is CorsErrorKind.INVALID_ALLOW_CREDENTIALS:
        return replace(head, headers=_with(headers, ACAC, "true"))
    if kind is CorsErrorKind.PREFLIGHT_INVALID_STATUS:
        return replace(head, status=204, reason="No Content")
    if kind in (CorsErrorKind.INVALID_ALLOW_METHODS, CorsErrorKind.METHOD_DISALLOWED):
        value = merged_list(combined(headers, ACAM), [method], case_sensitive=True)
        return replace(head, headers=_with(headers, ACAM, value))
    if kind in (CorsErrorKind.INVALID_ALLOW_HEADERS, CorsErrorKind.HEADER_DISALLOWED):
        value = merged_list(combined(headers, ACAH), unsafe_names, case_sensitive=False)
        return replace(head, headers=_with(headers, ACAH, value))
    return None


def fix_text(
    error: CorsError,
    head: ResponseHead,
    *,
    stage: str,
    url: str,
    sent_origin: str,
    page_origin: str,
    method: str,
    unsafe_names: Iterable[str],
    disallowed_headers: tuple[str, ...] = (),
) -> str | None:
    """What to change for this request, naming its URL, origin, method and headers; None when the
    rule's generic fix says it best."""
    kind = error.kind
    where = {"preflight": "the OPTIONS (preflight) response", "redirect": "the redirect response"}
    at = f"{where.get(stage, 'the response')} from {url}"
    mended = mend(head, error, origin=sent_origin, method=method, unsafe_names=unsafe_names)
    line = _added_line(head, mended)
    value = printable(error.hint or "")
    if kind in _ORIGIN_KINDS and sent_origin == "null" and page_origin != "null":
        return (
            f"A cross-origin redirect made the request's Origin `null`, so no server can echo the page's"
            f" origin: call {url} directly from the page (or answer `Access-Control-Allow-Origin: *`"
            " there, without credentials)."
        )
    if kind is CorsErrorKind.MISSING_ALLOW_ORIGIN:
        errors_too = "; error responses need it too" if head.status >= 400 else ""
        return f"Send {line} on {at}{errors_too}."
    if kind is CorsErrorKind.MULTIPLE_ALLOW_ORIGIN:
        return f"Send exactly one {line} on {at}: remove the copy the proxy or the app adds."
    if kind in (CorsErrorKind.INVALID_ALLOW_ORIGIN, CorsErrorKind.ALLOW_ORIGIN_MISMATCH):
        return f"Send {line} on {at}, not {value!r}."
    if kind is CorsErrorKind.WILDCARD_ORIGIN:
        return (
            f"Send {line} instead of `*`, with `Access-Control-Allow-Credentials: true` and"
            f" `Vary: Origin`, on {at}; or call fetch() without credentials: 'include'."
        )
    if kind is CorsErrorKind.INVALID_ALLOW_CREDENTIALS:
        return f"Send {line} (lower case, one line) on {at}; or call fetch() without credentials: 'include'."
    if kind is CorsErrorKind.PREFLIGHT_INVALID_STATUS:
        return (
            f"Answer OPTIONS {url} with 204 (it answered {head.status}), before authentication, routing"
            " or a firewall turn it away: preflights carry no cookies or Authorization."
        )
    if kind is CorsErrorKind.PREFLIGHT_REDIRECT:
        location = printable(combined(head.headers, "location") or "")
        return f"Call the final URL ({location!r}) from the page: a preflight is never redirected."
    if kind in (CorsErrorKind.INVALID_ALLOW_METHODS, CorsErrorKind.INVALID_ALLOW_HEADERS):
        return f"Send {line} on {at}: a comma-separated list of names."
    if kind is CorsErrorKind.METHOD_DISALLOWED:
        fix = f"Add {method} to Access-Control-Allow-Methods on {at}: {line}."
        if method.upper() in _UPPER_CASED_BY_FETCH or method == method.upper():
            return fix
        return (
            fix + f" Or send {method.upper()!r} from the page: fetch() upper-cases only"
            f" {', '.join(_UPPER_CASED_BY_FETCH)}."
        )
    if kind is CorsErrorKind.HEADER_DISALLOWED:
        return f"Add {', '.join(disallowed_headers)} to Access-Control-Allow-Headers on {at}: {line}."
    return None


def _added_line(before: ResponseHead, after: ResponseHead | None) -> str:
    """The header line ``mend`` set, as `Name: value` (empty when it changed only the status)."""
    if after is None or after.headers == before.headers:
        return ""
    name, value = after.headers[-1]
    return f"`{name}: {printable(value)}`"
