"""Recognise a browser's console CORS error (Chromium, Firefox, Safari) and name the rule behind it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corscheck.core.errors import InputError
from corscheck.core.messages import REASONS, CorsErrorKind
from corscheck.core.rules import rule_for


@dataclass(frozen=True)
class ConsoleError:
    """What a console line says: which rule failed, where, for whom and on which value."""

    browser: str
    #: A code from ``corscheck.core.rules.RULES``.
    code: str
    url: str | None = None
    origin: str | None = None
    #: The offending value or name the message quotes (header value, method, header name, ...).
    value: str | None = None
    #: The URL fetch() was called with, when the message says the request was redirected.
    first_url: str | None = None
    #: The failure was on the preflight (OPTIONS) response.
    preflight: bool = False
    #: The HTTP status the message reports, if any.
    status: int | None = None
    #: Other rules the same wording stands for (Safari uses one message for several causes).
    also: tuple[str, ...] = ()


# --- Chromium -------------------------------------------------------------------------------------

_CHROMIUM_HEAD = re.compile(
    r"Access to (?P<api>[\w.-]+(?: [\w-]+)?) at '(?P<url>[^']*)'"
    r"(?: \(redirected from '(?P<first_url>[^']*)'\))?"
    r" from origin '(?P<origin>[^']*)' has been blocked by CORS policy: (?P<reason>.*)",
    re.S,
)
_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
#: Everything after the first sentence varies across Chromium versions (the 'no-cors' advice,
#: the XMLHttpRequest withCredentials note), so a reason is matched on its stable start.
_VARYING_TAILS = (" Have the server send the header with a valid value.",)


def _reason_pattern(template: str) -> re.Pattern[str]:
    for tail in _VARYING_TAILS:
        template = template.removesuffix(tail)
    before, _, after = template.partition("{hint}")
    if not _:
        return re.compile(re.escape(template))
    # A hint is quoted ('…') or a bare token (a method or header name) in every template.
    hint = r"(?P<hint>.*?)" if before.endswith("'") else r"(?P<hint>\S+)"
    # fetch()'s targetAddressSpace, in the one template that names it.
    target = re.escape("{target}")
    return re.compile(
        re.escape(before).replace(target, r"\S+") + hint + re.escape(after).replace(target, r"\S+"), re.S
    )


_CHROMIUM_REASONS = [(kind, _reason_pattern(template)) for kind, template in REASONS.items()]
#: Wordings of Chromium before the current templates (still in old answers and old browsers).
_CHROMIUM_OLD_REASONS = [
    (
        CorsErrorKind.PREFLIGHT_INVALID_STATUS,
        re.compile(r"Response for preflight has invalid HTTP status code (?P<status>\d+)"),
    ),
    (CorsErrorKind.PREFLIGHT_REDIRECT, re.compile(r"Response for preflight is invalid \(redirect\)")),
]


def _chromium(text: str) -> ConsoleError | None:
    head = _CHROMIUM_HEAD.search(text)
    if head is None:
        return None
    reason = head["reason"].strip()
    preflight = reason.startswith(_PREFLIGHT_PREFIX)
    reason = reason.removeprefix(_PREFLIGHT_PREFIX)
    status = None
    for kind, pattern in _CHROMIUM_REASONS + _CHROMIUM_OLD_REASONS:
        match = pattern.match(reason)
        if match is None:
            continue
        groups = match.groupdict()
        if "status" in groups:
            status = int(groups["status"])
        preflight = preflight or kind in _PREFLIGHT_ONLY
        return ConsoleError(
            browser="chromium",
            code=rule_for(kind).code,
            url=head["url"],
            origin=head["origin"],
            value=groups.get("hint"),
            first_url=head["first_url"],
            preflight=preflight,
            status=status,
        )
    raise InputError(f"a Chromium CORS message with a reason corscheck does not know: {reason[:80]!r}")


_PREFLIGHT_ONLY = frozenset(
    {
        CorsErrorKind.PREFLIGHT_INVALID_STATUS,
        CorsErrorKind.PREFLIGHT_REDIRECT,
        CorsErrorKind.INVALID_ALLOW_METHODS,
        CorsErrorKind.INVALID_ALLOW_HEADERS,
        CorsErrorKind.METHOD_DISALLOWED,
        CorsErrorKind.HEADER_DISALLOWED,
    }
)

#: Chromium's lines for the checks around CORS (the page's CSP, mixed content, fetch()'s mode,
#: CORP/COEP), each with its rule: (pattern, code). The first match wins.
_CHROMIUM_OTHER: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"Connecting to '(?P<url>[^']*)' violates the following Content Security Policy directive:"
            r' "(?P<hint>[^"]*)"\..*report-only',
            re.S,
        ),
        "CORS-CSP-REPORT-ONLY",
    ),
    (
        re.compile(
            r"Connecting to '(?P<url>[^']*)' violates the following Content Security Policy directive:"
            r' "(?P<hint>[^"]*)"'
        ),
        "CORS-CSP-CONNECT-SRC",
    ),
    (
        re.compile(
            r"Fetch API cannot load (?P<url>\S+)\. Refused to connect because it violates the document's"
            r" Content Security Policy"
        ),
        "CORS-CSP-CONNECT-SRC",
    ),
    (
        re.compile(
            r"Mixed Content: The page at '[^']*' was loaded over HTTPS, but requested an insecure resource"
            r" '(?P<url>[^']*)'\. This request has been blocked"
        ),
        "CORS-MIXED-CONTENT",
    ),
    (
        re.compile(
            r"Mixed Content: The page at '[^']*' was loaded over HTTPS, but requested an insecure resource"
            r" '(?P<url>[^']*)'\. This content should also be served over HTTPS"
        ),
        "CORS-MIXED-CONTENT-TARGET",
    ),
    (
        re.compile(
            r"Fetch API cannot load (?P<url>\S+)\. Request mode is \"same-origin\" but the URL's origin is"
            r" not same as the request origin (?P<origin>\S+?)\.?$",
            re.M,
        ),
        "CORS-SAME-ORIGIN-MODE",
    ),
    (re.compile(r"'(?P<hint>[^']*)' is unsupported in no-cors mode"), "CORS-NO-CORS-METHOD"),
    (
        re.compile(r"net::ERR_BLOCKED_BY_RESPONSE\.(?P<hint>NotSameOrigin\w*|NotSameSite)"),
        "CORS-CORP-BLOCKED",
    ),
]


def _chromium_other(text: str) -> ConsoleError | None:
    for pattern, code in _CHROMIUM_OTHER:
        match = pattern.search(text)
        if match is not None:
            groups = match.groupdict()
            return ConsoleError(
                browser="chromium",
                code=code,
                url=groups.get("url"),
                origin=groups.get("origin"),
                value=groups.get("hint"),
            )
    return None


# --- Firefox (dom/locales/…/security.properties, the CORS* keys) ----------------------------------

_FIREFOX_HEAD = re.compile(
    r"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
    r" (?P<url>\S+?)\.? \(Reason: "
)
_FIREFOX_STATUS = re.compile(r"\. Status code: (?P<status>[^.]+)\.")
#: (reason regex, rule code, preflight?) in the order the keys are checked.
_FIREFOX_REASONS: list[tuple[re.Pattern[str], str, bool]] = [
    (re.compile(r"CORS header 'Access-Control-Allow-Origin' missing"), "CORS-ORIGIN-MISSING", False),
    (
        re.compile(r"Multiple CORS header 'Access-Control-Allow-Origin' not allowed"),
        "CORS-ORIGIN-MULTIPLE",
        False,
    ),
    (
        re.compile(r"CORS header 'Access-Control-Allow-Origin' does not match '(?P<hint>.*)'"),
        "CORS-ORIGIN-MISMATCH",
        False,
    ),
    (
        re.compile(r"Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is"),
        "CORS-WILDCARD-CREDENTIALS",
        False,
    ),
    (
        re.compile(r"expected 'true' in CORS header 'Access-Control-Allow-Credentials'"),
        "CORS-CREDENTIALS-NOT-TRUE",
        False,
    ),
    (re.compile(r"CORS preflight (?:channel|response) did not succeed"), "CORS-PREFLIGHT-STATUS", True),
    (re.compile(r"CORS request external redirect not allowed"), "CORS-PREFLIGHT-REDIRECT", True),
    (
        re.compile(r"invalid token '(?P<hint>.*)' in CORS header 'Access-Control-Allow-Methods'"),
        "CORS-ACAM-INVALID",
        True,
    ),
    (
        re.compile(r"invalid token '(?P<hint>.*)' in CORS header 'Access-Control-Allow-Headers'"),
        "CORS-ACAH-INVALID",
        True,
    ),
    (
        re.compile(r"Did not find method in CORS header 'Access-Control-Allow-Methods'"),
        "CORS-METHOD-NOT-ALLOWED",
        True,
    ),
    (
        re.compile(
            r"(?:header|missing token) '(?P<hint>.*?)' (?:is not allowed according to header"
            r"|in CORS header) 'Access-Control-Allow-Headers'"
        ),
        "CORS-HEADER-NOT-ALLOWED",
        True,
    ),
    (re.compile(r"CORS request not HTTP"), "CORS-REDIRECT-SCHEME", False),
    (re.compile(r"CORS request did not succeed"), "CORS-NETWORK-FAILURE", False),
]


def _firefox(text: str) -> ConsoleError | None:
    head = _FIREFOX_HEAD.search(text)
    # The reason runs to the last ")". Found with rfind, not a regex `(.*)\)`: that backtracks over
    # the rest of the text at every head, quadratic on a paste of many unclosed heads.
    close = text.rfind(")", head.end()) if head else -1
    if head is None or close < 0:
        return None
    # Firefox quotes with ‘…’; pasted copies often come back with '…'.
    reason = text[head.end() : close].replace("‘", "'").replace("’", "'")
    tail = _FIREFOX_STATUS.match(text, close + 1)
    status = int(tail["status"]) if tail and tail["status"].isdigit() else None
    for pattern, code, preflight in _FIREFOX_REASONS:
        match = pattern.match(reason)
        if match is not None:
            return ConsoleError(
                browser="firefox",
                code=code,
                url=head["url"],
                value=match.groupdict().get("hint"),
                preflight=preflight,
                status=status,
            )
    raise InputError(f"a Firefox CORS message with a reason corscheck does not know: {reason[:80]!r}")


# --- Safari (WebKit's CrossOriginAccessControl.cpp and friends) -----------------------------------

_STATUS = r"(?:\.?\s*Status code: (?P<status>\d+))?"
_SAFARI: list[tuple[re.Pattern[str], str, bool]] = [
    (
        re.compile(r"Origin (?P<origin>\S+) is not allowed by Access-Control-Allow-Origin\." + _STATUS),
        "CORS-ORIGIN-MISSING",
        False,
    ),
    (
        re.compile(r"Access-Control-Allow-Origin cannot contain more than one origin\."),
        "CORS-ORIGIN-MULTIPLE",
        False,
    ),
    (
        re.compile(r"Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true\."),
        "CORS-WILDCARD-CREDENTIALS",
        False,
    ),
    (
        re.compile(r"Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"\."),
        "CORS-CREDENTIALS-NOT-TRUE",
        False,
    ),
    (re.compile(r"Preflight response is not successful\." + _STATUS), "CORS-PREFLIGHT-STATUS", True),
    (
        re.compile(r"Method (?P<hint>\S+) is not allowed by Access-Control-Allow-Methods\."),
        "CORS-METHOD-NOT-ALLOWED",
        True,
    ),
    (
        re.compile(r"Request header field (?P<hint>\S+) is not allowed by Access-Control-Allow-Headers\."),
        "CORS-HEADER-NOT-ALLOWED",
        True,
    ),
]
#: WebKit prints "Origin … is not allowed" whether the header is missing, wrong or unparsable.
_SAFARI_ALSO = {"CORS-ORIGIN-MISSING": ("CORS-ORIGIN-MISMATCH", "CORS-ORIGIN-INVALID")}
#: Safari's second line names only the URL; the reason is on the line before it.
_SAFARI_URL = re.compile(
    r"(?:Fetch API|XMLHttpRequest) cannot load (?P<url>\S+?)\.?(?: due to access control checks\.)?$", re.M
)


def _safari(text: str) -> ConsoleError | None:
    url_line = _SAFARI_URL.search(text)
    for pattern, code, preflight in _SAFARI:
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        return ConsoleError(
            browser="safari",
            code=code,
            url=groups.get("url") or (url_line["url"] if url_line else None),
            origin=groups.get("origin"),
            value=groups.get("hint"),
            preflight=preflight,
            status=int(groups["status"]) if groups.get("status") else None,
            also=_SAFARI_ALSO.get(code, ()),
        )
    return None


def recognise(text: str) -> ConsoleError:
    """The rule behind a console line; InputError when ``text`` is not a CORS error."""
    text = text.strip()
    for reader in (_chromium, _chromium_other, _firefox, _safari):
        found = reader(text)
        if found is not None:
            return found
    if _SAFARI_URL.search(text):
        raise InputError(
            "Safari's 'cannot load … due to access control checks' line names no reason;"
            " paste the line printed just before it"
        )
    raise InputError("not a CORS error message from Chromium, Firefox or Safari")
