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


def test_the_reflection_probe_says_what_it_is(result_of):
    echo = head(200, ("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin"))
    probed = result_of(RequestSpec(URL, PAGE), {"actual": echo, "reflection-probe": head(200)})
    unprobed = result_of(RequestSpec(URL, PAGE, probe_reflection=False), {"actual": echo})
    note = "from a made-up origin: does the server echo any Origin it is sent?"
    assert note in render(probed, width=200)
    assert note not in render(unprobed, width=200)


def test_would_fail_next_findings_are_marked_and_point_to_fix_for(result_of):
    slashed = head(200, ("Access-Control-Allow-Origin", PAGE + "/"), ("X-Total-Count", "1"))
    result = result_of(RequestSpec(URL, PAGE, expose=("X-Total-Count",)), {"actual": slashed})
    text = render(result, width=200)
    assert "CORS-ORIGIN-MISMATCH\n" in text
    assert "CORS-EXPOSE-MISSING  would fail next" in text
    assert "1 more would fail after it. --fix-for FRAMEWORK prints" in text


def test_the_fix_line_is_not_dimmed(result_of):
    text = render(result_of(RequestSpec(URL, PAGE), {"actual": head(200)}), color=True)
    fix_line = next(line for line in text.splitlines() if "fix:" in line)
    assert "\x1b[2m" not in fix_line and "\x1b[1;32mfix:" in fix_line


def test_a_failed_preflight_says_expose_waits_for_it(result_of):
    spec = RequestSpec(URL, PAGE, method="PUT", expose=("X-Total-Count",))
    result = result_of(spec, {"preflight": head(204)})
    assert "--expose X-Total-Count is judged once the preflight passes" in render(result, width=200)
