"""corscheck explain: rule, plain words, concrete fix; not-a-CORS-error is exit 2 with one line."""

from typer.testing import CliRunner

from corscheck.cli import app

CHROMIUM = (
    "Access to fetch at 'https://api.example/items' from origin 'https://app.example' has been blocked by CORS"
    " policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."
)


def run(*args, stdin=None):
    return CliRunner().invoke(app, ["explain", *args], input=stdin, prog_name="corscheck")


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
    result = run("TypeError: Failed to fetch")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a CORS error" in result.stderr
