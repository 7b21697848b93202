"""Cookies with attributes: a Set-Cookie line as the browser stores it, and which cookies the
browser attaches to each request (RFC 6265bis, as Chromium applies it to fetch()).

Preflights never carry cookies; the engine only asks about actual requests and redirect hops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from corscheck.core.errors import InputError
from corscheck.core.model import Cookie, SameSite, ThirdPartyCookies
from corscheck.core.origin import (
    Origin,
    Url,
    ip_literal,
    is_same_site,
    is_trustworthy_origin,
    registrable_domain,
)
from corscheck.core.request import check_header_value

#: Chromium refuses a cookie line holding a control character other than tab.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: RFC 6265bis: name plus value at most 4096 bytes, an attribute value at most 1024.
MAX_NAME_VALUE = 4096
MAX_ATTRIBUTE_VALUE = 1024


def has_control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None


def parse_set_cookie(line: str, set_by: Url) -> Cookie:
    """The cookie a ``Set-Cookie: line`` from ``set_by`` leaves in the browser's jar.

    Tolerant as a browser is: unknown attributes and values are ignored. What Chromium would not
    store at all (no name and no value, a Domain the URL is not in, Secure from plain http,
    SameSite=None without Secure, a broken __Secure-/__Host- prefix) is an InputError saying why.
    """
    if has_control_character(line):
        raise InputError("a --set-cookie value has a control character: the browser ignores the line")
    check_header_value("Set-Cookie", line)  # as -b: what HTTP/1.1 can carry
    pair, *attributes = line.split(";")
    name, equals, value = pair.partition("=")
    name, value = (name.strip(" \t"), value.strip(" \t")) if equals else ("", name.strip(" \t"))
    if not name and not value:
        raise InputError("a --set-cookie value has neither a name nor a value: the browser ignores it")
    if len(name) + len(value) > MAX_NAME_VALUE:
        raise InputError(f"cookie {name!r} is longer than {MAX_NAME_VALUE} bytes: the browser ignores it")
    host = set_by.origin.host
    domain, path, secure, http_only, same_site = "", "", False, False, SameSite.UNSET
    for attribute in attributes:
        key, _, raw = attribute.partition("=")
        key, raw = key.strip(" \t").lower(), raw.strip(" \t")
        if len(raw) > MAX_ATTRIBUTE_VALUE:
            continue
        if key == "domain":
            domain = raw.lstrip(".").lower()
        elif key == "path":
            path = raw
        elif key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = {"strict": SameSite.STRICT, "lax": SameSite.LAX, "none": SameSite.NONE}.get(
                raw.lower(), SameSite.UNSET
            )
        elif key == "max-age" and re.fullmatch(r"-?[0-9]+", raw) and int(raw) <= 0:
            raise InputError(f"cookie {name!r} has Max-Age={raw}: the browser deletes it at once")
    if domain and domain != host:
        _check_domain(name, domain, host)
    if not path.startswith("/"):
        path = default_path(set_by)
    if secure and not is_trustworthy_origin(set_by.origin):
        raise InputError(
            f"cookie {name!r} is Secure but set by {set_by.text}, plain http: the browser ignores it"
        )
    if same_site is SameSite.NONE and not secure:
        raise InputError(f"cookie {name!r} is SameSite=None without Secure: Chromium ignores it")
    _check_prefix(name, secure=secure, domain=domain, path=path)
    return Cookie(name, value, domain or host, not domain, path, secure, http_only, same_site)


def stored(cookies: tuple[Cookie, ...]) -> tuple[Cookie, ...]:
    """The jar after storing ``cookies`` in order: a cookie with the name, domain and path of an
    earlier one replaces it, as a browser's Set-Cookie does."""
    jar: dict[tuple[str, str, bool, str], Cookie] = {}
    for cookie in cookies:
        key = (cookie.name, cookie.domain, cookie.host_only, cookie.path)
        jar.pop(key, None)
        jar[key] = cookie
    return tuple(jar.values())


def _check_domain(name: str, domain: str, host: str) -> None:
    if ip_literal(host) is not None or not host.endswith("." + domain):
        raise InputError(
            f"cookie {name!r} has Domain={domain}, which {host} is not in: the browser ignores it"
        )
    if "." not in domain:
        # Without the public-suffix list only a one-label suffix (``com``, ``test``) is recognised.
        raise InputError(f"cookie {name!r} has Domain={domain}, a public suffix: the browser ignores it")


def _check_prefix(name: str, *, secure: bool, domain: str, path: str) -> None:
    lower = name.lower()
    if lower.startswith("__secure-") and not secure:
        raise InputError(f"cookie {name!r} has the __Secure- prefix but no Secure: the browser ignores it")
    if lower.startswith("__host-") and (not secure or domain or path != "/"):
        raise InputError(
            f"cookie {name!r} has the __Host- prefix, which needs Secure, Path=/ and no Domain:"
            " the browser ignores it"
        )


def default_path(url: Url) -> str:
    """RFC 6265's default-path: the URL's path up to, not including, its last ``/``."""
    path = urlsplit(url.text).path
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rindex("/")]


def domain_matches(cookie: Cookie, host: str) -> bool:
    if cookie.host_only or ip_literal(host) is not None:
        return host == cookie.domain
    return host == cookie.domain or host.endswith("." + cookie.domain)


def path_matches(cookie_path: str, request_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


class WithheldReason(StrEnum):
    """Why the browser keeps a cookie for the request's host off the request."""

    PATH = "path"
    CREDENTIALS = "credentials"
    SECURE = "secure"
    SAME_SITE_STRICT = "same-site-strict"
    SAME_SITE_LAX = "same-site-lax"
    #: No SameSite attribute: Chromium treats it as Lax (fetch() is never a top-level navigation,
    #: so the "Lax+POST within two minutes" allowance does not apply).
    SAME_SITE_UNSET = "same-site-unset"
    THIRD_PARTY_BLOCKED = "third-party-blocked"


@dataclass(frozen=True)
class Withheld:
    cookie: Cookie
    reason: WithheldReason


@dataclass(frozen=True)
class CookieChoice:
    """The cookies a request carries, in Chromium's order, and those for its host it does not."""

    sent: tuple[Cookie, ...]
    withheld: tuple[Withheld, ...]

    def header_value(self) -> str:
        return "; ".join(f"{c.name}={c.value}" if c.name else c.value for c in self.sent)


_SAME_SITE_REASONS = {
    SameSite.STRICT: WithheldReason.SAME_SITE_STRICT,
    SameSite.LAX: WithheldReason.SAME_SITE_LAX,
    SameSite.UNSET: WithheldReason.SAME_SITE_UNSET,
}


def choose(
    cookies: tuple[Cookie, ...],
    *,
    url: Url,
    page: Origin,
    credentials: bool,
    third_party: ThirdPartyCookies,
    schemeful: bool = True,
    unset_is_lax: bool = True,
    chain: tuple[Origin, ...] = (),
    secure_needs_https: bool = False,
) -> CookieChoice:
    """Which cookies a fetch() from ``page`` attaches to a request for ``url``.

    ``credentials``: whether the request's credentials mode sends cookies here at all. The page is
    the top-level document, so it is the "site for cookies": a request to another site (schemeful)
    carries only SameSite=None cookies, and none when third-party cookies are blocked. An engine
    whose same-site ignores the scheme (``schemeful`` false), or that reads a cookie without
    SameSite as None (``unset_is_lax`` false), says so. ``chain``: the origins of the redirect hops
    before this one, for an engine that counts a request cross-site when any of them was;
    ``secure_needs_https``: an engine that sends a Secure cookie only over https (not to http on
    loopback).
    """
    path = urlsplit(url.text).path or "/"
    cross_site = any(_cross_site(page, origin, schemeful) for origin in (*chain, url.origin))
    sent: list[Cookie] = []
    withheld: list[Withheld] = []
    for cookie in cookies:
        if not domain_matches(cookie, url.origin.host):
            continue  # a cookie of another host: not this request's business
        secure_ok = url.origin.scheme == "https" if secure_needs_https else is_trustworthy_origin(url.origin)
        reason = _reason_withheld(cookie, path, credentials, secure_ok, cross_site, third_party, unset_is_lax)
        if reason is None:
            sent.append(cookie)
        else:
            withheld.append(Withheld(cookie, reason))
    # Longer paths first; equal paths keep the order they were set in (Python's sort is stable).
    sent.sort(key=lambda c: -len(c.path))
    return CookieChoice(tuple(sent), tuple(withheld))


def _cross_site(page: Origin, target: Origin, schemeful: bool) -> bool:
    if schemeful:
        return not is_same_site(page, target)
    return page.opaque or registrable_domain(page.host) != registrable_domain(target.host)


def _reason_withheld(
    cookie: Cookie,
    path: str,
    credentials: bool,
    secure_ok: bool,
    cross_site: bool,
    third_party: ThirdPartyCookies,
    unset_is_lax: bool,
) -> WithheldReason | None:
    if not path_matches(cookie.path, path):
        return WithheldReason.PATH
    if not credentials:
        return WithheldReason.CREDENTIALS
    if cookie.secure and not secure_ok:
        return WithheldReason.SECURE
    same_site_none = cookie.same_site is SameSite.NONE or (
        cookie.same_site is SameSite.UNSET and not unset_is_lax
    )
    if cross_site and not same_site_none:
        return _SAME_SITE_REASONS[cookie.same_site]
    if cross_site and third_party is ThirdPartyCookies.BLOCK:
        return WithheldReason.THIRD_PARTY_BLOCKED
    return None
