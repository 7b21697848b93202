"""What fetch() does to a request before it is sent, and whether it needs a preflight."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corscheck import __version__
from corscheck.core.errors import InputError
from corscheck.core.headers import is_token
from corscheck.core.model import HeaderLines
from corscheck.core.profiles import CHROMIUM, CLIENT_HINT_HEADERS, EngineProfile

#: What every request corscheck sends says it is (check and audit alike).
USER_AGENT = f"corscheck/{__version__}"

#: Methods fetch() upper-cases when they match case-insensitively; every other method is kept as typed.
NORMALISED_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
FORBIDDEN_METHODS = ("CONNECT", "TRACE", "TRACK")
SAFELISTED_METHODS = ("GET", "HEAD", "POST")

FORBIDDEN_PREFIXES = ("proxy-", "sec-")
METHOD_OVERRIDE_HEADERS = ("x-http-method", "x-http-method-override", "x-method-override")

# https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
_UNSAFE_BYTES = frozenset([chr(c) for c in range(0x20) if c != 0x09] + list('"():<>?@[\\]{}') + ["\x7f"])
_LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_SAFELISTED_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
_DOUBLE = re.compile(r"[0-9]+(\.[0-9]+)?")
_INTEGER = re.compile(r"[0-9]+")
_SIMPLE_RANGE = re.compile(r"bytes=([0-9]+)-([0-9]*)")
_SIMPLE_RANGE_ANY_CASE = re.compile(_SIMPLE_RANGE.pattern, re.IGNORECASE)
_EFFECTIVE_CONNECTION_TYPES = ("slow-2g", "2g", "3g", "4g")
MAX_SAFELISTED_VALUE = 128
MAX_SAFELISTED_TOTAL = 1024


def normalise_method(method: str) -> str:
    """fetch()'s method normalisation; CONNECT, TRACE and TRACK are a TypeError (InputError here)."""
    if not is_token(method):
        raise InputError(f"method {method!r} is not a valid HTTP method name")
    upper = method.upper()
    if upper in FORBIDDEN_METHODS:
        raise InputError(f"method {method!r} is forbidden: fetch() throws a TypeError for it")
    return upper if upper in NORMALISED_METHODS else method


def is_forbidden_header(name: str, value: str, engine: EngineProfile = CHROMIUM) -> bool:
    """Would fetch() silently drop this author header?"""
    lower = name.lower()
    if lower in engine.forbidden_request_headers or lower.startswith(FORBIDDEN_PREFIXES):
        return True
    if lower in METHOD_OVERRIDE_HEADERS:
        named = (m.strip(" \t").upper() for m in value.split(","))
        return any(m in FORBIDDEN_METHODS for m in named)
    return False


@dataclass(frozen=True)
class AuthorHeaders:
    """Author headers after fetch() processed them."""

    #: What is sent: valid, not forbidden, duplicates combined with ", ", first-seen order.
    sent: HeaderLines
    #: Names fetch() dropped silently because they are forbidden.
    dropped: tuple[str, ...]


def check_header_value(name: str, value: str) -> None:
    """fetch() throws a TypeError for a value with NUL, CR or LF; HTTP/1.1 carries only Latin-1."""
    if any(c in value for c in "\0\r\n"):
        raise InputError(f"header {name!r} has a value with NUL, CR or LF")
    if any(ord(c) > 0xFF for c in value):
        raise InputError(f"header {name!r} has characters outside Latin-1")


def prepare_headers(headers: HeaderLines, engine: EngineProfile = CHROMIUM) -> AuthorHeaders:
    """Validate, trim, drop forbidden and combine duplicate author headers as fetch() does."""
    combined: dict[str, tuple[str, list[str]]] = {}
    dropped: list[str] = []
    for name, raw_value in headers:
        if not is_token(name):
            raise InputError(f"header name {name!r} is not a valid HTTP token")
        value = raw_value.strip(" \t\r\n")
        check_header_value(name, value)
        if is_forbidden_header(name, value, engine):
            dropped.append(name)
            continue
        key = name.lower()
        if key in combined:
            combined[key][1].append(value)
        else:
            combined[key] = (name, [value])
    sent = tuple((name, ", ".join(vals)) for name, vals in combined.values())
    return AuthorHeaders(sent=sent, dropped=tuple(dropped))


def _is_safelisted_content_type(value: str) -> bool:
    if any(c in _UNSAFE_BYTES for c in value):
        return False
    essence = value.split(";", 1)[0].strip(" \t").lower()
    return essence in _SAFELISTED_CONTENT_TYPES


def _is_simple_range(value: str, engine: EngineProfile) -> bool:
    # Case-sensitive in Chromium 156, which preflights `Bytes=0-5` (the rules reference said otherwise).
    pattern = _SIMPLE_RANGE_ANY_CASE if engine.range_unit_case_insensitive else _SIMPLE_RANGE
    match = pattern.fullmatch(value)
    if not match:
        return False
    first, last = match.groups()
    return not last or int(last) >= int(first)


def is_safelisted_header(name: str, value: str, engine: EngineProfile = CHROMIUM) -> bool:
    """The engine's CORS-safelisted request-header test (the spec's plus the engine's extra names)."""
    if len(value.encode("latin-1", "replace")) > MAX_SAFELISTED_VALUE:
        return False
    lower = name.lower()
    if lower in CLIENT_HINT_HEADERS and lower not in engine.extra_safelisted_headers:
        return False
    if lower == "accept":
        return not any(c in _UNSAFE_BYTES for c in value)
    if lower in ("accept-language", "content-language"):
        return all(c in _LANGUAGE_CHARS for c in value)
    if lower == "content-type":
        return _is_safelisted_content_type(value)
    if lower == "range":
        return _is_simple_range(value, engine)
    if lower == "intervention":
        return True
    if lower in ("device-memory", "dpr", "downlink"):
        return bool(_DOUBLE.fullmatch(value))
    if lower in ("width", "viewport-width", "rtt"):
        return bool(_INTEGER.fullmatch(value))
    if lower == "ect":
        return value in _EFFECTIVE_CONNECTION_TYPES
    if lower == "save-data":
        return value.lower() == "on"
    return False


def unsafe_header_names(headers: HeaderLines, engine: EngineProfile = CHROMIUM) -> list[str]:
    """CORS-unsafe request-header names, lower-cased, in header order (duplicates removed).

    Safelisted headers whose values add up to more than 1024 bytes all become unsafe too.
    """
    unsafe: list[str] = []
    safelisted: list[str] = []
    safelisted_size = 0
    for name, value in headers:
        if is_safelisted_header(name, value, engine):
            safelisted.append(name.lower())
            safelisted_size += len(value.encode("latin-1", "replace"))
        else:
            unsafe.append(name.lower())
    limit = engine.safelisted_total_limit
    if limit is not None and safelisted_size > limit:
        unsafe.extend(safelisted)
    return list(dict.fromkeys(unsafe))


def needs_preflight(method: str, headers: HeaderLines, engine: EngineProfile = CHROMIUM) -> bool:
    return method.upper() not in SAFELISTED_METHODS or bool(unsafe_header_names(headers, engine))


def request_headers_value(unsafe_names: list[str]) -> str:
    """The Access-Control-Request-Headers value: lower-cased, unique, sorted, no spaces."""
    return ",".join(sorted(set(unsafe_names)))
