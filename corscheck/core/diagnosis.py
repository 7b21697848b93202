"""Setting-level diagnoses: which setting of the recognised framework to change, and the value to put there.

Each diagnosis reads the blocking finding, the response that failed and what the server was recognised
as (core/fingerprints.py). It only ever adds LINT-SERVER-SETTING findings; the verdict stays the
browser's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from corscheck.core.access import ACAO
from corscheck.core.fingerprints import (
    BY_FRAMEWORK,
    CERTAIN,
    CONFIDENCES,
    LIKELY,
    POSSIBLE,
    body_text,
    is_cors_refusal,
)
from corscheck.core.headers import combined, count, parse_token_list
from corscheck.core.model import Finding, ResponseHead, ServerGuess
from corscheck.core.preflight import ACAH, ACAM
from corscheck.core.rules import RULES


@dataclass(frozen=True)
class Setting:
    #: The setting's name as the framework's documentation spells it.
    name: str
    #: The line to write; ``{}`` takes the comma-separated values (quoted, except for nginx).
    template: str


@dataclass(frozen=True)
class Settings:
    """How one framework spells each CORS setting."""

    origins: Setting
    methods: Setting
    headers: Setting
    credentials: Setting
    expose: Setting


def _keyword_settings(origins: str, methods: str, headers: str, credentials: str, expose: str) -> Settings:
    """Python keyword arguments: ``name=[…]``."""
    return Settings(
        Setting(origins, origins + "=[{}]"),
        Setting(methods, methods + "=[{}]"),
        Setting(headers, headers + "=[{}]"),
        Setting(credentials, credentials + "=True"),
        Setting(expose, expose + "=[{}]"),
    )


#: The options of Express's cors package, which @fastify/cors copies.
_CORS_PACKAGE = Settings(
    Setting("origin", "origin: {}"),
    Setting("methods", "methods: [{}]"),
    Setting("allowedHeaders", "allowedHeaders: [{}]"),
    Setting("credentials", "credentials: true"),
    Setting("exposedHeaders", "exposedHeaders: [{}]"),
)

#: The same names and shapes as the ``--fix-for`` snippets (corscheck/fixes.py).
SETTINGS: dict[str, Settings] = {
    "starlette": _keyword_settings(
        "allow_origins", "allow_methods", "allow_headers", "allow_credentials", "expose_headers"
    ),
    "flask": _keyword_settings(
        "origins", "methods", "allow_headers", "supports_credentials", "expose_headers"
    ),
    "django": Settings(
        Setting("CORS_ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGINS = [{}]"),
        Setting("CORS_ALLOW_METHODS", "CORS_ALLOW_METHODS = [{}]"),
        Setting("CORS_ALLOW_HEADERS", "CORS_ALLOW_HEADERS = [{}]"),
        Setting("CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_CREDENTIALS = True"),
        Setting("CORS_EXPOSE_HEADERS", "CORS_EXPOSE_HEADERS = [{}]"),
    ),
    "express": _CORS_PACKAGE,
    "fastify": _CORS_PACKAGE,
    "aiohttp": Settings(
        Setting("defaults", "aiohttp_cors.setup(app, defaults={{{}: aiohttp_cors.ResourceOptions(…)}})"),
        Setting("routes", "cors.add(resource.add_route(METHOD, handler)) for each of {}"),
        Setting("allow_headers", "aiohttp_cors.ResourceOptions(allow_headers=[{}])"),
        Setting("allow_credentials", "aiohttp_cors.ResourceOptions(allow_credentials=True)"),
        Setting("expose_headers", "aiohttp_cors.ResourceOptions(expose_headers=[{}])"),
    ),
    "spring": Settings(
        Setting("allowedOrigins", ".allowedOrigins({})"),
        Setting("allowedMethods", ".allowedMethods({})"),
        Setting("allowedHeaders", ".allowedHeaders({})"),
        Setting("allowCredentials", ".allowCredentials(true)"),
        Setting("exposedHeaders", ".exposedHeaders({})"),
    ),
    "nginx": Settings(
        Setting("add_header", 'add_header Access-Control-Allow-Origin "{}" always;'),
        Setting("add_header", 'add_header Access-Control-Allow-Methods "{}" always;'),
        Setting("add_header", 'add_header Access-Control-Allow-Headers "{}" always;'),
        Setting("add_header", 'add_header Access-Control-Allow-Credentials "true" always;'),
        Setting("add_header", 'add_header Access-Control-Expose-Headers "{}" always;'),
    ),
}
#: Middleware that leaves Access-Control-Allow-Origin out for an origin not on its list.
OMITS_UNLISTED_ORIGIN = ("starlette", "flask", "django", "aiohttp", "spring")
#: The statuses nginx's add_header applies to without `always` (ngx_http_headers_module).
NGINX_ADD_HEADER_STATUSES = (200, 201, 204, 206, 301, 302, 303, 304, 307, 308)


@dataclass(frozen=True)
class Failure:
    """The blocking finding and what the engine knew when it blocked."""

    code: str
    details: dict[str, object]
    head: ResponseHead | None
    origin: str
    method: str
    #: Lower-case names of the CORS-unsafe request headers the preflight asked for.
    unsafe_headers: tuple[str, ...]
    #: The ones the preflight response did not allow (CORS-HEADER-NOT-ALLOWED).
    disallowed_headers: tuple[str, ...] = ()


def _assignment(framework: str, setting: Setting, items: list[str]) -> str:
    if framework == "nginx":
        shown = ", ".join(items)
    else:
        shown = ", ".join(json.dumps(item) for item in items)
    return setting.template.format(shown)


def _finding(
    guess: ServerGuess, setting: str, value: object, message: str, confidence: str | None = None
) -> Finding:
    sure = confidence or guess.confidence
    return Finding(
        "LINT-SERVER-SETTING",
        RULES["LINT-SERVER-SETTING"].severity,
        f"{message} (confidence: {sure}).",
        {"framework": guess.framework, "setting": setting, "value": value, "confidence": sure},
    )


def _least_sure(*confidences: str) -> str:
    return max(confidences, key=CONFIDENCES.index)


def _listed(head: ResponseHead | None, name: str) -> list[str]:
    found = parse_token_list(combined(head.headers, name)) if head is not None else None
    return [item for item in found or [] if item != "*"]


def _origins(guess: ServerGuess, failure: Failure, why: str, confidence: str | None = None) -> Finding:
    setting = SETTINGS[guess.framework].origins
    assignment = _assignment(guess.framework, setting, [failure.origin])
    message = f"{why}: set `{assignment}`"
    return _finding(guess, setting.name, [failure.origin], message, confidence)


def _methods(guess: ServerGuess, failure: Failure, confidence: str | None = None) -> Finding:
    setting = SETTINGS[guess.framework].methods
    wanted = [*dict.fromkeys([*_listed(failure.head, ACAM), failure.method])]
    message = (
        f"The {failure.method} request is not among the allowed methods: set"
        f" `{_assignment(guess.framework, setting, wanted)}`"
    )
    return _finding(guess, setting.name, wanted, message, confidence)


def _headers(
    guess: ServerGuess, failure: Failure, names: list[str], confidence: str | None = None
) -> Finding:
    setting = SETTINGS[guess.framework].headers
    wanted = [*dict.fromkeys([*(n.lower() for n in _listed(failure.head, ACAH)), *names])]
    message = (
        f"The request header(s) {', '.join(names)} are not allowed: set"
        f" `{_assignment(guess.framework, setting, wanted)}`"
    )
    return _finding(guess, setting.name, wanted, message, confidence)


def _refused_preflight(app: ServerGuess, failure: Failure) -> Iterator[Finding]:
    """Starlette and aiohttp-cors say in the 4xx body what they refused; Spring only that it did."""
    text = body_text(failure.head) if failure.head is not None else ""
    listed = {name.lower() for name in _listed(failure.head, ACAH)}
    not_listed = [name for name in failure.unsafe_headers if name not in listed] or list(
        failure.unsafe_headers
    )
    if app.framework == "starlette" and text.startswith("Disallowed CORS "):
        refused = text.removeprefix("Disallowed CORS ").split(", ")
        if "origin" in refused:
            yield _origins(app, failure, _origin_not_listed(app, failure), CERTAIN)
        if "method" in refused:
            yield _methods(app, failure, CERTAIN)
        if "headers" in refused:
            yield _headers(app, failure, not_listed, CERTAIN)
    elif app.framework == "aiohttp" and text.startswith("CORS preflight request failed: "):
        if "origin '" in text or "no origins are allowed" in text:
            yield _origins(app, failure, _origin_not_listed(app, failure), CERTAIN)
        elif "request method" in text:
            yield _methods(app, failure, CERTAIN)
        elif "headers are not allowed" in text:
            yield _headers(app, failure, not_listed, CERTAIN)
    elif app.framework == "spring" and text == "Invalid CORS request":
        # Spring does not say which check failed: name all three.
        yield _origins(app, failure, "Spring refused the preflight ('Invalid CORS request')", LIKELY)
        yield _methods(app, failure, POSSIBLE)
        if failure.unsafe_headers:
            yield _headers(app, failure, list(failure.unsafe_headers), POSSIBLE)


def _origin_not_listed(app: ServerGuess, failure: Failure) -> str:
    setting = SETTINGS[app.framework].origins.name
    return (
        f"{app.name} did not find {failure.origin!r} in `{setting}`, so it sent no"
        " Access-Control-Allow-Origin; an entry matches only when it is exactly the page's origin"
        " (no trailing slash, path, other scheme or port)"
    )


def _middleware_ran(app: ServerGuess, head: ResponseHead) -> bool:
    """The CORS middleware saw this response (it left its other headers) but not the origin."""
    if app.framework == "django":
        return any(value == "origin" or value.startswith("origin,") for value in _vary(head))
    cors_headers = any(name.lower().startswith("access-control-") for name, _ in head.headers)
    return cors_headers or "Origin" in _vary(head)


def _vary(head: ResponseHead) -> list[str]:
    return [item.strip() for item in (combined(head.headers, "vary") or "").split(",")]


def _missing_origin(
    app: ServerGuess | None, proxy: ServerGuess | None, failure: Failure
) -> Iterator[Finding]:
    head = failure.head
    if head is None:
        return
    stage = failure.details.get("stage")
    if app is not None and app.framework == "starlette" and head.status == 500 and stage == "actual":
        message = (
            "The 500 comes from Starlette's ServerErrorMiddleware, which runs outside CORSMiddleware,"
            " so an unhandled exception is answered without CORS headers. Fix the exception, or make"
            " CORSMiddleware the outermost layer: `app = CORSMiddleware(app, allow_origins=[…], …)`"
            " instead of `app.add_middleware(…)`"
        )
        yield _finding(app, "middleware order", "CORSMiddleware outermost", message)
        return
    if app is not None and app.framework == "django" and stage == "redirect":
        location = combined(head.headers, "location") or ""
        if head.status == 301 and location.endswith("/"):
            message = (
                f"The {head.status} to {location!r} is CommonMiddleware's APPEND_SLASH redirect, sent"
                " before CorsMiddleware could add its headers: put"
                ' "corsheaders.middleware.CorsMiddleware" first in MIDDLEWARE (before CommonMiddleware),'
                " and call the URL with its trailing slash"
            )
            yield _finding(app, "MIDDLEWARE", "corsheaders.middleware.CorsMiddleware first", message)
            return
    if proxy is not None and head.status not in NGINX_ADD_HEADER_STATUSES:
        message = (
            f"nginx applies `add_header` only to 2xx and 3xx responses; this {head.status} needs"
            " `always` on each CORS add_header line: `add_header Access-Control-Allow-Origin"
            f' "{failure.origin}" always;`'
        )
        yield _finding(proxy, "always", "always", message, _least_sure(proxy.confidence, LIKELY))
        return
    if app is not None and app.framework in OMITS_UNLISTED_ORIGIN and head.status < 500:
        ran = _middleware_ran(app, head)
        if ran or app.framework == "flask":
            # Flask-CORS sends nothing at all for an unlisted origin: a likely cause, no more.
            confidence = _least_sure(app.confidence, LIKELY if ran else POSSIBLE)
            yield _origins(app, failure, _origin_not_listed(app, failure), confidence)
            return
    if proxy is not None and app is None:
        message = (
            "An `add_header` in a nested `location` (or in an `if`) replaces every add_header inherited"
            " from the enclosing blocks: repeat the CORS add_header lines in the block that answers"
            " this URL, each with `always`"
        )
        yield _finding(proxy, "add_header inheritance", "repeat in the nested location", message, POSSIBLE)


def _duplicates(app: ServerGuess | None, proxy: ServerGuess | None, failure: Failure) -> Iterator[Finding]:
    head = failure.head
    if proxy is None or head is None or count(head.headers, ACAO) < 2:
        return
    behind = f" and {app.name} behind it" if app is not None else " and the app behind it"
    message = (
        f"nginx{behind} both send Access-Control-Allow-Origin. Keep one layer's: in the nginx location,"
        " `proxy_hide_header Access-Control-Allow-Origin;` (and the same for each other"
        " Access-Control-* header the app sends), or remove nginx's add_header lines"
    )
    confidence = proxy.confidence if app is not None else _least_sure(proxy.confidence, LIKELY)
    yield _finding(proxy, "proxy_hide_header", "Access-Control-Allow-Origin", message, confidence)


def _wrong_value(app: ServerGuess, failure: Failure) -> Iterator[Finding]:
    """A mismatching or invalid Access-Control-Allow-Origin is the configured value, sent as written."""
    if app.framework in OMITS_UNLISTED_ORIGIN:
        return  # these echo the request's origin: a wrong value comes from elsewhere
    value = failure.details.get("value")
    why = f"Access-Control-Allow-Origin {value!r} is the configured value, sent as written"
    yield _origins(app, failure, why)


def _credentials(app: ServerGuess, failure: Failure) -> Iterator[Finding]:
    setting = SETTINGS[app.framework].credentials
    if failure.code == "CORS-WILDCARD-CREDENTIALS":
        yield _origins(app, failure, "With credentials, `*` never matches: list the page's origin")
    message = f"The request includes credentials: set `{setting.template}`"
    yield _finding(app, setting.name, True, message)


def _expose(app: ServerGuess, header: str, head: ResponseHead | None) -> Finding:
    setting = SETTINGS[app.framework].expose
    listed = [name.lower() for name in _listed(head, "access-control-expose-headers")]
    wanted = [*dict.fromkeys([*listed, header])]
    message = f"JavaScript cannot read {header!r}: set `{_assignment(app.framework, setting, wanted)}`"
    return _finding(app, setting.name, wanted, message)


def diagnose(
    servers: tuple[ServerGuess, ...],
    failure: Failure | None,
    unexposed: tuple[str, ...] = (),
    final: ResponseHead | None = None,
) -> list[Finding]:
    """LINT-SERVER-SETTING findings for the blocking failure and for headers JavaScript cannot read."""
    proxy = next((s for s in servers if BY_FRAMEWORK[s.framework].proxy), None)
    app = next((s for s in servers if not BY_FRAMEWORK[s.framework].proxy), None)
    # The framework whose settings to name: the app's, or nginx's when nginx is all there is.
    configured = app or proxy
    found: list[Finding] = []
    if failure is not None:
        code = failure.code
        if app is not None and failure.head is not None and is_cors_refusal(failure.head):
            # The middleware says what it refused, whichever check the browser failed first.
            found += _refused_preflight(app, failure)
        elif code == "CORS-ORIGIN-MISSING":
            found += _missing_origin(app, proxy, failure)
        elif code == "CORS-ORIGIN-MULTIPLE":
            found += _duplicates(app, proxy, failure)
        elif configured is None:
            pass
        elif code in ("CORS-ORIGIN-MISMATCH", "CORS-ORIGIN-INVALID"):
            found += _wrong_value(configured, failure)
        elif code == "CORS-METHOD-NOT-ALLOWED":
            found.append(_methods(configured, failure))
        elif code == "CORS-HEADER-NOT-ALLOWED":
            found.append(_headers(configured, failure, list(failure.disallowed_headers)))
        elif code in ("CORS-WILDCARD-CREDENTIALS", "CORS-CREDENTIALS-NOT-TRUE"):
            found += _credentials(configured, failure)
    if configured is not None:
        found += [_expose(configured, name, final) for name in unexposed]
    return found
