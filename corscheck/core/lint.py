"""Lint findings: things the browser allows (or that are not the blocking cause) but are wrong or fragile."""

from __future__ import annotations

import re
from collections.abc import Iterator

from corscheck.core.access import ACAC, ACAO
from corscheck.core.exposure import NEVER_READABLE, SAFELISTED_RESPONSE_HEADERS, Exposure
from corscheck.core.fingerprints import is_cors_refusal
from corscheck.core.headers import combined, count
from corscheck.core.model import (
    Finding,
    HeaderLines,
    PreflightCache,
    RequestKind,
    ResponseHead,
    Step,
    Verdict,
)
from corscheck.core.preflight import ACMA
from corscheck.core.profiles import CHROMIUM
from corscheck.core.request import MAX_SAFELISTED_TOTAL, MAX_SAFELISTED_VALUE, is_safelisted_header
from corscheck.core.rules import RULES

_SAFELISTED_REQUEST_NAMES = (
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
)
_LOGIN_HINT = re.compile(r"log-?in|sign-?in|auth|sso|oauth", re.IGNORECASE)


def _finding(code: str, message: str, **details: object) -> Finding:
    return Finding(code, RULES[code].severity, message, dict(details))


def _responses(steps: list[Step]) -> Iterator[ResponseHead]:
    for step in steps:
        if step.response is not None and step.request.kind is not RequestKind.REFLECTION_PROBE:
            yield step.response


def _allow_origin_findings(steps: list[Step], include_credentials: bool) -> Iterator[Finding]:
    seen: set[str] = set()

    def once(code: str, message: str) -> Iterator[Finding]:
        if code not in seen:
            seen.add(code)
            yield _finding(code, message)

    for head in _responses(steps):
        allow_origin = combined(head.headers, ACAO)
        allow_credentials = combined(head.headers, ACAC)
        if allow_origin == "null":
            yield from once("LINT-NULL-ALLOWED", "The server answers `Access-Control-Allow-Origin: null`.")
        # With credentials the request is blocked by CORS-WILDCARD-CREDENTIALS: one finding per fact.
        if allow_origin == "*" and allow_credentials == "true" and not include_credentials:
            yield from once(
                "LINT-WILDCARD-PLUS-CREDENTIALS",
                "`Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials:"
                " true`; credentialed requests will be refused.",
            )
        if allow_credentials is not None and allow_credentials != "true" and not include_credentials:
            yield from once(
                "LINT-ACAC-NOT-TRUE",
                f"Access-Control-Allow-Credentials is {allow_credentials!r}; only `true` means"
                " anything (a credentialed request would be refused).",
            )
        if (
            allow_origin
            and allow_origin != "*"
            and (count(head.headers, ACAO) == 1 and ("," in allow_origin or "*" in allow_origin))
        ):
            yield from once(
                "LINT-ALLOW-ORIGIN-LIST",
                f"Access-Control-Allow-Origin {allow_origin!r} looks like an allow-list or pattern;"
                " echo the single matching origin instead.",
            )
        if combined(head.headers, "access-control-allow-private-network") is not None:
            yield from once(
                "LINT-PNA-LEGACY",
                "Access-Control-Allow-Private-Network is sent; current Chromium ignores it.",
            )


def _preflight_findings(steps: list[Step], cache: PreflightCache | None) -> Iterator[Finding]:
    preflight = next((s for s in steps if s.request.kind is RequestKind.PREFLIGHT), None)
    if preflight is None or preflight.response is None:
        return
    head = preflight.response
    location = combined(head.headers, "location") or ""
    refused_by_auth = head.status in (401, 403, 407) and not is_cors_refusal(head)
    if refused_by_auth or (300 <= head.status < 400 and _LOGIN_HINT.search(location)):
        yield _finding(
            "LINT-PREFLIGHT-AUTH-LAYER",
            f"The OPTIONS preflight was answered {head.status}"
            + (f" (redirect to {location!r})" if location else "")
            + "; preflights never carry cookies or Authorization, so let OPTIONS through"
            " unauthenticated.",
            status=head.status,
        )
    if head.status in (404, 405, 501):
        yield _finding(
            "LINT-PREFLIGHT-UNHANDLED",
            f"The OPTIONS preflight was answered {head.status}: no OPTIONS handler for this route.",
            status=head.status,
        )
    if not preflight.passed or cache is None:
        return
    if cache.header is None:
        yield _finding(
            "LINT-MAXAGE-MISSING",
            "No Access-Control-Max-Age: Chromium caches this preflight for only 5 seconds.",
        )
    elif count(head.headers, ACMA) > 1 or not cache.header.isdigit():
        yield _finding(
            "LINT-MAXAGE-INVALID",
            f"Access-Control-Max-Age {cache.header!r} is not one non-negative integer; Chromium"
            f" uses {cache.chromium_seconds} seconds.",
            value=cache.header,
        )
    elif int(cache.header) > CHROMIUM.preflight_cache_cap:
        yield _finding(
            "LINT-MAXAGE-CAPPED",
            f"Access-Control-Max-Age {cache.header} is capped to {CHROMIUM.preflight_cache_cap} s by"
            " Chromium (Safari: 600 s, Firefox: 86400 s).",
            value=cache.header,
            chromium_seconds=cache.chromium_seconds,
        )


def _final_response_findings(steps: list[Step], page_origin: str, probe_origin: str) -> Iterator[Finding]:
    actual = [s for s in steps if s.request.kind is RequestKind.ACTUAL and s.response is not None]
    if not actual or actual[-1].passed is None:
        return  # no response, or same-origin
    head = actual[-1].response
    assert head is not None
    allow_origin = combined(head.headers, ACAO)
    if allow_origin is None and head.status >= 400:
        yield _finding(
            "LINT-ERRORS-WITHOUT-CORS",
            f"The {head.status} response has no CORS headers, so JavaScript sees a network error"
            " instead of the error status and body.",
            status=head.status,
        )
    probe = next((s for s in steps if s.request.kind is RequestKind.REFLECTION_PROBE), None)
    probe_allow = combined(probe.response.headers, ACAO) if probe and probe.response else None
    if probe_allow == probe_origin:
        credentials = combined(probe.response.headers, ACAC) == "true"  # type: ignore[union-attr]
        yield _finding(
            "LINT-ORIGIN-REFLECTED",
            f"A request from {probe_origin} got `Access-Control-Allow-Origin: {probe_origin}`"
            " back: the server echoes any origin"
            + (
                " and allows credentials: any site can read responses with the user's cookies."
                if credentials
                else "."
            ),
            credentials=credentials,
        )
    sent_origin = combined(actual[-1].request.headers, "origin")
    if allow_origin is None or allow_origin != sent_origin:
        return  # only an echoed origin needs Vary
    vary = {v.strip().lower() for v in (combined(head.headers, "vary") or "").split(",")}
    constant = probe is not None and probe.response is not None and probe_allow == allow_origin
    if not ({"origin", "*"} & vary) and not constant:
        yield _finding(
            "LINT-NO-VARY-ORIGIN",
            f"Access-Control-Allow-Origin echoes the request's Origin {allow_origin!r} but Vary"
            " does not list Origin; caches can serve this response to another origin.",
        )


def _exposure_findings(exposure: Exposure | None, include_credentials: bool) -> Iterator[Finding]:
    if exposure is None:
        return
    if exposure.invalid:
        yield _finding(
            "CORS-EXPOSE-INVALID",
            "Access-Control-Expose-Headers has an element that is not a header name, so Chromium"
            " ignores the whole list; only the safelisted headers are readable.",
        )
    if exposure.wildcard_ignored and include_credentials:
        yield _finding(
            "CORS-EXPOSE-WILDCARD-CREDENTIALS",
            "Access-Control-Expose-Headers is `*` but the request includes credentials, so `*`"
            " exposes nothing; list the names.",
        )
    listed = set(exposure.listed)
    if listed & NEVER_READABLE:
        yield _finding(
            "CORS-EXPOSE-SET-COOKIE",
            "Access-Control-Expose-Headers lists Set-Cookie, which JavaScript can never read.",
        )
    useless = sorted(listed & SAFELISTED_RESPONSE_HEADERS)
    if useless:
        yield _finding(
            "LINT-EXPOSE-USELESS",
            f"Access-Control-Expose-Headers lists always-readable headers: {', '.join(useless)}.",
            headers=useless,
        )


def _request_findings(sent_headers: HeaderLines, unsafe: list[str]) -> Iterator[Finding]:
    """Safelisted names that became unsafe only through their length."""
    total = sum(len(v.encode("latin-1", "replace")) for n, v in sent_headers if is_safelisted_header(n, v))
    for name, value in sent_headers:
        lower = name.lower()
        if lower not in _SAFELISTED_REQUEST_NAMES or lower not in unsafe:
            continue
        size = len(value.encode("latin-1", "replace"))
        if size > MAX_SAFELISTED_VALUE or total > MAX_SAFELISTED_TOTAL:
            yield _finding(
                "LINT-SAFELIST-OVERFLOW",
                f"{name} would be safelisted, but its value is {size} bytes (limit"
                f" {MAX_SAFELISTED_VALUE}; {MAX_SAFELISTED_TOTAL} for all safelisted values), so"
                " it triggers a preflight.",
                header=lower,
            )


def _status_findings(steps: list[Step]) -> Iterator[Finding]:
    """An allowed response JavaScript reads as an error: CORS passes a mistyped path's 404."""
    actual = [s for s in steps if s.request.kind is RequestKind.ACTUAL and s.response is not None]
    status = actual[-1].response.status if actual else None  # type: ignore[union-attr]
    if status is not None and not 200 <= status <= 299:
        yield _finding(
            "LINT-STATUS-NOT-OK",
            f"JavaScript can read this {status} response, but `response.ok` is false.",
            status=status,
        )


def findings(
    *,
    steps: list[Step],
    page_origin: str,
    include_credentials: bool,
    tainted: bool,
    exposure: Exposure | None,
    verdict: Verdict,
    cache: PreflightCache | None,
    unsafe_request_headers: list[str],
    sent_headers: HeaderLines,
    probe_origin: str,
) -> list[Finding]:
    """Every lint finding for a finished exchange."""
    found = list(_allow_origin_findings(steps, include_credentials))
    found += _preflight_findings(steps, cache)
    found += _final_response_findings(steps, page_origin, probe_origin)
    if verdict is Verdict.ALLOWED:
        found += _exposure_findings(exposure, include_credentials)
        found += _status_findings(steps)
    found += _request_findings(sent_headers, unsafe_request_headers)
    if tainted:
        found.append(
            _finding(
                "LINT-REDIRECT-TAINTED",
                "A cross-origin redirect made the request's Origin `null`; only"
                " `Access-Control-Allow-Origin: *` or `null` can match now.",
            )
        )
    return found
