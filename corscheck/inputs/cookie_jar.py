"""Read a cookie jar in the Netscape format `curl -c FILE` writes, one cookie a line:

    [#HttpOnly_]DOMAIN <TAB> INCLUDE-SUBDOMAINS <TAB> PATH <TAB> SECURE <TAB> EXPIRES <TAB> NAME <TAB> VALUE

The format has no SameSite, so every cookie gets Chromium's default (unset: Lax by default).
Lines starting with ``#`` (other than ``#HttpOnly_``) and blank lines are comments.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from corscheck.core.cookies import has_control_character, parse_set_cookie, stored
from corscheck.core.errors import InputError
from corscheck.core.model import Cookie
from corscheck.core.origin import parse_url

HTTP_ONLY_PREFIX = "#HttpOnly_"
_FLAGS = {"TRUE": True, "FALSE": False}


def parse_cookie_jar(text: str, *, now: float, source: str) -> tuple[Cookie, ...]:
    """The jar's cookies still alive at ``now`` (seconds since the epoch; expiry 0 is a session
    cookie). A malformed line is an InputError naming ``source`` and the line number."""
    cookies = []
    for number, line in enumerate(text.splitlines(), start=1):
        http_only = line.startswith(HTTP_ONLY_PREFIX)
        if http_only:
            line = line[len(HTTP_ONLY_PREFIX) :]
        elif not line.strip() or line.startswith("#"):
            continue
        cookie, expires = _parse_line(line, http_only, f"{source} line {number}")
        if expires == 0 or expires > now:
            cookies.append(cookie)
    return tuple(cookies)


def _parse_line(line: str, http_only: bool, where: str) -> tuple[Cookie, int]:
    line = line.rstrip("\r\n")
    if has_control_character(line) or any(ord(c) > 0xFF for c in line):
        raise InputError(f"{where}: a control character or a character outside Latin-1")
    fields = line.split("\t")
    if len(fields) == 6:  # curl writes an empty value as nothing after the last tab, or no tab
        fields.append("")
    if len(fields) != 7:
        raise InputError(f"{where}: expected 7 tab-separated fields (as curl -c writes), got {len(fields)}")
    domain, subdomains, path, secure, expires, name, value = fields
    if subdomains not in _FLAGS or secure not in _FLAGS:
        raise InputError(f"{where}: the 2nd and 4th fields must be TRUE or FALSE")
    try:
        expiry = int(expires)
    except ValueError:
        raise InputError(f"{where}: the expiry {expires!r} is not a number of seconds") from None
    host = domain.lstrip(".").lower()
    if not host or not path.startswith("/"):
        raise InputError(f"{where}: needs a domain and a path starting with /")
    cookie = Cookie(
        name=name,
        value=value,
        domain=host,
        host_only=not _FLAGS[subdomains],
        path=path,
        secure=_FLAGS[secure],
        http_only=http_only,
    )
    return cookie, expiry


def read_cookie_jar(path: Path) -> tuple[Cookie, ...]:
    """The live cookies of a `curl -c` file; an unreadable or malformed file is an InputError."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise InputError(f"cannot read the cookie jar {path}: {err.strerror or err}") from None
    return parse_cookie_jar(text, now=time.time(), source=str(path))


def browser_cookies(jar: tuple[Cookie, ...], set_cookies: Sequence[str], url: str) -> tuple[Cookie, ...]:
    """The browser's jar: the cookie jar's cookies, then each Set-Cookie line as if ``url`` (the
    checked URL) had sent it."""
    set_by = parse_url(url)
    return stored(jar + tuple(parse_set_cookie(line, set_by) for line in set_cookies))
