"""audit takes the network options of check and run, with the same meaning."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from corscheck.cli import app
from tests.probe.test_network_options import OPEN, ca, ca_file, https_server, proxy  # noqa: F401 - fixtures

TRUSTED = "https://app.example.com"


def audit(*args: str):
    return CliRunner().invoke(app, ["audit", *args, "-o", TRUSTED, "--format", "json", "-q"])


def test_http_urls_go_through_the_proxy(server, proxy):  # noqa: F811
    server.route("/api", OPEN)
    result = audit(server.url("/api"), "--proxy", proxy.url)
    assert result.exit_code == 0, result.output
    # The test proxy reads the first request of a connection and then only pipes bytes: the other
    # probe requests ride the same kept-alive connection through it.
    assert proxy.requests == [f"GET {server.url('/api')} HTTP/1.1"]
    assert len(server.received) == 4 and server.connections == 1


def test_https_goes_through_a_connect_tunnel_and_trusts_cacert(https_server, ca_file, proxy, monkeypatch):  # noqa: F811
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    result = audit(https_server.url("/api"), "--cacert", ca_file)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["error"] is None
    assert proxy.requests == [f"CONNECT 127.0.0.1:{https_server.port} HTTP/1.1"]


def test_an_untrusted_certificate_is_unreachable_and_insecure_warns(https_server):  # noqa: F811
    refused = audit(https_server.url("/api"))
    assert refused.exit_code == 3
    assert json.loads(refused.stdout)["results"][0]["error"]["kind"] == "tls"
    insecure = audit(https_server.url("/api"), "-k")
    assert insecure.exit_code == 0
    assert "--insecure" in insecure.stderr


def test_a_bad_proxy_is_a_one_line_usage_error():
    result = audit("http://127.0.0.1:9/", "--proxy", "socks5://127.0.0.1:1080")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
