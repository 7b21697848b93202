"""One corpus of hostile strings, pushed through every input corscheck reads (a server's head, a HAR,
a config and its path, a copied request, a console line) and out through every output (text with
colour as on a terminal, text piped, json, junit, sarif, github, har, explain, fix snippets).

Nothing executable may survive: no escape sequence but corscheck's own colours, no C1 control, no
bidi override, no Rich markup read as markup, no forged GitHub workflow command; and every document
still parses.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.faults.cli import PAGE, run_cli
from tests.faults.hostile import answer_each

#: Each one does something to a terminal, a CI log or a document when it gets through raw.
CORPUS = {
    "csi-clear-screen": "\x1b[2J\x1b[H",
    "osc52-clipboard-st": "\x1b]52;c;cHduZWQ=\x1b\\",
    "osc8-hyperlink-bel": "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "c1-csi": "\x9b31m",
    "c1-osc": "\x9d0;title\x9c",
    "bidi-override": "\u202egnp.exe\u202c",
    "bidi-isolate": "\u2066x\u2069",
    "rich-link": "[link=https://evil.example]click[/link]",
    "rich-close": "[/]",
    "github-command": "\n::error title=forged::forged\n::add-mask::x",
    "github-escaped": "%0A::warning::forged",
    "xml-break": "]]></failure><x>&amp;",
    "control-bytes": "\x01\x07\x08\x0b\x0c\x7f",
}
#: Every payload concatenated: one input carries the whole corpus.
EVERYTHING = "".join(CORPUS.values())
#: What a payload that leaked into a header byte string can hold (CR/LF never reach a head).
HEAD_SAFE = EVERYTHING.replace("\n", "")

#: corscheck's own styling: SGR sequences only.
OWN_STYLE = re.compile(r"\x1b\[[0-9;]*m")
EXECUTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_inert(output: str, *, markup_shown: bool = False) -> None:
    leftover = OWN_STYLE.sub("", output)
    found = EXECUTABLE.findall(leftover)
    assert not found, f"{found!r} in {output[:2000]!r}"
    if markup_shown:  # Rich markup from outside is printed as text, never applied
        assert "[link=https://evil.example]" in output or "[link=evil]" in output


def assert_github_commands_are_ours(output: str) -> None:
    for line in output.splitlines():
        assert line.startswith(("::error file=", "corscheck: ")), line


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")


def _hostile_response(head: bytes) -> bytes:
    """The actual response: reason phrase and header values carry the corpus, and CORS allows it;
    /r redirects with the corpus in its Location first."""
    if b" /r " in head.split(b"\r\n", 1)[0]:
        return (
            b"HTTP/1.1 302 " + _latin1(HEAD_SAFE) + b"\r\nAccess-Control-Allow-Origin: *\r\n"
            b"Location: /a?" + _latin1(HEAD_SAFE) + b"\r\nContent-Length: 0\r\n\r\n"
        )
    return (
        b"HTTP/1.1 200 " + _latin1(HEAD_SAFE) + b"\r\n"
        b"Access-Control-Allow-Origin: " + _latin1(HEAD_SAFE) + b"\r\n"
        b"X-Evil: " + _latin1(HEAD_SAFE) + b"\r\nContent-Length: 0\r\n\r\n"
    )


@pytest.fixture
def hostile_api(hostile):
    return hostile(answer_each(_hostile_response))


@pytest.mark.parametrize("path", ["/a", "/r"])
@pytest.mark.parametrize("mode", [("--color", "always", "-v"), ("--no-color", "-v"), ("--json",)])
def test_server_head_through_check(hostile_api, path, mode):
    outcome = run_cli("check", hostile_api.url(path), "--origin", PAGE, "--expose", "X-Evil", *mode)
    assert outcome.exit_code in (1, 3), outcome
    if "--json" in mode:
        json.loads(outcome.stdout)
    assert_inert(outcome.stdout)
    assert_inert(outcome.stderr)


def test_server_head_through_fix_snippets(hostile_api):
    for framework in ("nginx", "express", "django"):
        outcome = run_cli("check", hostile_api.url("/a"), "--origin", PAGE, "--fix-for", framework)
        assert_inert(outcome.stdout)


@pytest.fixture
def hostile_config(tmp_path, hostile_api):
    """A config whose path, check names, expose names and URLs carry the corpus."""
    directory = tmp_path / "[link=evil]x[" / "]"  # the path reads [link=evil]x[/]/…
    directory.mkdir(parents=True)
    config = directory / "c\x1b]52;c;eA==\x07\x9b2J\u202e.toml"
    name = json.dumps(EVERYTHING)
    expose = json.dumps(HEAD_SAFE)
    config.write_text(
        f'[[check]]\nname = {name}\nurl = "{hostile_api.url("/a")}"\norigin = "{PAGE}"\n'
        f'expose = [{expose}]\nexpect = "blocked"\n'
        f'[[check]]\nname = "redirect {CORPUS["rich-link"]}"\nurl = "{hostile_api.url("/r")}"\n'
        f'origin = "{PAGE}"\n'
    )
    return str(config)


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github"])
@pytest.mark.parametrize("color", ["always", "never"])
def test_config_and_server_through_run(hostile_config, fmt, color):
    outcome = run_cli("run", hostile_config, "--format", fmt, "--color", color)
    assert outcome.exit_code == 1, outcome
    assert_inert(outcome.stdout, markup_shown=fmt == "text")
    assert_inert(outcome.stderr)
    if fmt in ("json", "sarif"):
        json.loads(outcome.stdout)
    elif fmt == "junit":
        ET.fromstring(outcome.stdout.encode())
    elif fmt == "github":
        assert_github_commands_are_ours(outcome.stdout)


def test_har_through_har(tmp_path):
    entry = {
        "request": {
            "method": "GET" + HEAD_SAFE,
            "url": "https://api.example/" + EVERYTHING,
            "headers": [{"name": "Origin", "value": PAGE}],
        },
        "response": {"status": 0, "headers": [], "_failureText": EVERYTHING},
        "_error": EVERYTHING,
    }
    path = tmp_path / "x.har"
    hostile_method = {**entry, "request": {**entry["request"], "method": "GET" + HEAD_SAFE}}
    entry["request"]["method"] = "GET"
    path.write_text(json.dumps({"log": {"entries": [entry, hostile_method, {"request": EVERYTHING}]}}))
    for args in ((), ("--json",)):
        outcome = run_cli("har", str(path), *args)
        assert outcome.exit_code in (0, 1), outcome  # the hostile entries are skipped and named
        assert "skipped" in outcome.stdout
        assert_inert(outcome.stdout)
        if args:
            json.loads(outcome.stdout)


@pytest.mark.parametrize("flag", ["--from-curl", "--from-fetch"])
def test_copies_through_check(flag):
    url = "http://127.0.0.1:9/" + HEAD_SAFE.replace("'", "")
    copy = (
        f"curl '{url}' -H 'Origin: {PAGE}'"
        if flag == "--from-curl"
        else f'fetch({json.dumps(url)}, {{"headers": {{"origin": "{PAGE}"}}}});'
    )
    outcome = run_cli("check", flag, copy, "--timeout", "1")
    assert outcome.exit_code in (2, 3), outcome
    assert_inert(outcome.stderr)
    assert_inert(outcome.stdout)


def test_console_line_through_explain():
    line = (
        f"Access to fetch at 'https://api.example/{EVERYTHING}' from origin '{PAGE}{EVERYTHING}' has been"
        " blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested"
        " resource."
    )
    outcome = run_cli("explain", line)
    assert outcome.exit_code == 0, outcome
    assert_inert(outcome.stdout)
    unknown = run_cli(
        "explain", "Access to fetch at 'x' from origin 'y' has been blocked by CORS policy: " + EVERYTHING
    )
    assert unknown.exit_code == 2
    assert_inert(unknown.stderr)
