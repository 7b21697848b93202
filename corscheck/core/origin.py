"""Origins and URLs: parse, serialise, compare (Fetch Standard / HTML origin rules)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit, urlunsplit

from corscheck.core.errors import InputError

DEFAULT_PORTS = {"http": 80, "https": 443}
#: The serialisation of an opaque origin (sandboxed iframes, file: pages, tainted redirects).
NULL = "null"
#: Where an in-process app (no server, no host of its own) is reached: a path such as ``/items``
#: is checked as this URL, the host name Starlette's and Django's test clients use. https, as the
#: deployed API is: from an https page an http URL would be blocked as mixed content.
APP_BASE_URL = "https://testserver"


@dataclass(frozen=True)
class Origin:
    """A tuple origin, or the opaque origin when ``scheme`` is empty."""

    scheme: str = ""
    host: str = ""
    #: None when the port is the scheme's default (or the origin is opaque).
    port: int | None = None

    @property
    def opaque(self) -> bool:
        return not self.scheme

    def serialize(self) -> str:
        if self.opaque:
            return NULL
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{self.host}{port}"

    def __str__(self) -> str:
        return self.serialize()


OPAQUE = Origin()


def _normalise_host(host: str, source: str) -> str:
    """Lower-case, IDNA-encode and bracket the host as a browser serialises it.

    ``host`` comes from urllib's ``hostname``: already lower-cased, IPv6 brackets removed.
    """
    if not host:
        raise InputError(f"{source!r} has no host")
    if ":" in host:
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise InputError(f"{source!r} has an invalid IPv6 address") from None
    if _has_forbidden_domain_code_point(host):
        raise InputError(f"{source!r} has an invalid host")
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"{source!r} has a host that is not a valid domain name") from None
    # IDNA mapping can itself produce a forbidden code point (U+00A8 maps to a space), which the
    # URL Standard rejects after mapping.
    if _has_forbidden_domain_code_point(encoded) or not all(map(_valid_ace_label, encoded.split("."))):
        raise InputError(f"{source!r} has a host that is not a valid domain name")
    return encoded


#: Unicode categories no domain label may hold: controls, unassigned, surrogates, private use, spaces.
_NOT_IN_A_LABEL = frozenset({"Cc", "Cn", "Cs", "Co", "Zs"})


def _valid_ace_label(label: str) -> bool:
    """An ``xn--`` label must be Punycode for a non-ASCII label (UTS #46 ToASCII), as in Chromium:
    ``xn--a`` (which decodes to U+0080) makes the URL invalid."""
    if not label.startswith("xn--"):
        return True
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return (
        not decoded.isascii()
        and decoded.encode("punycode").decode("ascii") == label[4:]
        and not any(unicodedata.category(c) in _NOT_IN_A_LABEL for c in decoded)
    )


#: The URL Standard's forbidden domain code points: C0 controls, space, #/<>?@[\]^|%, DEL.
_FORBIDDEN_DOMAIN_CODE_POINT = re.compile(r"[\x00-\x20\x7f#/<>?@\[\\\]^|%]")
CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def _has_forbidden_domain_code_point(host: str) -> bool:
    return _FORBIDDEN_DOMAIN_CODE_POINT.search(host) is not None


def _split(text: str, what: str) -> SplitResult:
    if CONTROL_OR_SPACE.search(text):
        raise InputError(f"{what} {text!r} contains whitespace or control characters")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - urllib validates the port lazily
    except ValueError as err:
        raise InputError(f"{what} {text!r} is malformed: {err}") from None
    if parts.scheme not in DEFAULT_PORTS:
        looks_like_host = "://" not in text and not text.startswith(("/", "."))
        hint = f" (missing scheme? try https://{text})" if looks_like_host else ""
        raise InputError(f"{what} {text!r} must start with http:// or https://{hint}")
    if not parts.netloc:
        raise InputError(f"{what} {text!r} has no host")
    return parts


def _origin_from_parts(parts: SplitResult, source: str) -> Origin:
    host = _normalise_host(parts.hostname or "", source)
    port = parts.port
    if port == DEFAULT_PORTS[parts.scheme]:
        port = None
    return Origin(parts.scheme, host, port)


@lru_cache(maxsize=256)  # a run checks from the same few origins thousands of times
def parse_origin(text: str) -> Origin:
    """Parse a user-given origin: ``scheme://host[:port]`` or ``null``. Anything else is bad input."""
    if text == NULL:
        return OPAQUE
    parts = _split(text, "origin")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"origin {text!r} must not contain a user name or password")
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        extra = text[len(f"{parts.scheme}://{parts.netloc}") :]
        raise InputError(f"origin {text!r} has a path or query {extra!r}; an origin is scheme://host[:port]")
    return _origin_from_parts(parts, text)


def page_origin(text: str) -> tuple[str, str | None]:
    """The origin of what a user types for the page: an origin, the address bar's ``https://app/``
    or a whole page URL. Returns the origin and, when it is not what was typed, a note saying so."""
    if text.startswith("file:"):
        raise InputError(f"origin {text!r}: a file: page has an opaque origin; use null")
    try:
        parse_origin(text)
        return text, None
    except InputError:
        parts = _split(text, "origin")
        if parts.username is not None or parts.password is not None:
            raise
    origin = _origin_from_parts(parts, text).serialize()
    return origin, f"{text!r} is a page URL; checking from its origin {origin}"


@dataclass(frozen=True)
class Url:
    """A parsed http(s) URL with its origin."""

    text: str
    origin: Origin
    has_credentials: bool

    def without_credentials(self) -> str:
        """The URL as a browser sends it: user name and password removed."""
        if not self.has_credentials:
            return self.text
        parts = urlsplit(self.text)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=netloc))


def parse_url(text: str, what: str = "URL") -> Url:
    """Parse an absolute http(s) URL into the form a browser sends; raise InputError otherwise.

    The host is normalised like the origin, a default port is dropped, an empty path becomes "/"
    and the fragment (never sent) is removed.
    """
    parts = _split(text, what)
    origin = _origin_from_parts(parts, text)
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = origin.host + (f":{origin.port}" if origin.port is not None else "")
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    normalised = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Url(text=normalised, origin=origin, has_credentials=bool(userinfo))


def parse_fetch_url(text: str) -> Url:
    """A URL given to fetch(): as parse_url, but a user name or password is a TypeError."""
    url = parse_url(text)
    if url.has_credentials:
        raise InputError(f"URL {text!r} contains a user name or password: fetch() throws a TypeError")
    return url


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host spells (IPv6 with or without brackets), or None for a domain name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_potentially_trustworthy(url: Url) -> bool:
    """https, localhost and loopback: where Chromium sends the Sec-Fetch-* headers."""
    return is_trustworthy_origin(url.origin)


def is_trustworthy_origin(o: Origin) -> bool:
    """A potentially trustworthy origin (a secure context's); an opaque one never is."""
    if o.scheme == "https":
        return True
    if is_localhost_name(o.host):
        return True
    address = ip_literal(o.host)
    return address is not None and address.is_loopback


def registrable_domain(host: str) -> str:
    """The host's site without the scheme: an IP address itself, else its last two DNS labels.

    The browser uses the public-suffix list (``a.example.co.uk`` is on ``example.co.uk``); the core
    stays stdlib-only and I/O-free, so this approximation calls every ``*.co.uk`` host one site,
    and a single-label host (``localhost``) its own.
    """
    if ip_literal(host) is not None:
        return host
    return ".".join(host.split(".")[-2:])


def is_same_site(a: Origin, b: Origin) -> bool:
    """Schemeful same-site, as Chromium decides SameSite cookies and Sec-Fetch-Site: the same
    scheme and the same registrable domain (http and https pages are different sites)."""
    if a.opaque or b.opaque or a.scheme != b.scheme:
        return False
    return registrable_domain(a.host) == registrable_domain(b.host)


def site_relation(page: Origin, target: Origin) -> str:
    """The value of Sec-Fetch-Site: same-origin, same-site or cross-site."""
    if page == target:
        return "same-origin"
    return "same-site" if is_same_site(page, target) else "cross-site"


def is_localhost_name(host: str) -> bool:
    """``localhost`` and its subdomains, which browsers keep on the loopback interface by name."""
    return host == "localhost" or host.endswith(".localhost")
