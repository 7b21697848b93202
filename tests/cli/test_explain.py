"""corscheck explain: rule, plain words, concrete fix; not-a-CORS-error is exit 2 with one line."""

from typer.testing import CliRunner

from corscheck.cli import app

CHROMIUM = (
    "Access to fetch at 'https://api.example/items' from origin 'https://app.example' has been blocked by CORS"
    " policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."
)


def run(*args, stdin=None, env=None):
    return CliRunner().invoke(app, ["explain", *args], input=stdin, prog_name="corscheck", env=env)


def test_explains_a_chromium_message():
    result = run(CHROMIUM)
    assert result.exit_code == 0
    assert result.stdout.startswith("CORS-PREFLIGHT-STATUS:")
    assert "https://api.example/items" in result.stdout
    assert "Fix: Answer the preflight with 204 or 200" in result.stdout


def test_reads_stdin_with_dash():
    result = run("-", stdin=CHROMIUM + "\n")
    assert result.exit_code == 0
    assert "CORS-PREFLIGHT-STATUS" in result.stdout


def test_not_a_cors_error_is_one_line_and_exit_2():
    result = run("Uncaught ReferenceError: x is not defined")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a CORS error" in result.stderr


METHOD = (
    "Access to fetch at 'https://api.example/items' from origin 'https://app.example' has been blocked by CORS"
    " policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
)


def test_prints_the_check_that_confirms_it():
    result = run(METHOD)
    assert (
        "  corscheck check https://api.example/items --origin https://app.example -X PUT\n" in result.stdout
    )
    missing = run(CHROMIUM).stdout
    assert "corscheck check https://api.example/items --origin https://app.example\n" in missing
    assert "add the -X and -H the page's fetch() uses" in missing


def test_fix_for_gives_the_config_for_the_message():
    result = run(METHOD, "--fix-for", "express")
    assert result.exit_code == 0
    assert 'origin: "https://app.example"' in result.stdout
    assert 'methods: ["GET", "HEAD", "POST", "PUT"]' in result.stdout
    firefox = run(
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
        " https://api.example/items. (Reason: CORS header 'Access-Control-Allow-Origin' missing).",
        "--fix-for",
        "express",
    )
    assert firefox.exit_code == 2 and "origin" in firefox.stderr


def test_wraps_to_the_terminal_and_colours_like_check():
    narrow = run(METHOD, env={"COLUMNS": "60"}).stdout.splitlines()
    assert [line for line in narrow if len(line) > 60 and "corscheck check" not in line] == []
    assert "\x1b[" not in "".join(narrow)
    assert "\x1b[" in run(METHOD, env={"FORCE_COLOR": "1"}).stdout


def test_what_people_paste_first_gets_an_answer():
    type_error = run("TypeError: Failed to fetch")
    net_line = run("GET https://api.example/items net::ERR_FAILED 200 (OK)")
    local = run(
        "Access to fetch at 'http://192.168.1.4/api' from origin 'https://app.example' has been blocked by"
        " CORS policy: Permission was denied for this request to access the `unknown` address space."
    )
    assert type_error.exit_code == net_line.exit_code == local.exit_code == 0
    assert "the console line just before it" in type_error.stdout
    assert "The server did answer (200)" in net_line.stdout
    assert "corscheck check https://api.example/items --origin ORIGIN" in net_line.stdout
    assert "Local Network Access" in local.stdout
    assert "corscheck check http://192.168.1.4/api --origin https://app.example" in local.stdout


def test_echoed_input_cannot_drive_the_terminal():
    hostile = CHROMIUM.replace("https://app.example", "https://app.example\x1b]52;c;cHduZWQ=\x07\u202e")
    result = run(hostile.replace("api.example/items", "api.example/\x9b2J"))
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in result.stdout
    assert "\\u001B]52;c;cHduZWQ=\\u0007" in result.stdout


def test_many_unclosed_firefox_heads_are_read_in_linear_time():
    """Each head's `(Reason: …)` was matched by backtracking over the rest: 400 KB took 21 s."""
    import time

    head = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at"
    started = time.monotonic()
    result = run("-", stdin=f"{head} u (Reason: " * 3800)
    assert result.exit_code == 2
    assert time.monotonic() - started < 3
