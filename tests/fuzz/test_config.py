"""Fuzz the config parser: a bad corscheck.toml is a ConfigError naming the file, never a crash, and
every check it accepts is one the engine accepts too (so `corscheck run` cannot fail halfway)."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from corscheck.config import CHECK_KEYS, ConfigError, load_config, parse_config
from corscheck.core.engine import Exchange
from corscheck.core.errors import InputError
from tests.fuzz.conftest import FUZZ, TRIED

SOURCE = "corscheck.toml"
GOOD = {"url": "https://api.example/x", "origin": "https://app.example"}

#: What tomllib can produce: strings, numbers, booleans, dates, arrays and tables.
toml_scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "https://api.example/x",
            "https://app.example",
            "https://app.example/",
            "https://u:p@api.example/",
            "null",
            "GET",
            "TRACE",
            "include",
            "allowed",
            "blocked",
            "error",
            "/relative",
            "",
        ]
    ),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(max_value=datetime.datetime(9999, 1, 1)),
)
keys = st.one_of(
    st.sampled_from(sorted(CHECK_KEYS | {"base_url", "defaults", "check"})), st.text(max_size=10)
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
urls = st.sampled_from(
    ["https://api.example/x", "https://u:p@api.example/", "http://[::1]:8080/", "api.example", "/relative"]
)
origins = st.sampled_from(["https://app.example", "null", "https://app.example/", "app.example", ""])
#: A [[check]] table: mostly the known keys with plausible or arbitrary values, sometimes a stray key.
check_tables = st.fixed_dictionaries(
    {"url": st.one_of(urls, toml_values), "origin": st.one_of(origins, toml_values)},
    optional={
        **dict.fromkeys(sorted(CHECK_KEYS - {"url", "origin"}), toml_values),
        "cookie": st.one_of(st.text(max_size=10), st.just("a=b\r\nX: y")),
        "headers": st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    },
)
documents = st.one_of(
    st.dictionaries(keys, toml_values, max_size=4),
    st.fixed_dictionaries(
        {"check": st.lists(check_tables, max_size=3)},
        optional={"defaults": st.dictionaries(keys, toml_values, max_size=5)},
    ),
)


@FUZZ
@given(document=documents)
def test_parse_config(document):
    TRIED["config: parsed TOML documents"] += 1
    try:
        cases = parse_config(document, SOURCE)
    except ConfigError as err:
        assert str(err).startswith(SOURCE)  # every error names the file
        return
    for case in cases:
        _assert_engine_accepts(case)


def _assert_engine_accepts(case) -> None:
    try:
        Exchange(case.spec)
    except InputError as err:
        raise AssertionError(f"config accepted a check the engine refuses: {err}") from None


#: TOML-shaped text: real table headers and keys with arbitrary values, so the parser gets past
#: the TOML syntax check as well as failing it.
toml_lines = st.one_of(
    st.sampled_from(
        ["[defaults]", "[[check]]", "[tool.corscheck]", "[[tool.corscheck.check]]", "[check]", ""]
    ),
    st.builds(
        lambda key, value: f"{key} = {value}",
        st.sampled_from(sorted(CHECK_KEYS | {"base_url"})),
        st.one_of(
            st.text(max_size=20).map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
            st.sampled_from(['"https://api.example/x"', '"https://app.example"', "[]", "{}", "1", "true"]),
            st.text(max_size=10),
        ),
    ),
)
config_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(toml_lines, max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(content=config_bytes, name=st.sampled_from(["corscheck.toml", "pyproject.toml"]))
def test_load_config(tmp_path_factory, content, name):
    TRIED["config: file bytes"] += 1
    path = tmp_path_factory.mktemp("config") / name
    path.write_bytes(content)
    try:
        cases = load_config(path)
    except ConfigError as err:
        assert str(err).startswith(str(path))
        return
    for case in cases:
        assert case.line >= 1
        _assert_engine_accepts(case)
