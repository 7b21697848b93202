"""Fingerprints read from plain data: what recognises a server, what does not, and Spring (which
cannot run here) from the body its DefaultCorsProcessor writes."""

from dataclasses import replace

from corscheck.core.fingerprints import FINGERPRINTS, recognise
from corscheck.core.model import RequestKind, RequestSpec, ResponseHead, Verdict
from tests.core.conftest import respond

ORIGIN = "https://app.example"
PUT = RequestSpec(url="https://api.example/items", origin=ORIGIN, method="PUT", probe_reflection=False)


def codes(result):
    return [f.code for f in result.findings]


def test_every_fingerprint_names_the_versions_it_was_taken_from():
    for fingerprint in FINGERPRINTS:
        assert any(ch.isdigit() for ch in fingerprint.versions), fingerprint.framework
        assert fingerprint.clues, fingerprint.framework


def test_spring_invalid_cors_request_is_a_cors_refusal_not_an_auth_layer(run):
    refused = ResponseHead(403, (("Content-Length", "20"),), body=b"Invalid CORS request")
    result = run(PUT, lambda request: refused)
    assert result.verdict is Verdict.BLOCKED and result.findings[0].code == "CORS-ORIGIN-MISSING"
    assert [s.framework for s in result.servers] == ["spring"]
    assert "LINT-PREFLIGHT-AUTH-LAYER" not in codes(result)
    setting = next(f for f in result.findings if f.code == "LINT-SERVER-SETTING")
    assert setting.details["setting"] == "allowedOrigins" and setting.details["value"] == [ORIGIN]
    assert '.allowedOrigins("https://app.example")' in setting.message


def test_a_403_with_any_other_body_still_points_at_the_auth_layer(run):
    refused = ResponseHead(403, (), body=b"Forbidden: login required")
    result = run(PUT, lambda request: refused)
    assert "LINT-PREFLIGHT-AUTH-LAYER" in codes(result)
    assert result.servers == () and "LINT-SERVER-SETTING" not in codes(result)


def test_an_unknown_server_gets_no_server_findings(run):
    result = run(PUT, lambda request: respond(200, ("Server", "Apache"), ("Vary", "Origin")))
    assert result.servers == ()
    assert not {"LINT-SERVER-RECOGNISED", "LINT-SERVER-SETTING"} & set(codes(result))


def test_the_most_certain_guess_comes_first():
    heads = [
        respond(200, ("Server", "nginx/1.22.1"), ("X-Powered-By", "Express")),
        respond(200, ("Server", "uvicorn")),
    ]
    guesses = recognise(heads)
    assert [g.confidence for g in guesses] == ["certain", "certain", "possible"]
    assert [g.framework for g in guesses][-1] == "starlette"


def test_a_body_is_evidence_only_in_the_preflight_it_came_with(run):
    """The same Starlette refusal without its body: the origin setting is still named, less surely."""
    head = ResponseHead(
        400,
        (("server", "uvicorn"), ("vary", "Origin, Access-Control-Request-Method")),
        body=b"Disallowed CORS origin",
    )
    sure = run(PUT, lambda request: head)
    unsure = run(PUT, lambda request: replace(head, body=b""))
    assert sure.steps[0].request.kind is RequestKind.PREFLIGHT
    assert sure.servers[0].confidence == "certain" and unsure.servers[0].confidence == "possible"
    assert sure.verdict is unsure.verdict and sure.browser_message == unsure.browser_message
