"""The Exchange state machine: asks for the next request to send, takes the response head, concludes.

The shell drives it::

    exchange = Exchange(spec)
    while (request := exchange.next_request()) is not None:
        exchange.receive(send(request))        # or exchange.fail(NetworkFailure(...))
    result = exchange.result()
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin

from corscheck.core import cookies, lint, mixed_content
from corscheck.core.access import ACAO, cors_check
from corscheck.core.csp import connect_violations
from corscheck.core.diagnosis import Failure, diagnose
from corscheck.core.explain import blocking_finding
from corscheck.core.exposure import (
    ACEH,
    NEVER_READABLE,
    Exposure,
    cors_exposure,
    is_application_header,
    same_origin_exposure,
)
from corscheck.core.fingerprints import POSSIBLE, recognise
from corscheck.core.headers import combined, printable
from corscheck.core.local_network import (
    address_space,
    is_assumed,
    local_network_error,
    more_private,
    page_address_space,
)
from corscheck.core.mend import mend, merged_list
from corscheck.core.messages import (
    CorsError,
    CorsErrorKind,
)
from corscheck.core.model import (
    AddressSpace,
    CheckResult,
    Credentials,
    Finding,
    HeaderLines,
    Hop,
    LnaPermission,
    Mode,
    NetworkFailure,
    PlannedRequest,
    PreflightCache,
    RequestKind,
    RequestSpec,
    ResponseHead,
    ServerGuess,
    Severity,
    Step,
    Verdict,
)
from corscheck.core.origin import (
    NULL,
    Origin,
    Url,
    is_potentially_trustworthy,
    is_trustworthy_origin,
    parse_fetch_url,
    parse_origin,
    parse_url,
    site_relation,
)
from corscheck.core.preflight import check_preflight, preflight_headers
from corscheck.core.profiles import PROFILES
from corscheck.core.redirects import (
    DROPPED_ON_CROSS_ORIGIN_HOP,
    RedirectFailure,
    RedirectState,
    follow,
    location_of,
)
from corscheck.core.request import (
    SAFELISTED_METHODS,
    USER_AGENT,
    check_header_value,
    is_safelisted_header,
    needs_preflight,
    normalise_method,
    prepare_headers,
    unsafe_header_names,
)
from corscheck.core.resource_policy import blocked_reason, coep_requires_corp
from corscheck.core.rules import RULES, rule_for

#: The made-up origin of the reflection probe (``.invalid`` can never be a real site).
PROBE_ORIGIN = "https://corscheck-probe.invalid"
_SITE_ORDER = ("same-origin", "same-site", "cross-site")
#: The only headers a no-cors request keeps (with a CORS-safelisted value).
_NO_CORS_HEADERS = ("accept", "accept-language", "content-language", "content-type")
#: The Content-Type of a string body, when no-cors dropped the one the script set.
_STRING_BODY_TYPE = "text/plain;charset=UTF-8"


def _finding(code: str, message: str, **details: object) -> Finding:
    return Finding(code, RULES[code].severity, message, dict(details))


def _dropped_header_finding(name: str) -> Finding:
    if name.lower() == "cookie":
        fix = (
            "Remove the Cookie header from the page's code; to send the browser's cookies use"
            " fetch(url, {credentials: 'include'})."
        )
    else:
        fix = (
            f"Remove {name} from the page's code: the browser sets it itself (or never),"
            " and no script can change that."
        )
    finding = _finding(
        "CORS-REQUEST-FORBIDDEN-HEADER",
        f"fetch() silently drops the forbidden request header {name!r}; it is not sent.",
        header=name,
    )
    return replace(finding, fix=fix)


_LNA_REASONS = {
    CorsErrorKind.LNA_INSECURE_CONTEXT: "a page that is not a secure context may not reach it",
    CorsErrorKind.LNA_PERMISSION_DENIED: "the user's permission to reach it was denied",
    CorsErrorKind.LNA_TARGET_MISMATCH: "fetch()'s targetAddressSpace names another space",
}


class Exchange:
    """One fetch() simulated step by step, as the engine of ``spec.browser`` would run it."""

    def __init__(self, spec: RequestSpec) -> None:
        self.spec = spec
        self._engine = PROFILES[spec.browser]
        self._page: Origin = parse_origin(spec.origin)
        url = parse_fetch_url(spec.url)
        method = self._method = normalise_method(spec.method)
        if spec.cookie is not None:
            check_header_value("Cookie", spec.cookie)
        prepared = prepare_headers(spec.headers, self._engine)
        self._include = spec.credentials is Credentials.INCLUDE
        self._mode = spec.mode
        self._findings: list[Finding] = [_dropped_header_finding(name) for name in prepared.dropped]
        self._jar_origin = url.origin
        self._sent_headers = (
            self._no_cors_headers(prepared.sent) if self._mode is Mode.NO_CORS else prepared.sent
        )
        self._secure_page = is_trustworthy_origin(self._page)
        self._page_space = page_address_space(spec.page, self._page)
        #: True when that space is only inferred from the page origin's host name (no --page).
        self._page_space_assumed = is_assumed(spec.page, self._page)
        #: The request the shell has told us the address of (see connect()).
        self._connected: PlannedRequest | None = None
        #: LINT-COOKIE-WITHHELD findings of the planned actual request, noted once it is sent.
        self._withheld_cookies: list[Finding] = []
        #: The line Chromium prints for a refusal that is not a CorsError.
        self._console_line: str | None = None
        #: The status of the response that failed the CORS check (some engines name it).
        self._error_status: int | None = None
        #: Where that response redirected to, when it was a redirect (some engines name it).
        self._error_location: str | None = None
        #: A preflight was sent (some engines then preflight every later hop).
        self._preflighted = False
        self._state = RedirectState(
            url=url,
            method=method,
            headers=self._sent_headers,
            cors=url.origin != self._page,
            tainted=False,
            redirect_count=0,
        )
        self._site = site_relation(self._page, url.origin)
        self._steps: list[Step] = []
        self._hops: list[Hop] = []
        self._verdict: Verdict | None = None
        self._error: CorsError | None = None
        self._blocked: Failure | None = None
        self._error_url = url.text
        self._failure: NetworkFailure | None = None
        self._exposure: Exposure | None = None
        self._cache: PreflightCache | None = None
        self._pending: PlannedRequest | None = None
        if self._mode is Mode.NO_CORS and method not in SAFELISTED_METHODS:
            self._refuse(
                "CORS-NO-CORS-METHOD",
                f"fetch() throws before sending: {method!r} is unsupported in no-cors mode"
                " (only GET, HEAD and POST).",
                self._engine.console.no_cors_method.format(method=method),
                method=method,
            )
        else:
            self._pending = self._next_for_current_url()

    # --- the protocol --------------------------------------------------------------------------

    def next_request(self) -> PlannedRequest | None:
        """The request to send now, or None when the exchange is over."""
        return self._pending

    def receive(self, head: ResponseHead) -> None:
        """Take the response head to the request last returned by next_request()."""
        request = self._pending
        if request is None:
            raise RuntimeError("receive() called with no request pending")
        self._pending = None
        if request.kind is RequestKind.PREFLIGHT:
            self._receive_preflight(request, head)
        elif request.kind is RequestKind.ACTUAL:
            self._note_withheld_cookies()
            self._receive_actual(request, head)
        else:
            self._steps.append(Step(request, head))

    def wants_address(self) -> bool:
        """Does the pending request's IP address matter (Local Network Access)? Then the shell
        resolves its host and calls connect() before sending it."""
        pending = self._pending
        if pending is None or pending is self._connected or pending.kind is RequestKind.REFLECTION_PROBE:
            return False
        if not self._engine.local_network_access:
            return False
        return self._page_space not in (None, AddressSpace.LOOPBACK)

    def connect(self, address: str) -> None:
        """The pending request is about to go to IP ``address``: Chromium's Local Network Access
        check happens now, before anything is sent; a refusal ends the exchange."""
        request = self._pending
        if request is None or self._page_space is None:
            raise RuntimeError("connect() called when wants_address() is False")
        self._connected = request
        target = address_space(address)
        error = local_network_error(
            page_space=self._page_space,
            secure_page=self._secure_page,
            target=target,
            target_option=self.spec.target_address_space,
            permission=self.spec.lna_permission,
        )
        if error is not None:
            self._pending = None
            self._verdict = Verdict.BLOCKED
            self._error = error
            self._error_url = request.url
            code = rule_for(error.kind).code
            self._findings.insert(
                0,
                _finding(
                    code,
                    f"{request.url} is at {address} ({target} address space); the page is in the"
                    f" {self._page_space} address space{self._page_space_basis()}:"
                    f" {_LNA_REASONS[error.kind]}.",
                    url=request.url,
                    address=address,
                    address_space=target.value,
                    page_address_space=self._page_space.value,
                ),
            )
            return
        # A prompt is only worth a warning when corscheck knows where the page is: an origin's host
        # name alone is a guess, and most checks of a local server from a deployed origin are tests.
        prompted = (
            more_private(target, self._page_space)
            and self.spec.lna_permission is LnaPermission.PROMPT
            and not self._page_space_assumed
        )
        if prompted and not any(f.code == "CORS-LNA-PERMISSION-PROMPT" for f in self._findings):
            self._findings.append(
                _finding(
                    "CORS-LNA-PERMISSION-PROMPT",
                    f"{request.url} is at {address} ({target} address space), more private than the"
                    f" page ({self._page_space}): Chromium asks the user first; corscheck assumed"
                    " the user allowed it.",
                    url=request.url,
                    address=address,
                    address_space=target.value,
                    page_address_space=self._page_space.value,
                )
            )

    def _log_network_error(self, url: str, cross_origin: bool) -> None:
        """Some engines log a line for every CORS request that ends in a network error."""
        line = self._engine.console.network_error
        if line is not None and cross_origin and self._mode is Mode.CORS:
            self._console_line = line.format(url=url)

    def _page_space_basis(self) -> str:
        """Says so when the page's address space is only inferred from its origin's host name."""
        if not self._page_space_assumed:
            return ""
        return (
            f" (assumed from the host name {self._page.host}, as for a deployed site; --page URL"
            " lets corscheck see where the page really is)"
        )

    def fail(self, failure: NetworkFailure) -> None:
        """The request last returned by next_request() got no usable response."""
        request = self._pending
        self._pending = None
        if request is None:
            return
        self._steps.append(Step(request, None, passed=False))
        if request.kind is RequestKind.REFLECTION_PROBE:
            return  # the check itself already concluded
        if request.kind is RequestKind.ACTUAL:
            self._note_withheld_cookies()
        self._failure = failure
        self._verdict = Verdict.ERROR
        self._log_network_error(request.url, self._state.cors)
        stage = "preflight" if request.kind is RequestKind.PREFLIGHT else "actual"
        self._findings.insert(
            0,
            _finding(
                "CORS-NETWORK-FAILURE",
                f"{failure.message} ({request.method} {request.url})",
                stage=stage,
                kind=failure.kind,
                url=failure.url,
            ),
        )

    def result(self) -> CheckResult:
        if self._pending is not None or self._verdict is None:
            raise RuntimeError("result() called before the exchange finished")
        findings = self._findings + lint.findings(
            steps=self._steps,
            page_origin=self._page.serialize(),
            include_credentials=self._include,
            tainted=self._state.tainted,
            exposure=self._exposure,
            verdict=self._verdict,
            cache=self._cache,
            unsafe_request_headers=self._initial_unsafe_names(),
            sent_headers=self._sent_headers,
            probe_origin=PROBE_ORIGIN,
        )
        findings += self._expose_findings()
        servers = recognise(step.response for step in self._steps if step.response is not None)
        findings += self._server_findings(servers, findings)
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        findings.sort(key=lambda f: order[f.severity])
        message = self._console_line
        if self._error is not None:
            message = self._engine.console.render(
                self._error,
                url=self._error_url,
                first_url=self._steps[0].request.url if self._steps else self._error_url,
                origin=self._page.serialize(),
                status=self._error_status,
                sent_origin=self._origin_sent,
                location=self._error_location,
            )
        readable = self._exposure.readable if self._exposure and self._verdict is Verdict.ALLOWED else ()
        return CheckResult(
            spec=self.spec,
            verdict=self._verdict,
            method=self._method,
            sent_headers=self._sent_headers,
            steps=tuple(self._steps),
            redirects=tuple(self._hops),
            exposed_headers=readable,
            findings=tuple(findings),
            browser_message=message,
            preflight_cache=self._cache,
            failure=self._failure,
            cross_origin=self._state.cors,
            servers=servers,
        )

    def _server_findings(self, servers: tuple[ServerGuess, ...], findings: list[Finding]) -> list[Finding]:
        """What the recognised servers are, and which of their settings to change: added findings only."""
        unexposed = tuple(
            f.details["header"]
            for f in findings
            if f.code == "CORS-EXPOSE-MISSING" and f.details["cause"] == "not-exposed"
        )
        actual = self._steps_of(RequestKind.ACTUAL)
        final = actual[-1].response if actual else None
        settings = diagnose(servers, self._blocked, unexposed, final)
        named = {finding.details["framework"] for finding in settings}
        # A bare "possible" is not worth a finding of its own, only the evidence behind a setting.
        sure = [s for s in servers if s.confidence != POSSIBLE or s.framework in named]
        if not sure:
            return settings
        described = " ".join(
            f"{s.name}, {s.confidence}: {'; '.join(s.evidence)} (fingerprints from {s.versions})."
            for s in sure
        )
        recognised = _finding(
            "LINT-SERVER-RECOGNISED",
            f"Recognised {described}",
            servers=[s.framework for s in sure],
            confidence=sure[0].confidence,
        )
        return [recognised, *settings]

    # --- planning ------------------------------------------------------------------------------

    @property
    def _origin_sent(self) -> str:
        return NULL if self._state.tainted else self._page.serialize()

    @property
    def _preflight_origin(self) -> str:
        """The Origin a preflight carries and its response is checked against."""
        if self._engine.tainted_preflight_uses_page_origin:
            return self._page.serialize()
        return self._origin_sent

    def _origin_checked(self, stage: str) -> str:
        return self._preflight_origin if stage == "preflight" else self._origin_sent

    def _initial_unsafe_names(self) -> list[str]:
        return unsafe_header_names(self._sent_headers, self._engine)

    def _preflight_unsafe_names(self) -> list[str]:
        """The names a preflight lists: the current request's, or (in an engine that keeps them)
        those fetch() set, even where a redirect removed one."""
        if self._engine.preflight_lists_original_headers:
            return self._initial_unsafe_names()
        return unsafe_header_names(self._state.headers, self._engine)

    def _fetch_metadata(self, url: Url, mode: Mode) -> HeaderLines:
        """Chromium's Sec-Fetch-* headers, sent only to potentially trustworthy URLs."""
        if not is_potentially_trustworthy(url):
            return ()
        return (
            ("Sec-Fetch-Site", self._site),
            ("Sec-Fetch-Mode", mode.value),
            ("Sec-Fetch-Dest", "empty"),
        )

    def _no_cors_headers(self, headers: HeaderLines) -> HeaderLines:
        """What a no-cors request keeps: safelisted headers only, dropped without an error."""
        kept = [
            (n, v)
            for n, v in headers
            if n.lower() in _NO_CORS_HEADERS and is_safelisted_header(n, v, self._engine)
        ]
        for name, value in headers:
            if (name, value) in kept:
                continue
            self._findings.append(
                _finding(
                    "CORS-NO-CORS-HEADER-DROPPED",
                    f"mode 'no-cors' silently drops the request header {name!r}; it is not sent.",
                    header=name,
                )
            )
            if name.lower() == "content-type":
                # The body is still sent; as a string it gets the string type.
                kept.append(("Content-Type", _STRING_BODY_TYPE))
        return tuple(kept)

    def _next_for_current_url(self) -> PlannedRequest | None:
        """The request for the current URL, unless the page's own rules refuse it before sending."""
        if self._refused_before_sending(self._state.url):
            return None
        state = self._state
        if state.cors and self._mode is Mode.CORS and self._needs_preflight(state):
            return self._plan_preflight()
        return self._plan_actual_unless_withheld()

    def _needs_preflight(self, state: RedirectState) -> bool:
        kept = self._preflighted and self._engine.redirect_keeps_preflight
        return kept or needs_preflight(state.method, state.headers, self._engine)

    def _plan_actual_unless_withheld(self) -> PlannedRequest | None:
        """The actual request, or None (and the exchange ends) when --preflight-only keeps a write back."""
        state = self._state
        if not self.spec.preflight_only or state.method in ("GET", "HEAD"):
            return self._plan_actual()
        self._verdict = Verdict.ALLOWED
        self._findings.append(
            _finding(
                "LINT-ACTUAL-NOT-SENT",
                f"--preflight-only: the actual {state.method} {state.url.text} was not sent, so its response"
                " (which needs Access-Control-Allow-Origin too) is not judged.",
                method=state.method,
                url=state.url.text,
            )
        )
        return None

    def _refused_before_sending(self, url: Url) -> bool:
        """The renderer's checks, in Chromium's order: CSP connect-src, mixed content, request mode."""
        page = self.spec.page
        for violation in connect_violations(url, self._page, page.csp, page.csp_report_only):
            line = self._engine.console.csp_line(
                url.text, violation.directive, fallback=violation.fallback, report_only=violation.report_only
            )
            if violation.report_only:
                self._findings.append(
                    _finding(
                        "CORS-CSP-REPORT-ONLY",
                        f'The page\'s report-only policy "{violation.directive}" does not allow {url.text};'
                        " the browser logs it and sends the request.",
                        directive=violation.directive,
                        console=line,
                    )
                )
                continue
            self._refuse(
                "CORS-CSP-CONNECT-SRC",
                f'The page\'s Content-Security-Policy "{violation.directive}" does not allow {url.text}:'
                " fetch() fails before any request is sent.",
                line,
                directive=violation.directive,
                url=url.text,
            )
            return True
        # targetAddressSpace belongs to Local Network Access: an engine without it ignores it.
        target = self.spec.target_address_space if self._engine.local_network_access else None
        trusts_loopback = self._engine.mixed_content_trusts_loopback
        if mixed_content.is_mixed_content(self._page, url, trusts_loopback):
            page_url = self.spec.page.url or self._page.serialize() + "/"
            blocked = mixed_content.blocks(self._page, url, target, trusts_loopback)
            line = self._engine.console.mixed_content_line(
                page_url, url.text, blocked=blocked, loopback=is_potentially_trustworthy(url)
            )
            if blocked:
                self._refuse(
                    "CORS-MIXED-CONTENT",
                    f"The page is https and {url.text} is http with a host that is not loopback by name:"
                    " the browser blocks it as mixed content before sending.",
                    line,
                    url=url.text,
                )
                return True
            self._findings.append(
                _finding(
                    "CORS-MIXED-CONTENT-TARGET",
                    f"{url.text} is mixed content, let through as a warning by targetAddressSpace {target}.",
                    url=url.text,
                    console=line,
                )
            )
        if self._mode is Mode.SAME_ORIGIN and url.origin != self._page:
            message = (
                f"mode 'same-origin' refuses {url.text}, which is not of the page's origin"
                f" {self._page.serialize()}"
            )
            console = self._engine.console
            mode_line = console.same_origin_mode_redirected if self._hops else console.same_origin_mode
            if mode_line is None:
                # A plain network error: no line (Chromium prints none after a redirect).
                self._verdict = Verdict.ERROR
                self._failure = NetworkFailure("redirect", message, url.text)
                self._findings.insert(0, _finding("CORS-SAME-ORIGIN-MODE", message + ".", url=url.text))
                return True
            self._refuse(
                "CORS-SAME-ORIGIN-MODE",
                message + ".",
                mode_line.format(url=url.text, origin=self._page.serialize()),
                url=url.text,
            )
            return True
        return False

    def _refuse(self, code: str, message: str, console_line: str, **details: object) -> None:
        """Blocked by a check other than CORS: the verdict, the finding and Chromium's line."""
        self._verdict = Verdict.BLOCKED
        self._console_line = console_line
        self._findings.insert(0, _finding(code, message, **details))

    def _plan_preflight(self) -> PlannedRequest:
        state = self._state
        headers = preflight_headers(state.method, self._preflight_unsafe_names(), self._preflight_origin)
        headers += (("User-Agent", USER_AGENT),) + self._fetch_metadata(state.url, Mode.CORS)
        self._preflighted = True
        return PlannedRequest(RequestKind.PREFLIGHT, "OPTIONS", state.url.text, headers)

    def _plan_actual(self) -> PlannedRequest:
        state = self._state
        headers: list[tuple[str, str]] = []
        if not any(name.lower() == "accept" for name, _ in state.headers):
            headers.append(("Accept", "*/*"))
        headers += state.headers
        if (state.cors and self._mode is Mode.CORS) or state.method not in ("GET", "HEAD"):
            headers.append(("Origin", self._origin_sent))
        if not any(name.lower() == "user-agent" for name, _ in state.headers):  # a page may set it
            headers.append(("User-Agent", USER_AGENT))
        headers += self._fetch_metadata(state.url, self._mode)
        cookie = self._cookie_header(state)
        if cookie:
            headers.append(("Cookie", cookie))
        has_body = state.method not in ("GET", "HEAD") and any(
            name.lower() == "content-type" for name, _ in state.headers
        )
        return PlannedRequest(RequestKind.ACTUAL, state.method, state.url.text, tuple(headers), has_body)

    def _redirect_chain(self) -> tuple[Origin, ...]:
        """The origins the request was redirected from, in order."""
        return tuple(parse_url(hop.from_url, "redirect").origin for hop in self._hops)

    def _cookie_header(self, state: RedirectState) -> str:
        """The Cookie header for this hop: the cookies with attributes the browser attaches (each
        one kept back is a finding), then the -b value where it is in scope."""
        credentials = self._credentials_sent(state)
        choice = cookies.choose(
            self.spec.cookies,
            url=state.url,
            page=self._page,
            credentials=credentials,
            third_party=self.spec.third_party_cookies,
            schemeful=self._engine.cookie_schemeful_same_site,
            unset_is_lax=self._engine.cookie_unset_same_site_is_lax,
            secure_needs_https=self._engine.cookie_secure_needs_https,
            chain=self._redirect_chain() if self._engine.cookie_same_site_counts_redirects else (),
        )
        # Said once the request is really sent: a check before sending may still refuse it.
        self._withheld_cookies = [self._withheld_finding(withheld, state.url) for withheld in choice.withheld]
        values = [choice.header_value()] if choice.sent else []
        if self.spec.cookie and credentials and self._in_cookie_scope(state.url):
            values.append(self.spec.cookie)
        return "; ".join(values)

    def _note_withheld_cookies(self) -> None:
        self._findings += self._withheld_cookies
        self._withheld_cookies = []

    def _withheld_finding(self, withheld: cookies.Withheld, url: Url) -> Finding:
        cookie, reason = withheld.cookie, withheld.reason
        page = self._page.serialize()
        other_site = f"the page {page} is another site"
        because = {
            cookies.WithheldReason.PATH: f"its Path={cookie.path} does not cover the URL's path",
            cookies.WithheldReason.CREDENTIALS: (
                f"fetch()'s credentials mode {self.spec.credentials.value!r} sends no cookies"
                + (" to another origin" if self._state.cors else "")
            ),
            cookies.WithheldReason.SECURE: "it is Secure and the URL is plain http",
            cookies.WithheldReason.SAME_SITE_STRICT: f"it is SameSite=Strict and {other_site}",
            cookies.WithheldReason.SAME_SITE_LAX: f"it is SameSite=Lax and {other_site}",
            cookies.WithheldReason.SAME_SITE_UNSET: (
                f"it has no SameSite attribute, so Chromium treats it as Lax, and the page {page} is"
                " another site"
            ),
            cookies.WithheldReason.THIRD_PARTY_BLOCKED: (
                f"the page {page} is another site and third-party cookies are blocked"
            ),
        }[reason]
        return _finding(
            "LINT-COOKIE-WITHHELD",
            f"The browser does not send the cookie {cookie.name!r} to {url.text}: {because}.",
            cookie=cookie.name,
            url=url.text,
            reason=reason.value,
        )

    def _credentials_sent(self, state: RedirectState) -> bool:
        return self._include or (self.spec.credentials is Credentials.SAME_ORIGIN and not state.cors)

    def _in_cookie_scope(self, url: Url) -> bool:
        """Would the user's cookie go to ``url``? It is the jar's content for the checked URL's host,
        so another host gets none; nor does plain http after https (a cookie a cross-site fetch
        carries is SameSite=None, which requires Secure)."""
        jar = self._jar_origin
        return url.origin.host == jar.host and not (jar.scheme == "https" and url.origin.scheme == "http")

    def _plan_reflection_probe(self) -> PlannedRequest | None:
        """A request from a made-up origin: does the server echo any Origin it is sent?

        A simple GET or HEAD is repeated (without cookies); for anything else an OPTIONS
        preflight asks the question, so no unsafe request is ever sent twice.
        """
        if not self.spec.probe_reflection:
            return None
        first = self._steps[0].request
        if first.kind is RequestKind.ACTUAL and first.method in ("GET", "HEAD"):
            headers = tuple(
                (name, PROBE_ORIGIN if name == "Origin" else value)
                for name, value in first.headers
                if name != "Cookie"
            )
            return PlannedRequest(RequestKind.REFLECTION_PROBE, first.method, first.url, headers)
        headers = preflight_headers(self._method, self._initial_unsafe_names(), PROBE_ORIGIN)
        return PlannedRequest(RequestKind.REFLECTION_PROBE, "OPTIONS", first.url, headers)

    # --- receiving -----------------------------------------------------------------------------

    def _block(
        self,
        error: CorsError,
        head: ResponseHead,
        stage: str,
        url: str,
        disallowed_headers: tuple[str, ...] = (),
    ) -> None:
        self._verdict = Verdict.BLOCKED
        self._error = error
        self._error_url = url
        self._error_status = head.status
        location = location_of(head, self._engine) if stage == "redirect" else None
        self._error_location = urljoin(self._error_url, location) if location is not None else None
        unsafe = unsafe_header_names(self._state.headers, self._engine)
        self._findings.insert(0, self._blocking_finding(error, head, stage, url, disallowed_headers, unsafe))
        blocking = self._findings[0]
        self._blocked = Failure(
            blocking.code,
            blocking.details,
            head,
            self._page.serialize(),
            self._state.method,
            tuple(name.lower() for name in unsafe),
            tuple(name.lower() for name in disallowed_headers),
        )
        self._findings += self._would_fail_next(error, head, stage, url, unsafe)

    def _blocking_finding(
        self,
        error: CorsError,
        head: ResponseHead,
        stage: str,
        url: str,
        disallowed: tuple[str, ...],
        unsafe: list[str],
    ) -> Finding:
        return blocking_finding(
            error,
            head,
            stage=stage,
            url=url,
            sent_origin=self._origin_checked(stage),
            page_origin=self._page.serialize(),
            method=self._state.method,
            include_credentials=self._include,
            disallowed_headers=disallowed,
            unsafe_names=tuple(unsafe),
        )

    def _would_fail_next(
        self, error: CorsError, head: ResponseHead, stage: str, url: str, unsafe: list[str]
    ) -> list[Finding]:
        """The checks the browser never reached, each judged as if the ones before it had passed.

        The browser stops at the first failure (the verdict and console line say only that); fixing
        one problem at a time would take a rerun per problem, so these are listed too, marked next.
        """
        found: list[Finding] = []
        for _ in CorsErrorKind:  # each round mends a different check, so this is only a bound
            origin = self._origin_checked(stage)
            mended = mend(head, error, origin=origin, method=self._state.method, unsafe_names=unsafe)
            if mended is None:
                return found
            head = mended
            disallowed: tuple[str, ...] = ()
            if stage == "preflight":
                outcome = check_preflight(
                    head,
                    origin=origin,
                    include_credentials=self._include,
                    method=self._state.method,
                    unsafe_names=unsafe,
                    engine=self._engine,
                )
                next_error, disallowed = outcome.error, outcome.disallowed_headers
            else:
                next_error = cors_check(head.headers, origin, self._include, self._engine)
            if next_error is None:
                break
            error = next_error
            finding = self._blocking_finding(error, head, stage, url, disallowed, unsafe)
            found.append(replace(finding, next=True))
        if stage == "actual":
            exposure = cors_exposure(head.headers, self._include)
            found += [replace(f, next=True) for f in self._unreadable_expose(head, exposure)]
        return found

    def _receive_preflight(self, request: PlannedRequest, head: ResponseHead) -> None:
        outcome = check_preflight(
            head,
            origin=self._preflight_origin,
            include_credentials=self._include,
            method=self._state.method,
            unsafe_names=self._preflight_unsafe_names(),
            engine=self._engine,
        )
        self._steps.append(Step(request, head, passed=outcome.error is None))
        if self._cache is None:
            self._cache = outcome.cache
        if outcome.method_case_mismatch:
            self._findings.append(
                _finding(
                    "LINT-METHOD-CASE",
                    f"Access-Control-Allow-Methods lists {outcome.method_case_mismatch!r} but the"
                    f" page sends {self._state.method!r}; methods compare case-sensitively.",
                    listed=outcome.method_case_mismatch,
                    method=self._state.method,
                )
            )
        if outcome.authorization_via_wildcard:
            self._findings.append(
                _finding(
                    "CORS-AUTHORIZATION-WILDCARD",
                    "Authorization is allowed only through `Access-Control-Allow-Headers: *`;"
                    " Chromium allows it today with a deprecation warning, the Fetch Standard does not.",
                )
            )
        if outcome.error is not None:
            self._block(
                outcome.error,
                head,
                "preflight",
                request.url,
                disallowed_headers=outcome.disallowed_headers,
            )
            return
        self._pending = self._plan_actual_unless_withheld()

    def _receive_actual(self, request: PlannedRequest, head: ResponseHead) -> None:
        state = self._state
        location = location_of(head, self._engine)
        if location is None:
            self._conclude(request, head)
            return
        cors = state.cors and self._mode is Mode.CORS
        if cors:
            error = cors_check(head.headers, self._origin_sent, self._include, self._engine)
            if error is not None:
                self._steps.append(Step(request, head, passed=False))
                self._block(error, head, "redirect", request.url)
                return
        self._steps.append(Step(request, head, passed=True if cors else None))
        outcome = follow(state, location, head.status, self._page, self._engine)
        if isinstance(outcome, RedirectFailure):
            self._stop_redirect(outcome, request, head)
            return
        self._hops.append(Hop(state.url.text, outcome.url.text, head.status))
        self._note_dropped_headers(state, outcome)
        self._note_dropped_cookie(state, outcome)
        self._state = outcome
        relation = site_relation(self._page, outcome.url.origin)
        self._site = max(self._site, relation, key=_SITE_ORDER.index)
        self._pending = self._next_for_current_url()

    def _note_dropped_headers(self, before: RedirectState, after: RedirectState) -> None:
        kept = {name.lower() for name, _ in after.headers}
        for name, _ in before.headers:
            if name.lower() in DROPPED_ON_CROSS_ORIGIN_HOP and name.lower() not in kept:
                self._findings.append(
                    _finding(
                        "LINT-AUTHORIZATION-DROPPED",
                        f"The redirect from {before.url.text} to another origin removed the {name} header;"
                        f" {after.url.text} receives the request without it.",
                        header=name.lower(),
                        location=after.url.text,
                    )
                )

    def _note_dropped_cookie(self, before: RedirectState, after: RedirectState) -> None:
        leaves_scope = self._in_cookie_scope(before.url) and not self._in_cookie_scope(after.url)
        if not (self.spec.cookie and leaves_scope and self._credentials_sent(after)):
            return
        jar = self._jar_origin
        self._findings.append(
            _finding(
                "LINT-COOKIE-NOT-SENT",
                f"The redirect from {before.url.text} leads to {after.url.text}; the browser's cookie"
                f" for {jar.scheme}://{jar.host} is not sent there, so that request carries no Cookie"
                " header.",
                location=after.url.text,
            )
        )

    def _stop_redirect(self, failure: RedirectFailure, request: PlannedRequest, head: ResponseHead) -> None:
        if failure.cors_error is not None:
            # Chromium names the refused scheme's URL, but the redirecting URL otherwise.
            scheme_error = failure.cors_error.kind is CorsErrorKind.CORS_DISABLED_SCHEME
            url = failure.location if scheme_error else request.url
            self._block(failure.cors_error, head, "redirect", url)
            return
        code = {
            "limit": "CORS-REDIRECT-LIMIT",
            "scheme": "CORS-REDIRECT-SCHEME",
            "credentials": "CORS-REDIRECT-CREDENTIALS",
        }.get(failure.reason, "CORS-NETWORK-FAILURE")
        self._verdict = Verdict.ERROR
        # A hop refused for its user name or password is always one leaving the page's origin.
        self._log_network_error(request.url, self._state.cors or failure.reason == "credentials")
        self._failure = NetworkFailure("redirect", failure.message, failure.location)
        self._findings.insert(
            0,
            _finding(
                code,
                f"The browser stops at {request.url}: {failure.message}.",
                location=failure.location,
            ),
        )

    def _conclude(self, request: PlannedRequest, head: ResponseHead) -> None:
        state = self._state
        if not state.cors:
            self._steps.append(Step(request, head, passed=None))
            self._verdict = Verdict.ALLOWED
            self._exposure = same_origin_exposure(head.headers)
            self._findings.append(
                _finding(
                    "CORS-SAME-ORIGIN",
                    f"{state.url.text} has the page's origin {self._page.serialize()!r}:"
                    " no CORS check applies.",
                )
            )
            return
        if self._mode is Mode.NO_CORS:
            self._conclude_no_cors(request, head)
            return
        error = cors_check(head.headers, self._origin_sent, self._include, self._engine)
        self._steps.append(Step(request, head, passed=error is None))
        self._exposure = cors_exposure(head.headers, self._include)
        if error is not None:
            self._block(error, head, "actual", request.url)
            return
        self._verdict = Verdict.ALLOWED
        allow_origin = combined(head.headers, ACAO)
        if allow_origin not in (None, "*", NULL):
            self._pending = self._plan_reflection_probe()

    def _conclude_no_cors(self, request: PlannedRequest, head: ResponseHead) -> None:
        """A cross-origin no-cors response: refused by CORP/COEP, or handed to JavaScript opaque."""
        target = self._state.url.origin
        requires = self._secure_page and coep_requires_corp(self.spec.page.coep, self._include)
        reason = blocked_reason(
            head.headers,
            page=self._page,
            target=target,
            coep_requires=requires,
            same_site_ip_hosts=self._engine.corp_same_site_for_ip_hosts,
            unknown_policy_is_absent=self._engine.corp_unknown_value_is_absent,
        )
        self._steps.append(Step(request, head, passed=reason is None))
        if reason is not None:
            cause = (
                "the page's Cross-Origin-Embedder-Policy requires a Cross-Origin-Resource-Policy header,"
                " and the response has none"
                if reason.endswith("ByCoep")
                else f"the response's Cross-Origin-Resource-Policy does not allow the page ({reason})"
            )
            self._refuse(
                "CORS-CORP-BLOCKED",
                f"The no-cors response from {request.url} is refused: {cause}.",
                self._engine.console.blocked_by_response.format(reason=reason, url=request.url),
                url=request.url,
                reason=reason,
            )
            return
        self._verdict = Verdict.OPAQUE
        self._findings.insert(
            0,
            _finding(
                "CORS-NO-CORS-OPAQUE",
                f"The server answered {head.status}, but in mode 'no-cors' JavaScript gets an opaque"
                " response: status 0, no headers, empty body. Drop 'no-cors' and fix the CORS headers"
                " instead.",
                status=head.status,
            ),
        )

    def _expose_findings(self) -> list[Finding]:
        """CORS-EXPOSE-MISSING for each --expose header JavaScript cannot read."""
        if self._verdict is not Verdict.ALLOWED or self._exposure is None:
            return []
        final = self._steps_of(RequestKind.ACTUAL)[-1].response
        if final is None:
            return []
        if not self.spec.expose and self._state.cors:
            return self._unasked_hidden_headers(final, self._exposure)
        return self._unreadable_expose(final, self._exposure)

    def _unasked_hidden_headers(self, final: ResponseHead, exposure: Exposure) -> list[Finding]:
        """One note when the response carries an application header JavaScript cannot read."""
        hidden = [
            name
            for name in dict.fromkeys(name for name, _ in final.headers)
            if name.lower() not in exposure.readable and is_application_header(name)
        ]
        if not hidden:
            return []
        names = ", ".join(hidden)
        return [
            _finding(
                "LINT-HEADER-NOT-EXPOSED",
                f"{names} {'is' if len(hidden) == 1 else 'are'} sent but not readable from JavaScript;"
                f" if the page needs {'it' if len(hidden) == 1 else 'them'}, check with --expose.",
                headers=[name.lower() for name in hidden],
            )
        ]

    def _unreadable_expose(self, final: ResponseHead, exposure: Exposure) -> list[Finding]:
        present = {name.lower() for name, _ in final.headers}
        readable = set(exposure.readable)
        at = f"the response from {self._state.url.text}"
        found = []
        for name in self.spec.expose:
            lower = name.lower()
            if lower in readable:
                continue
            expose_line = merged_list(combined(final.headers, ACEH), [name], case_sensitive=False)
            expose_line = f"`Access-Control-Expose-Headers: {printable(expose_line)}`"
            if lower not in present:
                message = f"JavaScript needs {name!r} but the response does not have that header."
                cause = "not-sent"
                if lower in exposure.listed:
                    fix = (
                        f"Access-Control-Expose-Headers lists {name} already: send the {name} header on {at}."
                    )
                else:
                    fix = f"Send the {name} header on {at} and list it: {expose_line}."
            elif lower in NEVER_READABLE:
                message = f"{name!r} is never readable from JavaScript."
                cause = "never-readable"
                fix = f"JavaScript never reads {name}: put what the page needs in the body or another header."
            else:
                listed = ", ".join(exposure.listed) or "none"
                message = (
                    f"JavaScript needs {name!r} but Access-Control-Expose-Headers does not list it"
                    f" (listed: {listed}); response.headers.get({name!r}) returns null."
                )
                cause = "not-exposed"
                fix = f"Add {name} to Access-Control-Expose-Headers on {at}: {expose_line}."
                if exposure.wildcard_ignored:
                    fix += " With credentials `*` exposes nothing, so the name must be listed."
            finding = _finding("CORS-EXPOSE-MISSING", message, header=lower, cause=cause)
            found.append(replace(finding, fix=fix))
        return found

    def _steps_of(self, kind: RequestKind) -> list[Step]:
        return [s for s in self._steps if s.request.kind is kind]
