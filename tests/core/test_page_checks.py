"""The browser's checks beyond the CORS headers, as pure functions: CSP connect-src, mixed content,
address spaces and Local Network Access, Cross-Origin-Resource-Policy."""

import pytest

from corscheck.core.csp import connect_violations, treats_as_public_address
from corscheck.core.csp_meta import meta_policies
from corscheck.core.local_network import address_space, local_network_error, page_address_space
from corscheck.core.messages import CorsErrorKind
from corscheck.core.mixed_content import blocks, is_mixed_content
from corscheck.core.model import AddressSpace, LnaPermission, Page
from corscheck.core.origin import parse_origin, parse_url
from corscheck.core.resource_policy import blocked_reason, coep_requires_corp

PAGE = parse_origin("https://app.example")


def violations(url, *csp, report_only=()):
    return connect_violations(parse_url(url), PAGE, tuple(csp), tuple(report_only))


@pytest.mark.parametrize(
    ("policy", "url", "allowed"),
    [
        ("connect-src 'self'", "https://app.example/x", True),
        ("connect-src 'self'", "https://app.example:8443/x", False),
        ("connect-src https://api.example", "https://api.example/x", True),
        ("connect-src https://api.example", "https://api.example:8443/x", False),  # default port only
        ("connect-src https://api.example:*", "https://api.example:8443/x", True),
        ("connect-src http://api.example", "https://api.example/x", True),  # the secure upgrade
        ("connect-src https://*.example", "https://api.example/x", True),
        ("connect-src https://*.example", "https://example/x", False),
        ("connect-src https://api.example/v1/", "https://api.example/v1/users", True),  # prefix
        ("connect-src https://api.example/v1", "https://api.example/v1/users", False),  # exact
        ("connect-src https://api.example/v1", "https://api.example/v1?q=1", True),
        ("connect-src https:", "https://anything.example/x", True),
        ("connect-src https:", "http://anything.example/x", False),
        ("connect-src *", "http://anything.example/x", True),
        ("connect-src 'none'", "https://app.example/x", False),
        ("default-src 'self'", "https://api.example/x", False),
        ("default-src 'none'; connect-src *", "https://api.example/x", True),
        ("script-src 'none'", "https://api.example/x", True),  # no connect-src, no default-src
        ("connect-src 'nonce-abc' https://api.example", "https://api.example/x", True),
    ],
)
def test_connect_src_matching(policy, url, allowed):
    assert (violations(url, policy) == []) is allowed


def test_the_violation_names_the_directive_and_the_fallback():
    [found] = violations("https://api.example/x", "default-src 'self' https://cdn.example")
    assert (found.directive, found.fallback, found.report_only) == (
        "default-src 'self' https://cdn.example",
        True,
        False,
    )


def test_every_policy_must_allow_and_report_only_ones_come_last():
    found = violations(
        "http://api.example/x", "connect-src *, connect-src https:", report_only=("connect-src 'self'",)
    )
    assert [(v.directive, v.report_only) for v in found] == [
        ("connect-src https:", False),
        ("connect-src 'self'", True),
    ]


def test_meta_policies_are_read_and_cannot_treat_as_public():
    html = (
        '<html><head><meta charset=utf-8><META HTTP-EQUIV="content-security-policy"'
        " content=\"connect-src 'self'; treat-as-public-address\"></head>"
    )
    assert meta_policies(html) == ("connect-src 'self'",)
    assert treats_as_public_address(("default-src *; treat-as-public-address",))


@pytest.mark.parametrize(
    ("url", "mixed"),
    [
        ("http://api.example/x", True),
        ("http://127.0.0.1:8000/x", False),
        ("http://127.8.9.1/x", False),
        ("http://[::1]:8000/x", False),
        ("http://localhost:8000/x", False),
        ("http://dev.localhost/x", False),
        ("http://10.0.0.1/x", True),  # a private address is not trustworthy by name
        ("https://api.example/x", False),
    ],
)
def test_mixed_content_is_decided_by_the_host_name(url, mixed):
    assert is_mixed_content(PAGE, parse_url(url)) is mixed
    assert is_mixed_content(parse_origin("http://app.example"), parse_url(url)) is False


def test_target_address_space_turns_mixed_content_into_a_warning():
    url = parse_url("http://printer.lan/x")
    assert blocks(PAGE, url, None)
    assert blocks(PAGE, url, AddressSpace.PUBLIC)
    assert not blocks(PAGE, url, AddressSpace.LOCAL)
    assert not blocks(PAGE, url, AddressSpace.LOOPBACK)


@pytest.mark.parametrize(
    ("address", "space"),
    [
        ("127.0.0.1", AddressSpace.LOOPBACK),
        ("::1", AddressSpace.LOOPBACK),
        ("::ffff:127.0.0.1", AddressSpace.LOOPBACK),
        ("10.1.2.3", AddressSpace.LOCAL),
        ("192.168.1.10", AddressSpace.LOCAL),
        ("172.16.0.1", AddressSpace.LOCAL),
        ("169.254.1.1", AddressSpace.LOCAL),
        ("fd00::1", AddressSpace.LOCAL),
        ("93.184.216.34", AddressSpace.PUBLIC),
    ],
)
def test_address_spaces(address, space):
    assert address_space(address) is space


@pytest.mark.parametrize(
    ("page", "origin", "space"),
    [
        (Page(), "https://app.example", AddressSpace.PUBLIC),
        (Page(), "http://localhost:3000", AddressSpace.LOOPBACK),
        (Page(), "http://192.168.1.5", AddressSpace.LOCAL),
        (Page(), "null", None),
        (Page(address_space=AddressSpace.LOOPBACK), "http://app.test", AddressSpace.LOOPBACK),
        (
            Page(csp=("treat-as-public-address",), address_space=AddressSpace.LOOPBACK),
            "http://x.test",
            "public",
        ),
        (Page(csp_report_only=("treat-as-public-address",)), "http://localhost", AddressSpace.LOOPBACK),
    ],
)
def test_where_the_page_is(page, origin, space):
    assert page_address_space(page, parse_origin(origin)) == space


def lna(page_space, target, *, secure=True, option=None, permission=LnaPermission.DENIED):
    error = local_network_error(
        page_space=page_space, secure_page=secure, target=target, target_option=option, permission=permission
    )
    return None if error is None else (error.kind, error.hint, error.target)


def test_local_network_access():
    public, local, loopback = AddressSpace.PUBLIC, AddressSpace.LOCAL, AddressSpace.LOOPBACK
    assert lna(loopback, loopback) is None
    assert lna(local, public) is None  # towards a more public space: nothing to ask
    assert lna(public, loopback) == (CorsErrorKind.LNA_PERMISSION_DENIED, "loopback", None)
    assert lna(local, loopback) == (CorsErrorKind.LNA_PERMISSION_DENIED, "loopback", None)
    assert lna(public, local, secure=False) == (CorsErrorKind.LNA_INSECURE_CONTEXT, "local", None)
    assert lna(public, loopback, option=local) == (CorsErrorKind.LNA_TARGET_MISMATCH, "loopback", "local")
    assert lna(public, loopback, permission=LnaPermission.GRANTED) is None
    assert lna(public, loopback, permission=LnaPermission.PROMPT) is None  # the engine warns
    assert lna(public, loopback, secure=False, permission=LnaPermission.GRANTED) is not None


def corp(value, page="https://app.example", target="https://api.example", coep=False):
    headers = (("Cross-Origin-Resource-Policy", value),) if value is not None else ()
    return blocked_reason(headers, page=parse_origin(page), target=parse_origin(target), coep_requires=coep)


def test_cross_origin_resource_policy():
    assert corp(None) is None
    assert corp(None, coep=True) == "NotSameOriginAfterDefaultedToSameOriginByCoep"
    assert corp(None, target="https://app.example", coep=True) is None
    assert corp("same-origin") == "NotSameOrigin"
    assert corp("same-site", page="https://app.example", target="https://api.app.example") is None
    assert corp("same-site") == "NotSameSite"
    assert corp("same-site", page="http://127.0.0.1:1", target="http://127.0.0.1:2") == "NotSameSite"
    assert corp("same-site", page="http://a.example", target="https://b.a.example") == "NotSameSite"
    assert corp("same-site", page="https://a.example", target="http://b.a.example") is None
    assert corp("cross-origin", coep=True) is None
    assert corp("Same-Origin") is None  # values are case-sensitive: unknown means no header
    assert corp("same-site, same-origin", coep=True) == "NotSameOriginAfterDefaultedToSameOriginByCoep"


def test_coep_values():
    assert coep_requires_corp("require-corp", False)
    assert coep_requires_corp('require-corp; report-to="x"', False)
    assert not coep_requires_corp("credentialless", False)
    assert coep_requires_corp("credentialless", True)
    assert not coep_requires_corp(None, True)
