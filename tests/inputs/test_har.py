"""HAR reading and offline judging: a real Playwright/Chromium HAR, preflight pairing, bad files."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from corscheck.core.errors import InputError
from corscheck.inputs.har import pair_preflights, read_har
from corscheck.inputs.har_check import judge_all
from tests.browser.server import CaseServer
from tests.inputs.test_devtools_copies import RECORDS

FIXTURES = Path(__file__).parents[1] / "fixtures/devtools"
HAR_TEXT = (FIXTURES / "chromium.har").read_text()
BROWSER_ALLOWED = {r["url"]: r["browser_allowed"] for r in RECORDS}


def test_real_har_offline_matches_the_browser():
    verdicts = judge_all(pair_preflights(read_har(HAR_TEXT).entries))
    assert {v.spec.url for v in verdicts} == set(BROWSER_ALLOWED)  # the page itself is same-origin
    for verdict in verdicts:
        assert (not verdict.failed) == BROWSER_ALLOWED[verdict.spec.url]
    failed = [v.failed for v in verdicts]
    assert failed == sorted(failed, reverse=True)  # failed first
    blocked = [v for v in verdicts if v.failed]
    assert all(v.result is None and "--live" in v.note for v in blocked)


def test_blocked_requests_are_reconstructed_from_provisional_headers():
    verdicts = {v.spec.url: v for v in judge_all(pair_preflights(read_har(HAR_TEXT).entries))}
    record = next(r for r in RECORDS if r["id"] == "post-header-not-allowed")
    spec = verdicts[record["url"]].spec
    assert spec.method == "POST" and spec.origin == record["page_origin"]  # from the Referer
    assert {n.lower() for n, _ in spec.headers} == {"x-trace", "content-type"}


#: Blocked only because of credentials, which the provisional headers of a blocked request do not show.
CREDENTIALS_UNKNOWN = {"get-wildcard-with-credentials"}
#: Methods --live re-checks by their preflight only (no --send-unsafe).
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def test_live_rechecks_the_failed_ones(tmp_path):
    server = CaseServer()
    try:
        text = HAR_TEXT
        for record in RECORDS:
            server.register(record["id"], record["routes"])
            case_origin = record["url"].split("/c/")[0]
            text = text.replace(case_origin, server.origins["case"]).replace(
                record["page_origin"], server.origins["page"]
            )
        path = tmp_path / "live.har"
        path.write_text(text)
        result = CliRunner().invoke(app, ["har", str(path), "--live", "--json"])
    finally:
        server.close()
    rows = {row["url"].split("/c/")[1].split("/")[0]: row for row in json.loads(result.stdout)["requests"]}
    for record in RECORDS:
        row = rows[record["id"]]
        assert row["source"] == "live"
        assert (row["verdict"] == "allowed") == record["browser_allowed"], row
        if record["id"] in CREDENTIALS_UNKNOWN:
            assert row["verdict"] == "blocked", row
            assert "blocked with credentials: 'include'" in row["note"], row
        if row["method"].upper() in WRITES:
            assert "not re-sent: preflight only" in row["note"], row
    assert result.exit_code == 1


def chromium_shaped(entries):
    """A HAR shaped as Chromium's DevTools export writes it (preflights as their own OPTIONS entries)."""
    return json.dumps(
        {
            "log": {
                "version": "1.2",
                "pages": [{"id": "page_1", "title": "https://app.example/"}],
                "entries": entries,
            }
        }
    )


def entry(method, url, req, status, resp, failure=None):
    response = {"status": status, "headers": [{"name": n, "value": v} for n, v in resp]}
    if failure:
        response["_failureText"] = failure
    return {
        "pageref": "page_1",
        "request": {"method": method, "url": url, "headers": [{"name": n, "value": v} for n, v in req]},
        "response": response,
    }


def test_preflight_entries_are_paired_and_judged():
    text = chromium_shaped(
        [
            entry(
                "OPTIONS",
                "https://api.example/x",
                [("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT")],
                404,
                [("Access-Control-Allow-Origin", "https://app.example")],
            ),
            entry(
                "PUT",
                "https://api.example/x",
                [("Referer", "https://app.example/")],
                0,
                [],
                "net::ERR_FAILED",
            ),
            entry(
                "OPTIONS",
                "https://api.example/y",
                [("Origin", "https://app.example"), ("Access-Control-Request-Method", "DELETE")],
                204,
                [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "DELETE")],
            ),
            entry(
                "DELETE",
                "https://api.example/y",
                [("Origin", "https://app.example")],
                200,
                [("Access-Control-Allow-Origin", "*")],
            ),
        ]
    )
    requests = pair_preflights(read_har(text).entries)
    assert [(r.actual.method, r.preflight is not None) for r in requests] == [("PUT", True), ("DELETE", True)]
    verdicts = judge_all(requests)
    put, delete = verdicts
    assert put.failed and put.result.findings[0].code == "CORS-PREFLIGHT-STATUS"
    assert not delete.failed and delete.result.preflight.response.status == 204


def _blocked_put(allow_methods):
    preflight = [
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Methods", allow_methods),
    ]
    return chromium_shaped(
        [
            entry(
                "OPTIONS",
                "https://api.example/x",
                [("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT")],
                204,
                preflight,
            ),
            entry(
                "PUT",
                "https://api.example/x",
                [("Referer", "https://app.example/")],
                0,
                [],
                "net::ERR_FAILED",
            ),
        ]
    )


def test_a_recorded_preflight_says_why_offline(tmp_path):
    path = tmp_path / "put.har"
    path.write_text(_blocked_put("GET, POST"))
    result = CliRunner().invoke(app, ["har", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert (
        "CORS-METHOD-NOT-ALLOWED: The preflight response from https://api.example/x does not allow method 'PUT'"
        in result.stdout
    )
    assert "fix: Add PUT to Access-Control-Allow-Methods" in result.stdout
    assert "--live" not in result.stdout
    assert result.stdout.endswith("1 cross-origin request, 1 failed\n")


def test_a_passed_preflight_leaves_the_unrecorded_response_to_live():
    (verdict,) = judge_all(pair_preflights(read_har(_blocked_put("PUT")).entries))
    assert verdict.failed and verdict.result is None and "--live" in verdict.note


def test_har_text_wraps_to_the_terminal(tmp_path):
    path = tmp_path / "put.har"
    path.write_text(_blocked_put("GET, POST"))
    narrow = CliRunner().invoke(app, ["har", str(path)], env={"COLUMNS": "60"}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert "\x1b[" in CliRunner().invoke(app, ["har", str(path)], env={"FORCE_COLOR": "1"}).stdout


def test_firefox_keeps_headers_of_a_blocked_response_and_the_engine_judges_them():
    # Firefox's export keeps the response that CORS then refused.
    text = json.dumps(
        {
            "log": {
                "entries": [
                    entry(
                        "GET",
                        "https://api.example/z",
                        [("Origin", "https://app.example")],
                        200,
                        [("Access-Control-Allow-Origin", "https://app.example/")],
                    )
                ]
            }
        }
    )
    (verdict,) = judge_all(pair_preflights(read_har(text).entries))
    assert verdict.failed and verdict.result.findings[0].code == "CORS-ORIGIN-MISMATCH"


@pytest.mark.parametrize(
    "text", [HAR_TEXT[: len(HAR_TEXT) // 2], "{}", '{"log": {"entries": [{"request": {}}]}}', "[]"]
)
def test_truncated_or_invalid_har(text, tmp_path):
    with pytest.raises(InputError):
        read_har(text)
    path = tmp_path / "bad.har"
    path.write_text(text)
    result = CliRunner().invoke(app, ["har", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "invalid HAR" in result.stderr


def test_missing_file_is_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["har", str(tmp_path / "nope.har")])
    assert result.exit_code == 2 and "cannot read" in result.stderr


def _live(tmp_path, entries, *options):
    path = tmp_path / "live.har"
    path.write_text(chromium_shaped(entries))
    result = CliRunner().invoke(app, ["har", str(path), "--live", "--json", *options])
    return result, json.loads(result.stdout)["requests"]


def test_live_never_resends_a_recorded_write_without_send_unsafe(tmp_path, server):
    allow = [
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Credentials", "true"),  # the recorded cookie makes it credentialed
    ]
    server.route("/x", *allow)
    put = entry("PUT", server.url("/x"), [("Origin", "https://app.example"), ("Cookie", "sid=S")], 200, allow)
    result, [row] = _live(tmp_path, [put])
    assert [r.method for r in server.received] == ["OPTIONS"]
    assert row["verdict"] == "allowed" and "--send-unsafe" in row["note"]
    assert "LINT-ACTUAL-NOT-SENT" in [f["code"] for f in row["findings"]]
    _live(tmp_path, [put], "--send-unsafe")
    assert [r.method for r in server.received][1:] == ["OPTIONS", "PUT"]


def test_live_says_when_it_cannot_reproduce_a_browser_failure(tmp_path, server):
    server.route(
        "/y",
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Credentials", "true"),
    )
    failed = entry("GET", server.url("/y"), [("Origin", "https://app.example")], 0, [], "net::ERR_FAILED")
    result, [row] = _live(tmp_path, [failed])
    assert row["verdict"] == "unreproduced", row
    assert "cannot reproduce" in row["note"]
    assert result.exit_code == 1
    assert "UNREPRODUCED" in CliRunner().invoke(app, ["har", str(tmp_path / "live.har"), "--live"]).stdout


def test_browser_all_judges_each_recorded_request_once_per_engine(tmp_path):
    # Two Access-Control-Allow-Origin lines with the page's origin: "multiple values" everywhere;
    # one line listing two origins: Firefox words it as a value that does not match.
    listed = [("Access-Control-Allow-Origin", "https://app.example, https://b.example")]
    path = tmp_path / "recorded.har"
    path.write_text(
        chromium_shaped(
            [entry("GET", "https://api.example/z", [("Origin", "https://app.example")], 200, listed)]
        )
    )
    result = CliRunner().invoke(app, ["har", str(path), "--json", "--browser", "all"])
    rows = json.loads(result.stdout)["requests"]
    assert [row["browser"] for row in rows] == ["chromium", "firefox", "safari"]
    assert all(row["verdict"] == "blocked" for row in rows)
    assert "does not match ‘https://app.example, https://b.example’" in rows[1]["browser_message"]
    assert result.exit_code == 1
