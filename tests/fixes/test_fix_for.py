"""--fix-for: each framework's real server, configured with the printed snippet, now lets the request through."""

import json
import socket
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from corscheck.core.model import Credentials, RequestSpec, Severity, Verdict
from corscheck.fixes import FRAMEWORKS, fix_for
from corscheck.probe import run_check
from tests.browser.server import CaseServer
from tests.fixes.servers import SERVERS

ORIGIN = "https://app.example"
#: A request that needs everything: a preflight for PUT and two unsafe headers, credentials, an exposed header.
DEMANDING = {
    "origin": ORIGIN,
    "method": "PUT",
    "headers": (("Authorization", "Bearer t"), ("X-Api-Key", "k"), ("Content-Type", "application/json")),
    "credentials": Credentials.INCLUDE,
    "cookie": "sid=1",
    "expose": ("X-Total-Count",),
    "probe_reflection": False,
}
SIMPLE = {"origin": ORIGIN, "expose": ("X-Total-Count",), "probe_reflection": False}


@contextmanager
def _bare_server():
    """A server with no CORS at all."""
    server = CaseServer()
    server.register("bare", {"/items": {"*": {"status": 200, "headers": []}}})
    try:
        yield server.origins["case"] + "/c/bare/items"
    finally:
        server.close()


def blocked_result(request):
    """What corscheck concluded against the bare server: the input --fix-for works from."""
    with _bare_server() as url:
        return run_check(RequestSpec(url=url, **request), timeout=5)


@pytest.mark.slow
@pytest.mark.parametrize("request_kind", ["demanding", "simple"])
@pytest.mark.parametrize("framework", SERVERS)
def test_snippet_makes_the_real_server_pass(framework, request_kind):
    request = DEMANDING if request_kind == "demanding" else SIMPLE
    before = blocked_result(request)
    assert before.verdict is Verdict.BLOCKED
    snippet = fix_for(framework, before)
    with SERVERS[framework](snippet) as url:
        after = run_check(RequestSpec(url=url, **request), timeout=5)
        probed = run_check(RequestSpec(url=url, **{**request, "probe_reflection": True}), timeout=5)
        # The methods list merges in the simple ones: a config made for a PUT must not break GET.
        simple_after = run_check(RequestSpec(url=url, **SIMPLE), timeout=5)
    assert after.verdict is Verdict.ALLOWED, [f.message for f in after.findings]
    assert after.unreadable_expose == ()
    for checked in (after, probed):
        assert [f.message for f in checked.findings if f.severity is not Severity.INFO] == []
    assert simple_after.verdict is Verdict.ALLOWED


def test_snippet_keeps_what_the_server_already_allows():
    server = CaseServer()
    preflight = [
        "Access-Control-Allow-Origin: https://elsewhere.example",
        "Access-Control-Allow-Methods: GET, POST, DELETE, *",
        "Access-Control-Allow-Headers: X-Trace",
    ]
    server.register("some", {"/items": {"OPTIONS": {"status": 204, "headers": preflight}}})
    try:
        before = run_check(RequestSpec(url=server.origins["case"] + "/c/some/items", **DEMANDING), timeout=5)
    finally:
        server.close()
    snippet = fix_for("express", before)
    assert 'methods: ["GET", "HEAD", "POST", "DELETE", "PUT"]' in snippet
    assert 'allowedHeaders: ["x-trace", "authorization", "content-type", "x-api-key"]' in snippet


def test_every_framework_has_a_snippet_naming_the_request():
    before = blocked_result(DEMANDING)
    for framework in FRAMEWORKS:
        snippet = fix_for(framework, before)
        assert (
            ORIGIN in snippet and "PUT" in snippet and "x-api-key" in snippet and "x-total-count" in snippet
        ), framework


def test_non_standard_method_keeps_its_case_in_rust():
    before = blocked_result({**SIMPLE, "method": "patch"})
    assert 'Method::from_bytes(b"patch")' in fix_for("tower-http", before)
    assert 'methods: ["GET", "HEAD", "POST", "patch"]' in fix_for("express", before)


def test_cli_prints_the_snippet_and_keeps_json_pure():
    with _bare_server() as url:
        text = CliRunner().invoke(
            app, ["check", url, "-o", ORIGIN, "--no-probe-reflection", "--fix-for", "fastapi"]
        )
        as_json = CliRunner().invoke(
            app, ["check", url, "-o", ORIGIN, "--no-probe-reflection", "--json", "--fix-for", "nginx"]
        )
    assert text.exit_code == 1
    assert "from fastapi.middleware.cors import CORSMiddleware" in text.stdout
    document = json.loads(as_json.stdout)
    assert document["verdict"] == "blocked"
    assert "add_header Access-Control-Allow-Origin" in as_json.stderr
    assert document["fix_for"]["framework"] == "nginx"
    assert document["fix_for"]["merged_with_server"] is True
    assert "add_header Access-Control-Allow-Origin" in document["fix_for"]["config"]


def _refused_url():
    """A port bound but never listening: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/items"


def test_unreachable_server_still_gets_the_config_from_the_request():
    args = ["check", _refused_url(), "-o", ORIGIN, "-X", "PUT", "-H", "X-Api-Key: k", "--fix-for", "express"]
    text = CliRunner().invoke(app, args)
    as_json = CliRunner().invoke(app, [*args, "--json"])
    assert text.exit_code == as_json.exit_code == 3
    assert "from the request alone" in text.stdout
    assert 'methods: ["GET", "HEAD", "POST", "PUT"]' in text.stdout
    assert 'allowedHeaders: ["x-api-key"]' in text.stdout
    document = json.loads(as_json.stdout)
    assert document["verdict"] == "error"
    assert document["fix_for"]["merged_with_server"] is False
    assert 'allowedHeaders: ["x-api-key"]' in document["fix_for"]["config"]


def test_unknown_framework_is_a_usage_error():
    result = CliRunner().invoke(app, ["check", "http://127.0.0.1:9/", "-o", ORIGIN, "--fix-for", "rails"])
    assert result.exit_code == 2


def test_nginx_snippet_writes_quotes_and_dollars_literally():
    """`$` and `"` are valid in header names: nginx must send them, not evaluate or end on them."""
    hostile = {**SIMPLE, "method": "PUT", "headers": (("X-$http_x_evil", "1"),), "expose": ('X-"Q',)}
    before = blocked_result(hostile)
    snippet = fix_for("nginx", before)
    assert '"x-${dollar}http_x_evil"' in snippet and '"x-\\"q"' in snippet
    with SERVERS["nginx"](snippet) as url:
        after = run_check(RequestSpec(url=url, **hostile), timeout=5)
    allowed = {n.lower(): v for n, v in after.steps[0].response.headers}
    assert allowed["access-control-allow-headers"] == "x-$http_x_evil"
    assert after.verdict is Verdict.ALLOWED, [f.message for f in after.findings]
