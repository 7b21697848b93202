"""Fingerprints read from plain data: what recognises a server, what does not, and Spring (which
cannot run here) from the body its DefaultCorsProcessor writes."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corscheck.core.engine as engine
from corscheck.core.errors import InputError
from corscheck.core.fingerprints import FINGERPRINTS, recognise
from corscheck.core.model import RequestKind, RequestSpec, ResponseHead, Verdict
from tests.core.conftest import respond
from tests.core.test_properties import (
    API,
    PAGE,
    credentials,
    drive,
    header_names,
    header_values,
    request_headers,
)

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


#: The statuses fingerprints and diagnoses look at (a 403 or 400 refusal, a 301 redirect, a 500).
statuses = st.sampled_from([200, 204, 301, 400, 403, 404, 500])
fingerprinted_lines = st.lists(
    st.one_of(
        st.tuples(header_names, header_values),
        st.sampled_from(
            [
                ("Server", "nginx/1.22.1"),
                ("Server", "uvicorn"),
                ("Server", "Werkzeug/3.1.9 Python/3.11.7"),
                ("X-Powered-By", "Express"),
                ("Keep-Alive", "timeout=72"),
                ("Vary", "origin"),
                ("Allow", "GET, OPTIONS"),
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "0"),
            ]
        ),
    ),
    max_size=8,
).map(tuple)
bodies = st.one_of(
    st.sampled_from(
        [
            b"",
            b"Disallowed CORS origin, method, headers",
            b"Disallowed CORS headers",
            b"CORS preflight request failed: origin 'https://app.example' is not allowed",
            b"CORS preflight request failed: headers are not allowed: X-A",
            b"Invalid CORS request",
            b"Internal Server Error",
            b"<center>nginx</center>",
        ]
    ),
    st.binary(max_size=64),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    method=st.sampled_from(["GET", "PUT", "patch"]),
    headers=request_headers,
    mode=credentials,
    expose=st.sampled_from([(), ("X-Total-Count",)]),
    responses=st.lists(
        st.builds(ResponseHead, statuses, fingerprinted_lines, body=bodies), min_size=1, max_size=4
    ),
)
def test_no_guess_changes_the_verdict(method, headers, mode, expose, responses, monkeypatch_module):
    spec = RequestSpec(API, PAGE, method=method, headers=headers, credentials=mode, expose=expose)
    try:
        guessed = drive(spec, responses)
    except InputError:
        return
    with monkeypatch_module.context() as patch:
        patch.setattr(engine, "recognise", lambda heads: ())
        bare = drive(spec, [replace(head, body=b"") for head in responses])
    if guessed is None:
        assert bare is None
        return
    assert (guessed.verdict, guessed.browser_message, guessed.exposed_headers, guessed.failure) == (
        bare.verdict,
        bare.browser_message,
        bare.exposed_headers,
        bare.failure,
    )
    if guessed.verdict is Verdict.BLOCKED:
        assert guessed.findings[0] == bare.findings[0]  # the browser's reason stays first
    added = {"LINT-SERVER-RECOGNISED", "LINT-SERVER-SETTING"}
    assert all(f.severity == "info" for f in guessed.findings if f.code in added)
    unchanged = [f for f in guessed.findings if f.code not in added | {"LINT-PREFLIGHT-AUTH-LAYER"}]
    assert unchanged == [f for f in bare.findings if f.code != "LINT-PREFLIGHT-AUTH-LAYER"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
