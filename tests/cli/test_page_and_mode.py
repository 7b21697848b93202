"""`check --page/--csp/--coep/--mode/--lna-permission` against real loopback servers."""

import json
import socket

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from tests.conftest import Reply

ACAO = ("Access-Control-Allow-Origin", "*")


@pytest.fixture
def invoke():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def as_json(result):
    return json.loads(result.stdout)


def test_page_csp_header_blocks_before_sending(invoke, serve):
    page, api = serve(), serve()
    page.route("/app", ("Content-Security-Policy", f"connect-src 'self' {api.origin}/public/"))
    api.route("/private/x", ACAO)
    api.route("/public/x", ACAO)
    blocked = invoke("check", api.url("/private/x"), "--page", page.url("/app"), "--json")
    assert blocked.exit_code == 1
    document = as_json(blocked)
    assert document["origin"] == page.origin
    assert document["browser_message"].startswith(f"Connecting to '{api.url('/private/x')}' violates")
    assert api.received == []
    allowed = invoke("check", api.url("/public/x"), "--page", page.url("/app"), "-q")
    assert allowed.exit_code == 0
    assert [r.path for r in page.received] == ["/app", "/app"]  # loaded once per check


def test_page_meta_csp_and_coep(invoke, serve):
    page, api = serve(), serve()
    meta = b"<!doctype html><meta http-equiv=Content-Security-Policy content=\"connect-src 'self'\">"
    page.routes[("*", "/app")] = Reply(200, [("Cross-Origin-Embedder-Policy", "require-corp")], meta)
    api.route("/x", ACAO)
    cors = invoke("check", api.url("/x"), "--page", page.url("/app"), "--json")
    assert as_json(cors)["findings"][0]["code"] == "CORS-CSP-CONNECT-SRC"
    page.routes[("*", "/app")] = Reply(200, [("Cross-Origin-Embedder-Policy", "require-corp")])
    api.route("/x")
    no_cors = invoke("check", api.url("/x"), "--page", page.url("/app"), "--mode", "no-cors", "--json")
    assert no_cors.exit_code == 1
    assert as_json(no_cors)["browser_message"] == (
        "Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE.NotSameOriginAfterDefaultedToSameOriginByCoep"
    )


def test_csp_by_hand_and_report_only_is_not_a_block(invoke, server):
    server.route("/x", ACAO)
    result = invoke(
        "check", server.url("/x"), "--origin", "http://localhost:3000", "--csp", "default-src 'self'"
    )
    assert result.exit_code == 1
    assert "Note that 'connect-src' was not explicitly set" in result.stdout


def test_unloadable_page_is_one_line_and_exit_3(invoke, server):
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        result = invoke("check", server.url("/x"), "--page", f"http://127.0.0.1:{port}/app")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "cannot load the page" in result.stderr


def test_page_and_another_origin_is_a_usage_error(invoke, serve):
    page = serve()
    page.route("/app")
    result = invoke(
        "check", "https://api.example/x", "--page", page.url("/app"), "--origin", "https://x.example"
    )
    assert result.exit_code == 2
    assert "is not the origin of --page" in result.stderr


def test_no_cors_is_opaque_exit_1(invoke, server):
    server.route("/x", ACAO)
    result = invoke(
        "check", server.url("/x"), "--origin", "http://localhost:3000", "--mode", "no-cors", "--json"
    )
    assert result.exit_code == 1
    document = as_json(result)
    assert (document["verdict"], document["request"]["mode"]) == ("opaque", "no-cors")
    assert document["findings"][0]["code"] == "CORS-NO-CORS-OPAQUE"
    text = invoke("check", server.url("/x"), "--origin", "http://localhost:3000", "--mode", "no-cors")
    assert "status 0, no headers, empty body" in text.stdout


def test_mixed_content_is_blocked_without_resolving_the_host(invoke):
    # .invalid never resolves: exit 1 (blocked), not 3 (unreachable), shows nothing was attempted.
    result = invoke("check", "http://corscheck-mixed.invalid/x", "--origin", "https://app.example")
    assert result.exit_code == 1
    assert "Mixed Content: The page at 'https://app.example/'" in result.stdout
    assert "nothing was sent" in result.stdout


def test_local_network_access_permission(invoke, server):
    server.route("/x", ACAO)
    denied = invoke(
        "check", server.url("/x"), "--origin", "https://app.example", "--lna-permission", "denied", "--json"
    )
    assert denied.exit_code == 1
    assert as_json(denied)["findings"][0]["code"] == "CORS-LNA-PERMISSION-DENIED"
    assert server.received == []
    prompt = invoke(
        "check",
        server.url("/x"),
        "--origin",
        "https://app.example",
        "--csp",
        "treat-as-public-address",
        "--json",
    )
    assert prompt.exit_code == 0
    assert "CORS-LNA-PERMISSION-PROMPT" in [f["code"] for f in as_json(prompt)["findings"]]
    guessed = invoke("check", server.url("/x"), "--origin", "https://app.example", "--json")
    assert "CORS-LNA-PERMISSION-PROMPT" not in [f["code"] for f in as_json(guessed)["findings"]]
    insecure = invoke(
        "check", server.url("/x"), "--origin", "http://app.example", "--lna-permission", "granted"
    )
    assert insecure.exit_code == 1
    assert "not a secure context" in insecure.stdout


def test_run_page_applies_to_every_check(invoke, serve, tmp_path):
    page, api = serve(), serve()
    page.route("/app", ("Content-Security-Policy", "connect-src 'self'"))
    api.route("/x", ACAO)
    config = tmp_path / "corscheck.toml"
    config.write_text(
        f'[defaults]\norigin = "{page.origin}"\n\n[[check]]\nname = "api"\nurl = "{api.url("/x")}"\n'
        f'[[check]]\nname = "same"\nurl = "{page.url("/app")}"\n'
    )
    result = invoke("run", str(config), "--page", page.url("/app"), "--format", "json")
    assert result.exit_code == 1
    results = {row["name"]: row for row in json.loads(result.stdout)["results"]}
    assert results["api"]["findings"][0]["code"] == "CORS-CSP-CONNECT-SRC"
    assert results["same"]["verdict"] == "allowed"
    assert api.received == []
    other = tmp_path / "other.toml"
    other.write_text(f'[[check]]\nname = "api"\nurl = "{api.url("/x")}"\norigin = "https://x.example"\n')
    mismatch = invoke("run", str(other), "--page", page.url("/app"))
    assert mismatch.exit_code == 2
    assert "is not the origin of --page" in mismatch.stderr


def test_har_page_applies_its_policy(invoke, serve):
    from tests.inputs.test_har import FIXTURES

    page = serve()
    page.route("/app", ("Content-Security-Policy", "connect-src 'none'"))
    result = invoke("har", str(FIXTURES / "chromium.har"), "--page", page.url("/app"), "--json")
    rows = json.loads(result.stdout)["requests"]
    assert rows and all(row["origin"] == page.origin for row in rows)
    assert {row["findings"][0]["code"] for row in rows if row["source"] == "har" and row["findings"]} == {
        "CORS-CSP-CONNECT-SRC"
    }


def test_page_redirects_are_followed_to_the_page_that_applies(serve):
    from corscheck.core.model import AddressSpace
    from corscheck.probe.page import load_page

    first, second = serve(), serve()
    first.route("/old", ("Location", second.url("/app")), status=302)
    second.route(
        "/app",
        ("Content-Security-Policy", "connect-src 'self'"),
        ("Cross-Origin-Embedder-Policy", "require-corp"),
    )
    page = load_page(first.url("/old"))
    assert page.url == second.url("/app")
    assert (page.csp, page.coep, page.address_space) == (
        ("connect-src 'self'",),
        "require-corp",
        AddressSpace.LOOPBACK,
    )
