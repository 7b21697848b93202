"""Real DevTools copies of real Chromium fetches: parsed, re-run against the same server, same verdict."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from corscheck.core.model import Credentials, Verdict
from corscheck.core.request import needs_preflight, normalise_method, prepare_headers
from corscheck.inputs.copied import to_spec
from corscheck.inputs.curl import parse_curl
from corscheck.inputs.fetch_copy import parse_fetch
from corscheck.probe import run_check
from tests.browser.server import CaseServer

RECORDS = json.loads((Path(__file__).parents[1] / "fixtures/devtools/copies.json").read_text())
FLAVOURS = {"curl_bash": parse_curl, "curl_cmd": parse_curl, "fetch": parse_fetch, "fetch_node": parse_fetch}


@pytest.fixture(scope="module")
def server():
    server = CaseServer()
    for record in RECORDS:
        server.register(record["id"], record["routes"])
    yield server
    server.close()


def repoint(text: str, record: dict, server: CaseServer) -> str:
    """Swap the capture run's loopback ports for this run's."""
    case = urlsplit(record["url"])
    return text.replace(f"{case.scheme}://{case.netloc}", server.origins["case"]).replace(
        record["page_origin"], server.origins["page"]
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_copy_gives_the_browsers_verdict(record, flavour, server):
    copied = FLAVOURS[flavour](repoint(record[flavour], record, server))
    spec = to_spec(copied)
    assert spec.origin == server.origins["page"]
    result = run_check(spec, timeout=5)
    assert (result.verdict is Verdict.ALLOWED) == record["browser_allowed"], result.findings


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_flavours_agree_on_the_request(record):
    specs = {flavour: to_spec(parse(record[flavour])) for flavour, parse in FLAVOURS.items()}
    for spec in specs.values():
        assert spec.url == record["url"]
        assert spec.origin == record["page_origin"]
    bash, cmd = specs["curl_bash"], specs["curl_cmd"]
    assert bash == cmd
    for spec in specs.values():
        method = normalise_method(spec.method)
        assert needs_preflight(method, prepare_headers(spec.headers).sent) == needs_preflight(
            normalise_method(bash.method), prepare_headers(bash.headers).sent
        )


def test_browser_added_headers_are_not_author_headers():
    record = next(r for r in RECORDS if r["id"] == "get-allowed")
    spec = to_spec(parse_curl(record["curl_bash"]))
    assert spec.headers == ()  # only Sec-Fetch-*, sec-ch-ua*, Origin, Referer, User-Agent, Accept: */*...
    assert spec.method == "GET" and spec.credentials is Credentials.SAME_ORIGIN


def test_author_headers_body_and_cookie_survive():
    record = next(r for r in RECORDS if r["id"] == "put-credentials-allowed")
    spec = to_spec(parse_curl(record["curl_bash"]))
    assert spec.method == "PUT"
    assert {n.lower() for n, _ in spec.headers} == {"authorization", "x-api-key", "content-type"}
    assert spec.cookie == "k=v" and spec.credentials is Credentials.INCLUDE
    assert to_spec(parse_fetch(record["fetch"])).credentials is Credentials.INCLUDE
    assert to_spec(parse_fetch(record["fetch_node"])).cookie == "k=v"  # the Node copy keeps the cookie header


def test_provisional_headers_fall_back_to_the_referer():
    record = next(r for r in RECORDS if r["headers_from"] == "provisional")
    assert "Origin:" not in record["curl_bash"] and "origin:" not in record["curl_bash"]
    assert to_spec(parse_curl(record["curl_bash"])).origin == record["page_origin"]
