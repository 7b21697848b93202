"""Parse DevTools' "Copy as cURL" (Chromium bash and cmd flavours, Firefox) into a CopiedRequest."""

from __future__ import annotations

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
}
#: Flags that change nothing about what the browser sent.
_IGNORED = frozenset(
    {"--compressed", "--insecure", "-k", "--globoff", "-g", "-s", "--silent", "-i", "--include", "-v"}
    | {"--verbose", "-L", "--location", "--http1.1", "--http2", "--http2-prior-knowledge", "--http3"}
)


def parse_curl(text: str) -> CopiedRequest:
    """The request a copied curl command sends; InputError for an unknown flag or bad quoting."""
    words = split_cmd(text) if is_cmd_flavour(text) else split_posix(text)
    if not words or words[0] not in ("curl", "curl.exe"):
        raise InputError("the text does not start with `curl`")
    url: str | None = None
    method: str | None = None
    headers: list[tuple[str, str]] = []
    cookie: str | None = None
    has_body = False
    rest = iter(words[1:])
    for word in rest:
        if word in _IGNORED:
            continue
        if word in ("-I", "--head"):  # Firefox copies a HEAD request this way
            method = method or "HEAD"
            continue
        if word in _WITH_VALUE:
            value = next(rest, None)
            if value is None:
                raise InputError(f"curl flag {word} needs a value")
            kind = _WITH_VALUE[word]
            if kind == "method":
                method = value
            elif kind == "header":
                headers.append(_header(value))
            elif kind == "cookie":
                cookie = value
            elif kind == "data":
                has_body = True
            elif kind == "url":
                url = value
            else:
                headers.append((kind.title(), value))
        elif word.startswith("-"):
            raise InputError(f"unknown curl flag {word}")
        elif url is None:
            url = word
        else:
            raise InputError(f"a second URL {word!r} in the curl command")
    if url is None:
        raise InputError("the curl command has no URL")
    # DevTools escapes curl's URL glob characters with a backslash.
    url = re.sub(r"\\([\[\]{}])", r"\1", url)
    # curl's own default: a body makes it a POST.
    return CopiedRequest(url, method or ("POST" if has_body else "GET"), tuple(headers), cookie=cookie)


def _header(line: str) -> tuple[str, str]:
    # curl's "Name;" sends an empty header; "Name:" with no value would remove it instead.
    if line.endswith(";") and ":" not in line:
        return line[:-1].strip(), ""
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        raise InputError(f"curl header {line!r} is not of the form 'Name: value'")
    return name.strip(), value.strip()
