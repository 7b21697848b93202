"""Fuzz the console-message reader (`corscheck explain`): it names a known rule, or raises InputError."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corscheck.core import console
from corscheck.core.errors import InputError
from corscheck.core.messages import CorsError, CorsErrorKind, chromium_console_message
from corscheck.core.rules import RULES
from tests.fuzz.conftest import FUZZ, TRIED

PAGE = "https://app.example"


def _chromium_line(kind, hint, url, origin, cut):
    line = chromium_console_message(CorsError(kind, hint), url=url, first_url=url, origin=origin)
    return line[:cut] if cut is not None else line


console_text = st.one_of(
    st.text(max_size=80),
    st.builds(
        _chromium_line,
        st.sampled_from(list(CorsErrorKind)),
        st.text(max_size=12),
        st.one_of(st.just("https://api.example/x"), st.text(max_size=12)),
        st.one_of(st.just(PAGE), st.text(max_size=12)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
    ),
    st.builds(
        lambda reason, url: (
            f"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the"
            f" remote resource at {url}. (Reason: {reason})."
        ),
        st.one_of(
            st.sampled_from(
                ["CORS header ‘Access-Control-Allow-Origin’ missing", "CORS request did not succeed"]
            ),
            st.text(max_size=20),
        ),
        st.text(max_size=12),
    ),
)


@FUZZ
@given(text=console_text)
def test_console_message(text):
    TRIED["console message"] += 1
    try:
        found = console.recognise(text)
    except InputError:
        return
    assert found.code in RULES
