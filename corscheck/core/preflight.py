"""The CORS preflight: the OPTIONS request the browser builds and how it judges the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corscheck.core.access import cors_check
from corscheck.core.headers import combined, is_token, parse_token_list
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import HeaderLines, PreflightCache, ResponseHead
from corscheck.core.profiles import CHROMIUM, EngineProfile
from corscheck.core.request import SAFELISTED_METHODS, request_headers_value

ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACMA = "access-control-max-age"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def preflight_headers(method: str, unsafe_names: list[str], origin: str) -> HeaderLines:
    """The CORS headers of a preflight (the shell adds the browser's usual ones)."""
    lines = [
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", method),
    ]
    if unsafe_names:
        lines.append(("Access-Control-Request-Headers", request_headers_value(unsafe_names)))
    lines.append(("Origin", origin))
    return tuple(lines)


def max_age(value: str | None, engine: EngineProfile = CHROMIUM) -> int:
    """Seconds the engine keeps a preflight result: its default when the header is absent or
    unparsable, 0 when negative, never more than its cap."""
    if value is None or not re.fullmatch(engine.max_age_syntax, value):
        return engine.preflight_cache_default
    return max(0, min(int(value), engine.preflight_cache_cap))


def preflight_cache(value: str | None, engine: EngineProfile) -> PreflightCache:
    return PreflightCache(header=value, chromium_seconds=max_age(value), seconds=max_age(value, engine))


@dataclass(frozen=True)
class PreflightOutcome:
    """What Chromium concluded from a preflight response."""

    error: CorsError | None
    cache: PreflightCache | None = None
    #: The method was only allowed in another letter case (``PATCH`` listed, ``patch`` sent).
    method_case_mismatch: str | None = None
    #: Every unsafe request header the response did not allow, sorted (Chromium names the first).
    disallowed_headers: tuple[str, ...] = ()
    #: Authorization was let through only by ``Access-Control-Allow-Headers: *``.
    authorization_via_wildcard: bool = False


def check_preflight(
    head: ResponseHead,
    *,
    origin: str,
    include_credentials: bool,
    method: str,
    unsafe_names: list[str],
    engine: EngineProfile = CHROMIUM,
) -> PreflightOutcome:
    """Judge a preflight response in the engine's order; the first failure wins."""
    if engine.preflight_status_checked_first and not 200 <= head.status <= 299:
        return PreflightOutcome(CorsError(CorsErrorKind.PREFLIGHT_INVALID_STATUS, preflight=True))
    redirect = head.status in REDIRECT_STATUSES and combined(head.headers, "location") is not None
    if redirect and engine.preflight_redirect_checked_first:
        return PreflightOutcome(CorsError(CorsErrorKind.PREFLIGHT_REDIRECT, preflight=True))
    access_error = cors_check(head.headers, origin, include_credentials, engine)
    if access_error:
        return PreflightOutcome(CorsError(access_error.kind, access_error.hint, preflight=True))
    if redirect:
        return PreflightOutcome(CorsError(CorsErrorKind.PREFLIGHT_REDIRECT, preflight=True))
    if not 200 <= head.status <= 299:
        return PreflightOutcome(CorsError(CorsErrorKind.PREFLIGHT_INVALID_STATUS, preflight=True))

    allowed_methods = parse_token_list(combined(head.headers, ACAM))
    if allowed_methods is None:
        value = combined(head.headers, ACAM)
        error = CorsError(CorsErrorKind.INVALID_ALLOW_METHODS, _first_invalid(head, ACAM), value=value)
        return PreflightOutcome(error)
    allowed_headers = parse_token_list(combined(head.headers, ACAH))
    if allowed_headers is None:
        value = combined(head.headers, ACAH)
        error = CorsError(CorsErrorKind.INVALID_ALLOW_HEADERS, _first_invalid(head, ACAH), value=value)
        return PreflightOutcome(error)
    max_age_header = combined(head.headers, ACMA)
    cache = preflight_cache(max_age_header, engine)

    # Methods compare byte for byte; "*" is a wildcard only without credentials.
    method_ok = (
        method in SAFELISTED_METHODS
        or method in allowed_methods
        or ("*" in allowed_methods and not include_credentials)
    )
    if not method_ok:
        case_twin = next((m for m in allowed_methods if m.lower() == method.lower()), None)
        return PreflightOutcome(
            CorsError(CorsErrorKind.METHOD_DISALLOWED, method),
            cache=cache,
            method_case_mismatch=case_twin,
        )

    # Header names compare case-insensitively; Chromium still lets "*" cover Authorization.
    allowed = {h.lower() for h in allowed_headers}
    header_wildcard = "*" in allowed and not include_credentials
    if header_wildcard:
        disallowed: tuple[str, ...] = ()
    else:
        disallowed = tuple(name for name in sorted(set(unsafe_names)) if name not in allowed)
    authorization_via_wildcard = (
        header_wildcard and "authorization" in unsafe_names and "authorization" not in allowed
    )
    if disallowed:
        return PreflightOutcome(
            # The console names one (which one is the engine's); the finding lists them all.
            CorsError(CorsErrorKind.HEADER_DISALLOWED, disallowed[engine.disallowed_header_named]),
            cache=cache,
            disallowed_headers=disallowed,
        )
    if authorization_via_wildcard and engine.authorization_wildcard_uncached:
        # Chromium's cache lookup applies the strict rule, so it preflights again every time.
        cache = PreflightCache(header=max_age_header, chromium_seconds=0, seconds=0)
    return PreflightOutcome(None, cache=cache, authorization_via_wildcard=authorization_via_wildcard)


def _first_invalid(head: ResponseHead, name: str) -> str | None:
    """The first list member that is not a token (the one an engine may quote)."""
    value = combined(head.headers, name) or ""
    members = (member.strip(" \t") for member in value.split(","))
    return next((m for m in members if m and not is_token(m)), None)
