"""The probe sends what the browser sends and reads what the browser reads, byte for byte."""

from corscheck.core.model import RequestSpec, Verdict
from corscheck.probe import run_check


def test_method_case_is_kept_as_fetch_sends_it(server):
    server.route("/r", ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "patch"))
    result = run_check(
        RequestSpec(server.url("/r"), "https://app.example", method="patch", probe_reflection=False)
    )
    assert [r.method for r in server.received] == ["OPTIONS", "patch"]
    assert result.verdict is Verdict.ALLOWED


def test_header_values_with_control_bytes_are_judged_not_refused(server):
    server.route("/r", ("Access-Control-Allow-Origin", "https://app.example\x0b"), ("X-Note", "caf\xe9"))
    result = run_check(RequestSpec(server.url("/r"), "https://app.example", probe_reflection=False))
    assert result.verdict is Verdict.BLOCKED
    assert result.findings[0].code == "CORS-ORIGIN-MISMATCH"
    assert "'https://app.example\\u000B' that is not equal" in result.browser_message
    assert ("X-Note", "caf\xe9") in result.actual.response.headers


def test_differing_content_lengths_are_refused_as_chromium_refuses_them(server):
    server.route(
        "/r", ("Access-Control-Allow-Origin", "*"), ("Content-Length", "999")
    )  # the server adds its own
    result = run_check(RequestSpec(server.url("/r"), "https://app.example", probe_reflection=False))
    assert result.verdict is Verdict.ERROR
    assert result.failure.kind == "protocol"
    assert "ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH" in result.failure.message


def test_repeated_equal_content_lengths_are_read(server):
    server.route("/r", ("Access-Control-Allow-Origin", "*"), ("Content-Length", "2"))  # "ok", twice said
    result = run_check(RequestSpec(server.url("/r"), "https://app.example", probe_reflection=False))
    assert result.verdict is Verdict.ALLOWED
