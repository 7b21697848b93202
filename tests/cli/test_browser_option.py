"""--browser: the same request judged as another engine, or by all of them side by side."""

import json

import pytest
from typer.testing import CliRunner

from corscheck.cli import app

PAGE = "https://app.example"
ACAO = "Access-Control-Allow-Origin"


@pytest.fixture
def invoke():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def client_hint_server(server):
    """Lets anyone read, answers no preflight: a request with a DPR header passes only in Chromium
    (Firefox and Safari preflight it)."""
    server.route("/api", (ACAO, "*"))
    return server


def test_one_engine_is_judged_by_its_own_rules(invoke, client_hint_server):
    args = ("check", client_hint_server.url("/api"), "-o", PAGE, "-H", "DPR: 2", "--no-probe-reflection")
    assert invoke(*args).exit_code == 0
    firefox = invoke(*args, "--browser", "firefox")
    assert firefox.exit_code == 1
    assert "Cross-Origin Request Blocked" in firefox.stdout
    assert "header ‘dpr’ is not allowed" in firefox.stdout


def test_all_gives_one_verdict_per_engine_a_difference_line_and_the_worst_exit_code(
    invoke, client_hint_server
):
    url = client_hint_server.url("/api")
    result = invoke("check", url, "-o", PAGE, "-H", "DPR: 2", "--no-probe-reflection", "--browser", "all")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    per_browser = lines.index("Per browser:")
    assert [line.split()[:2] for line in lines[per_browser + 1 : per_browser + 4]] == [
        ["Chromium", "allowed"],
        ["Firefox", "blocked"],
        ["Safari", "blocked"],
    ]
    assert lines[per_browser + 4].startswith("blocked in Firefox and Safari, allowed in Chromium: ")


def test_all_in_json_adds_a_browsers_section(invoke, client_hint_server):
    url = client_hint_server.url("/api")
    result = invoke("check", url, "-o", PAGE, "-H", "DPR: 2", "--json", "--browser", "all")
    document = json.loads(result.stdout)
    assert document["browser"] == "chromium"
    engines = document["browsers"]["engines"]
    assert list(engines) == ["chromium", "firefox", "safari"]
    assert engines["firefox"]["verdict"] == "blocked"
    assert engines["firefox"]["preflight_sent"] is True
    assert engines["chromium"]["preflight_sent"] is False
    assert engines["safari"]["verdict"] == "blocked"
    assert document["browsers"]["differences"].startswith(
        "blocked in Firefox and Safari, allowed in Chromium"
    )


def test_when_every_engine_agrees_the_line_says_so(invoke, client_hint_server):
    url = client_hint_server.url("/api")
    # A page on loopback over http: from an https page Safari refuses any http URL as mixed content
    # (loopback too), and from a public one Chromium's Local Network Access would refuse it.
    result = invoke("check", url, "-o", "http://localhost:8080", "--no-probe-reflection", "--browser", "all")
    assert result.exit_code == 0
    assert "allowed in every browser" in result.stdout


def test_run_takes_the_browser_key_and_the_option_overrides_it(invoke, client_hint_server, tmp_path):
    config = tmp_path / "corscheck.toml"
    config.write_text(
        f'[[check]]\nname = "hint"\nurl = "{client_hint_server.url("/api")}"\norigin = "{PAGE}"\n'
        'headers = {DPR = "2"}\nbrowser = "all"\n'
    )
    everywhere = invoke("run", str(config), "--json", "--no-probe-reflection")
    names = {r["name"]: r["passed"] for r in json.loads(everywhere.stdout)["results"]}
    assert names == {"hint": True, "hint in firefox": False, "hint in safari": False}
    assert everywhere.exit_code == 1
    assert invoke("run", str(config), "--browser", "chromium", "--no-probe-reflection").exit_code == 0


def test_an_unknown_browser_in_a_config_is_a_usage_error(invoke, tmp_path):
    config = tmp_path / "corscheck.toml"
    config.write_text('[[check]]\nurl = "https://a.example/"\norigin = "https://b.example"\nbrowser = "ie"\n')
    result = invoke("run", str(config))
    assert result.exit_code == 2
    assert "browser" in result.stderr and "chromium, firefox, safari or all" in result.stderr
