"""The --json contract (schema 1): every documented key, its type, and secret masking."""

import json

from corscheck.core.model import Credentials, NetworkFailure, RequestSpec
from corscheck.report import RenderOptions, reporter
from corscheck.report.json import result_to_dict
from tests.report.conftest import head

PAGE = "https://app.example"
URL = "https://api.example/items"
CONTRACT_KEYS = {
    "schema",
    "url",
    "origin",
    "request",
    "verdict",
    "preflight",
    "actual",
    "redirects",
    "exposed_headers",
    "findings",
    "browser_message",
}


def test_simple_allowed_request(result_of):
    result = result_of(
        RequestSpec(URL, PAGE, probe_reflection=False),
        {
            "actual": head(
                200,
                ("Access-Control-Allow-Origin", "*"),
                ("X-B", "1"),
                ("Access-Control-Expose-Headers", "X-B"),
            )
        },
    )
    document = json.loads(reporter("json")(result, RenderOptions()))
    assert CONTRACT_KEYS <= document.keys()
    assert document["schema"] == 1
    assert (document["url"], document["origin"], document["verdict"]) == (URL, PAGE, "allowed")
    assert document["request"] == {
        "method": "GET",
        "headers": {},
        "credentials": "same-origin",
        "mode": "cors",
    }
    assert document["preflight"] is None
    assert document["actual"]["status"] == 200 and document["actual"]["passed"] is True
    assert document["actual"]["response_headers"]["access-control-allow-origin"] == "*"
    assert document["exposed_headers"] == sorted(document["exposed_headers"])
    assert "x-b" in document["exposed_headers"]
    assert document["browser_message"] is None
    assert document["redirects"] == []


def test_failed_preflight(result_of):
    spec = RequestSpec(URL, PAGE, method="DELETE", headers=(("X-Api-Key", "k"),))
    result = result_of(spec, {"preflight": head(204, ("Access-Control-Allow-Origin", PAGE))})
    document = result_to_dict(result)
    preflight = document["preflight"]
    assert document["verdict"] == "blocked"
    assert preflight["required"] is True
    assert preflight["request"]["method"] == "OPTIONS"
    assert preflight["request"]["headers"]["access-control-request-method"] == "DELETE"
    assert preflight["request"]["headers"]["access-control-request-headers"] == "x-api-key"
    assert (preflight["status"], preflight["passed"]) == (204, False)
    assert document["actual"] is None
    assert document["browser_message"].startswith("Access to fetch at")
    finding = document["findings"][0]
    assert finding["severity"] == "error" and finding["code"].startswith("CORS-") and finding["message"]


def test_repeated_lines_joined_as_a_browser_does(result_of):
    result = result_of(
        RequestSpec(URL, PAGE, probe_reflection=False),
        {"actual": head(200, ("Access-Control-Allow-Origin", PAGE), ("access-control-allow-origin", PAGE))},
    )
    document = result_to_dict(result)
    assert document["actual"]["response_headers"]["access-control-allow-origin"] == f"{PAGE}, {PAGE}"
    # ... while "steps" keeps every line as received.
    lines = document["steps"][0]["response"]["header_lines"]
    assert lines == [["Access-Control-Allow-Origin", PAGE], ["access-control-allow-origin", PAGE]]


def test_network_failure(result_of):
    failure = NetworkFailure("refused", "connection to api.example:443 refused", URL)
    document = result_to_dict(result_of(RequestSpec(URL, PAGE), {"actual": failure}))
    assert document["verdict"] == "error"
    assert document["actual"] == {"status": None, "response_headers": {}, "passed": False}
    assert document["failure"]["kind"] == "refused"


def test_redirects_listed(result_of):
    spec = RequestSpec("https://api.example/a", PAGE, probe_reflection=False)
    answers = {"actual": head(302, ("Location", "/b"), ("Access-Control-Allow-Origin", "*"))}
    result = result_of(spec, answers | {})
    assert result_to_dict(result)["redirects"][0] == {
        "from": "https://api.example/a",
        "to": "https://api.example/b",
        "status": 302,
    }


def test_secrets_masked_everywhere_unless_shown(result_of):
    spec = RequestSpec(
        URL,
        PAGE,
        headers=(("Authorization", "Bearer s3cret"),),
        credentials=Credentials.INCLUDE,
        cookie="sid=c00kie",
    )
    allow = (
        ("Access-Control-Allow-Origin", PAGE),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Headers", "authorization"),
    )
    result = result_of(
        spec,
        {
            "preflight": head(204, *allow),
            "actual": head(200, *allow, ("Set-Cookie", "sid=fr3sh")),
            "reflection-probe": head(200),
        },
    )
    masked = reporter("json")(result, RenderOptions())
    for secret in ("s3cret", "c00kie", "fr3sh"):
        assert secret not in masked
    shown = reporter("json")(result, RenderOptions(show_secrets=True))
    for secret in ("s3cret", "c00kie", "fr3sh"):
        assert secret in shown
