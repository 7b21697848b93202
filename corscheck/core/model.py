"""Plain data that flows through the engine: what to check, what was sent, what came back."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

#: Header lines in wire order, duplicates kept: ``(("Vary", "Origin"), ("Vary", "Accept"))``.
HeaderLines = tuple[tuple[str, str], ...]


class Credentials(StrEnum):
    """fetch()'s ``credentials`` option."""

    OMIT = "omit"
    SAME_ORIGIN = "same-origin"
    INCLUDE = "include"


class Verdict(StrEnum):
    """Could the page's JavaScript read the response?"""

    ALLOWED = "allowed"
    BLOCKED = "blocked"
    #: The browser would fail with a network error (unreachable host, TLS, bad redirect, ...).
    ERROR = "error"
    #: A ``no-cors`` fetch succeeded, but JavaScript gets status 0, no headers and an empty body.
    OPAQUE = "opaque"


class Mode(StrEnum):
    """fetch()'s ``mode`` option."""

    CORS = "cors"
    NO_CORS = "no-cors"
    SAME_ORIGIN = "same-origin"


class AddressSpace(StrEnum):
    """Chromium's IP address spaces for Local Network Access, most private first."""

    LOOPBACK = "loopback"
    LOCAL = "local"
    PUBLIC = "public"


class LnaPermission(StrEnum):
    """The user's answer to Chromium's Local Network Access prompt."""

    GRANTED = "granted"
    DENIED = "denied"
    #: Not answered yet: Chromium asks the user (headless Chromium denies).
    PROMPT = "prompt"


class SameSite(StrEnum):
    """A cookie's SameSite attribute; ``unset`` is Chromium's Lax-by-default."""

    STRICT = "strict"
    LAX = "lax"
    NONE = "none"
    UNSET = "unset"


class ThirdPartyCookies(StrEnum):
    """The browser profile's third-party cookie setting (a regular Chrome profile allows them)."""

    ALLOW = "allow"
    BLOCK = "block"


@dataclass(frozen=True)
class Cookie:
    """One cookie in the browser's jar, with the attributes that decide where it is sent."""

    name: str
    value: str
    #: The host (host-only) or the Domain attribute, lower-case, without a leading dot.
    domain: str
    #: True: sent to ``domain`` exactly; False: to its subdomains too.
    host_only: bool
    path: str = "/"
    secure: bool = False
    http_only: bool = False
    same_site: SameSite = SameSite.UNSET


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class RequestKind(StrEnum):
    PREFLIGHT = "preflight"
    ACTUAL = "actual"
    #: An extra request with a made-up origin, to see whether the server echoes any origin.
    REFLECTION_PROBE = "reflection-probe"


@dataclass(frozen=True)
class Page:
    """What the browser knows about the page the fetch() runs on, beyond its origin."""

    #: The page's URL (Chromium names it in mixed-content messages); None: the origin + "/".
    url: str | None = None
    #: Enforced Content-Security-Policy values (each header line, or a ``<meta>`` policy).
    csp: tuple[str, ...] = ()
    #: Content-Security-Policy-Report-Only values: violations are logged, nothing is blocked.
    csp_report_only: tuple[str, ...] = ()
    #: The page's Cross-Origin-Embedder-Policy value, or None.
    coep: str | None = None
    #: The address space of the IP the page was loaded from; None derives it from the origin.
    address_space: AddressSpace | None = None

    def with_own(self, own: Page) -> Page:
        """This fetched page with policies given by hand (--csp/--coep, a check's own keys) added."""
        return replace(self, csp=self.csp + own.csp, coep=own.coep or self.coep)


@dataclass(frozen=True)
class RequestSpec:
    """The fetch() the page makes, as the user describes it."""

    url: str
    #: The page's serialised origin, or ``"null"``.
    origin: str
    method: str = "GET"
    #: Author headers as the page's script sets them (may include names fetch() drops).
    headers: HeaderLines = ()
    credentials: Credentials = Credentials.SAME_ORIGIN
    #: A ``Cookie`` header value the browser would attach when credentials are sent.
    cookie: str | None = None
    #: Cookies with attributes (--cookie-jar, --set-cookie), in the order they were set.
    cookies: tuple[Cookie, ...] = ()
    third_party_cookies: ThirdPartyCookies = ThirdPartyCookies.ALLOW
    #: Response header names the page's JavaScript needs to read.
    expose: tuple[str, ...] = ()
    #: Send a second request with a made-up origin to detect an echoed origin.
    probe_reflection: bool = True
    #: Never send a write: only the preflight, and the actual request only when it is GET or HEAD.
    preflight_only: bool = False
    mode: Mode = Mode.CORS
    page: Page = field(default_factory=Page)
    #: fetch()'s ``targetAddressSpace`` option.
    target_address_space: AddressSpace | None = None
    lna_permission: LnaPermission = LnaPermission.PROMPT
    #: The engine simulated: a name in corscheck.core.profiles.PROFILES.
    browser: str = "chromium"


@dataclass(frozen=True)
class PlannedRequest:
    """One request the engine wants the shell to send, exactly as the browser would."""

    kind: RequestKind
    method: str
    url: str
    headers: HeaderLines
    #: True when the body would be sent (the shell sends a small placeholder body).
    has_body: bool = False


@dataclass(frozen=True)
class ResponseHead:
    """What came back: status and every header line, in order, duplicates kept."""

    status: int
    headers: HeaderLines
    reason: str = ""
    http_version: str = "HTTP/1.1"
    #: The first bytes of an error response's body (at most ``BODY_PREVIEW_BYTES``), read only to
    #: recognise the server; empty for every other response. CORS is decided by the head alone.
    body: bytes = b""


#: How much of an error response's body the probe reads: enough for a framework's default message.
BODY_PREVIEW_BYTES = 4096


def wants_body_preview(status: int) -> bool:
    """Only error responses name their cause in the body (a refused preflight, a crash)."""
    return status >= 400


@dataclass(frozen=True)
class NetworkFailure:
    """A request that got no usable response (the browser's net::ERR_* cases)."""

    #: One of ``dns``, ``refused``, ``timeout``, ``tls``, ``protocol``, ``redirect``, ``other``.
    kind: str
    message: str
    url: str


@dataclass(frozen=True)
class Finding:
    """One observation about the exchange, tied to a rule in the registry."""

    code: str
    severity: Severity
    message: str
    #: Extra machine-readable facts (the offending value, the header name, ...).
    details: dict[str, Any] = field(default_factory=dict)
    #: What to change, in this request's own words; None means the rule's generic fix applies.
    fix: str | None = None
    #: A check the browser never reached: it would fail next, once the blocking one is fixed.
    #: Never part of the verdict or the console line.
    next: bool = False


@dataclass(frozen=True)
class Step:
    """One request sent and what (if anything) came back."""

    request: PlannedRequest
    response: ResponseHead | None
    #: Did this step pass the browser's checks? ``None`` when no check applies (same-origin).
    passed: bool | None = None


@dataclass(frozen=True)
class Hop:
    """One followed redirect."""

    from_url: str
    to_url: str
    status: int


@dataclass(frozen=True)
class PreflightCache:
    """How long the browser would cache the preflight result."""

    #: Access-Control-Max-Age as received (combined), or None.
    header: str | None
    #: Seconds Chromium would keep the entry (0 means not cached).
    chromium_seconds: int
    #: Seconds the simulated engine would keep it (``chromium_seconds`` for Chromium).
    seconds: int


@dataclass(frozen=True)
class ServerGuess:
    """A server or CORS middleware recognised from its responses; a guess that never decides the verdict."""

    #: The fingerprint's key, e.g. ``starlette``, ``nginx``.
    framework: str
    #: What was recognised, in words: "Starlette CORSMiddleware (FastAPI's too)".
    name: str
    #: ``certain`` (a message only this middleware writes), ``likely`` or ``possible``.
    confidence: str
    #: What was seen, one clue per entry.
    evidence: tuple[str, ...]
    #: The framework versions the fingerprint was taken from.
    versions: str
    #: The ``--fix-for`` name of this framework, where there is one.
    fix_for: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """Everything the engine concluded about one RequestSpec."""

    spec: RequestSpec
    verdict: Verdict
    #: The method after fetch()'s normalisation (``patch`` stays ``patch``).
    method: str
    #: Author headers the browser would really send (forbidden ones dropped, values trimmed).
    sent_headers: HeaderLines
    #: Every request in order (preflights, actual requests per hop, the reflection probe).
    steps: tuple[Step, ...]
    redirects: tuple[Hop, ...]
    #: Lower-case response header names JavaScript could read, sorted (empty when blocked).
    exposed_headers: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: The line Chromium's console would print, for a blocked request.
    browser_message: str | None = None
    preflight_cache: PreflightCache | None = None
    failure: NetworkFailure | None = None
    #: Was the request cross-origin (CORS applies) at any point?
    cross_origin: bool = True
    #: Servers and middleware recognised from the responses, most certain first (proxy and app).
    servers: tuple[ServerGuess, ...] = ()

    @property
    def preflight(self) -> Step | None:
        """The first preflight sent, if any."""
        return next((s for s in self.steps if s.request.kind is RequestKind.PREFLIGHT), None)

    @property
    def actual(self) -> Step | None:
        """The last actual request sent (the final hop), if any."""
        actual = [s for s in self.steps if s.request.kind is RequestKind.ACTUAL]
        return actual[-1] if actual else None

    @property
    def actual_withheld(self) -> bool:
        """True when --preflight-only kept back the actual request, so its response was never judged."""
        return self.spec.preflight_only and self.verdict is Verdict.ALLOWED and self.actual is None

    @property
    def unreadable_expose(self) -> tuple[str, ...]:
        """``--expose`` names JavaScript could not read (none are known when the actual request was
        withheld)."""
        if self.actual_withheld:
            return ()
        readable = set(self.exposed_headers)
        return tuple(n for n in self.spec.expose if n.lower() not in readable)
