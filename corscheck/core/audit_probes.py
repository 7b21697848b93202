"""The origins `corscheck audit` tries, each naming the allow-list mistake a hit reveals.

This table is the one place probes are defined; docs/audit.md is generated from it
(``render_audit_markdown``) and a test keeps the file in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from corscheck.core.model import Severity
from corscheck.core.origin import NULL, Origin, ip_literal, registrable_domain


class Risk(StrEnum):
    """What a browser would let an attacker do, worst first in ``RISK_ORDER``."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


RISK_ORDER = tuple(Risk)

#: Engines that load a page whose host holds the character, so that its scripts send that Origin.
ALL_ENGINES = ("chromium", "firefox", "safari")
SAFARI_ONLY = ("safari",)
NO_ENGINE: tuple[str, ...] = ()

#: Characters a broken host parser stops at (``https://app.example.com_.evil.net``). Chromium
#: resolves host names with ``_`` and ``-`` only (the others fail with ERR_NAME_NOT_RESOLVED;
#: tests/browser/test_audit_characters.py checks it), Firefox likewise; Safari loads hosts with the
#: others (PortSwigger's research). No browser sends ``^`` or ``|`` in a host: the URL Standard
#: forbids them in a domain.
SPECIAL_CHARACTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("_", ALL_ENGINES),
    ("-", ALL_ENGINES),
    ("`", SAFARI_ONLY),
    ("!", SAFARI_ONLY),
    ("~", SAFARI_ONLY),
    ("$", SAFARI_ONLY),
    ("&", SAFARI_ONLY),
    ("'", SAFARI_ONLY),
    ("(", SAFARI_ONLY),
    (")", SAFARI_ONLY),
    ("*", SAFARI_ONLY),
    ("+", SAFARI_ONLY),
    (",", SAFARI_ONLY),
    (";", SAFARI_ONLY),
    ("=", SAFARI_ONLY),
    ("{", SAFARI_ONLY),
    ("}", SAFARI_ONLY),
    ("^", NO_ENGINE),
    ("|", NO_ENGINE),
)

#: Hosts where anyone can publish a page with their own JavaScript (``{token}`` is a fresh name).
PUBLISH_ANYTHING_HOSTS = (
    "{token}.github.io",
    "codepen.io",
    "cdpn.io",
    "jsfiddle.net",
    "fiddle.jshell.net",
    "jsbin.com",
    "{token}.glitch.me",
    "{token}.netlify.app",
    "{token}.vercel.app",
    "{token}.pages.dev",
    "{token}.herokuapp.com",
)

#: Origins a developer's machine serves from; left in an allow-list, any local program can read.
DEVELOPMENT_ORIGINS = (
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:8080",
    "http://127.0.0.1:8000",
)


@dataclass(frozen=True)
class Basis:
    """What probe origins are derived from: one trusted origin and a fresh attacker name."""

    trusted: Origin
    #: A random DNS label, so that no real site's name is ever sent (``corscheck7f3a``).
    token: str

    @property
    def attacker_site(self) -> str:
        return f"{self.token}.com"

    @property
    def registrable_domain(self) -> str:
        """``example.com`` for ``app.example.com`` (see origin.registrable_domain for its limits)."""
        return registrable_domain(self.trusted.host)

    @property
    def is_domain(self) -> bool:
        host = self.trusted.host
        return "." in host and ip_literal(host.strip("[]")) is None

    def origin(self, host: str, scheme: str | None = None, port: int | None = None) -> str:
        return Origin(scheme or self.trusted.scheme, host, port).serialize()


#: Hosts a site's own pages are likely served from (``{domain}``: the URL's registrable domain).
#: Tried over https only: an http origin the server trusts is a mistake to report
#: (AUDIT-ORIGIN-HTTP), not an origin to learn.
LIKELY_TRUSTED_HOSTS = ("{domain}", "www.{domain}", "app.{domain}")


def likely_trusted(own: Origin) -> list[Origin]:
    """The origins to try as trusted when the user names none, besides the URL's own: its host over
    https (the scheme variant of an http URL) and the https origins of ``LIKELY_TRUSTED_HOSTS``."""
    basis = Basis(own, "")
    hosts = [own.host]
    if basis.is_domain:
        hosts += [host.format(domain=basis.registrable_domain) for host in LIKELY_TRUSTED_HOSTS]
    return [origin for origin in dict.fromkeys(Origin("https", host) for host in hosts) if origin != own]


@dataclass(frozen=True)
class ProbeOrigin:
    """One Origin to send, and who could send it from a real browser."""

    origin: str
    code: str
    #: Browsers that would send this exact Origin from a page an attacker controls.
    engines: tuple[str, ...] = ALL_ENGINES


@dataclass(frozen=True)
class Family:
    """One kind of allow-list mistake and the probe origins that reveal it."""

    code: str
    title: str
    #: The check in the server's code that lets these origins in.
    mistake: str
    #: Who can put a page on such an origin.
    attacker: str
    #: The risk when a page there can read with the user's cookies.
    credentialed_risk: Risk
    #: What to change on the server.
    fix: str
    #: Probe origins for a trusted origin (``Basis``); empty when the family does not apply.
    derive: Callable[[Basis], list[ProbeOrigin]]
    #: 1: sent for every URL; 2: sent only when the server echoes a trusted origin but not a random
    #: one; 3: sent only when a stage 2 probe of the same code was let in.
    stage: int = 2

    def probes(self, basis: Basis) -> list[ProbeOrigin]:
        return self.derive(basis)


def _one(code: str, build: Callable[[Basis], str | None]) -> Callable[[Basis], list[ProbeOrigin]]:
    def derive(basis: Basis) -> list[ProbeOrigin]:
        origin = build(basis)
        return [] if origin is None else [ProbeOrigin(origin, code)]

    return derive


def _domain_only(build: Callable[[Basis], str | None]) -> Callable[[Basis], str | None]:
    return lambda basis: build(basis) if basis.is_domain else None


def _unescaped_dot(basis: Basis) -> str | None:
    """``app.example.com`` → ``appxexample.com``: the dot before the registrable domain becomes a
    letter, which an unescaped ``.`` in a regex accepts; the result is a registrable domain."""
    labels = basis.trusted.host.split(".")
    if len(labels) < 3:
        return None
    return basis.origin(".".join(labels[:-3] + [labels[-3] + "x" + labels[-2], labels[-1]]))


#: Sent first: a parser that stops at one of these likely stops at the others, which are then tried.
LEAD_CHARACTERS = ("_", "`")


def _special_characters(lead: bool) -> Callable[[Basis], list[ProbeOrigin]]:
    def derive(basis: Basis) -> list[ProbeOrigin]:
        if not basis.is_domain:
            return []
        return [
            ProbeOrigin(
                f"{basis.trusted.scheme}://{basis.trusted.host}{char}.{basis.attacker_site}",
                "AUDIT-ORIGIN-SPECIAL-CHAR",
                engines,
            )
            for char, engines in SPECIAL_CHARACTERS
            if (char in LEAD_CHARACTERS) == lead
        ]

    return derive


def _publish_anything(basis: Basis) -> list[ProbeOrigin]:
    return [
        ProbeOrigin(f"https://{host.format(token=basis.token)}", "AUDIT-ORIGIN-PUBLISH-ANYTHING")
        for host in PUBLISH_ANYTHING_HOSTS
    ]


def _development(basis: Basis) -> list[ProbeOrigin]:
    return [ProbeOrigin(origin, "AUDIT-ORIGIN-DEVELOPMENT") for origin in DEVELOPMENT_ORIGINS]


def _subdomains(basis: Basis) -> list[ProbeOrigin]:
    if not basis.is_domain:
        return []
    hosts = dict.fromkeys(
        [f"{basis.token}.{basis.trusted.host}", f"{basis.token}.{basis.registrable_domain}"]
    )
    return [ProbeOrigin(basis.origin(host), "AUDIT-ORIGIN-SUBDOMAIN") for host in hosts]


def _other_port(basis: Basis) -> str:
    port = 8443 if basis.trusted.port != 8443 else 8444
    return basis.origin(basis.trusted.host, port=port)


def _upper_case(basis: Basis) -> list[ProbeOrigin]:
    # Browsers lower-case the host before they serialise an origin: no page sends this.
    origin = f"{basis.trusted.scheme}://{basis.trusted.host.upper()}"
    if basis.trusted.port is not None:
        origin += f":{basis.trusted.port}"
    if origin == basis.trusted.serialize():
        return []
    return [ProbeOrigin(origin, "AUDIT-ORIGIN-CASE", NO_ENGINE)]


#: Every probe family, in the order they are sent.
FAMILIES: tuple[Family, ...] = (
    Family(
        "AUDIT-ORIGIN-REFLECTED",
        "Any origin is accepted",
        "The server echoes the Origin it receives without checking it.",
        "any web site",
        Risk.CRITICAL,
        "Compare the Origin with an exact allow-list of full origins and echo only a match.",
        lambda b: [
            ProbeOrigin(f"https://{b.attacker_site}", "AUDIT-ORIGIN-REFLECTED"),
            ProbeOrigin(f"http://{b.attacker_site}", "AUDIT-ORIGIN-REFLECTED"),
        ],
        stage=1,
    ),
    Family(
        "AUDIT-ORIGIN-NULL",
        "The `null` origin is trusted",
        "`null` is in the allow-list (often to support file: pages or local development).",
        "any web site, from a sandboxed iframe (or a data: URL)",
        Risk.CRITICAL,
        "Remove `null` from the allow-list; in development, serve local pages from a real origin"
        " (http://localhost:PORT).",
        lambda b: [ProbeOrigin(NULL, "AUDIT-ORIGIN-NULL")],
        stage=1,
    ),
    Family(
        "AUDIT-ORIGIN-POST-DOMAIN",
        "A trusted origin followed by anything is accepted",
        "A prefix check (`origin.startsWith(trusted)`) or a regex without `$`.",
        "any web site (its own subdomain named after the trusted host)",
        Risk.CRITICAL,
        "Compare the whole origin for equality (a set lookup), or anchor the regex with `^…$`.",
        _one(
            "AUDIT-ORIGIN-POST-DOMAIN",
            _domain_only(lambda b: b.origin(f"{b.trusted.host}.{b.attacker_site}")),
        ),
    ),
    Family(
        "AUDIT-ORIGIN-PRE-DOMAIN",
        "Anything followed by the trusted domain is accepted",
        "A suffix check without a dot boundary (`origin.endsWith('example.com')`) or a regex"
        " without `^` or the `\\.` before the domain.",
        "anyone who registers a look-alike domain",
        Risk.CRITICAL,
        "Match `^https://([a-z0-9-]+\\.)*example\\.com$` (a dot boundary), or better an exact list.",
        _one("AUDIT-ORIGIN-PRE-DOMAIN", _domain_only(lambda b: b.origin(f"{b.token}{b.registrable_domain}"))),
    ),
    Family(
        "AUDIT-ORIGIN-UNESCAPED-DOT",
        "A dot in the trusted host matches any character",
        "A regex built from the host name with its dots unescaped (`app.example.com` also matches"
        " `appxexample.com`).",
        "anyone who registers a look-alike domain",
        Risk.CRITICAL,
        "Escape the dots (`re.escape`, `\\.`) or compare exact origins instead of a regex.",
        _one("AUDIT-ORIGIN-UNESCAPED-DOT", _unescaped_dot),
    ),
    Family(
        "AUDIT-ORIGIN-SPECIAL-CHAR",
        "A trusted host followed by a special character is accepted",
        "A host parser or regex that stops at a character it does not expect, so"
        " `app.example.com_.evil.net` passes as `app.example.com`.",
        "any web site, in the browsers that load such a host (see the character table)",
        Risk.CRITICAL,
        "Compare the whole origin for equality; do not parse out a host and compare a prefix of it.",
        _special_characters(lead=True),
    ),
    Family(
        "AUDIT-ORIGIN-PUBLISH-ANYTHING",
        "A host where anyone publishes JavaScript is trusted",
        "The allow-list trusts a shared hosting or code-playground site (`*.github.io`, `codepen.io`,"
        " …), usually left over from a demo.",
        "anyone with a free account on that host",
        Risk.CRITICAL,
        "Remove shared-hosting and playground hosts from the allow-list.",
        _publish_anything,
    ),
    Family(
        "AUDIT-ORIGIN-HTTP",
        "The trusted host is accepted over plain http",
        "The check ignores the scheme, or the allow-list keeps an `http://` entry.",
        "a network attacker (public Wi-Fi, a hostile proxy) who injects a page into http traffic",
        Risk.HIGH,
        "Allow only the `https://` origin; serve the site with HSTS.",
        _one(
            "AUDIT-ORIGIN-HTTP",
            lambda b: (
                b.origin(b.trusted.host, scheme="http", port=b.trusted.port)
                if b.trusted.scheme == "https"
                else None
            ),
        ),
    ),
    Family(
        "AUDIT-ORIGIN-SUBDOMAIN",
        "Every subdomain is trusted",
        "A wildcard such as `*.example.com` or `endsWith('.example.com')`.",
        "whoever finds an XSS or takes over a dangling DNS record on any subdomain",
        Risk.MEDIUM,
        "List the subdomains that need access instead of a wildcard.",
        _subdomains,
    ),
    Family(
        "AUDIT-ORIGIN-PRE-SUBDOMAIN",
        "Anything followed by the trusted host is accepted",
        "A suffix check on the full host without a dot boundary (`endsWith('app.example.com')`).",
        "whoever controls a page on a sibling subdomain (`evilapp.example.com`)",
        Risk.MEDIUM,
        "Require a dot boundary (`endsWith('.example.com')`) or list exact origins.",
        _one(
            "AUDIT-ORIGIN-PRE-SUBDOMAIN",
            lambda b: (
                b.origin(f"{b.token}{b.trusted.host}")
                if b.is_domain and b.trusted.host != b.registrable_domain
                else None
            ),
        ),
    ),
    Family(
        "AUDIT-ORIGIN-DEVELOPMENT",
        "A development origin is trusted",
        "`http://localhost:3000` and friends left in a production allow-list.",
        "any program or local web server on the user's own machine",
        Risk.MEDIUM,
        "Keep development origins out of the production allow-list (a per-environment setting).",
        _development,
    ),
    Family(
        "AUDIT-ORIGIN-PORT",
        "The trusted host is accepted on any port",
        "The check compares the host name only.",
        "whoever can run a server on another port of the trusted host",
        Risk.LOW,
        "Compare the whole origin, port included.",
        _one("AUDIT-ORIGIN-PORT", _other_port),
    ),
    Family(
        "AUDIT-ORIGIN-CASE",
        "The trusted host is accepted in upper case",
        "The check compares case-insensitively. Harmless by itself: browsers lower-case the host,"
        " so no page sends this Origin; but the same check may be loose in other ways.",
        "nobody: no browser sends an upper-case host",
        Risk.INFO,
        "Compare origins byte for byte, as browsers do.",
        _upper_case,
    ),
    Family(
        "AUDIT-ORIGIN-SPECIAL-CHAR",
        "A trusted host followed by a special character is accepted",
        "The same parser, tried with the other characters once `_` or `` ` `` got through.",
        "any web site, in the browsers that load such a host (see the character table)",
        Risk.CRITICAL,
        "Compare the whole origin for equality; do not parse out a host and compare a prefix of it.",
        _special_characters(lead=False),
        stage=3,
    ),
)

#: The first family of each code (a code's later stage repeats its texts).
FAMILY_BY_CODE: dict[str, Family] = {}
for _family in FAMILIES:
    FAMILY_BY_CODE.setdefault(_family.code, _family)

#: The example trusted origin the documentation derives its probes from.
EXAMPLE_BASIS = Basis(Origin("https", "app.example.com"), "evil")


def render_audit_markdown() -> str:
    """docs/audit.md, generated from ``FAMILIES`` (a test keeps the file in step)."""
    lines = [
        "# corscheck audit: probes and risks",
        "",
        "Generated from `corscheck/core/audit_probes.py`; do not edit.",
        "",
        "`corscheck audit URL --origin TRUSTED` sends one request per probe origin below (a GET, plus"
        " an OPTIONS preflight for each `-X`/`-H` request that needs one; never an unsafe method),"
        " then asks the browser engine whether a page on that origin could read the response, with"
        " and without the user's cookies. The examples derive from the trusted origin"
        f" `{EXAMPLE_BASIS.trusted}`; a real audit uses a fresh random name instead of `evil`.",
        "",
        "Without `--origin` the trusted origins are learned: stage 1 also sends the URL's site's"
        " likely origins (for `https://api.example.com`: "
        + ", ".join(f"`{o}`" for o in likely_trusted(Origin("https", "api.example.com")))
        + "; an `http://` URL's host over https too), and each one the server echoes is trusted,"
        " as is a fixed Access-Control-Allow-Origin sent whatever the Origin.",
        "",
        "Stage 1 (every URL) sends the trusted origins, a random site and `null`. Stage 2 (the other"
        " families) runs only when the server echoes a trusted origin but not the random one: an"
        " allow-list worth testing. A server that echoes anything is reported once as"
        " AUDIT-ORIGIN-REFLECTED; a fixed or `*` value cannot be fooled by a crafted Origin.",
        "",
        "## Risk",
        "",
        "The risk of a hit follows what the browser lets the attacker do:",
        "",
        "- A page there can read **with the user's cookies** (the response echoes the origin and"
        " `Access-Control-Allow-Credentials: true`, exactly lower-case): the family's risk below.",
        "  A preflight for `-X`/`-H` that passes with credentials counts the same: the server would"
        " receive that request with the user's cookies.",
        "- A page there can read **without cookies** only (no credentials, or `True` instead of"
        " `true`): low. It sees what an anonymous visitor sees; that matters for an API that"
        " trusts the network position (an intranet).",
        "- The audited browsers are those of `--browser` (default chromium; `all` for every"
        " engine). A character only Safari loads in a host: one step lower than the family's"
        " risk when Safari is audited.",
        "- An Origin none of the audited browsers sends (upper case, `^`, `|`; a Safari-only"
        " character when Safari is not audited): info. The server's check is loose, but no page"
        " in those browsers can exploit this hit.",
        "- `Access-Control-Allow-Origin: *`: info (AUDIT-WILDCARD). Browsers never send cookies"
        " with a `*` read, so a public API that sends it is not vulnerable.",
        "- An echoed origin without `Vary: Origin`: low (AUDIT-VARY-MISSING); a shared cache can"
        " serve one origin's answer to another.",
        "- With `-b COOKIES`, the trusted origin's GET is also sent with the cookies and once more"
        " without (2 requests). When the answer (status and body) differs with the cookies but not"
        " between the two without, the response is per-user, and a read without cookies from a"
        " probe origin (or `*`) is medium (AUDIT-PER-USER-READ): the browser sends no cookies, but"
        " a server that also recognises the user by network position, an IP allow-list or a client"
        " certificate, which a probe cannot see, hands that page the user's data.",
        "",
        "| code | probe origins (example) | the mistake | who can attack | risk with cookies |",
        "| --- | --- | --- | --- | --- |",
    ]
    for family in FAMILIES:
        origins = ", ".join(f"`{p.origin}`" for p in family.probes(EXAMPLE_BASIS)) or "–"
        lines.append(
            f"| {family.code} | {origins} | {family.mistake} | {family.attacker} |"
            f" {family.credentialed_risk} |"
        )
    lines += [
        "",
        "## Special characters",
        "",
        "Which browsers load a page whose host holds the character, so that its scripts send the"
        " Origin `https://app.example.com<c>.evil.com`. Chromium's column is checked against"
        " Chromium itself (tests/browser/test_audit_characters.py): its resolver refuses every other"
        " character (ERR_NAME_NOT_RESOLVED), though its URL parser accepts them, so a page reached"
        " through an HTTP proxy, which resolves names itself, can still send them. Firefox and"
        " Safari follow PortSwigger's published research and are not checked here.",
        "",
        "| character | browsers |",
        "| --- | --- |",
    ]
    for char, engines in SPECIAL_CHARACTERS:
        shown = {"`": "`` ` ``", "|": "`\\|`"}.get(char, f"`{char}`")
        lines.append(f"| {shown} | {', '.join(engines) or 'none (the URL Standard forbids it)'} |")
    return "\n".join(lines) + "\n"


#: The registry severity of an audit code: the level its worst risk maps to.
SEVERITY_OF_RISK = {
    Risk.CRITICAL: Severity.ERROR,
    Risk.HIGH: Severity.ERROR,
    Risk.MEDIUM: Severity.WARNING,
    Risk.LOW: Severity.WARNING,
    Risk.INFO: Severity.INFO,
}


def audit_rule_texts() -> list[tuple[str, Severity, str, str, str, str, str]]:
    """(code, severity, title, summary, why, fix, example) of every audit code, for the rule registry."""
    texts = [
        (
            family.code,
            SEVERITY_OF_RISK[family.credentialed_risk],
            family.title,
            f"`corscheck audit` sent a probe Origin and the response let it in. {family.mistake}",
            f"Who can attack: {family.attacker}. A read with the user's cookies is"
            f" {family.credentialed_risk}; without cookies, low. See docs/audit.md.",
            family.fix,
            "Origin: "
            + (
                ", ".join(p.origin for p in family.probes(EXAMPLE_BASIS)[:2])
                or "(derived from the trusted origin)"
            )
            + "\nAccess-Control-Allow-Origin: (the same)\nAccess-Control-Allow-Credentials: true",
        )
        for family in FAMILY_BY_CODE.values()
    ]
    texts += [
        (
            "AUDIT-WILDCARD",
            Severity.INFO,
            "Any origin may read without cookies",
            "The response sends `Access-Control-Allow-Origin: *`; browsers let any page read it, never"
            " with cookies.",
            "Right for a public API. A vulnerability only when the response is private by network"
            " position (an intranet, an IP allow-list), which corscheck cannot see.",
            "Keep `*` for public data; for private data, allow-list exact origins.",
            "Access-Control-Allow-Origin: *",
        ),
        (
            "AUDIT-PER-USER-READ",
            Severity.WARNING,
            "A per-user response is readable without cookies",
            "`corscheck audit -b COOKIES` fetched the response with and without the user's cookies;"
            " it differs (and not between two requests without), and a probe origin can read the"
            " response without cookies.",
            "The browser sends no cookies with that read, so the page gets the anonymous answer,"
            " unless the server also recognises the user without cookies: by network position (an"
            " intranet, a VPN), an IP allow-list or a client certificate, which a probe cannot see."
            " Then the page reads the user's data: medium.",
            "Let only the origins that need it read a per-user response (an exact allow-list, not `*`"
            " or an echo), and do not identify users by network position alone.",
            "Origin: https://evil.com\nAccess-Control-Allow-Origin: *\n(the body changes with the"
            " Cookie header)",
        ),
        (
            "AUDIT-VARY-MISSING",
            Severity.WARNING,
            "An echoed origin without Vary: Origin",
            "Access-Control-Allow-Origin changes with the request's Origin but the response does not"
            " say `Vary: Origin`.",
            "A shared cache (CDN, proxy) may store the answer for one origin and serve it to another:"
            " a cache-poisoning risk, and CORS errors for legitimate origins.",
            "Add `Vary: Origin` to every response whose Access-Control-Allow-Origin depends on the Origin.",
            "Access-Control-Allow-Origin: https://app.example.com\n(no Vary: Origin)",
        ),
    ]
    return texts
