"""Turn a CorsError into a Finding whose message names the exact cause (trailing slash, case, ...)."""

from __future__ import annotations

from corscheck.core.access import ACAC, ACAO
from corscheck.core.errors import InputError
from corscheck.core.headers import combined, count, printable
from corscheck.core.mend import fix_text
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import Finding, ResponseHead
from corscheck.core.origin import parse_origin
from corscheck.core.preflight import ACAH, ACAM
from corscheck.core.rules import rule_for


def _mismatch_cause(value: str, sent: str, page: str) -> tuple[str, str]:
    """Why an Access-Control-Allow-Origin value that parses still does not match."""
    if sent == "null" and value == page:
        return "tainted", (
            f"the server echoed the page origin {page!r}, but a redirect made the request's Origin"
            " `null`; after a cross-origin redirect only `*` or `null` can match"
        )
    if value == "null":
        return "null", f"the value is `null` but the request's origin is {sent!r}"
    if value.rstrip("/") == sent:
        return "trailing-slash", f"remove the trailing slash: send {sent!r}"
    if value.lower() == sent.lower():
        return "case", f"the comparison is case-sensitive: send {sent!r}"
    try:
        as_origin = parse_origin(value).serialize()
    except InputError:
        as_origin = None
    if as_origin == sent:
        return "default-port", f"drop the explicit default port: send {sent!r}"
    if sent != "null" and value.split("://")[-1].rstrip("/") == sent.split("://")[-1]:
        return "scheme", f"the scheme differs (http vs https): send {sent!r}"
    if as_origin is None and "/" in value.split("://", 1)[-1]:
        return "path", f"an origin has no path: send {sent!r}"
    return "other-origin", f"it allows a different origin than {sent!r}"


def _access_message(error: CorsError, head: ResponseHead, sent: str, page: str) -> tuple[str, dict[str, str]]:
    hint = error.hint or ""
    shown = printable(hint)
    kind = error.kind
    if kind is CorsErrorKind.MISSING_ALLOW_ORIGIN:
        return f"no Access-Control-Allow-Origin header (status {head.status})", {}
    if kind is CorsErrorKind.MULTIPLE_ALLOW_ORIGIN:
        lines = count(head.headers, ACAO)
        if lines > 1:
            return (
                f"{lines} Access-Control-Allow-Origin lines, combined as {shown!r}; a browser"
                " accepts exactly one (is the header added twice, by the app and a proxy?)",
                {"cause": "duplicate-lines"},
            )
        return f"Access-Control-Allow-Origin is a list {shown!r}; only one origin is allowed", {
            "cause": "list"
        }
    if kind is CorsErrorKind.INVALID_ALLOW_ORIGIN:
        if sent in (f"https://{hint}", f"http://{hint}"):
            return f"Access-Control-Allow-Origin {shown!r} is missing the scheme: send {sent!r}", {
                "cause": "missing-scheme"
            }
        if "*" in hint:
            return (
                f"Access-Control-Allow-Origin {shown!r} is a pattern; browsers never expand it",
                {"cause": "pattern"},
            )
        return f"Access-Control-Allow-Origin {shown!r} is not a valid origin", {"cause": "invalid"}
    if kind is CorsErrorKind.ALLOW_ORIGIN_MISMATCH:
        cause, explanation = _mismatch_cause(hint, sent, page)
        return f"Access-Control-Allow-Origin {shown!r} does not match: {explanation}", {"cause": cause}
    if kind is CorsErrorKind.WILDCARD_ORIGIN:
        return (
            "Access-Control-Allow-Origin is `*` but the request includes credentials; echo the"
            f" origin {sent!r} and send Access-Control-Allow-Credentials: true",
            {},
        )
    # INVALID_ALLOW_CREDENTIALS
    value = combined(head.headers, ACAC)
    if value is None:
        return "Access-Control-Allow-Credentials is missing but the request includes credentials", {
            "cause": "missing"
        }
    if count(head.headers, ACAC) > 1:
        return f"Access-Control-Allow-Credentials is sent twice ({shown!r}); send one `true`", {
            "cause": "duplicate-lines"
        }
    if hint.strip('"').lower() == "true":
        return f"Access-Control-Allow-Credentials is {shown!r}; it must be exactly `true`", {"cause": "case"}
    return f"Access-Control-Allow-Credentials is {shown!r}; it must be `true`", {"cause": "value"}


def _listed(header: str, value: str | None) -> str:
    return f"{header}: {value!r}" if value is not None else f"no {header} header"


def blocking_finding(
    error: CorsError,
    head: ResponseHead,
    *,
    stage: str,
    url: str,
    sent_origin: str,
    page_origin: str,
    method: str = "",
    disallowed_headers: tuple[str, ...] = (),
    include_credentials: bool = False,
    unsafe_names: tuple[str, ...] = (),
) -> Finding:
    """The error finding for the check that blocked the request (or would block it next)."""
    rule = rule_for(error.kind)
    details: dict[str, object] = {"stage": stage, "url": url}
    if error.hint is not None:
        details["value"] = error.hint
    kind = error.kind
    where = {"preflight": "The preflight response", "redirect": "The redirect response"}.get(
        stage, "The response"
    )
    if kind is CorsErrorKind.CORS_DISABLED_SCHEME:
        location = combined(head.headers, "location")
        text = f"redirects to {location!r}; a CORS request only follows http(s) redirects"
        details["location"] = location
    elif kind is CorsErrorKind.REDIRECT_CONTAINS_CREDENTIALS:
        location = combined(head.headers, "location")
        text = f"redirects to {location!r}, which contains a user name or password"
        details["location"] = location
    elif kind is CorsErrorKind.PREFLIGHT_REDIRECT:
        location = combined(head.headers, "location")
        text = f"was a {head.status} redirect to {location!r}; preflights are never redirected"
        details["location"] = location
    elif kind is CorsErrorKind.PREFLIGHT_INVALID_STATUS:
        text = f"has status {head.status}; a preflight needs 200-299"
        details["status"] = head.status
    elif kind is CorsErrorKind.INVALID_ALLOW_METHODS:
        value = printable(combined(head.headers, ACAM) or "")
        text = f"has an Access-Control-Allow-Methods element that is not a method name: {value!r}"
    elif kind is CorsErrorKind.INVALID_ALLOW_HEADERS:
        value = printable(combined(head.headers, ACAH) or "")
        text = f"has an Access-Control-Allow-Headers element that is not a header name: {value!r}"
    elif kind is CorsErrorKind.METHOD_DISALLOWED:
        listed = combined(head.headers, ACAM)
        text = f"does not allow method {method!r} ({_listed('Access-Control-Allow-Methods', listed)})"
        if listed and "*" in listed and include_credentials:
            text += "; with credentials `*` is not a wildcard"
    elif kind is CorsErrorKind.HEADER_DISALLOWED:
        listed = combined(head.headers, ACAH)
        names = ", ".join(disallowed_headers)
        text = f"does not allow request header(s) {names} ({_listed('Access-Control-Allow-Headers', listed)})"
        if listed and "*" in listed and include_credentials:
            text += "; with credentials `*` is not a wildcard"
        details["headers"] = list(disallowed_headers)
    else:
        text, extra = _access_message(error, head, sent_origin, page_origin)
        details.update(extra)
        text = "has " + text if kind is CorsErrorKind.MISSING_ALLOW_ORIGIN else "failed: " + text
    fix = fix_text(
        error,
        head,
        stage=stage,
        url=url,
        sent_origin=sent_origin,
        page_origin=page_origin,
        method=method,
        unsafe_names=unsafe_names,
        disallowed_headers=disallowed_headers,
    )
    return Finding(rule.code, rule.severity, f"{where} from {url} {text}.", details, fix=fix)
