"""TLS trust, client certificates and proxies, against real servers on 127.0.0.1."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from tests.faults.cli import PAGE, check, run_cli
from tests.probe.forward_proxy import ForwardProxy

OPEN = ("Access-Control-Allow-Origin", "*")


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def https_server(serve, ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = serve(tls=context)
    server.route("/api", OPEN)
    return server


@pytest.fixture
def proxy():
    proxy = ForwardProxy()
    yield proxy
    proxy.close()


def test_a_private_ca_is_trusted_with_cacert(https_server, ca_file):
    assert check(https_server.url("/api"), "--timeout", "3").exit_code == 3  # not trusted by default
    outcome = check(https_server.url("/api"), "--cacert", ca_file, "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["tls_verify"] is True
    assert len(https_server.received) == 1


def test_a_private_ca_is_trusted_through_ssl_cert_file(https_server, ca_file, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    outcome = check(https_server.url("/api"))
    assert outcome.exit_code == 0, outcome


def test_cacert_replaces_the_other_trust(https_server, ca_file, tmp_path, monkeypatch):
    # Like curl: with --cacert, a CA trusted only through SSL_CERT_FILE is no longer trusted.
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    outcome = check(https_server.url("/api"), "--cacert", str(other), "--timeout", "3")
    assert outcome.exit_code == 3, outcome


def test_an_unusable_cacert_is_a_one_line_usage_error(tmp_path):
    missing = tmp_path / "missing.pem"
    outcome = check("https://127.0.0.1:1/api", "--cacert", str(missing))
    assert outcome.exit_code == 2, outcome
    assert len(outcome.stderr_lines) == 1 and "missing.pem" in outcome.stderr


def test_insecure_warns_once_on_stderr_and_is_in_the_json(https_server):
    outcome = check(https_server.url("/api"), "-k", "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.stderr_lines == ["corscheck: warning: --insecure: TLS certificates are not verified"]
    assert outcome.json()["tls_verify"] is False


def test_client_certificate_for_mutual_tls(serve, ca, ca_file, tmp_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = serve(tls=context)
    server.route("/api", OPEN)
    client = ca.issue_cert("client@example")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))

    without = check(server.url("/api"), "--cacert", ca_file, "--timeout", "3")
    assert without.exit_code == 3, without
    assert server.received == []
    outcome = check(server.url("/api"), "--cacert", ca_file, "--cert", str(cert), "--key", str(key))
    assert outcome.exit_code == 0, outcome
    assert len(server.received) == 1


def test_proxy_option_sends_requests_through_the_proxy(server, proxy):
    server.route("/api", OPEN)
    outcome = check(server.url("/api"), "--proxy", proxy.url)
    assert outcome.exit_code == 0, outcome
    assert proxy.requests == [f"GET {server.url('/api')} HTTP/1.1"]
    assert server.received[0].header("Origin") == PAGE


def test_https_goes_through_the_proxy_with_connect(https_server, ca_file, proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    outcome = check(https_server.url("/api"), "--cacert", ca_file)
    assert outcome.exit_code == 0, outcome
    assert proxy.requests == [f"CONNECT 127.0.0.1:{https_server.port} HTTP/1.1"]


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY", "ALL_PROXY"])
def test_proxy_variables_are_honoured(server, proxy, monkeypatch, variable):
    server.route("/api", OPEN)
    monkeypatch.setenv(variable, proxy.url)
    assert check(server.url("/api")).exit_code == 0
    assert len(proxy.requests) == 1


def test_lower_case_wins_when_both_spellings_are_set(server, proxy, monkeypatch):
    server.route("/api", OPEN)
    monkeypatch.setenv("http_proxy", proxy.url)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")  # nothing listens there
    assert check(server.url("/api")).exit_code == 0
    assert len(proxy.requests) == 1


@pytest.mark.parametrize("bypass", [("NO_PROXY", "127.0.0.1"), ("no_proxy", "*"), ("--noproxy", "127.0.0.1")])
def test_no_proxy_bypasses_the_proxy(server, proxy, monkeypatch, bypass):
    server.route("/api", OPEN)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    name, value = bypass
    options = (name, value) if name.startswith("--") else ()
    if not options:
        monkeypatch.setenv(name, value)
    outcome = check(server.url("/api"), *options)
    assert outcome.exit_code == 0, outcome
    assert proxy.requests == []
    assert len(server.received) == 1


def test_an_empty_proxy_option_ignores_the_environment(server, monkeypatch):
    server.route("/api", OPEN)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    assert check(server.url("/api"), "--proxy", "").exit_code == 0


def test_a_bad_proxy_is_a_one_line_usage_error(monkeypatch):
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    outcome = check("http://127.0.0.1:1/api")
    assert outcome.exit_code == 2, outcome
    assert len(outcome.stderr_lines) == 1 and "socks5" in outcome.stderr


def test_run_takes_the_same_options_and_config_ca_cert(https_server, ca_file, tmp_path, proxy):
    config = tmp_path / "corscheck.toml"
    config.write_text(
        f'[defaults]\norigin = "{PAGE}"\nca_cert = "ca.pem"\n\n[[check]]\nname = "api"\nurl = "{https_server.url("/api")}"\n'
    )
    (tmp_path / "ca.pem").write_text(Path(ca_file).read_text())
    outcome = run_cli("run", str(config), "--format", "json", "--proxy", proxy.url)
    assert outcome.exit_code == 0, outcome
    assert len(proxy.requests) == 1
    insecure = run_cli("run", str(config), "--format", "json", "-k")
    assert insecure.stderr_lines == ["corscheck: warning: --insecure: TLS certificates are not verified"]
    assert insecure.json()["results"][0]["tls_verify"] is False


def test_har_live_takes_the_same_options(server, proxy, tmp_path):
    from tests.inputs.test_har import chromium_shaped, entry

    server.route("/api", OPEN)
    har = tmp_path / "session.har"
    har.write_text(chromium_shaped([entry("GET", server.url("/api"), [("Origin", PAGE)], 200, [OPEN])]))
    outcome = run_cli("har", str(har), "--live", "--json", "--proxy", proxy.url, "-k")
    assert outcome.exit_code == 0, outcome
    assert proxy.requests == [f"GET {server.url('/api')} HTTP/1.1"]
    assert outcome.json()["tls_verify"] is False
