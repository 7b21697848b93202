import pytest

from corscheck.core.errors import InputError
from corscheck.core.request import (
    is_forbidden_header,
    is_safelisted_header,
    needs_preflight,
    normalise_method,
    prepare_headers,
    request_headers_value,
    unsafe_header_names,
)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("get", "GET"),
        ("Post", "POST"),
        ("delete", "DELETE"),
        ("options", "OPTIONS"),
        ("put", "PUT"),
        ("head", "HEAD"),
        ("patch", "patch"),
        ("PATCH", "PATCH"),
        ("Propfind", "Propfind"),
    ],
)
def test_methods_normalise_like_fetch(typed, sent):
    assert normalise_method(typed) == sent


@pytest.mark.parametrize("method", ["CONNECT", "trace", "Track"])
def test_forbidden_methods_are_rejected(method):
    with pytest.raises(InputError, match="forbidden"):
        normalise_method(method)


@pytest.mark.parametrize("method", ["", "GE T", "GET\n", "é"])
def test_methods_must_be_tokens(method):
    with pytest.raises(InputError):
        normalise_method(method)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Cookie", "a=b"),
        ("host", "x"),
        ("Origin", "https://x"),
        ("User-Agent", "me"),
        ("Sec-Fetch-Mode", "cors"),
        ("Proxy-Authorization", "x"),
        ("Accept-Encoding", "gzip"),
        ("X-HTTP-Method-Override", "TRACE"),
        ("X-Method-Override", "get, connect"),
    ],
)
def test_forbidden_request_headers(name, value):
    assert is_forbidden_header(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("X-HTTP-Method-Override", "PATCH"), ("Authorization", "Bearer x"), ("X-Api-Key", "1")],
)
def test_allowed_request_headers(name, value):
    assert not is_forbidden_header(name, value)


def test_prepare_headers_drops_forbidden_trims_and_combines():
    prepared = prepare_headers(
        (("X-A", " 1 "), ("Cookie", "s=1"), ("x-a", "2"), ("Content-Type", "text/plain\t"))
    )
    assert prepared.sent == (("X-A", "1, 2"), ("Content-Type", "text/plain"))
    assert prepared.dropped == ("Cookie",)


@pytest.mark.parametrize("header", [("Bad Name", "x"), ("X-A", "a\r\nb"), ("X-A", "a\0b"), ("X-A", "snow☃")])
def test_invalid_headers_are_input_errors(header):
    with pytest.raises(InputError):
        prepare_headers((header,))


@pytest.mark.parametrize(
    ("name", "value", "safe"),
    [
        ("Accept", "application/json", True),
        ("Accept", 'text/html; q="1"', False),
        ("Accept", "a" * 128, True),
        ("Accept", "a" * 129, False),
        ("Accept-Language", "en-US,en;q=0.9", True),
        ("Accept-Language", "en_US", False),
        ("Content-Language", "de-DE", True),
        ("Content-Language", "de(DE)", False),
        ("Content-Type", "text/plain", True),
        ("Content-Type", "Text/Plain", True),
        ("Content-Type", "text/plain;charset=utf-8", True),
        ("Content-Type", "application/x-www-form-urlencoded", True),
        ("Content-Type", "multipart/form-data; boundary=x", True),
        ("Content-Type", "application/json", False),
        ("Content-Type", "text /plain", False),
        ("Content-Type", "text/plain,x/x", False),
        ("Content-Type", 'text/plain; charset="utf-8"', False),
        ("Content-Type", "text/plain\x0b", False),
        ("Range", "bytes=0-", True),
        ("Range", "bytes=0-500", True),
        ("Range", "BYTES=0-5", False),
        ("Range", "bytes=-500", False),
        ("Range", "bytes 0-", False),
        ("Range", "bytes=0-1,2-3", False),
        ("Range", "bytes=5-1", False),
        ("DPR", "2.0", True),
        ("DPR", "2.", False),
        ("Width", "100", True),
        ("Width", "1.5", False),
        ("ECT", "4g", True),
        ("ECT", "5g", False),
        ("Save-Data", "on", True),
        ("Save-Data", "off", False),
        ("Intervention", "anything", True),
        ("X-Custom", "1", False),
        ("Authorization", "Bearer x", False),
    ],
)
def test_safelisted_request_headers(name, value, safe):
    assert is_safelisted_header(name, value) is safe


def test_unsafe_names_are_lower_case_unique_in_header_order():
    headers = (("X-B", "1"), ("Content-Type", "application/json"), ("Accept", "*/*"), ("x-b", "2"))
    assert unsafe_header_names(headers) == ["x-b", "content-type"]


def test_safelisted_values_over_1024_bytes_all_become_unsafe():
    headers = (
        tuple(("DPR", "1" * 100) for _ in range(1))
        + tuple((name, "1" * 120) for name in ("Width", "Viewport-Width", "RTT", "Downlink", "Device-Memory"))
        + (("Accept", "a" * 120), ("Accept-Language", "a" * 120), ("Content-Language", "a" * 120))
    )
    total = sum(len(v) for _, v in headers)
    assert total > 1024
    assert sorted(unsafe_header_names(headers)) == sorted(n.lower() for n, _ in headers)
    assert unsafe_header_names(headers[:3]) == []


@pytest.mark.parametrize(
    ("method", "headers", "needed"),
    [
        ("GET", (), False),
        ("POST", (("Content-Type", "text/plain"),), False),
        ("POST", (("Content-Type", "application/json"),), True),
        ("HEAD", (), False),
        ("PUT", (), True),
        ("patch", (), True),
        ("GET", (("Authorization", "x"),), True),
    ],
)
def test_needs_preflight(method, headers, needed):
    assert needs_preflight(method, headers) is needed


def test_request_headers_value_is_sorted_unique_lower_case_without_spaces():
    assert request_headers_value(["x-b", "content-type", "x-a", "x-b"]) == "content-type,x-a,x-b"
