"""Fuzz what users paste from DevTools: "Copy as cURL" and "Copy as fetch".

Each parser returns or raises InputError (exit 2); turning what it returns into a check raises
nothing else either.
"""

from __future__ import annotations

import json
import shlex

from hypothesis import given
from hypothesis import strategies as st

from corscheck.core.engine import Exchange
from corscheck.core.errors import InputError
from corscheck.inputs import copied, curl, fetch_copy
from tests.fuzz.conftest import FUZZ, TRIED

PAGE = "https://app.example"

#: Pieces of real copies: flags, quoting of both shells, line continuations, and odd bytes.
CURL_WORDS = [
    "curl",
    "curl.exe",
    "'https://api.example/x'",
    '"https://api.example/x"',
    '^"https://api.example/x^"',
    "-H",
    "'Origin: https://app.example'",
    "'Authorization: Bearer t'",
    "$'X-A: \\x41\\''",
    "-X",
    "PATCH",
    "--data-raw",
    "'{}'",
    "-b",
    "'sid=1'",
    "--compressed",
    "--url",
    "\\\n",
    "^\n",
    "'",
    '"',
    "$'",
    "\\",
    "^",
    "--nope",
    "-H",
    "'no colon'",
]
flag_values = st.one_of(
    st.sampled_from(
        ["Origin: https://app.example", "X-A: 1", "Content-Type: application/json", "PUT", "sid=1"]
    ),
    st.text(max_size=12),
)
#: A well-formed copy (every value shell-quoted), so the fuzzer reaches the parser's semantics.
quoted_commands = st.builds(
    lambda url, pairs, origin: " ".join(
        ["curl", shlex.quote(url), *(f"{flag} {shlex.quote(value)}" for flag, value in pairs)]
        + (["-H", shlex.quote(f"Origin: {PAGE}")] if origin else [])
    ),
    st.one_of(st.just("https://api.example/x"), st.text(max_size=15)),
    st.lists(
        st.tuples(st.sampled_from(["-H", "-X", "-b", "--data-raw", "--url", "-e"]), flag_values), max_size=4
    ),
    st.booleans(),
)
curl_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(CURL_WORDS), st.text(max_size=6)), max_size=10).map(" ".join),
    quoted_commands,
    # a well-formed copy with one mutation: a character dropped or an odd one inserted
    st.builds(
        lambda text, at, odd: text[:at] + odd + text[at + 1 :],
        quoted_commands,
        st.integers(0, 80),
        st.sampled_from(["", "'", '"', "\\", "$", "^", "\n", "\x00"]),
    ),
)


def _engine_accepts(request) -> None:
    """A parsed copy becomes a spec the engine takes, or a clear InputError (e.g. no Origin header)."""
    try:
        spec = copied.to_spec(request)
        Exchange(spec)
    except InputError:
        pass


@FUZZ
@given(text=curl_text)
def test_curl_command(text):
    TRIED["curl command"] += 1
    try:
        request = curl.parse_curl(text)
    except InputError:
        return
    _engine_accepts(request)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
fetch_inits = st.fixed_dictionaries(
    {},
    optional={
        "headers": st.one_of(
            st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3), json_values
        ),
        "method": st.one_of(st.sampled_from(["GET", "patch", "TRACE", ""]), json_values),
        "credentials": st.one_of(st.sampled_from(["include", "omit", "same-origin", "bogus"]), json_values),
        "referrer": st.one_of(st.just(PAGE + "/page"), json_values),
        "body": json_values,
    },
)
fetch_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda url, init, tail: f"fetch({json.dumps(url)}, {json.dumps(init)}){tail}",
        st.one_of(st.just("https://api.example/x"), st.text(max_size=20)),
        fetch_inits,
        st.sampled_from(["", ";", " ;\n", ")", "\x00"]),
    ),
)


@FUZZ
@given(text=fetch_text)
def test_fetch_copy(text):
    TRIED["fetch() copy"] += 1
    try:
        request = fetch_copy.parse_fetch(text)
    except InputError:
        return
    _engine_accepts(request)
