"""Split a copied command line into words: POSIX sh (with $'…' quoting) and Windows cmd (with ^ escapes)."""

from __future__ import annotations

import re

from corscheck.core.errors import InputError

_ANSI_C = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "e": "\x1b",
    "E": "\x1b",
}
_ANSI_C.update({c: c for c in "\\'\"?"})
_HEX = {"x": 2, "u": 4, "U": 8}


def _ansi_c_escape(text: str, i: int) -> tuple[str, int]:
    """Decode the escape after the backslash at ``text[i]`` inside $'…'; return it and the next index."""
    c = text[i + 1] if i + 1 < len(text) else ""
    if c in _ANSI_C:
        return _ANSI_C[c], i + 2
    if c in _HEX:
        j = i + 2
        while j < len(text) and j < i + 2 + _HEX[c] and text[j] in "0123456789abcdefABCDEF":
            j += 1
        if j == i + 2:
            return "\\" + c, i + 2
        return chr(int(text[i + 2 : j], 16)), j
    if c.isdigit() and c < "8":
        j = i + 1
        while j < len(text) and j < i + 4 and "0" <= text[j] <= "7":
            j += 1
        return chr(int(text[i + 1 : j], 8)), j
    return "\\" + c, i + 2


def split_posix(text: str) -> list[str]:
    """Words as bash would see them; only quoting and escapes, no expansion (DevTools emits none)."""
    words: list[str] = []
    word: list[str] | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r":
            if word is not None:
                words.append("".join(word))
                word = None
            i += 1
            continue
        if c == "\\" and text[i + 1 : i + 2] == "\n":  # line continuation
            i += 2
            continue
        word = word if word is not None else []
        if c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise InputError("unterminated ' quote in the curl command")
            word.append(text[i + 1 : end])
            i = end + 1
        elif c == "$" and text[i + 1 : i + 2] == "'":
            i += 2
            while True:
                if i >= n:
                    raise InputError("unterminated $' quote in the curl command")
                if text[i] == "'":
                    i += 1
                    break
                if text[i] == "\\":
                    decoded, i = _ansi_c_escape(text, i)
                    word.append(decoded)
                else:
                    word.append(text[i])
                    i += 1
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    raise InputError('unterminated " quote in the curl command')
                if text[i] == '"':
                    i += 1
                    break
                if text[i] == "\\" and text[i + 1 : i + 2] in ('"', "\\", "$", "`", "\n"):
                    if text[i + 1] != "\n":
                        word.append(text[i + 1])
                    i += 2
                else:
                    word.append(text[i])
                    i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise InputError("the curl command ends with a lone backslash")
            word.append(text[i + 1])
            i += 2
        else:
            word.append(c)
            i += 1
    if word is not None:
        words.append("".join(word))
    return words


def _undo_cmd_carets(text: str) -> str:
    """Undo DevTools' cmd escaping: ``^x`` is a literal x, ``^`` + newline continues the line."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "^":
            out.append(c)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if not nxt:
            raise InputError("the curl command ends with a lone ^")
        if nxt in ("\r", "\n"):
            i += 3 if text[i + 1 : i + 3] == "\r\n" else 2
            # DevTools writes a newline inside a value as ^ + two newlines: the second is literal.
            if text[i : i + 1] == "\n":
                out.append("\n")
                i += 1
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def _split_quoted(text: str) -> list[str]:
    """Words between DevTools' double quotes, where it wrote \\ for \\ and \\" for "."""
    words: list[str] = []
    word: list[str] | None = None
    in_quotes = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n" and not in_quotes:
            if word is not None:
                words.append("".join(word))
                word = None
            i += 1
            continue
        word = word if word is not None else []
        if c == "\\" and in_quotes and i + 1 < n:
            word.append(text[i + 1])
            i += 2
        elif c == '"':
            in_quotes = not in_quotes
            i += 1
        else:
            word.append(c)
            i += 1
    if in_quotes:
        raise InputError('unterminated " quote in the curl command')
    if word is not None:
        words.append("".join(word))
    return words


def split_cmd(text: str) -> list[str]:
    """Words of DevTools' "Copy as cURL (cmd)" output, its escaping undone."""
    return _split_quoted(_undo_cmd_carets(text))


def is_cmd_flavour(text: str) -> bool:
    """DevTools' "Copy as cURL (cmd)" continues lines with ^ and quotes with "…" (^"…^" for multi-line)."""
    return bool(re.match(r'\s*curl(?:\.exe)? \^?"', text)) or "^\n" in text
