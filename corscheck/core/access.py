"""The CORS check on a response's Access-Control-Allow-Origin / -Credentials (Chromium's CheckAccess)."""

from __future__ import annotations

import re

from corscheck.core.headers import combined, count
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import HeaderLines
from corscheck.core.profiles import CHROMIUM, EngineProfile

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SPECIAL_SCHEMES = ("http", "https", "ws", "wss", "ftp")
_FORBIDDEN_HOST_CHARS = frozenset(" #%/:<>?@[\\]^|")


def parses_as_url(value: str) -> bool:
    """Roughly what Chromium's GURL accepts: a scheme, and for web schemes a plausible host[:port].

    Only decides between Chromium's "invalid value" and "not equal" messages; both block.
    """
    # GURL ignores leading and trailing C0 controls and spaces.
    value = value.strip("".join(map(chr, range(0x21))))
    match = _SCHEME.match(value)
    if not match:
        return False
    scheme = match.group()[:-1].lower()
    if scheme not in _SPECIAL_SCHEMES:
        return True
    authority = re.split(r"[/?#\\]", value[match.end() :].lstrip("/\\"), maxsplit=1)[0]
    host, _, port = authority.rpartition("@")[2].partition(":")
    if authority.rpartition("@")[2].startswith("["):
        return "]" in authority
    if not host or any(c in _FORBIDDEN_HOST_CHARS for c in host):
        return False
    return not port or (port.isdigit() and int(port) <= 65535)


def cors_check(
    headers: HeaderLines, origin: str, include_credentials: bool, engine: EngineProfile = CHROMIUM
) -> CorsError | None:
    """Return why the browser would refuse this response, or None if it passes.

    ``origin`` is the serialised origin the request carried (``null`` once tainted).
    The response status plays no part here.
    """
    allow_origin = combined(headers, ACAO)
    if engine.multiple_allow_origin_by_lines and count(headers, ACAO) > 1:
        return CorsError(CorsErrorKind.MULTIPLE_ALLOW_ORIGIN, allow_origin)
    if allow_origin == "*":
        if include_credentials:
            return CorsError(CorsErrorKind.WILDCARD_ORIGIN)
        return None
    if allow_origin is None:
        return CorsError(CorsErrorKind.MISSING_ALLOW_ORIGIN)
    if allow_origin != origin:
        listed = any(separator in allow_origin for separator in engine.allow_origin_list_separators)
        if listed and not engine.multiple_allow_origin_by_lines:
            return CorsError(CorsErrorKind.MULTIPLE_ALLOW_ORIGIN, allow_origin)
        if allow_origin != "null" and not parses_as_url(allow_origin):
            return CorsError(CorsErrorKind.INVALID_ALLOW_ORIGIN, allow_origin)
        return CorsError(CorsErrorKind.ALLOW_ORIGIN_MISMATCH, allow_origin)
    if include_credentials:
        allow_credentials = combined(headers, ACAC)
        if allow_credentials != "true":
            return CorsError(CorsErrorKind.INVALID_ALLOW_CREDENTIALS, allow_credentials or "")
    return None
