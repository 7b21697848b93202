"""Property-based tests over the pure engine: it never crashes, and the CORS invariants hold."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corscheck.core.engine import Exchange
from corscheck.core.errors import InputError
from corscheck.core.exposure import cors_exposure
from corscheck.core.model import Credentials, RequestKind, RequestSpec, ResponseHead, Verdict
from corscheck.core.preflight import check_preflight

PAGE = "https://app.example"
API = "https://api.example/x"

header_names = st.sampled_from(
    [
        "Access-Control-Allow-Origin",
        "access-control-allow-credentials",
        "Access-Control-Allow-Methods",
        "ACCESS-CONTROL-ALLOW-HEADERS",
        "Access-Control-Expose-Headers",
        "Access-Control-Max-Age",
        "Vary",
        "Set-Cookie",
        "X-Total-Count",
        "Content-Type",
        "Location",
    ]
)
# Values that matter to CORS, plus arbitrary Latin-1 text (controls, VT, FF, commas, quotes).
interesting_values = st.sampled_from(
    [
        PAGE,
        PAGE + "/",
        "*",
        "null",
        "true",
        "True",
        "PUT",
        "put",
        "*, PUT",
        "x-a",
        "*",
        "set-cookie",
        "600",
        "/next",
        API,
    ]
)
latin1_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\r\n"), max_size=40
)
header_values = st.one_of(interesting_values, latin1_text)
header_lines = st.lists(st.tuples(header_names, header_values), max_size=8).map(tuple)
statuses = st.sampled_from([200, 204, 299, 301, 302, 307, 400, 401, 404, 500])
credentials = st.sampled_from(list(Credentials))
methods = st.one_of(
    st.sampled_from(["GET", "post", "PUT", "patch", "DELETE", "X-CUSTOM", "OPTIONS"]), st.text(max_size=8)
)
request_headers = st.lists(
    st.tuples(
        st.sampled_from(["X-A", "Content-Type", "Authorization", "Accept", "Range", "Cookie", "DPR"]),
        header_values,
    ),
    max_size=4,
).map(tuple)


def drive(spec, responses):
    """Answer the exchange's requests from a list of heads (repeating the last one)."""
    exchange = Exchange(spec)
    answered = 0
    while exchange.next_request() is not None and answered < 30:
        exchange.receive(responses[min(answered, len(responses) - 1)])
        answered += 1
    return exchange.result() if exchange.next_request() is None else None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    method=methods,
    headers=request_headers,
    mode=credentials,
    responses=st.lists(st.builds(ResponseHead, statuses, header_lines), min_size=1, max_size=4),
)
def test_engine_never_raises_and_invariants_hold(method, headers, mode, responses):
    spec = RequestSpec(API, PAGE, method=method, headers=headers, credentials=mode)
    try:
        result = drive(spec, responses)
    except InputError:
        return  # bad user input is reported, not a crash
    if result is None:
        return  # more than 30 requests: a redirect chain we cut short
    assert "set-cookie" not in result.exposed_headers
    assert result.verdict in Verdict
    if result.verdict is Verdict.BLOCKED:
        assert result.browser_message and result.findings[0].severity == "error"
        assert result.exposed_headers == ()
    if result.verdict is Verdict.ALLOWED and mode is Credentials.INCLUDE:
        for step in result.steps:
            if step.request.kind is RequestKind.REFLECTION_PROBE or step.response is None:
                continue
            acao = [
                v.strip(" \t") for n, v in step.response.headers if n.lower() == "access-control-allow-origin"
            ]
            assert acao != ["*"], "a wildcard origin never passes with credentials"


@settings(max_examples=300, deadline=None)
@given(
    lines=header_lines,
    status=statuses,
    names=st.lists(st.sampled_from(["x-a", "authorization", "content-type"]), max_size=3),
)
def test_wildcards_never_admit_anything_with_credentials(lines, status, names):
    outcome = check_preflight(
        ResponseHead(status, lines),
        origin=PAGE,
        include_credentials=True,
        method="DELETE",
        unsafe_names=names,
    )
    if outcome.error is None:
        methods = [v for n, v in lines if n.lower() == "access-control-allow-methods"]
        allowed = ",".join(methods).replace(" ", "").replace("\t", "").split(",")
        assert "DELETE" in allowed
        listed = ",".join(v for n, v in lines if n.lower() == "access-control-allow-headers").lower()
        listed_names = {item.strip(" \t") for item in listed.split(",")}
        assert set(names) <= listed_names


def _interleavings(draw, lines):
    """Shuffle lines while keeping the relative order of lines with the same name."""
    by_name = {}
    for name, value in lines:
        by_name.setdefault(name.lower(), []).append((name, value))
    order = draw(st.permutations([name.lower() for name, _ in lines]))
    return tuple(by_name[key].pop(0) for key in order)


@st.composite
def reordered(draw):
    lines = draw(header_lines)
    return lines, _interleavings(draw, lines)


@settings(max_examples=300, deadline=None)
@given(pair=reordered(), status=statuses, mode=credentials, method=st.sampled_from(["GET", "PUT"]))
def test_verdict_does_not_depend_on_line_order_across_names(pair, status, mode, method):
    original, shuffled = pair
    spec = RequestSpec(API, PAGE, method=method, credentials=mode, probe_reflection=False)
    first = drive(spec, [ResponseHead(status, original)])
    second = drive(spec, [ResponseHead(status, shuffled)])
    if first is None or second is None:
        assert first is second is None
        return
    assert first.verdict is second.verdict
    assert first.exposed_headers == second.exposed_headers
    assert first.browser_message == second.browser_message


@settings(max_examples=300, deadline=None)
@given(lines=header_lines, include=st.booleans())
def test_set_cookie_is_never_exposed(lines, include):
    assert not {"set-cookie", "set-cookie2"} & set(
        cors_exposure(lines + (("Set-Cookie", "a=b"),), include).readable
    )
