"""--preflight-only never sends a write: the preflight only, the actual request only for GET and HEAD."""

from __future__ import annotations

from tests.faults.cli import PAGE, check, run_cli

ACAO = ("Access-Control-Allow-Origin", PAGE)


def test_a_delete_sends_only_its_preflight(server):
    server.route("/item", ACAO, ("Access-Control-Allow-Methods", "DELETE"), status=204, method="OPTIONS")
    server.route("/item", ACAO, method="DELETE")
    outcome = check(server.url("/item"), "-X", "DELETE", "--preflight-only", "--json")
    assert outcome.exit_code == 0, outcome
    assert [r.method for r in server.received] == ["OPTIONS"]
    document = outcome.json()
    assert document["verdict"] == "allowed"
    assert document["actual_sent"] is False
    assert document["actual"] is None
    assert "LINT-ACTUAL-NOT-SENT" in [f["code"] for f in document["findings"]]


def test_a_failing_preflight_still_blocks(server):
    server.route("/item", ACAO, status=204, method="OPTIONS")  # DELETE not allowed
    outcome = check(server.url("/item"), "-X", "DELETE", "--preflight-only", "--json")
    assert outcome.exit_code == 1, outcome
    assert outcome.json()["verdict"] == "blocked"
    assert [r.method for r in server.received] == ["OPTIONS"]


def test_a_simple_post_sends_nothing_and_says_so(server):
    outcome = check(server.url("/form"), "-X", "POST", "--preflight-only")
    assert outcome.exit_code == 0, outcome
    assert server.received == []
    assert "was not sent (--preflight-only)" in outcome.stdout
    assert "JavaScript can read" not in outcome.stdout


def test_a_get_is_still_sent_and_judged(server):
    server.route("/api")  # no Access-Control-Allow-Origin
    outcome = check(server.url("/api"), "--preflight-only", "--json")
    assert outcome.exit_code == 1, outcome
    assert outcome.json()["actual_sent"] is True
    assert [r.method for r in server.received] == ["GET"]


def test_run_honours_the_config_key_and_the_option(server, tmp_path):
    server.route("/item", ACAO, ("Access-Control-Allow-Methods", "PUT"), status=204, method="OPTIONS")
    config = tmp_path / "corscheck.toml"
    checks = f'[[check]]\nname = "put"\nurl = "{server.url("/item")}"\norigin = "{PAGE}"\nmethod = "PUT"\n'
    config.write_text(checks + "preflight_only = true\n")
    assert run_cli("run", str(config)).exit_code == 0
    assert [r.method for r in server.received] == ["OPTIONS"]
    config.write_text(checks)
    assert run_cli("run", str(config), "--preflight-only").exit_code == 0
    assert [r.method for r in server.received] == ["OPTIONS", "OPTIONS"]


def test_a_bad_preflight_only_value_is_a_config_error(tmp_path):
    config = tmp_path / "corscheck.toml"
    config.write_text(f'[[check]]\nurl = "http://127.0.0.1:1/"\norigin = "{PAGE}"\npreflight_only = "yes"\n')
    outcome = run_cli("run", str(config))
    assert outcome.exit_code == 2, outcome
    assert "preflight_only" in outcome.stderr
