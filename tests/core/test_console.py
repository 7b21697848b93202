"""The console recogniser: every Chromium template, old wordings, Firefox and Safari lines."""

import pytest

from corscheck.core.advice import server_fix
from corscheck.core.console import recognise
from corscheck.core.errors import InputError
from corscheck.core.messages import (
    CorsError,
    CorsErrorKind,
    blocked_by_response_message,
    chromium_console_message,
    csp_message,
    mixed_content_message,
    no_cors_method_message,
    same_origin_mode_message,
)
from corscheck.core.rules import RULES, rule_for

HINTS = {
    CorsErrorKind.MULTIPLE_ALLOW_ORIGIN: "https://a.example, https://b.example",
    CorsErrorKind.INVALID_ALLOW_ORIGIN: "app.example",
    CorsErrorKind.ALLOW_ORIGIN_MISMATCH: "https://app.example/",
    CorsErrorKind.INVALID_ALLOW_CREDENTIALS: "True",
    CorsErrorKind.METHOD_DISALLOWED: "patch",
    CorsErrorKind.HEADER_DISALLOWED: "x-api-key",
    CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS: "https://u:p@b.example/",
    CorsErrorKind.LNA_INSECURE_CONTEXT: "loopback",
    CorsErrorKind.LNA_PERMISSION_DENIED: "local",
    CorsErrorKind.LNA_TARGET_MISMATCH: "loopback",
}


@pytest.mark.parametrize("kind", list(CorsErrorKind))
@pytest.mark.parametrize("preflight", [False, True])
@pytest.mark.parametrize("first_url", ["https://api.example/v1/x", "https://old.example/x"])
def test_every_chromium_template_is_recognised(kind, preflight, first_url):
    hint = HINTS.get(kind)
    text = chromium_console_message(
        CorsError(kind, hint, preflight),
        url="https://api.example/v1/x",
        first_url=first_url,
        origin="https://app.example",
    )
    found = recognise(text)
    assert found.browser == "chromium"
    assert found.code == rule_for(kind).code
    assert (found.url, found.origin) == ("https://api.example/v1/x", "https://app.example")
    assert found.value == hint
    assert found.first_url == (None if first_url == found.url else first_url)


def test_preflight_prefix_marks_the_preflight():
    text = (
        "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been blocked by"
        " CORS policy: Response to preflight request doesn't pass access control check: No"
        " 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert recognise(text).preflight
    assert not recognise(
        text.replace("Response to preflight request doesn't pass access control check: ", "")
    ).preflight


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        # Chromium <= ~M132 appended the no-cors advice.
        (
            "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been blocked by CORS"
            " policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. If an opaque"
            " response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.",
            "CORS-ORIGIN-MISSING",
            None,
        ),
        (
            "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been blocked by CORS"
            " policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example/' that is not equal"
            " to the supplied origin. Have the server send the header with a valid value, or, if an opaque response"
            " serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.",
            "CORS-ORIGIN-MISMATCH",
            "https://app.example/",
        ),
        # XMLHttpRequest adds the withCredentials sentence.
        (
            "Access to XMLHttpRequest at 'https://api.example/x' from origin 'https://app.example' has been blocked"
            " by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the"
            " wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests"
            " initiated by the XMLHttpRequest is controlled by the withCredentials attribute.",
            "CORS-WILDCARD-CREDENTIALS",
            None,
        ),
        (
            "Access to XMLHttpRequest at 'https://api.example/x' from origin 'https://app.example' has been blocked"
            " by CORS policy: Response for preflight has invalid HTTP status code 404",
            "CORS-PREFLIGHT-STATUS",
            None,
        ),
    ],
)
def test_old_chromium_and_xhr_wordings(text, code, value):
    found = recognise(text)
    assert (found.code, found.value) == (code, value)


FIREFOX = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example/x. (Reason: {}"


@pytest.mark.parametrize(
    ("reason", "code", "value", "status"),
    [
        (
            "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.",
            "CORS-ORIGIN-MISSING",
            None,
            404,
        ),
        ("CORS header 'Access-Control-Allow-Origin' missing", "CORS-ORIGIN-MISSING", None, None),
        (
            "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed",
            "CORS-ORIGIN-MULTIPLE",
            None,
            None,
        ),
        (
            "CORS header ‘Access-Control-Allow-Origin’ does not match ‘https://app.example/’",
            "CORS-ORIGIN-MISMATCH",
            "https://app.example/",
            None,
        ),
        (
            "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
            "CORS-WILDCARD-CREDENTIALS",
            None,
            None,
        ),
        (
            "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’",
            "CORS-CREDENTIALS-NOT-TRUE",
            None,
            None,
        ),
        ("CORS preflight response did not succeed). Status code: 401.", "CORS-PREFLIGHT-STATUS", None, 401),
        ("CORS preflight channel did not succeed", "CORS-PREFLIGHT-STATUS", None, None),
        ("CORS request external redirect not allowed", "CORS-PREFLIGHT-REDIRECT", None, None),
        (
            "invalid token ‘PUT;’ in CORS header ‘Access-Control-Allow-Methods’",
            "CORS-ACAM-INVALID",
            "PUT;",
            None,
        ),
        (
            "invalid token ‘x:y’ in CORS header ‘Access-Control-Allow-Headers’",
            "CORS-ACAH-INVALID",
            "x:y",
            None,
        ),
        (
            "Did not find method in CORS header ‘Access-Control-Allow-Methods’",
            "CORS-METHOD-NOT-ALLOWED",
            None,
            None,
        ),
        (
            "header ‘x-api-key’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS"
            " preflight response",
            "CORS-HEADER-NOT-ALLOWED",
            "x-api-key",
            None,
        ),
        (
            "missing token ‘x-api-key’ in CORS header ‘Access-Control-Allow-Headers’ from CORS preflight channel",
            "CORS-HEADER-NOT-ALLOWED",
            "x-api-key",
            None,
        ),
        ("CORS request did not succeed). Status code: (null).", "CORS-NETWORK-FAILURE", None, None),
    ],
)
def test_firefox_reasons(reason, code, value, status):
    text = FIREFOX.format(reason)
    if not reason.endswith("."):
        text += ")."
    found = recognise(text)
    assert found.browser == "firefox"
    assert (found.code, found.value, found.status, found.url) == (
        code,
        value,
        status,
        "https://api.example/x",
    )


@pytest.mark.parametrize(
    ("text", "code", "value", "status"),
    [
        (
            "[Error] Origin https://app.example is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
            "[Error] Fetch API cannot load https://api.example/x due to access control checks.",
            "CORS-ORIGIN-MISSING",
            None,
            200,
        ),
        ("Preflight response is not successful. Status code: 403", "CORS-PREFLIGHT-STATUS", None, 403),
        (
            "Request header field X-Api-Key is not allowed by Access-Control-Allow-Headers.",
            "CORS-HEADER-NOT-ALLOWED",
            "X-Api-Key",
            None,
        ),
        (
            "Method PATCH is not allowed by Access-Control-Allow-Methods.",
            "CORS-METHOD-NOT-ALLOWED",
            "PATCH",
            None,
        ),
        (
            'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".',
            "CORS-CREDENTIALS-NOT-TRUE",
            None,
            None,
        ),
        (
            "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.",
            "CORS-WILDCARD-CREDENTIALS",
            None,
            None,
        ),
        (
            "Access-Control-Allow-Origin cannot contain more than one origin.",
            "CORS-ORIGIN-MULTIPLE",
            None,
            None,
        ),
    ],
)
def test_safari_lines(text, code, value, status):
    found = recognise(text)
    assert found.browser == "safari"
    assert (found.code, found.value, found.status) == (code, value, status)


def test_safari_origin_line_names_the_alternatives_and_the_url():
    found = recognise(
        "Origin https://app.example is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
        "Fetch API cannot load https://api.example/x due to access control checks."
    )
    assert found.origin == "https://app.example"
    assert found.url == "https://api.example/x"
    assert "CORS-ORIGIN-MISMATCH" in found.also


@pytest.mark.parametrize(
    "text",
    [
        "TypeError: Failed to fetch",
        "GET https://api.example/x net::ERR_CONNECTION_REFUSED",
        "",
        "Fetch API cannot load https://api.example/x due to access control checks.",
        "Access to fetch at 'https://a/' from origin 'https://b' has been blocked by CORS policy: something new.",
    ],
)
def test_not_a_recognisable_cors_error(text):
    with pytest.raises(InputError):
        recognise(text)


def test_fix_is_concrete():
    found = recognise(
        "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been blocked by CORS"
        " policy: Response to preflight request doesn't pass access control check: The"
        " 'Access-Control-Allow-Origin' header has a value 'https://app.example/' that is not equal to the"
        " supplied origin. Have the server send the header with a valid value."
    )
    fix = server_fix(found)
    assert "trailing slash" in fix and "'https://app.example'" in fix and "preflight" in fix


def test_every_fix_names_the_value_or_falls_back_to_the_rule():
    found = recognise("Method PATCH is not allowed by Access-Control-Allow-Methods.")
    assert "PATCH" in server_fix(found)
    assert all(code in RULES for code in (found.code,))


REAL_CHROMIUM_CODES = {
    "get-no-acao": "CORS-ORIGIN-MISSING",
    "post-header-not-allowed": "CORS-HEADER-NOT-ALLOWED",
    "post-text-multiline-no-acao": "CORS-ORIGIN-MISSING",
    "get-wildcard-with-credentials": "CORS-WILDCARD-CREDENTIALS",
    "delete-preflight-404": "CORS-PREFLIGHT-STATUS",
}


@pytest.mark.parametrize("case_id", REAL_CHROMIUM_CODES)
def test_lines_headless_chromium_printed(case_id):
    import json
    from pathlib import Path

    records = json.loads((Path(__file__).parents[1] / "fixtures/devtools/copies.json").read_text())
    record = next(r for r in records if r["id"] == case_id)
    found = recognise(record["console"])
    assert found.code == REAL_CHROMIUM_CODES[case_id]
    assert (found.url, found.origin) == (record["url"], record["page_origin"])


URL = "http://api.example/x"


@pytest.mark.parametrize(
    ("line", "code", "value"),
    [
        (
            csp_message(URL, "connect-src 'self'", fallback=False, report_only=False),
            "CORS-CSP-CONNECT-SRC",
            "connect-src 'self'",
        ),
        (
            csp_message(URL, "default-src 'none'", fallback=True, report_only=True),
            "CORS-CSP-REPORT-ONLY",
            "default-src 'none'",
        ),
        (
            f"Fetch API cannot load {URL}. Refused to connect because it violates the document's Content Security Policy.",
            "CORS-CSP-CONNECT-SRC",
            None,
        ),
        (mixed_content_message("https://app.example/", URL, blocked=True), "CORS-MIXED-CONTENT", None),
        (
            mixed_content_message("https://app.example/", URL, blocked=False),
            "CORS-MIXED-CONTENT-TARGET",
            None,
        ),
        (same_origin_mode_message(URL, "https://app.example"), "CORS-SAME-ORIGIN-MODE", None),
        (no_cors_method_message("PUT"), "CORS-NO-CORS-METHOD", "PUT"),
        (blocked_by_response_message("NotSameSite"), "CORS-CORP-BLOCKED", "NotSameSite"),
    ],
)
def test_chromium_lines_of_the_checks_around_cors_are_recognised(line, code, value):
    found = recognise(line)
    assert (found.browser, found.code, found.value) == ("chromium", code, value)
    assert found.url in (URL, None)
