"""The page's Content Security Policy as fetch() meets it: connect-src matching (CSP Level 3 §6.7)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from corscheck.core.origin import DEFAULT_PORTS, Origin, Url

#: Chromium's name for the directive that puts a page in the public address space.
TREAT_AS_PUBLIC_ADDRESS = "treat-as-public-address"
_HOST_SOURCE = re.compile(
    r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?P<host>\*|(?:\*\.)?[^:/]+)"
    r"(?::(?P<port>\*|[0-9]+))?(?P<path>/[^?#]*)?$"
)
_SCHEME_SOURCE = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*):$")


@dataclass(frozen=True)
class Violation:
    """A connect-src (or default-src) directive the URL does not match."""

    #: The directive as Chromium quotes it: ``connect-src 'self'``.
    directive: str
    #: True when connect-src is absent and default-src decided.
    fallback: bool
    report_only: bool


def directives(policy: str) -> dict[str, list[str]]:
    """One serialised policy as name -> source list; the first occurrence of a name wins."""
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens and tokens[0].lower() not in found:
            found[tokens[0].lower()] = tokens[1:]
    return found


def policies(values: tuple[str, ...]) -> list[str]:
    """Header values to policies: one header line may carry several, separated by commas."""
    return [policy for value in values for policy in value.split(",") if policy.strip()]


def treats_as_public_address(csp: tuple[str, ...]) -> bool:
    return any(TREAT_AS_PUBLIC_ADDRESS in directives(policy) for policy in policies(csp))


def connect_violations(
    url: Url, page: Origin, csp: tuple[str, ...], report_only: tuple[str, ...]
) -> list[Violation]:
    """Every policy whose connect-src (or default-src) does not allow ``url``; enforced ones first."""
    found = []
    for values, is_report_only in ((csp, False), (report_only, True)):
        for policy in policies(values):
            named = directives(policy)
            name = "connect-src" if "connect-src" in named else "default-src"
            if name not in named:
                continue
            sources = named[name]
            if not any(_source_matches(source, url, page) for source in sources):
                directive = " ".join([name, *sources])
                found.append(Violation(directive, name == "default-src", is_report_only))
    return found


def _source_matches(source: str, url: Url, page: Origin) -> bool:
    origin = url.origin
    lowered = source.lower()
    if lowered == "'none'":
        return False
    if lowered == "'self'":
        return origin == page or (
            (page.scheme, origin.scheme) == ("http", "https")
            and origin.host == page.host
            and origin.port in (None, page.port)
        )
    if lowered == "*":
        return origin.scheme in ("http", "https") or origin.scheme == page.scheme
    scheme_only = _SCHEME_SOURCE.match(source)
    if scheme_only:
        return _scheme_matches(scheme_only["scheme"].lower(), origin.scheme)
    host_source = _HOST_SOURCE.match(source)
    if host_source is None or source.startswith("'"):
        return False  # a nonce, hash or keyword: never a URL match
    scheme = (host_source["scheme"] or page.scheme).lower()
    if not _scheme_matches(scheme, origin.scheme):
        return False
    if not _host_matches(host_source["host"].lower(), origin.host):
        return False
    if not _port_matches(host_source["port"], scheme, origin):
        return False
    return _path_matches(host_source["path"], url.text)


def _scheme_matches(expected: str, actual: str) -> bool:
    """A source's scheme also allows its secure upgrade (http: allows https:)."""
    return actual == expected or (expected, actual) in (("http", "https"), ("ws", "wss"))


def _host_matches(pattern: str, host: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern.strip("[]") or host == pattern


def _port_matches(port: str | None, source_scheme: str, origin: Origin) -> bool:
    actual = origin.port if origin.port is not None else DEFAULT_PORTS.get(origin.scheme)
    if port == "*":
        return True
    if port is None:
        # No port in the source: only the URL scheme's default port.
        return origin.port is None
    if int(port) == actual:
        return True
    return source_scheme == "http" and int(port) == 80 and origin.scheme == "https" and actual == 443


def _path_matches(path: str | None, url: str) -> bool:
    if not path or path == "/":
        return True
    url_path = unquote(re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*", "", url).split("?")[0].split("#")[0])
    path = unquote(path)
    if path.endswith("/"):
        return url_path.startswith(path)
    return url_path == path
