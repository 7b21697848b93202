"""The human report: verdict, console message, deciding headers, findings with fixes, masking."""

from corscheck.core.model import RequestSpec
from corscheck.report import RenderOptions, reporter
from tests.report.conftest import head

PAGE = "https://app.example"
URL = "https://api.example/items"


def render(result, **options):
    return reporter("text")(result, RenderOptions(**options))


def test_blocked_report_has_message_missing_header_and_fix(result_of):
    result = result_of(RequestSpec(URL, PAGE), {"actual": head(200, ("Vary", "Origin"))})
    text = render(result)
    assert text.startswith("BLOCKED GET https://api.example/items from https://app.example")
    assert result.browser_message.split(" has been")[0] in text
    assert "< (no access-control-allow-origin)" in text
    fix = "fix: Send `Access-Control-Allow-Origin: https://app.example` on the response from " + URL
    assert fix in text.replace("\n         ", " ")
    assert "\x1b" not in text


def test_colour_marks_the_verdict(result_of):
    allowed = result_of(
        RequestSpec(URL, PAGE, probe_reflection=False),
        {"actual": head(200, ("Access-Control-Allow-Origin", "*"))},
    )
    blocked = result_of(RequestSpec(URL, PAGE), {"actual": head(200)})
    assert render(allowed, color=True).startswith("\x1b[1;32mALLOWED")
    assert render(blocked, color=True).startswith("\x1b[1;31mBLOCKED")


def test_server_control_characters_do_not_reach_the_terminal(result_of):
    evil = "https://app.example\x1b[2J"
    result = result_of(RequestSpec(URL, PAGE), {"actual": head(200, ("Access-Control-Allow-Origin", evil))})
    text = render(result)
    assert "\x1b" not in text
    assert "\\u001B" in text


def test_secret_headers_masked(result_of):
    spec = RequestSpec(URL, PAGE, headers=(("Authorization", "Bearer s3cret"),))
    allow = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "Authorization"))
    result = result_of(spec, {"preflight": head(204, *allow), "actual": head(200, *allow)})
    assert "s3cret" not in render(result, verbose=True)
    assert "s3cret" in render(result, verbose=True, show_secrets=True)


def test_no_trailing_spaces(result_of):
    result = result_of(RequestSpec(URL, PAGE), {"actual": head(200)})
    assert all(line == line.rstrip() for line in render(result, width=60).splitlines())
