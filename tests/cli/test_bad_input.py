"""Every bad flag, value or file: typer's usage error or one `corscheck: error:` line, exit 2, no traceback."""

from __future__ import annotations

import pytest

from tests.faults.cli import PAGE, run_cli

#: Never contacted: every case fails before a request is sent (port 9 is "discard", closed here).
URL = "http://127.0.0.1:9/api"


def assert_bad_input(*args: str, names: str) -> None:
    """Exit 2 and an error naming ``names``: one corscheck line, or typer's usage block."""
    outcome = run_cli(*args)
    assert outcome.exit_code == 2, outcome
    assert outcome.stdout == ""
    lines = outcome.stderr_lines
    if lines[0].startswith("Usage:"):
        assert lines[-1].startswith("Error:"), outcome.stderr  # typer's usage error ends with one line
        assert names.lower() in lines[-1].lower(), outcome.stderr
    else:
        assert len(lines) == 1, outcome.stderr
        assert lines[0].startswith("corscheck: error: "), outcome.stderr
        assert names.lower() in lines[0].lower(), outcome.stderr


@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("not a url", "not a url"),
        ("app.example/api", "http"),
        ("http://", "no host"),
        ("ftp://files.example/", "http"),
        ("http://[::1/", "malformed"),
        ("http://host.example:99999/", "port"),
        ("https://user:pw@host.example/", "user name or password"),
        ("http://exa mple.com/", "whitespace"),
        ("http://ex\u00e4mple\u00ad\u0000.com/", "control"),
    ],
)
def test_malformed_url(url, names):
    assert_bad_input("check", url, "--origin", PAGE, names=names)


@pytest.mark.parametrize(
    ("origin", "names"),
    [
        ("app.example", "missing scheme"),
        ("https://a.example,https://b.example", "is a list"),
        ("", "origin"),
        ("*", "origin"),
        ("NULL", "origin"),  # only the exact serialisation "null" is the opaque origin
        ("https://user@app.example", "user name"),
        ("file:///home/page.html", "use null"),
    ],
)
def test_malformed_origin(origin, names):
    assert_bad_input("check", URL, "--origin", origin, names=names)


@pytest.mark.parametrize(
    ("method", "names"),
    [("TRACE", "forbidden"), ("connect", "forbidden"), ("GE T", "method"), ("", "method")],
)
def test_bad_method(method, names):
    assert_bad_input("check", URL, "--origin", PAGE, "--method", method, names=names)


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("no colon", "Name: value"),
        ("Bad Name: x", "Bad Name"),
        (": value", "Name: value"),
        ("X-A: one\ntwo", "CR or LF"),
        ("X-A: nul\x00byte", "NUL"),
        ("X-A: \u2603", "Latin-1"),
        ("X-\u00e9: value", "token"),
    ],
)
def test_bad_header(header, names):
    assert_bad_input("check", URL, "--origin", PAGE, "-H", header, names=names)


@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("--credentials", "bogus", "--credentials"),
        ("--timeout", "0", "--timeout"),
        ("--timeout", "-1", "--timeout"),
        ("--timeout", "abc", "--timeout"),
        ("--timeout", "nan", "--timeout"),
        ("--color", "purple", "--color"),
    ],
)
def test_bad_option_value(option, value, names):
    assert_bad_input("check", URL, "--origin", PAGE, option, value, names=names)


def test_unknown_option():
    assert_bad_input("check", URL, "--origin", PAGE, "--nope", names="--nope")


def test_missing_origin():
    assert_bad_input("check", URL, names="--origin")


def test_missing_url():
    assert_bad_input("check", "--origin", PAGE, names="URL")


def test_unknown_command():
    assert_bad_input("nope", names="nope")


def test_unknown_rule_code():
    assert_bad_input("rules", "CORS-NOPE", names="CORS-NOPE")


@pytest.mark.parametrize("cookie", ["a=b\r\nX-Injected: y", "sid=\u2603"])
def test_bad_cookie_is_bad_input(cookie):
    assert_bad_input(
        "check", URL, "--origin", PAGE, "--credentials", "include", "--cookie", cookie, names="cookie"
    )


@pytest.mark.parametrize("timeout", ["inf", "1e309"])
def test_infinite_timeout_is_no_limit_not_a_crash(timeout):
    outcome = run_cli("check", URL, "--origin", PAGE, "--timeout", timeout)
    assert outcome.exit_code == 3, outcome  # port 9 refuses: the check ran
    assert "refused" in outcome.stderr


# --- corscheck run: config files -----------------------------------------------------------------


def _config(tmp_path, text: str | bytes):
    path = tmp_path / "corscheck.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


VALID_CHECK = f'[[check]]\nname = "api"\nurl = "{URL}"\norigin = "{PAGE}"\n'


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[[check]\nname = 1", "invalid TOML"),
        (b"\xff\xfe[[check]]", "UTF-8"),
        ('[[check]]\nname = "api"\norigin = "https://app.example"\n', "'url'"),
        (VALID_CHECK + 'metod = "GET"\n', "'metod'"),
        (VALID_CHECK.replace(PAGE, "https://app.example/"), "'origin'"),
        (VALID_CHECK + 'method = "TRACE"\n', "'method'"),
        (VALID_CHECK + 'credentials = "sometimes"\n', "'credentials'"),
        (VALID_CHECK + 'headers = { "Bad Name" = "x" }\n', "'headers'"),
        (VALID_CHECK + 'expect = "error"\n', "'expect'"),
        (VALID_CHECK + "expose = 3\n", "'expose'"),
        ("[surprise]\n", "'surprise'"),
        ("check = 3\n", "'check'"),
        (VALID_CHECK.replace("http://", "http://user:pw@"), "'url'"),
        (VALID_CHECK + 'cookie = "a=b\\r\\nX-Injected: y"\n', "'cookie'"),
    ],
)
def test_run_with_invalid_config(tmp_path, text, names):
    path = _config(tmp_path, text)
    outcome = run_cli("run", str(path))
    assert_bad_input("run", str(path), names=names)
    assert str(path) in outcome.stderr  # the error names the file


def test_run_with_missing_config(tmp_path):
    assert_bad_input("run", str(tmp_path / "missing.toml"), names="missing.toml")


def test_run_with_a_directory_as_config(tmp_path):
    assert_bad_input("run", str(tmp_path), names="cannot read")


def test_run_without_any_config_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert_bad_input("run", names="corscheck.toml")


def test_run_pyproject_without_a_corscheck_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    assert_bad_input("run", str(path), names="tool.corscheck")


@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("--format", "xml", "--format"),
        ("--concurrency", "0", "--concurrency"),
        ("--timeout", "0", "--timeout"),
        ("--fail-on", "info", "--fail-on"),
        ("--base-url", "not a url", "base_url"),
    ],
)
def test_run_bad_option_value(tmp_path, option, value, names):
    path = _config(tmp_path, VALID_CHECK)
    assert_bad_input("run", str(path), option, value, names=names)


def test_run_output_to_an_unwritable_place(tmp_path):
    path = _config(tmp_path, VALID_CHECK)
    assert_bad_input(
        "run",
        str(path),
        "--output",
        str(tmp_path / "no" / "such" / "dir" / "report.xml"),
        names="cannot write",
    )


# --- pasted input: DevTools copies, HAR files, console lines ------------------------------------


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("--from-curl", "not curl"), "curl"),
        (("--from-curl", "curl 'https://api.example/x' --nope"), "--nope"),
        (("--from-curl", "curl 'https://api.example/x"), "quote"),
        (("--from-curl", "curl 'https://api.example/x'"), "--origin"),  # no Origin header to go by
        (("--from-fetch", "fetch("), "fetch"),
        (
            ("--from-curl", "curl 'https://api.example/x'", "--from-fetch", 'fetch("https://api.example/x")'),
            "both",
        ),
        ((URL, "--origin", PAGE, "--fix-for", "cobol"), "--fix-for"),
    ],
)
def test_bad_copied_request(args, names):
    assert_bad_input("check", *args, names=names)


@pytest.mark.parametrize(
    ("content", "names"),
    [(None, "cannot read"), ("not json", "not JSON"), ('{"log": {}}', "log.entries"), ("[]", "log.entries")],
    ids=["missing", "not-json", "no-entries", "a-list"],
)
def test_bad_har_file(tmp_path, content, names):
    path = tmp_path / "page.har"
    if content is not None:
        path.write_text(content)
    assert_bad_input("har", str(path), names=names)


def test_har_with_null_pages(tmp_path):
    path = tmp_path / "page.har"
    path.write_text('{"log": {"entries": [], "pages": null}}')
    assert_bad_input("har", str(path), names="HAR")


@pytest.mark.parametrize(
    "line", ["hello", "", "Access to fetch at 'x' from origin 'y' has been blocked by CORS policy: ?"]
)
def test_explain_something_that_is_not_a_cors_error(line):
    assert_bad_input("explain", line, names="")
