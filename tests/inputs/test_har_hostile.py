"""Hostile HAR files: bad entries are skipped and named, secrets stay masked, text output is inert,
and preflights pair in one pass."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from corscheck.cli import app
from corscheck.inputs.har import HarEntry, pair_preflights, read_har

PAGE = "https://app.example"


def _entry(method, url, request_headers, status=200, response_headers=(), **extra):
    headers = [{"name": n, "value": v} for n, v in request_headers]
    response = {"status": status, "headers": [{"name": n, "value": v} for n, v in response_headers]}
    return {"request": {"method": method, "url": url, "headers": headers}, "response": response, **extra}


def _har(tmp_path, *entries) -> str:
    path = tmp_path / "x.har"
    path.write_text(json.dumps({"log": {"entries": list(entries)}}))
    return str(path)


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


BLOCKED = _entry("GET", "https://api.example/ok", [("Origin", PAGE)], 200, [("X", "1")])


def test_malformed_entries_are_reported_and_skipped(tmp_path):
    har = _har(
        tmp_path,
        _entry("GET", "http://[::1", [("Origin", PAGE)]),  # urllib raises ValueError on it
        {
            "request": {
                "method": "GET",
                "url": "https://api.example/h",
                "headers": [{"name": "Origin", "value": None}],
            },
            "response": {"status": 200, "headers": []},
        },
        {"request": {}},
        BLOCKED,
    )
    result = _invoke("har", har, "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert [r["url"] for r in document["requests"]] == ["https://api.example/ok"]
    skipped = document["skipped"]
    assert any(line.startswith("entry 2:") and "header" in line for line in skipped)
    assert any(line.startswith("entry 3:") for line in skipped)
    assert any("http://[::1" in line for line in skipped)
    assert "None" not in result.stdout  # a null header value is not the origin 'None'
    text = _invoke("har", har)
    assert text.stdout.startswith("skipped ")


def test_har_masks_credentials_in_text_and_json_unless_show_secrets(tmp_path):
    secret = "Bearer s3cr3t-t0ken"
    har = _har(
        tmp_path,
        _entry(
            "GET",
            "https://api.example/x?api_key=k3y&page=2",
            [("Origin", PAGE), ("Authorization", secret), ("X-API-Key", "k3y")],
            0,
            _failureText="net::ERR_FAILED",
        ),
    )
    for args in ((), ("--json",)):
        shown = _invoke("har", har, *args).stdout
        assert "s3cr3t" not in shown and "k3y" not in shown, shown
        assert "page=2" in shown
    revealed = _invoke("har", har, "--json", "--show-secrets").stdout
    assert secret in revealed and "api_key=k3y" in revealed


def test_har_text_output_is_inert(tmp_path):
    har = _har(
        tmp_path,
        _entry(
            "GET",
            "https://api.example/\u202eevil",
            [("Origin", PAGE)],
            0,
            _error="net::ERR_FAILED\x1b]52;c;cHduZWQ=\x07\x9b31m",
        ),
    )
    output = _invoke("har", har).stdout
    assert output.count("\n") >= 2
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in output
    assert "\\u001B]52;c;cHduZWQ=" in output


def _preflight(url: str, method: str) -> HarEntry:
    headers = (("Origin", PAGE), ("Access-Control-Request-Method", method))
    return HarEntry("OPTIONS", url, headers, None)


def test_each_request_takes_the_earliest_unpaired_preflight_for_its_url_and_method():
    first, second = _preflight("https://a.example/x", "PUT"), _preflight("https://a.example/x", "PUT")
    other = _preflight("https://a.example/y", "PUT")
    put = HarEntry("PUT", "https://a.example/x", (("Origin", PAGE),), None)
    requests = pair_preflights([first, other, second, put, put, put])
    assert [r.preflight for r in requests[:3]] == [first, second, None]
    assert [r.actual for r in requests[3:]] == [other]  # an unpaired preflight stands for its request


def test_a_har_is_read_from_a_stream(tmp_path):
    path = _har(tmp_path, BLOCKED)
    with open(path, "rb") as stream:
        log = read_har(stream)
    assert [e.url for e in log.entries] == ["https://api.example/ok"] and log.skipped == []
