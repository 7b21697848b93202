"""Judge HAR requests offline: the engine run on the recorded response heads instead of the network."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from corscheck.core.engine import Exchange
from corscheck.core.errors import InputError
from corscheck.core.model import (
    CheckResult,
    Credentials,
    NetworkFailure,
    Page,
    PlannedRequest,
    RequestKind,
    RequestSpec,
    ResponseHead,
)
from corscheck.core.origin import parse_origin
from corscheck.core.profiles import PROFILES
from corscheck.core.request import normalise_method, prepare_headers, unsafe_header_names
from corscheck.inputs.copied import CopiedRequest, to_spec
from corscheck.inputs.har import HarEntry, HarRequest


@dataclass(frozen=True)
class HarVerdict:
    """One cross-origin request of the HAR, as judged from what was recorded."""

    spec: RequestSpec
    #: The engine's result from the recorded heads; None when the HAR kept no response.
    result: CheckResult | None
    #: Why there is no result, or what was assumed to get one.
    note: str | None = None

    @property
    def failed(self) -> bool:
        return self.result is None or self.result.verdict.value != "allowed"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return parse_origin(f"{parts.scheme}://{parts.netloc}").serialize()


def spec_of(
    request: HarRequest, origin: str | None, page: Page | None = None, browser: str = "chromium"
) -> RequestSpec:
    """The fetch() behind a recorded request: method, author headers, cookies, the page origin
    (and, with --page, the page's policies), judged as ``browser`` would."""
    entry = request.actual
    copied = CopiedRequest(entry.url, entry.method, entry.request_headers, referrer=entry.page_url)
    spec = to_spec(copied, origin=origin)
    return replace(spec, probe_reflection=False, page=page or spec.page, browser=browser)


def _passed_preflight(spec: RequestSpec, method: str) -> ResponseHead:
    """A preflight answer that lets exactly this request through."""
    engine = PROFILES[spec.browser]
    names = unsafe_header_names(prepare_headers(spec.headers, engine).sent, engine)
    lines = [("Access-Control-Allow-Origin", spec.origin), ("Access-Control-Allow-Methods", method)]
    if names:
        lines.append(("Access-Control-Allow-Headers", ", ".join(names)))
    if spec.credentials is Credentials.INCLUDE:
        lines.append(("Access-Control-Allow-Credentials", "true"))
    lines.append(("Access-Control-Max-Age", "5"))
    return ResponseHead(204, tuple(lines))


def judge(
    request: HarRequest,
    recorded: dict[tuple[str, str], HarEntry],
    origin: str | None,
    page: Page | None = None,
    browser: str = "chromium",
) -> HarVerdict:
    """Replay the engine over the HAR's heads; a request without a response is listed as failed."""
    spec = spec_of(request, origin, page, browser)
    actual = request.actual
    no_response = HarVerdict(
        spec,
        None,
        f"the browser recorded no response ({actual.failure}); a CORS-blocked request looks like this"
        " in a HAR, which keeps no headers for it; --live re-checks it and says why",
    )
    exchange = Exchange(spec)
    note = None
    while (planned := exchange.next_request()) is not None:
        if planned.kind is RequestKind.ACTUAL and actual.response is None:
            # A recorded preflight that failed already said why; one that passed leaves the actual
            # response's check, whose headers the HAR did not keep.
            return no_response
        head = _recorded_head(planned, request, recorded)
        if head is None and planned.kind is RequestKind.PREFLIGHT:
            # The browser sent the actual request, so its preflight passed (or came from the cache).
            note = "no preflight in the HAR; judged as if it passed, since the browser sent the request"
            head = _passed_preflight(spec, normalise_method(spec.method))
        if head is None:
            exchange.fail(NetworkFailure("other", "not recorded in the HAR", planned.url))
            note = f"{planned.url} is not in the HAR"
        else:
            exchange.receive(head)
    result = exchange.result()
    if note and note.startswith("no preflight"):
        result = replace(
            result, findings=tuple(f for f in result.findings if not f.code.startswith("LINT-MAXAGE"))
        )
    return HarVerdict(spec, result, note)


def _recorded_head(
    planned: PlannedRequest, request: HarRequest, recorded: dict[tuple[str, str], HarEntry]
) -> ResponseHead | None:
    if planned.kind is RequestKind.PREFLIGHT:
        return request.preflight.response if request.preflight else None
    if planned.url == request.actual.url:
        return request.actual.response
    hop = recorded.get((planned.method, planned.url))  # a redirect hop is its own HAR entry
    return hop.response if hop else None


def judge_all(
    requests: list[HarRequest],
    origin: str | None = None,
    skipped: list[str] | None = None,
    page: Page | None = None,
    browser: str = "chromium",
) -> list[HarVerdict]:
    """Every cross-origin request, failed ones first, in recording order otherwise. A request whose
    URL or headers cannot be read is left out, with a line in ``skipped`` when given."""
    recorded = {(r.actual.method, r.actual.url): r.actual for r in requests}
    verdicts = []
    for request in requests:
        if not request.actual.url.startswith(("http://", "https://")):
            continue
        try:
            spec = spec_of(request, origin)
        except InputError:
            continue  # no Origin, Referer or page: a navigation or a same-origin GET
        try:
            if spec.origin == _origin_of(spec.url):
                continue
            verdicts.append(judge(request, recorded, origin, page, browser))
        except (InputError, ValueError) as exc:  # ValueError: urllib on "http://[::1"
            if skipped is not None:
                skipped.append(f"{request.actual.method} {request.actual.url}: {exc}")
    return sorted(verdicts, key=lambda v: not v.failed)
