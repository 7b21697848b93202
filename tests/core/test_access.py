import pytest

from corscheck.core.access import cors_check, parses_as_url
from corscheck.core.messages import CorsErrorKind as K

ORIGIN = "https://app.example"


def check(lines, include=False, origin=ORIGIN):
    return cors_check(tuple(lines), origin, include)


def test_matching_origin_passes_without_credentials():
    assert check([("Access-Control-Allow-Origin", ORIGIN)]) is None


def test_wildcard_passes_without_credentials_and_fails_with_them():
    assert check([("Access-Control-Allow-Origin", "*")]) is None
    error = check([("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")], True)
    assert error.kind is K.WILDCARD_ORIGIN


def test_header_names_are_case_insensitive_and_values_trimmed():
    assert check([("access-control-allow-origin", f"  {ORIGIN}\t")]) is None


@pytest.mark.parametrize(
    ("lines", "kind", "hint"),
    [
        ([], K.MISSING_ALLOW_ORIGIN, None),
        (
            [("ACCESS-CONTROL-ALLOW-ORIGIN", ORIGIN), ("Access-Control-Allow-Origin", ORIGIN)],
            K.MULTIPLE_ALLOW_ORIGIN,
            f"{ORIGIN}, {ORIGIN}",
        ),
        (
            [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Origin", "*")],
            K.MULTIPLE_ALLOW_ORIGIN,
            "*, *",
        ),
        (
            [("Access-Control-Allow-Origin", f"{ORIGIN} https://b.example")],
            K.MULTIPLE_ALLOW_ORIGIN,
            f"{ORIGIN} https://b.example",
        ),
        ([("Access-Control-Allow-Origin", "app.example")], K.INVALID_ALLOW_ORIGIN, "app.example"),
        ([("Access-Control-Allow-Origin", "")], K.INVALID_ALLOW_ORIGIN, ""),
        ([("Access-Control-Allow-Origin", "*.example")], K.INVALID_ALLOW_ORIGIN, "*.example"),
        ([("Access-Control-Allow-Origin", ORIGIN + "/")], K.ALLOW_ORIGIN_MISMATCH, ORIGIN + "/"),
        (
            [("Access-Control-Allow-Origin", "https://APP.example")],
            K.ALLOW_ORIGIN_MISMATCH,
            "https://APP.example",
        ),
        ([("Access-Control-Allow-Origin", ORIGIN + ":443")], K.ALLOW_ORIGIN_MISMATCH, ORIGIN + ":443"),
        ([("Access-Control-Allow-Origin", "null")], K.ALLOW_ORIGIN_MISMATCH, "null"),
        ([("Access-Control-Allow-Origin", "\x0b" + ORIGIN)], K.ALLOW_ORIGIN_MISMATCH, "\x0b" + ORIGIN),
    ],
)
def test_failures_classified_as_chromium_does(lines, kind, hint):
    error = check(lines)
    assert error.kind is kind
    assert error.hint == hint


def test_null_origin_accepts_null_and_wildcard_only():
    assert check([("Access-Control-Allow-Origin", "null")], origin="null") is None
    assert check([("Access-Control-Allow-Origin", "*")], origin="null") is None
    assert check([("Access-Control-Allow-Origin", ORIGIN)], origin="null").kind is K.ALLOW_ORIGIN_MISMATCH


@pytest.mark.parametrize(
    ("value", "kind", "hint"),
    [
        (None, K.INVALID_ALLOW_CREDENTIALS, ""),
        ("True", K.INVALID_ALLOW_CREDENTIALS, "True"),
        ('"true"', K.INVALID_ALLOW_CREDENTIALS, '"true"'),
        ("1", K.INVALID_ALLOW_CREDENTIALS, "1"),
        ("true", None, None),
    ],
)
def test_credentials_need_exactly_true(value, kind, hint):
    lines = [("Access-Control-Allow-Origin", ORIGIN)]
    if value is not None:
        lines.append(("Access-Control-Allow-Credentials", value))
    error = check(lines, include=True)
    assert (error.kind if error else None) is kind
    assert (error.hint if error else None) == hint


def test_two_true_lines_fail():
    lines = [("Access-Control-Allow-Origin", ORIGIN)] + [("Access-Control-Allow-Credentials", "true")] * 2
    assert check(lines, include=True).hint == "true, true"


def test_credentials_header_ignored_without_include():
    lines = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "nope")]
    assert check(lines) is None


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://a.example", True),
        ("https://a.example:8080/x", True),
        ("foo:bar", True),
        ("a.example", False),
        ("", False),
        ("https://", False),
        ("https://a.example:99999", False),
        ("https://a b", False),
        ("*", False),
    ],
)
def test_parses_as_url(value, valid):
    assert parses_as_url(value) is valid
