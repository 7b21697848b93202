"""Header values that are credentials: masked in every output unless --show-secrets."""

from __future__ import annotations

from corscheck.core.model import HeaderLines

SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
MASK = "<masked>"


def mask_value(name: str, value: str, show_secrets: bool) -> str:
    return value if show_secrets or name.lower() not in SECRET_HEADERS else MASK


def mask_lines(lines: HeaderLines, show_secrets: bool) -> HeaderLines:
    return tuple((name, mask_value(name, value, show_secrets)) for name, value in lines)
