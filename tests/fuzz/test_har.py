"""Fuzz the HAR reader and the offline judge: any file is entries or InputError; any entries are judged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corscheck.core.errors import InputError
from corscheck.inputs.har import pair_preflights, read_har
from corscheck.inputs.har_check import judge_all
from tests.fuzz.conftest import FUZZ, TRIED

PAGE = "https://app.example"

json_values = st.recursive(
    # Infinity is valid to json.loads; it is pinned below rather than fuzzed (a known bug).
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
header_objects = st.one_of(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(
                ["Origin", "Access-Control-Allow-Origin", "Access-Control-Request-Method", "X-A"]
            )
            | st.text(max_size=8),
            "value": st.sampled_from([PAGE, "*", "GET", "null"]) | st.text(max_size=12),
        }
    ),
    json_values,
)
headers = st.one_of(st.lists(header_objects, max_size=4), json_values)
entries = st.fixed_dictionaries(
    {
        "request": st.one_of(
            st.fixed_dictionaries(
                {
                    "method": st.sampled_from(["GET", "OPTIONS", "PUT", "patch", ""]) | json_values,
                    "url": st.sampled_from(["https://api.example/x", "api.example", ""]) | json_values,
                    "headers": headers,
                }
            ),
            json_values,
        ),
        "response": st.one_of(
            st.fixed_dictionaries(
                {
                    "status": st.sampled_from([0, -1, 200, 204, 302, 404]) | json_values,
                    "headers": headers,
                    "_error": st.sampled_from(["net::ERR_FAILED", ""]) | json_values,
                }
            ),
            json_values,
        ),
    },
    optional={"pageref": st.sampled_from(["page_1"]) | json_values},
)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "log": st.fixed_dictionaries(
                {"entries": st.lists(entries, max_size=4)},
                optional={"pages": st.lists(json_values, max_size=3)},
            )
        }
    ),
)
har_text = st.one_of(st.text(max_size=60), documents.map(json.dumps))


@FUZZ
@given(text=har_text, origin=st.sampled_from([None, PAGE, "null", "app.example"]))
def test_har_file(text, origin):
    TRIED["HAR file"] += 1
    try:
        requests = pair_preflights(read_har(text).entries)
    except InputError:
        return
    try:
        judge_all(requests, origin)
    except InputError:
        pass  # e.g. a bad --origin, which the CLI reports in one line


#: Found by this fuzzer; each crashes `corscheck har` (exit 101) instead of exit 2.
KNOWN_CRASHES = {
    "pages-null": '{"log": {"entries": [], "pages": null}}',
    "status-infinity": '{"log": {"entries": [{"request": {"method": "GET", "url": "https://api.example/x",'
    ' "headers": []}, "response": {"status": Infinity, "headers": []}}]}}',
}


@pytest.mark.parametrize("name", KNOWN_CRASHES)
def test_har_known_crashes_are_input_errors(name):
    with pytest.raises(InputError):
        read_har(KNOWN_CRASHES[name])
