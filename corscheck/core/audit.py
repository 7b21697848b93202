"""`corscheck audit` without I/O: which probe requests to send, and what the answers let an attacker do.

The shell drives it in stages::

    audit = Audit(spec)
    while probes := audit.next_stage():
        for probe in probes:
            audit.receive(probe, send(probe.request))      # or audit.fail(probe, NetworkFailure(...))
    result = audit.result()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corscheck.core.access import ACAO, cors_check
from corscheck.core.audit_probes import (
    ALL_ENGINES,
    FAMILIES,
    FAMILY_BY_CODE,
    LEAD_CHARACTERS,
    NO_ENGINE,
    RISK_ORDER,
    SAFARI_ONLY,
    Basis,
    ProbeOrigin,
    Risk,
    likely_trusted,
)
from corscheck.core.headers import combined, values
from corscheck.core.model import HeaderLines, NetworkFailure, PlannedRequest, RequestKind, ResponseHead
from corscheck.core.origin import Origin, parse_fetch_url, parse_origin
from corscheck.core.preflight import check_preflight, preflight_headers
from corscheck.core.profiles import CHROMIUM, PROFILES
from corscheck.core.request import (
    USER_AGENT,
    check_header_value,
    needs_preflight,
    normalise_method,
    prepare_headers,
    unsafe_header_names,
)

TRUSTED = "TRUSTED"
#: An origin the URL's site likely trusts, tried when the user names none (``likely_trusted``).
CANDIDATE = "CANDIDATE"
#: The trusted origin's GET sent again with the user's cookies, and once more without (to tell a
#: per-user response from one that changes on every request).
WITH_COOKIES = "WITH-COOKIES"
WITHOUT_COOKIES = "WITHOUT-COOKIES"
#: The code of findings that are not about one probe origin.
WILDCARD = "AUDIT-WILDCARD"
VARY_MISSING = "AUDIT-VARY-MISSING"
PER_USER_READ = "AUDIT-PER-USER-READ"


@dataclass(frozen=True)
class Preflighted:
    """A request the user names with -X/-H that a browser preflights."""

    method: str
    unsafe_names: tuple[str, ...]

    def describe(self) -> str:
        names = f" with {', '.join(self.unsafe_names)}" if self.unsafe_names else ""
        return f"{self.method}{names}"


@dataclass(frozen=True)
class AuditSpec:
    """One URL to audit and what the user trusts."""

    url: str
    #: Origins the policy is meant to allow; empty means "learn them": the URL's own origin and the
    #: likely ones of its site (``likely_trusted``) that the server echoes, and the value a server
    #: sends whatever the Origin.
    trusted: tuple[str, ...] = ()
    #: The -X method and -H headers of the real request (a GET when not given).
    method: str = "GET"
    headers: HeaderLines = ()
    #: A random DNS label for made-up attacker names.
    token: str = "corscheck"
    #: The Cookie header the browser holds for the URL: the response is then fetched with and
    #: without it, to learn whether it is per-user.
    cookie: str | None = None
    #: The browser engines whose users count (--browser): an Origin only other engines send is no risk.
    browsers: tuple[str, ...] = ALL_ENGINES


@dataclass(frozen=True)
class ProbeRequest:
    """One request of the audit: a GET (or the user's preflight) from one probe origin."""

    probe: ProbeOrigin
    request: PlannedRequest
    #: Set for an OPTIONS preflight: the request it asks about.
    preflighted: Preflighted | None = None
    #: The shell returns the whole body too (in ``ResponseHead.body``): it is compared.
    read_body: bool = False


@dataclass
class Access:
    """What a page on one probe origin could do, as the browser judges the answers."""

    probe: ProbeOrigin
    #: The simple GET's response is readable without / with the user's cookies.
    read_anonymous: bool = False
    read_credentialed: bool = False
    #: Requests whose preflight passes with cookies (the server would receive them with cookies).
    preflights_credentialed: list[str] = field(default_factory=list)
    preflights_anonymous: list[str] = field(default_factory=list)
    #: Access-Control-Allow-Credentials as sent, when it is set but not exactly ``true``.
    credentials_value: str | None = None

    @property
    def with_cookies(self) -> bool:
        return self.read_credentialed or bool(self.preflights_credentialed)

    @property
    def any(self) -> bool:
        return self.with_cookies or self.read_anonymous or bool(self.preflights_anonymous)


@dataclass(frozen=True)
class AuditFinding:
    """One mistake found: a family of accepted probe origins, with the worst risk among them."""

    code: str
    risk: Risk
    message: str
    #: The accepted probe origins (empty for response-wide findings).
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditResult:
    url: str
    #: The trusted origins probed from (given, or learned).
    trusted: tuple[str, ...]
    findings: tuple[AuditFinding, ...]
    #: Requests sent for this URL (answered or failed).
    requests: int
    #: Set when the URL could not be audited (the trusted origin's request got no response).
    failure: NetworkFailure | None = None

    @property
    def worst(self) -> Risk | None:
        return min((f.risk for f in self.findings), key=RISK_ORDER.index, default=None)


def request_counts(spec: AuditSpec) -> tuple[int, int]:
    """Requests stage 1 sends for ``spec``, and the most stages 2 and 3 add when every trusted (or,
    while learning, likely trusted) origin is echoed (stated up front; they depend on the answers)."""
    audit = Audit(spec)
    first = len(audit.next_stage())
    second = sum(
        len(audit._requests_for(probe))
        for origin in [*audit._trusted, *audit._candidates]
        for stage in (2, 3)
        for probe in _stage_probes(audit._basis(origin), stage)
    )
    return first, second


def _stage_probes(basis: Basis, stage: int) -> list[ProbeOrigin]:
    return [probe for family in FAMILIES if family.stage == stage for probe in family.probes(basis)]


class Audit:
    """The probe plan for one URL, and the judgement of each answer by the browser's CORS rules."""

    def __init__(self, spec: AuditSpec) -> None:
        self.spec = spec
        self._url = parse_fetch_url(spec.url)
        self._trusted: list[Origin] = [parse_origin(o) for o in spec.trusted] or [self._url.origin]
        self._candidates = [] if spec.trusted else likely_trusted(self._url.origin)
        if spec.cookie is not None:
            check_header_value("Cookie", spec.cookie)
        method = normalise_method(spec.method)
        # One engine's request rules; several engines' users are judged by Chromium's.
        engine = PROFILES[spec.browsers[0]] if len(spec.browsers) == 1 else CHROMIUM
        prepared = prepare_headers(spec.headers, engine)
        self._preflighted: Preflighted | None = None
        if needs_preflight(method, prepared.sent, engine):
            self._preflighted = Preflighted(method, tuple(unsafe_header_names(prepared.sent, engine)))
        self._stage = 0
        self._sent = 0
        self._echoes: dict[str, ResponseHead] = {}  # trusted origin → its GET's answer
        self._heads: dict[str, ResponseHead] = {}  # probe origin → its GET's answer
        self._samples: dict[str, ResponseHead] = {}  # WITH_COOKIES / WITHOUT_COOKIES → the answer
        self._access: dict[str, Access] = {}
        self._failure: NetworkFailure | None = None
        self._learned: list[Origin] = []
        self._stage_bases: list[Basis] = []

    # --- planning ------------------------------------------------------------------------------

    def next_stage(self) -> list[ProbeRequest]:
        """The requests of the next stage (all may be sent at once), or [] when the audit is over."""
        self._stage += 1
        comparison = []
        if self._stage == 1:
            probes = [ProbeOrigin(o.serialize(), TRUSTED) for o in self._trusted]
            probes += [ProbeOrigin(o.serialize(), CANDIDATE) for o in self._candidates]
            probes += _stage_probes(self._basis(self._trusted[0]), 1)
            if self.spec.cookie is not None:
                comparison = self._cookie_comparison(self.spec.cookie)
        elif self._stage == 2 and self._failure is None:
            self._stage_bases = self._bases()
            probes = self._unsent(_stage_probes(basis, 2) for basis in self._stage_bases)
        elif self._stage == 3 and self._failure is None:
            bases = [b for b in self._stage_bases if self._special_character_let_in(b)]
            probes = self._unsent(_stage_probes(basis, 3) for basis in bases)
        else:
            return []
        return [request for probe in probes for request in self._requests_for(probe)] + comparison

    @property
    def stopped(self) -> bool:
        """The trusted origin's request got no answer: the rest of the stage need not be sent."""
        return self._failure is not None

    def _unsent(self, groups: Iterable[list[ProbeOrigin]]) -> list[ProbeOrigin]:
        seen = {o.serialize() for o in [*self._trusted, *self._candidates]} | set(self._access)
        probes = []
        for group in groups:
            for probe in group:
                if probe.origin not in seen:
                    seen.add(probe.origin)
                    probes.append(probe)
        return probes

    def _special_character_let_in(self, basis: Basis) -> bool:
        """A lead character got through where the prefix probe did not (a parser, not a prefix check)."""
        trusted = basis.trusted.serialize()
        hits = {
            a.probe.code
            for a in self._access.values()
            if a.any and a.probe.origin.startswith(tuple(trusted + c for c in (".", *LEAD_CHARACTERS)))
        }
        return "AUDIT-ORIGIN-SPECIAL-CHAR" in hits and "AUDIT-ORIGIN-POST-DOMAIN" not in hits

    def _basis(self, origin: Origin) -> Basis:
        return Basis(origin, self.spec.token)

    def _bases(self) -> list[Basis]:
        """Stage 2 runs from each trusted (or likely trusted) origin the server echoes while it
        refuses a random one."""
        attacker_origin = f"https://{self._basis(self._trusted[0]).attacker_site}"
        attacker = self._heads.get(attacker_origin)
        fixed_value = combined(attacker.headers, ACAO) if attacker else None
        if fixed_value is not None and (fixed_value == attacker_origin or not _is_origin(fixed_value)):
            return []  # an echo of anything, `*`, or a list: no allow-list to test
        bases = [o for o in self._trusted if self._echoed(o)]
        learned = [o for o in self._candidates if self._echoed(o)]
        self._learned += learned
        bases += learned
        if fixed_value not in (None, "null"):
            # A value sent to a refused origin (fixed, or a fallback) names an origin the server trusts.
            named = parse_origin(fixed_value)
            if named not in [*self._trusted, *self._learned]:
                self._learned.append(named)
            bases.append(named)
        return [self._basis(o) for o in dict.fromkeys(bases)]

    def _echoed(self, origin: Origin) -> bool:
        head = self._echoes.get(origin.serialize())
        return head is not None and combined(head.headers, ACAO) == origin.serialize()

    def _get(self, origin: str, *cookie: tuple[str, str]) -> PlannedRequest:
        headers = (("Accept", "*/*"), ("Origin", origin), ("User-Agent", USER_AGENT), *cookie)
        return PlannedRequest(RequestKind.ACTUAL, "GET", self._url.without_credentials(), headers)

    def _cookie_comparison(self, cookie: str) -> list[ProbeRequest]:
        """The trusted origin's GET with the user's cookies, and again without (its first GET is the
        other sample): whether the response is per-user."""
        origin = self._trusted[0].serialize()
        return [
            ProbeRequest(
                ProbeOrigin(origin, WITH_COOKIES), self._get(origin, ("Cookie", cookie)), read_body=True
            ),
            ProbeRequest(ProbeOrigin(origin, WITHOUT_COOKIES), self._get(origin), read_body=True),
        ]

    def _requests_for(self, probe: ProbeOrigin) -> list[ProbeRequest]:
        get = self._get(probe.origin)
        # With a cookie to compare, the trusted origin's body is the first sample without it.
        requests = [
            ProbeRequest(probe, get, read_body=probe.code == TRUSTED and self.spec.cookie is not None)
        ]
        if self._preflighted is not None and probe.code not in (TRUSTED, CANDIDATE):
            headers = preflight_headers(
                self._preflighted.method, list(self._preflighted.unsafe_names), probe.origin
            )
            options = PlannedRequest(
                RequestKind.PREFLIGHT, "OPTIONS", get.url, headers + (("User-Agent", USER_AGENT),)
            )
            requests.append(ProbeRequest(probe, options, self._preflighted))
        return requests

    # --- receiving -----------------------------------------------------------------------------

    def receive(self, probe: ProbeRequest, head: ResponseHead) -> None:
        self._sent += 1
        origin = probe.probe.origin
        if probe.probe.code in (WITH_COOKIES, WITHOUT_COOKIES):
            self._samples[probe.probe.code] = head
            return
        if probe.probe.code in (TRUSTED, CANDIDATE):
            self._echoes[origin] = head
            self._heads[origin] = head
            return
        access = self._access.setdefault(origin, Access(probe.probe))
        if probe.preflighted is None:
            self._heads[origin] = head
            access.read_anonymous = cors_check(head.headers, origin, False) is None
            access.read_credentialed = cors_check(head.headers, origin, True) is None
            credentials = combined(head.headers, "access-control-allow-credentials")
            if credentials not in (None, "true") and combined(head.headers, ACAO) == origin:
                access.credentials_value = credentials
            return
        request = probe.preflighted
        for include, passed in ((True, access.preflights_credentialed), (False, access.preflights_anonymous)):
            outcome = check_preflight(
                head,
                origin=origin,
                include_credentials=include,
                method=request.method,
                unsafe_names=list(request.unsafe_names),
            )
            if outcome.error is None:
                passed.append(request.describe())

    def fail(self, probe: ProbeRequest, failure: NetworkFailure) -> None:
        """A probe got no answer. Losing the trusted origin's answer ends the audit."""
        self._sent += 1
        if probe.probe.code == TRUSTED and self._failure is None:
            self._failure = failure

    # --- judging -------------------------------------------------------------------------------

    def result(self) -> AuditResult:
        trusted = tuple(o.serialize() for o in [*self._trusted, *self._learned])
        if self._failure is not None:
            return AuditResult(self.spec.url, trusted, (), self._sent, self._failure)
        findings = self._origin_findings() + self._response_findings()
        findings.sort(key=lambda f: (RISK_ORDER.index(f.risk), f.code))
        return AuditResult(self.spec.url, trusted, tuple(findings), self._sent)

    def _origin_findings(self) -> list[AuditFinding]:
        hits = [self._unexplained(a) for a in self._access.values() if a.any and not self._wildcard_only(a)]
        hits = [a for a in hits if a.any]
        prefixes = tuple(
            a.probe.origin.rpartition(".")[0].rpartition(".")[0]
            for a in hits
            if a.probe.code == "AUDIT-ORIGIN-POST-DOMAIN"
        )
        by_code: dict[str, dict[str, list[str]]] = {}
        risks: dict[str, list[Risk]] = {}
        for access in hits:
            code = access.probe.code
            if code != "AUDIT-ORIGIN-POST-DOMAIN" and prefixes and access.probe.origin.startswith(prefixes):
                continue  # a prefix check accepts it too: AUDIT-ORIGIN-POST-DOMAIN says so
            risk = self._risk(access)
            line = _describe(access, risk, self._engines(access))
            by_code.setdefault(code, {}).setdefault(line, []).append(access.probe.origin)
            risks.setdefault(code, []).append(risk)
        findings = []
        for code, described in by_code.items():
            family = FAMILY_BY_CODE[code]
            lines = [f"{family.title}. Likely cause: {family.mistake}"]
            lines += [f"{', '.join(origins)}: {text}" for text, origins in described.items()]
            origins = tuple(origin for group in described.values() for origin in group)
            worst = min(risks[code], key=RISK_ORDER.index)
            findings.append(AuditFinding(code, worst, "\n".join(lines), origins))
        return findings

    def _unexplained(self, access: Access) -> Access:
        """What is left of a hit once an echo of any origin (AUDIT-ORIGIN-REFLECTED) explains it:
        a server that echoes anything on GET (or on preflights) accepts every probe there."""
        if access.probe.code == "AUDIT-ORIGIN-REFLECTED":
            return access
        echoes = [a for a in self._access.values() if a.probe.code == "AUDIT-ORIGIN-REFLECTED"]
        left = Access(access.probe, credentials_value=access.credentials_value)
        if not any(a.read_anonymous for a in echoes):
            left.read_anonymous, left.read_credentialed = access.read_anonymous, access.read_credentialed
        if not any(a.preflights_anonymous for a in echoes):
            left.preflights_anonymous = access.preflights_anonymous
            left.preflights_credentialed = access.preflights_credentialed
        return left

    def _wildcard_only(self, access: Access) -> bool:
        """A `*` read is the public-API case (AUDIT-WILDCARD), not an allow-list mistake."""
        head = self._heads.get(access.probe.origin)
        return head is not None and combined(head.headers, ACAO) == "*" and not access.with_cookies

    def _engines(self, access: Access) -> tuple[str, ...]:
        """The audited engines that would load a page at this probe's origin."""
        return tuple(engine for engine in access.probe.engines if engine in self.spec.browsers)

    def _risk(self, access: Access) -> Risk:
        probe = access.probe
        engines = self._engines(access)
        if engines == NO_ENGINE:
            return Risk.INFO
        risk = FAMILY_BY_CODE[probe.code].credentialed_risk if access.with_cookies else Risk.LOW
        if engines == SAFARI_ONLY and risk is not Risk.INFO:
            risk = RISK_ORDER[RISK_ORDER.index(risk) + 1]
        return risk

    def _response_findings(self) -> list[AuditFinding]:
        findings = []
        values_sent = {origin: combined(head.headers, ACAO) for origin, head in self._heads.items()}
        if "*" in values_sent.values():
            findings.append(
                AuditFinding(
                    WILDCARD,
                    Risk.INFO,
                    "Access-Control-Allow-Origin: * lets any page read this response, never with cookies"
                    " (browsers do not send them to a `*` read). Not a vulnerability for a public"
                    " response; it is one only when the response is private by network position"
                    " (an intranet or an IP allow-list).",
                )
            )
        if self._per_user():
            findings += self._per_user_findings("*" in values_sent.values())
        echoed = [origin for origin, value in values_sent.items() if value == origin]
        dynamic = len(set(values_sent.values())) > 1
        unvaried = [origin for origin in echoed if not _varies_on_origin(self._heads[origin].headers)]
        if dynamic and unvaried:
            findings.append(
                AuditFinding(
                    VARY_MISSING,
                    Risk.LOW,
                    "Access-Control-Allow-Origin echoes the request's Origin, but the response has no"
                    " `Vary: Origin`: a shared cache can serve one origin's answer to another"
                    f" (echoed for {', '.join(unvaried[:3])}{' …' if len(unvaried) > 3 else ''}).",
                    tuple(unvaried),
                )
            )
        return findings

    def _per_user(self) -> bool:
        """The response changes with the user's cookies, and not between two requests without them
        (a page that changes on every request, a timestamp or a nonce, tells nothing)."""
        first = self._echoes.get(self._trusted[0].serialize())
        again = self._samples.get(WITHOUT_COOKIES)
        session = self._samples.get(WITH_COOKIES)
        if first is None or again is None or session is None:
            return False
        anonymous = (first.status, first.body)
        return (again.status, again.body) == anonymous and (session.status, session.body) != anonymous

    def _per_user_findings(self, wildcard: bool) -> list[AuditFinding]:
        """A per-user response that probe origins read without cookies (those that read with cookies
        have their family's worse finding)."""
        readers = tuple(
            a.probe.origin
            for a in self._access.values()
            if a.read_anonymous and not a.read_credentialed and self._engines(a) != NO_ENGINE
        )
        if not readers:
            return []
        who = "any origin (Access-Control-Allow-Origin: *)" if wildcard else ", ".join(readers)
        return [
            AuditFinding(
                PER_USER_READ,
                Risk.MEDIUM,
                "The response differs with and without the user's cookies, so it is per-user, and"
                f" {who} can read it without cookies. The browser sends no cookies with that read,"
                " but a server that also recognises the user another way (network position, an IP"
                " allow-list, a client certificate), which a probe cannot see, answers that page"
                " with the user's data.",
                readers,
            )
        ]


def _is_origin(value: str) -> bool:
    """A concrete serialised origin (not `*`, not a list)."""
    if value == "null":
        return True
    try:
        return parse_origin(value).serialize() == value
    except ValueError:
        return False


def _varies_on_origin(headers: HeaderLines) -> bool:
    names = {name.strip().lower() for value in values(headers, "vary") for name in value.split(",")}
    return "origin" in names or "*" in names


def _describe(access: Access, risk: Risk, engines: tuple[str, ...]) -> str:
    """One line: what a page there can do, and why that is the risk."""
    family = FAMILY_BY_CODE[access.probe.code]
    if engines == NO_ENGINE:
        return f"accepted, but no browser sends this Origin ({risk})."
    can = []
    if access.read_credentialed:
        can.append("read the response with the user's cookies")
    elif access.read_anonymous:
        can.append("read the response without cookies")
    if access.preflights_credentialed:
        can.append(f"pass the preflight for {', '.join(access.preflights_credentialed)} with cookies")
    elif access.preflights_anonymous:
        can.append(f"pass the preflight for {', '.join(access.preflights_anonymous)} without cookies")
    text = f"a page there can {' and '.join(can)} ({risk}: {family.attacker}"
    if engines == SAFARI_ONLY:
        text += "; Safari only"
    if not access.with_cookies:
        text += "; without cookies it sees only what an anonymous visitor sees"
    if access.credentials_value is not None:
        value = access.credentials_value
        text += f"; Access-Control-Allow-Credentials is {value!r}, browsers need exactly 'true'"
    return text + ")."
