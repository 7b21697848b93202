"""Fingerprints of servers and their CORS middleware, as data, and the matcher that reads them.

Each clue is something a server writes on its own (a header, a default body, a status choice), taken
from the framework versions named beside it. A recognised server only adds findings: the verdict is
decided by the browser's rules alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from corscheck.core.headers import by_name
from corscheck.core.model import ResponseHead, ServerGuess

CERTAIN, LIKELY, POSSIBLE = "certain", "likely", "possible"
CONFIDENCES = (CERTAIN, LIKELY, POSSIBLE)


#: The name a non-empty body goes by among a response's header names, for Predicate.needs.
BODY = "(body)"


@dataclass(frozen=True)
class Seen:
    """One response as the clues read it, indexed once (a check's heads each meet every clue)."""

    status: int
    #: Lower-case name → values as sent (case kept), in order.
    headers: dict[str, list[str]]
    body: str
    #: The header names present, and BODY when there is one: a clue needing more is skipped unread.
    present: frozenset[str]

    @classmethod
    def of(cls, head: ResponseHead) -> Seen:
        headers = by_name(head.headers)  # the engine's cached index of this head; never changed here
        present = frozenset(headers) | ({BODY} if head.body else set())
        return cls(head.status, headers, body_text(head), present)


@dataclass(frozen=True)
class Predicate:
    """A predicate over one response, and what the response must have for it to be worth running."""

    needs: frozenset[str]
    check: Callable[[Seen], bool]

    def __call__(self, seen: Seen) -> bool:
        return self.needs <= seen.present and self.check(seen)


@dataclass(frozen=True)
class Clue:
    #: What was seen, in words, for the evidence list.
    says: str
    confidence: str
    test: Predicate
    #: The body is the middleware refusing a preflight: the 4xx is a CORS decision, not an auth layer.
    refusal: bool = False


@dataclass(frozen=True)
class Fingerprint:
    framework: str
    name: str
    #: The versions the clues were taken from (run here, unless the text says otherwise).
    versions: str
    clues: tuple[Clue, ...]
    fix_for: str | None = None
    #: A reverse proxy in front of the app rather than the app itself.
    proxy: bool = False


def body_text(head: ResponseHead) -> str:
    return head.body.decode("utf-8", "replace")


def header(name: str, pattern: str) -> Predicate:
    """Some line of ``name`` matches ``pattern`` (values compared as sent, case included)."""
    # re.search compiles on first use (and caches): most clues never run, so none is compiled at import.
    return Predicate(
        frozenset({name}), lambda seen: any(re.search(pattern, value) for value in seen.headers[name])
    )


def body(pattern: str) -> Predicate:
    return Predicate(frozenset({BODY}), lambda seen: re.search(pattern, seen.body) is not None)


def status(*codes: int) -> Predicate:
    return Predicate(frozenset(), lambda seen: seen.status in codes)


def all_of(*tests: Predicate) -> Predicate:
    return Predicate(
        frozenset().union(*(test.needs for test in tests)), lambda seen: all(t(seen) for t in tests)
    )


#: Flask's (Werkzeug's) automatic answer to OPTIONS; Flask-CORS adds its headers to it when it allows.
_FLASK_OPTIONS = all_of(
    status(200),
    header("allow", r"\bOPTIONS\b"),
    header("content-type", r"^text/html; charset=utf-8$"),
    header("content-length", r"^0$"),
)

FINGERPRINTS: tuple[Fingerprint, ...] = (
    Fingerprint(
        "starlette",
        "Starlette's CORSMiddleware (FastAPI's too)",
        "starlette 1.10.0, fastapi 0.165.0, uvicorn 0.54.0",
        (
            Clue(
                "the preflight's body is CORSMiddleware's 'Disallowed CORS …'",
                CERTAIN,
                all_of(status(400), body(r"^Disallowed CORS (origin|method|headers)")),
                refusal=True,
            ),
            Clue(
                "Vary lists Access-Control-Request-Private-Network, as CORSMiddleware writes it",
                LIKELY,
                header("vary", r"Access-Control-Request-Private-Network"),
            ),
            Clue(
                "a text/plain 500 'Internal Server Error' (Starlette's ServerErrorMiddleware)",
                LIKELY,
                all_of(
                    status(500),
                    body(r"^Internal Server Error$"),
                    header("content-type", r"^text/plain; charset=utf-8$"),
                ),
            ),
            Clue("Server: uvicorn (an ASGI app)", POSSIBLE, header("server", r"^uvicorn$")),
        ),
        fix_for="starlette",
    ),
    Fingerprint(
        "aiohttp",
        "aiohttp-cors",
        "aiohttp 3.14.5, aiohttp-cors 0.8.1",
        (
            Clue(
                "the preflight's body is aiohttp-cors's 'CORS preflight request failed: …'",
                CERTAIN,
                all_of(status(403), body(r"^CORS preflight request failed: ")),
                refusal=True,
            ),
            Clue("Server: … aiohttp/…", LIKELY, header("server", r"\baiohttp/")),
        ),
    ),
    Fingerprint(
        "spring",
        "Spring's CorsProcessor",
        "spring-web 5.3 to 6.x DefaultCorsProcessor.rejectRequest (from its source; Spring cannot run here)",
        (
            Clue(
                "a 403 whose body is Spring's 'Invalid CORS request'",
                CERTAIN,
                all_of(status(403), body(r"^Invalid CORS request$")),
                refusal=True,
            ),
        ),
        fix_for="spring",
    ),
    Fingerprint(
        "django",
        "django-cors-headers",
        "Django 5.2.19, django-cors-headers 4.9.0",
        (
            Clue(
                "Vary: origin in lower case, as django-cors-headers writes it",
                LIKELY,
                header("vary", r"(^|, )origin(,|$)"),
            ),
            Clue(
                "a 301 to the URL with a trailing slash, in text/html; charset=utf-8 (CommonMiddleware's"
                " APPEND_SLASH)",
                LIKELY,
                all_of(
                    status(301),
                    header("location", r"/$"),
                    header("content-type", r"^text/html; charset=utf-8$"),
                ),
            ),
            Clue("X-Frame-Options: DENY (Django's default)", POSSIBLE, header("x-frame-options", r"^DENY$")),
        ),
        fix_for="django",
    ),
    Fingerprint(
        "flask",
        "Flask-CORS",
        "Flask 3.1.3, Flask-CORS 6.0.5, Werkzeug 3.1.9",
        (
            Clue(
                "OPTIONS answered by Flask's automatic handler (Allow: …, an empty text/html 200)"
                " from Werkzeug",
                LIKELY,
                all_of(_FLASK_OPTIONS, header("server", r"^Werkzeug/")),
            ),
            Clue("Server: Werkzeug/… (Flask's server)", POSSIBLE, header("server", r"^Werkzeug/")),
        ),
        fix_for="flask",
    ),
    Fingerprint(
        "express",
        "Express with the cors package",
        "express 5.3.0, cors 2.8.6",
        (
            Clue("X-Powered-By: Express", CERTAIN, header("x-powered-by", r"^Express$")),
            Clue(
                "a 204 preflight with Vary: Origin, Access-Control-Request-Headers (the cors package)",
                LIKELY,
                all_of(status(204), header("vary", r"^Origin, Access-Control-Request-Headers$")),
            ),
        ),
        fix_for="express",
    ),
    Fingerprint(
        "fastify",
        "Fastify with @fastify/cors",
        "fastify 5.12.8, @fastify/cors 11.4.3",
        (
            Clue(
                "Fastify's JSON 404 'Route METHOD:/path not found'",
                CERTAIN,
                all_of(status(404), body(r'^\{"message":"Route [A-Za-z]+:\S* not found"')),
            ),
            Clue(
                "Keep-Alive: timeout=72 (Fastify's default keep-alive of 72 s)",
                LIKELY,
                header("keep-alive", r"^timeout=72$"),
            ),
        ),
    ),
    Fingerprint(
        "nginx",
        "nginx",
        "nginx 1.22.1",
        (
            Clue("Server: nginx", CERTAIN, header("server", r"^nginx\b")),
            Clue("an nginx error page", CERTAIN, body(r"<center>nginx(/[\d.]+)?</center>")),
        ),
        fix_for="nginx",
        proxy=True,
    ),
)

BY_FRAMEWORK = {fingerprint.framework: fingerprint for fingerprint in FINGERPRINTS}


def recognise(heads: Iterable[ResponseHead]) -> tuple[ServerGuess, ...]:
    """Every fingerprint some response matches, most certain first (ties keep the table's order)."""
    seen = [Seen.of(head) for head in heads]
    guesses = []
    for fingerprint in FINGERPRINTS:
        matched = [clue for clue in fingerprint.clues if any(clue.test(one) for one in seen)]
        if matched:
            best = min((clue.confidence for clue in matched), key=CONFIDENCES.index)
            guesses.append(
                ServerGuess(
                    fingerprint.framework,
                    fingerprint.name,
                    best,
                    tuple(clue.says for clue in matched),
                    fingerprint.versions,
                    fingerprint.fix_for,
                )
            )
    guesses.sort(key=lambda guess: CONFIDENCES.index(guess.confidence))
    return tuple(guesses)


def is_cors_refusal(head: ResponseHead) -> bool:
    """The body is a CORS middleware saying why it refused the preflight."""
    seen = Seen.of(head)
    return any(clue.refusal and clue.test(seen) for fp in FINGERPRINTS for clue in fp.clues)
