"""TLS with bad certificates made by the test: exit 3 naming TLS; --insecure checks CORS anyway."""

from __future__ import annotations

import datetime
import ssl

import pytest
import trustme

from tests.faults.cli import assert_unreachable, check
from tests.faults.hostile import OPEN_RESPONSE, answer_each


def _server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


def _self_signed() -> ssl.SSLContext:
    # A leaf from a CA nobody trusts: the client sees an unknown issuer, as with a self-signed cert.
    return _server_context(trustme.CA().issue_cert("127.0.0.1"))


def _expired() -> ssl.SSLContext:
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    cert = trustme.CA().issue_cert("127.0.0.1", not_before=past - datetime.timedelta(days=60), not_after=past)
    return _server_context(cert)


def _wrong_host() -> ssl.SSLContext:
    return _server_context(trustme.CA().issue_cert("other.example"))


BAD_CERTIFICATES = {"self-signed": _self_signed, "expired": _expired, "wrong-host": _wrong_host}


@pytest.mark.parametrize("name", BAD_CERTIFICATES)
def test_bad_certificate_is_unreachable(hostile, name):
    server = hostile(answer_each(OPEN_RESPONSE), tls=BAD_CERTIFICATES[name]())
    outcome = assert_unreachable(server.url("/api"), "TLS")
    assert "certificate" in outcome.stderr.lower()
    assert server.heads == []  # no request is sent over an unverified connection


@pytest.mark.parametrize("name", BAD_CERTIFICATES)
def test_insecure_checks_cors_despite_the_certificate(hostile, name):
    server = hostile(answer_each(OPEN_RESPONSE), tls=BAD_CERTIFICATES[name]())
    outcome = check(server.url("/api"), "--insecure", "--json")
    assert outcome.exit_code == 0, outcome
    assert outcome.json()["verdict"] == "allowed"
    assert len(server.heads) == 1


def test_plain_http_to_a_tls_port_is_unreachable(hostile):
    server = hostile(answer_each(OPEN_RESPONSE), tls=_self_signed())
    assert_unreachable(server.url("/api").replace("https://", "http://"), "127.0.0.1")


def test_tls_to_a_plain_http_port_is_unreachable(hostile):
    # A plain HTTP server answers the TLS ClientHello with an HTTP error, not a ServerHello.
    server = hostile(lambda conn: conn.send(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"))
    assert_unreachable(server.url("/api").replace("http://", "https://"), "TLS")
