"""Header lines as a browser reads them: case-insensitive names, repeated lines combined, token lists."""

from __future__ import annotations

import string
from functools import lru_cache

from corscheck.core.model import HeaderLines

#: RFC 9110 tchar: what an HTTP token (a method or header name) may contain.
TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
#: Spaces and tabs around a value are not part of it (the HTTP parser strips them).
HTTP_WHITESPACE = " \t"


def is_token(text: str) -> bool:
    return bool(text) and all(c in TOKEN_CHARS for c in text)


@lru_cache(maxsize=16)
def by_name(headers: HeaderLines) -> dict[str, list[str]]:
    """Lower-case name → stripped values in order, in first-seen order of names.

    The engine asks one head for a dozen headers; indexing it once is cheaper than a dozen scans
    (the tuple's hash is computed in C from the strings' cached hashes).
    """
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value.strip(HTTP_WHITESPACE))
    return grouped


def values(headers: HeaderLines, name: str) -> list[str]:
    """Every value of ``name`` in order, each stripped of surrounding spaces and tabs."""
    return list(by_name(headers).get(name.lower(), ()))


def combined(headers: HeaderLines, name: str) -> str | None:
    """The value the browser evaluates: all lines of ``name`` joined by ", ", or None if absent."""
    found = values(headers, name)
    return ", ".join(found) if found else None


def count(headers: HeaderLines, name: str) -> int:
    return len(values(headers, name))


def as_dict(headers: HeaderLines) -> dict[str, str]:
    """Lower-case name → combined value, in first-seen order."""
    return {name: ", ".join(found) for name, found in by_name(headers).items()}


def parse_token_list(value: str | None) -> list[str] | None:
    """Parse a comma-separated list of tokens (ACAM, ACAH, ACEH).

    Whitespace around elements and empty elements are ignored. Returns None when any element is not
    a token: Chromium then rejects (ACAM/ACAH) or ignores (ACEH) the whole header.
    An absent header is an empty list.
    """
    if value is None:
        return []
    items = [item.strip(HTTP_WHITESPACE) for item in value.split(",")]
    items = [item for item in items if item]
    return items if all(is_token(item) for item in items) else None


def printable(value: str) -> str:
    """Show non-printable characters as \\uXXXX, as Chromium's console does in its hints."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04X}" for c in value)
