"""A concrete server change for a recognised console error, with the message's own URL, origin and value."""

from __future__ import annotations

from corscheck.core.console import ConsoleError
from corscheck.core.explain import _mismatch_cause
from corscheck.core.rules import RULES

_SOME_ORIGIN = "<the page's origin>"


def _where(error: ConsoleError) -> str:
    response = "the OPTIONS (preflight) response" if error.preflight else "the response"
    at = f" from {error.url}" if error.url else ""
    status = f" (it answered {error.status})" if error.status else ""
    return f"{response}{at}{status}"


def server_fix(error: ConsoleError) -> str:
    """What to change on the server, filled in with what the message names."""
    origin = error.origin or _SOME_ORIGIN
    value = error.value
    where = _where(error)
    code = error.code
    allow_origin = f"`Access-Control-Allow-Origin: {origin}`"
    if code == "CORS-ORIGIN-MISSING":
        fix = f"Send {allow_origin} on {where}"
        if error.status and error.status >= 400:
            fix += "; error responses need the CORS headers too"
        return fix + "."
    if code == "CORS-ORIGIN-MULTIPLE":
        shown = f" instead of {value!r}" if value else ""
        return (
            f"Send exactly one line, {allow_origin}, on {where}{shown}: remove the copy added by the"
            " proxy or the app, or echo the one allowed origin that matches the request's Origin."
        )
    if code in ("CORS-ORIGIN-MISMATCH", "CORS-ORIGIN-INVALID") and value is not None and error.origin:
        _cause, how = _mismatch_cause(value, error.origin, error.origin)
        if code == "CORS-ORIGIN-INVALID" and error.origin.endswith(f"://{value}"):
            how = f"add the scheme: send {error.origin!r}"
        return f"Access-Control-Allow-Origin on {where} is {value!r}; {how}."
    if code == "CORS-WILDCARD-CREDENTIALS":
        return (
            f"With credentials, `*` is refused: echo the origin, {allow_origin}, with"
            " `Access-Control-Allow-Credentials: true` and `Vary: Origin` on"
            f" {where}; or make the request without credentials."
        )
    if code == "CORS-CREDENTIALS-NOT-TRUE":
        got = f" (it sent {value!r})" if value else ""
        return f"Send `Access-Control-Allow-Credentials: true`, exactly, lower-case, on {where}{got}."
    if code == "CORS-PREFLIGHT-STATUS":
        return (
            f"Answer the preflight with 204 or 200 on {where}: let unauthenticated OPTIONS requests"
            " through auth, WAF and routing, before any other handler."
        )
    if code == "CORS-PREFLIGHT-REDIRECT":
        return (
            f"Do not redirect the OPTIONS request ({where}): call the final URL from the page"
            " (trailing slash, https, canonical host)."
        )
    if code == "CORS-METHOD-NOT-ALLOWED" and value:
        example = f"Access-Control-Allow-Methods: GET, POST, {value}"
        return f"List {value} (same case) in `Access-Control-Allow-Methods` on {where}: e.g. `{example}`."
    if code == "CORS-HEADER-NOT-ALLOWED" and value:
        example = f"Access-Control-Allow-Headers: {value}"
        return f"List {value} in `Access-Control-Allow-Headers` on {where}: e.g. `{example}`."
    if code in ("CORS-ACAM-INVALID", "CORS-ACAH-INVALID"):
        bad = f" ({value!r} is not a token)" if value else ""
        return (
            "Send a comma-separated list of plain tokens, e.g. `GET, POST, PUT` or"
            f" `content-type, authorization`{bad}, on {where}."
        )
    return RULES[code].fix
