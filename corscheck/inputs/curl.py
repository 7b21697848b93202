"""Parse DevTools' "Copy as cURL" (Chromium bash and cmd flavours, Firefox) into a CopiedRequest."""

from __future__ import annotations

import base64
import re

from corscheck.core.errors import InputError
from corscheck.inputs.copied import CopiedRequest
from corscheck.inputs.shell_words import is_cmd_flavour, split_cmd, split_posix

_WITH_VALUE = {
    "-X": "method",
    "--request": "method",
    "-H": "header",
    "--header": "header",
    "-b": "cookie",
    "--cookie": "cookie",
    "-d": "data",
    "--data": "data",
    "--data-raw": "data",
    "--data-binary": "data",
    "--data-ascii": "data",
    "--data-urlencode": "data",
    "--url": "url",
    "-A": "user-agent",
    "--user-agent": "user-agent",
    "-e": "referer",
    "--referer": "referer",
    "-u": "user",
    "--user": "user",
}
#: Flags without a value that change the request.
_FLAGS = {"-I": "head", "--head": "head"}
#: Flags that change nothing about what the browser sent.
_IGNORED = frozenset(
    {"--compressed", "--insecure", "-k", "--globoff", "-g", "-s", "--silent", "-i", "--include", "-v"}
    | {"--verbose", "-L", "--location", "--http1.1", "--http2", "--http2-prior-knowledge", "--http3"}
    | {"-S", "--show-error", "-f", "--fail"}
)


def parse_curl(text: str) -> CopiedRequest:
    """The request a copied curl command sends; InputError for an unknown flag or bad quoting.

    Short options take their value attached or as the next word (``-uuser:pw``, ``-HName: v``), and
    flags without a value may be grouped (``-sSk``), as curl allows. Errors name the flag, never
    the value: it may be a password or a token.
    """
    words = split_cmd(text) if is_cmd_flavour(text) else split_posix(text)
    if not words or words[0] not in ("curl", "curl.exe"):
        raise InputError("the text does not start with `curl`")
    request = _Request()
    rest = iter(words[1:])
    for word in rest:
        if not word.startswith("-") or word == "-":
            request.add_url(word)
            continue
        for name, value in _options(word):
            if name in _IGNORED:
                continue
            if name in _FLAGS:
                request.flag(_FLAGS[name])
                continue
            if value is None:
                value = next(rest, None)
                if value is None:
                    raise InputError(f"curl flag {name} needs a value")
            request.set(_WITH_VALUE[name], value)
    return request.copied()


def _options(word: str) -> list[tuple[str, str | None]]:
    """The options in one word, each with its attached value if any: ``--header`` → one, without
    value; ``-sSk`` → three flags; ``-uuser:pw`` → ("-u", "user:pw")."""
    if word.startswith("--"):
        if word not in _IGNORED | _FLAGS.keys() | _WITH_VALUE.keys():
            raise InputError(f"unknown curl flag {word.partition('=')[0]}")
        return [(word, None)]
    options: list[tuple[str, str | None]] = []
    for index, letter in enumerate(word[1:], start=2):
        name = f"-{letter}"
        if name in _WITH_VALUE:
            options.append((name, word[index:] or None))
            break
        if name not in _IGNORED and name not in _FLAGS:
            raise InputError(f"unknown curl flag {name}")
        options.append((name, None))
    return options


class _Request:
    """What the flags have said so far."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.method: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.cookie: str | None = None
        self.has_body = False
        self.head = False

    def add_url(self, word: str) -> None:
        if self.url is not None:
            raise InputError("a second URL in the curl command")
        self.url = word

    def flag(self, kind: str) -> None:
        if kind == "head":  # Firefox copies a HEAD request with -I
            self.head = True

    def set(self, kind: str, value: str) -> None:
        if kind == "method":
            self.method = value
        elif kind == "header":
            self.headers.append(_header(value))
        elif kind == "cookie":
            self.cookie = value
        elif kind == "data":
            self.has_body = True
        elif kind == "url":
            self.add_url(value)
        elif kind == "user":
            # curl sends -u user:password as Basic authentication.
            self.headers.append(("Authorization", "Basic " + base64.b64encode(value.encode()).decode()))
        else:
            self.headers.append((kind.title(), value))

    def copied(self) -> CopiedRequest:
        if self.url is None:
            raise InputError("the curl command has no URL")
        # DevTools escapes curl's URL glob characters with a backslash.
        url = re.sub(r"\\([\[\]{}])", r"\1", self.url)
        # curl's own defaults: -I makes it a HEAD request, a body a POST.
        method = self.method or ("HEAD" if self.head else "POST" if self.has_body else "GET")
        return CopiedRequest(url, method, tuple(self.headers), cookie=self.cookie)


def _header(line: str) -> tuple[str, str]:
    # curl's "Name;" sends an empty header; "Name:" with no value would remove it instead.
    if line.endswith(";") and ":" not in line:
        return line[:-1].strip(), ""
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        raise InputError("a curl -H value is not of the form 'Name: value'")
    return name.strip(), value.strip()
