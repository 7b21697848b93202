"""The one gate between outside text and a terminal or CI log.

Everything a server, a HAR, a config or a pasted copy supplies may carry escape sequences (clear the
screen, write the clipboard, forge a hyperlink), C1 controls that terminals read as ESC [, or bidi
overrides that reorder what a reader sees. ``sanitise`` shows each of them as ``\\uXXXX``, as
Chromium's console shows such bytes, so the text stays readable and nothing in it acts. Rich markup
is a separate matter: reporters put outside text in ``rich.text.Text`` objects, never in markup.
"""

from __future__ import annotations

import re

from corscheck.report.secrets import mask_text

#: C0 controls (newline kept when asked), DEL, C1 controls, bidi embeddings, overrides and isolates,
#: lone surrogates (which no stream can encode) and the two non-characters XML forbids.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n]")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04X}"


def sanitise(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control, bidi override and unencodable code point shown as ``\\uXXXX``;
    line breaks survive only with ``newlines`` (for messages of several lines)."""
    return (_UNSAFE if newlines else _UNSAFE_OR_NEWLINE).sub(_visible, text)


def shown(text: str, *, show_secrets: bool, newlines: bool = False) -> str:
    """Outside text as a report shows it: secrets masked (unless ``show_secrets``), then sanitised."""
    return sanitise(mask_text(text, show_secrets), newlines=newlines)
