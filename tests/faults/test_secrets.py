"""Credentials: masked in every output unless --show-secrets, never on a preflight, dropped on a
cross-origin redirect as Chromium drops them."""

from __future__ import annotations

import pytest

from tests.faults.cli import PAGE, check, run_cli

AUTH = "Bearer auth-SECRET-1"
PROXY_AUTH = "Basic proxy-SECRET-2"
COOKIE = "sid=cookie-SECRET-3"
SET_COOKIE = "session=set-cookie-SECRET-4; HttpOnly"
SECRETS = ("auth-SECRET-1", "proxy-SECRET-2", "cookie-SECRET-3", "set-cookie-SECRET-4")

#: The page sends all four credentials, with credentials: include (so Cookie is sent too).
CREDENTIALED = (
    "--credentials",
    "include",
    "-H",
    f"Authorization: {AUTH}",
    "-H",
    f"Proxy-Authorization: {PROXY_AUTH}",
    "--cookie",
    COOKIE,
)


def _credentialed_api(server, *, allow: bool = True) -> None:
    """A preflight and an actual response that allow the credentialed request (or fail it)."""
    allowing = [("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true")]
    server.route(
        "/api", *allowing, ("Access-Control-Allow-Headers", "authorization"), status=204, method="OPTIONS"
    )
    # The response carries a Set-Cookie, and (oddly, but servers do) echoes credentials back.
    echoed = [("Set-Cookie", SET_COOKIE), ("Authorization", AUTH), ("Proxy-Authorization", PROXY_AUTH)]
    server.route("/api", *(allowing if allow else []), *echoed, method="GET")


def _leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize(
    "output", [(), ("-v",), ("--json",), ("-v", "--json")], ids=["text", "verbose", "json", "json-v"]
)
@pytest.mark.parametrize("allow", [True, False], ids=["allowed", "blocked"])
def test_check_masks_every_secret(server, output, allow):
    _credentialed_api(server, allow=allow)
    outcome = check(server.url("/api"), *CREDENTIALED, *output)
    assert outcome.exit_code == (0 if allow else 1), outcome
    assert _leaked(outcome.stdout + outcome.stderr) == []
    if output:  # -v and --json show the masked lines, so a secret would have had its chance to leak
        assert "<masked>" in outcome.stdout


@pytest.mark.parametrize("output", [("-v",), ("--json",)], ids=["verbose", "json"])
def test_show_secrets_shows_what_was_sent_and_received(server, output):
    _credentialed_api(server)
    outcome = check(server.url("/api"), *CREDENTIALED, "--show-secrets", *output)
    # Every one is there: the page's Authorization and Cookie as sent, and Set-Cookie, Authorization
    # and Proxy-Authorization as the server sent them back.
    assert _leaked(outcome.stdout) == list(SECRETS)


def test_preflight_never_carries_credentials(server):
    _credentialed_api(server)
    outcome = check(server.url("/api"), *CREDENTIALED, "--no-probe-reflection")
    assert outcome.exit_code == 0, outcome
    preflight, actual = server.received
    assert preflight.method == "OPTIONS"
    assert preflight.header("authorization") is None
    assert preflight.header("cookie") is None
    assert preflight.header("access-control-request-headers") == "authorization"
    assert (actual.method, actual.header("authorization"), actual.header("cookie")) == ("GET", AUTH, COOKIE)
    # fetch() may not set Proxy-Authorization: the browser never sends the page's value.
    assert all(request.header("proxy-authorization") is None for request in server.received)


def test_reflection_probe_never_carries_credentials(server):
    """The extra request from a made-up origin must not replay the user's cookie."""
    server.route("/echo", ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"))
    outcome = check(server.url("/echo"), "--credentials", "include", "--cookie", COOKIE)
    assert outcome.exit_code == 0, outcome
    first, probe = server.received
    assert first.header("cookie") == COOKIE
    assert probe.header("origin") != PAGE
    assert probe.header("cookie") is None


def _redirect_across_origins(serve):
    """/start on one origin lets Authorization through its preflight and 307s to another origin."""
    start, end = serve(), serve()
    allow_any = ("Access-Control-Allow-Origin", "*")
    start.route(
        "/start", allow_any, ("Access-Control-Allow-Headers", "authorization"), status=204, method="OPTIONS"
    )
    start.route("/start", allow_any, ("Location", end.url("/end")), status=307, method="GET")
    end.route("/end", allow_any)
    return start, end


def test_authorization_is_dropped_on_a_cross_origin_redirect(serve):
    start, end = _redirect_across_origins(serve)
    outcome = check(start.url("/start"), "-H", f"Authorization: {AUTH}", "--json")
    assert outcome.exit_code == 0, outcome
    assert [r.method for r in start.received] == ["OPTIONS", "GET"]
    assert start.received[1].header("authorization") == AUTH
    # Chromium 156 removes it on the hop (verified with the browser suite), and so does corscheck.
    (followed,) = end.received
    assert followed.header("authorization") is None
    assert followed.header("origin") == "null"


def test_report_says_authorization_was_dropped_on_the_redirect(serve):
    start, _ = _redirect_across_origins(serve)
    outcome = check(start.url("/start"), "-H", f"Authorization: {AUTH}", "--json")
    messages = [finding["message"] for finding in outcome.json()["findings"]]
    assert any("authorization" in message.lower() for message in messages), messages


# --- corscheck run: every report format --------------------------------------------------------


RUN_FORMATS = ["text", "json", "junit", "sarif", "github"]


def _config(tmp_path, server) -> str:
    path = tmp_path / "corscheck.toml"
    path.write_text(
        "[defaults]\n"
        f'origin = "{PAGE}"\n'
        'credentials = "include"\n'
        f'cookie = "{COOKIE}"\n'
        f'headers = {{ Authorization = "{AUTH}", Proxy-Authorization = "{PROXY_AUTH}" }}\n'
        "[[check]]\n"
        'name = "passes"\n'
        f'url = "{server.url("/api")}"\n'
        "[[check]]\n"  # fails: allowed, but expected blocked, so every format reports it in detail
        'name = "fails"\n'
        f'url = "{server.url("/api")}"\n'
        'expect = "blocked"\n'
    )
    return str(path)


@pytest.mark.parametrize("fmt", RUN_FORMATS)
def test_run_masks_every_secret_in_every_format(tmp_path, server, fmt):
    _credentialed_api(server)
    outcome = run_cli("run", _config(tmp_path, server), "--format", fmt)
    assert outcome.exit_code == 1, outcome
    assert "fails" in outcome.stdout
    assert _leaked(outcome.stdout + outcome.stderr) == []


def test_run_json_shows_secrets_only_when_asked(tmp_path, server):
    """Proof that the secrets do reach the report layer, so the masking test above could fail."""
    _credentialed_api(server)
    outcome = run_cli("run", _config(tmp_path, server), "--format", "json", "--show-secrets")
    assert "auth-SECRET-1" in outcome.stdout
    assert "set-cookie-SECRET-4" in outcome.stdout


# --- tokens in query strings and credential-bearing headers ------------------------------------

TOKENS = ("qs-api-key-5", "qs-token-6", "qs-sig-7", "hdr-x-api-key-8", "hdr-auth-token-9", "hdr-www-auth-10")


def _token_api(server) -> str:
    """A blocked request whose URL carries tokens and whose response echoes credential headers."""
    server.route(
        "/t",
        ("WWW-Authenticate", "Bearer realm=hdr-www-auth-10"),
        ("X-Auth-Token", "hdr-auth-token-9"),
        ("Set-Cookie2", "sid=hdr-set-cookie2"),
        method="GET",
    )
    return server.url("/t?api_key=qs-api-key-5&page=2&access_token=qs-token-6&sig=qs-sig-7")


def _token_config(tmp_path, url: str) -> str:
    path = tmp_path / "corscheck.toml"
    path.write_text(
        f'[[check]]\nname = "tokens"\nurl = "{url}"\norigin = "{PAGE}"\n'
        'headers = { X-API-Key = "hdr-x-api-key-8" }\n'
    )
    return str(path)


@pytest.mark.parametrize("output", [("-v",), ("--json",)], ids=["text", "json"])
def test_check_masks_query_tokens_and_credential_headers(server, output):
    url = _token_api(server)
    outcome = check(url, "-H", "X-API-Key: hdr-x-api-key-8", *output)
    shown = outcome.stdout + outcome.stderr
    assert [token for token in TOKENS if token in shown] == []
    assert "page=2" in shown and "api_key=<masked>" in shown  # names and harmless values stay
    revealed = check(url, "-H", "X-API-Key: hdr-x-api-key-8", "--show-secrets", *output).stdout
    assert "qs-api-key-5" in revealed


@pytest.mark.parametrize("fmt", RUN_FORMATS)
def test_run_masks_query_tokens_in_every_format(tmp_path, server, fmt):
    outcome = run_cli("run", _token_config(tmp_path, _token_api(server)), "--format", fmt)
    assert outcome.exit_code == 1, outcome
    assert [token for token in TOKENS if token in outcome.stdout] == []
    assert "masked" in outcome.stdout
    revealed = run_cli("run", _token_config(tmp_path, _token_api(server)), "--format", fmt, "--show-secrets")
    assert "qs-api-key-5" in revealed.stdout
