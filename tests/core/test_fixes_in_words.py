"""Every problem at once, each fix in the request's own words; the verdict and console line stay the browser's."""

from corscheck.core.model import Credentials, RequestKind, RequestSpec, Verdict
from tests.core.conftest import respond

PAGE = "https://app.example"
URL = "https://api.example/items"
FIVE_PROBLEMS = RequestSpec(
    URL,
    PAGE,
    method="PUT",
    headers=(("X-Api-Key", "k"), ("Content-Type", "application/json")),
    credentials=Credentials.INCLUDE,
    expose=("X-Total-Count",),
    probe_reflection=False,
)
SLASHED = ("Access-Control-Allow-Origin", PAGE + "/")


def by_kind(preflight, actual):
    return lambda request: preflight if request.kind is RequestKind.PREFLIGHT else actual


def test_five_problems_one_blocking_the_rest_would_fail_next(run):
    preflight = respond(
        204,
        SLASHED,
        ("Access-Control-Allow-Methods", "GET, POST"),
        ("Access-Control-Allow-Headers", "content-type"),
    )
    result = run(FIVE_PROBLEMS, by_kind(preflight, respond(200)))
    assert result.verdict is Verdict.BLOCKED
    assert "'https://app.example/' that is not equal to the supplied origin" in result.browser_message
    codes = [(f.code, f.next) for f in result.findings if f.severity == "error"]
    assert codes == [
        ("CORS-ORIGIN-MISMATCH", False),
        ("CORS-CREDENTIALS-NOT-TRUE", True),
        ("CORS-METHOD-NOT-ALLOWED", True),
        ("CORS-HEADER-NOT-ALLOWED", True),
    ]
    fixes = {f.code: f.fix for f in result.findings}
    # The server's own list is kept, and only what this request needs is added.
    assert "`Access-Control-Allow-Methods: GET, POST, PUT`" in fixes["CORS-METHOD-NOT-ALLOWED"]
    assert "PATCH" not in fixes["CORS-METHOD-NOT-ALLOWED"]
    assert "`Access-Control-Allow-Headers: content-type, x-api-key`" in fixes["CORS-HEADER-NOT-ALLOWED"]
    assert f"`Access-Control-Allow-Origin: {PAGE}`" in fixes["CORS-ORIGIN-MISMATCH"]


def test_a_simple_request_lists_the_expose_problem_after_the_origin(run):
    spec = RequestSpec(URL, PAGE, expose=("X-Total-Count",), probe_reflection=False)
    result = run(spec, lambda request: respond(200, SLASHED, ("X-Total-Count", "3")))
    assert [(f.code, f.next) for f in result.findings if f.severity == "error"] == [
        ("CORS-ORIGIN-MISMATCH", False),
        ("CORS-EXPOSE-MISSING", True),
    ]
    assert result.unreadable_expose == ("X-Total-Count",)  # blocked: nothing is readable


def test_nothing_would_fail_next_when_one_fix_is_enough(run):
    result = run(RequestSpec(URL, PAGE, probe_reflection=False), lambda request: respond(200, SLASHED))
    assert [f.next for f in result.findings] == [False] * len(result.findings)


def test_a_lower_case_method_is_told_to_upper_case_only_when_it_is_the_cause(run):
    preflight = respond(204, ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Methods", "GET"))
    for method, advice in (("PUT", False), ("patch", True)):
        result = run(RequestSpec(URL, PAGE, method=method, probe_reflection=False), by_kind(preflight, None))
        fix = result.findings[0].fix
        assert f"Add {method} to Access-Control-Allow-Methods" in fix
        assert ("send 'PATCH' from the page" in fix) is advice


def test_expose_fix_names_the_header_and_keeps_the_server_list(run):
    spec = RequestSpec(URL, PAGE, expose=("X-Request-Id", "X-Total-Count"), probe_reflection=False)
    answer = respond(
        200, ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "X-Request-Id")
    )
    answer = respond(200, *answer.headers, ("X-Total-Count", "3"))
    fixes = {
        f.details["header"]: f.fix
        for f in run(spec, lambda r: answer).findings
        if f.code == "CORS-EXPOSE-MISSING"
    }
    assert fixes["x-request-id"].startswith("Access-Control-Expose-Headers lists X-Request-Id already: send")
    assert "`Access-Control-Expose-Headers: X-Request-Id, X-Total-Count`" in fixes["x-total-count"]
    assert "e.g." not in fixes["x-request-id"] + fixes["x-total-count"]


def test_a_dropped_header_is_told_about_cookies_only_when_it_is_cookie(run):
    spec = RequestSpec(URL, PAGE, headers=(("User-Agent", "x"), ("Cookie", "a=b")), probe_reflection=False)
    result = run(spec, lambda request: respond(200, ("Access-Control-Allow-Origin", "*")))
    fixes = {f.details["header"]: f.fix for f in result.findings if f.code == "CORS-REQUEST-FORBIDDEN-HEADER"}
    assert "credentials" not in fixes["User-Agent"]
    assert "credentials: 'include'" in fixes["Cookie"]


def test_after_a_tainting_redirect_the_fix_is_the_final_url_not_the_origin(run):
    def server(request):
        if request.url == URL:
            return respond(302, ("Access-Control-Allow-Origin", PAGE), ("Location", "https://cdn.example/x"))
        return respond(200, ("Access-Control-Allow-Origin", PAGE))

    result = run(RequestSpec(URL, PAGE, probe_reflection=False), server)
    assert result.verdict is Verdict.BLOCKED
    assert "call https://cdn.example/x directly" in result.findings[0].fix


def test_wildcard_with_credentials_is_one_finding(run):
    spec = RequestSpec(URL, PAGE, credentials=Credentials.INCLUDE, probe_reflection=False)
    result = run(
        spec,
        lambda r: respond(
            200, ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")
        ),
    )
    codes = [f.code for f in result.findings]
    assert "CORS-WILDCARD-CREDENTIALS" in codes
    assert "LINT-WILDCARD-PLUS-CREDENTIALS" not in codes
