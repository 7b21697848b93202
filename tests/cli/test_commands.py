"""The other commands, --version, `python -m corscheck`, and main()'s last line of defence."""

import ast
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import corscheck.cli
from corscheck import __version__
from corscheck.cli import app
from corscheck.core.rules import RULES, render_rules_markdown

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"corscheck {__version__}\n"


def test_python_dash_m_version_and_usage_name():
    version = subprocess.run([sys.executable, "-m", "corscheck", "--version"], capture_output=True, text=True)
    assert (version.returncode, version.stdout) == (0, f"corscheck {__version__}\n")
    usage = subprocess.run([sys.executable, "-m", "corscheck", "check"], capture_output=True, text=True)
    assert "Usage: corscheck check" in usage.stdout + usage.stderr


def test_version_and_json_check_import_neither_rich_nor_httpx_nor_tls_nor_other_commands():
    code = (
        "import sys; sys.argv = ['corscheck', *sys.argv[1:]]\n"
        "import corscheck.cli\n"
        "try: corscheck.cli.main()\n"
        "except SystemExit: pass\n"
        "loaded = {m.split('.')[0] for m, module in sys.modules.items() if module is not None}\n"
        "loaded |= {m for m in ('corscheck.cli.audit', 'corscheck.cli.har') if m in sys.modules}\n"
        "print(sorted(loaded & {'rich', 'httpx', 'ssl', 'corscheck.cli.audit', 'corscheck.cli.har'}),"
        " file=sys.stderr)\n"
    )
    run = lambda *args: subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)  # noqa: E731
    # --version names no command, so every command is registered (as for --help).
    assert ast.literal_eval(run("--version").stderr) == ["corscheck.cli.audit", "corscheck.cli.har"]
    check = run("check", "http://127.0.0.1:9/", "--origin", "https://a.example", "--json", "--timeout", "1")
    assert check.stderr.strip().splitlines()[-1] == "[]"


def test_rules_lists_every_code():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(RULES)


def test_rules_explains_one_code_case_insensitively():
    result = runner.invoke(app, ["rules", "cors-origin-missing"])
    assert result.exit_code == 0
    rule = RULES["CORS-ORIGIN-MISSING"]
    assert result.stdout.startswith("CORS-ORIGIN-MISSING (error")
    assert f"Fix: {rule.fix}" in result.stdout.replace("\n", " ")


def test_rules_unknown_code_exits_2():
    result = runner.invoke(app, ["rules", "NOPE"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_rules_markdown_is_the_docs_page():
    assert runner.invoke(app, ["rules", "--markdown"]).stdout == render_rules_markdown()


def test_demo_runs_allowed_and_blocked_checks():
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    assert "allowed" in result.stdout and "blocked" in result.stdout
    assert "CORS-WILDCARD-CREDENTIALS" in result.stdout
    assert "CORS-EXPOSE-MISSING" in result.stdout


def test_demo_shows_one_full_report_and_wraps_instead_of_cutting():
    for columns in ("60", "120"):
        out = runner.invoke(app, ["demo"], env={"COLUMNS": columns}).stdout
        assert "…" not in out
        long = [line for line in out.splitlines() if len(line) > int(columns)]
        assert all(line.startswith("$ corscheck check") for line in long), long
        for part in (
            "Chromium console\n",
            "Exchange",
            "fix: Send `Access-Control-Allow-Origin:",
            "corscheck demo --serve",
        ):
            assert part in out, (columns, part)
        assert "api.example" not in out  # no hint to copy that cannot resolve


def test_internal_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(corscheck.cli, "build_app", lambda commands: explode)
    with pytest.raises(SystemExit) as exit_info:
        corscheck.cli.main()
    assert exit_info.value.code == 101
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom" in err


def test_ctrl_c_exits_130(monkeypatch):
    def interrupt(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(corscheck.cli, "build_app", lambda commands: interrupt)
    with pytest.raises(SystemExit) as exit_info:
        corscheck.cli.main()
    assert exit_info.value.code == 130


def test_rules_wrap_and_colour_to_the_terminal():
    runner = CliRunner()
    for args in (["rules"], ["rules", "CORS-ORIGIN-MISMATCH"]):
        narrow = runner.invoke(app, args, env={"COLUMNS": "60"}).stdout
        assert max(len(line) for line in narrow.splitlines()) <= 60, args
        assert "…" not in narrow and "\x1b[" not in narrow
        assert "\x1b[" in runner.invoke(app, args, env={"FORCE_COLOR": "1"}).stdout
    listing = runner.invoke(app, ["rules"], env={"COLUMNS": "60"}).stdout
    assert "    No Access-Control-Allow-Origin header\n" in listing


def test_rules_know_the_readable_aliases():
    result = CliRunner().invoke(app, ["rules", "cors-allow-methods-invalid"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "CORS-ACAM-INVALID (error, since 0.1.0, also written CORS-ALLOW-METHODS-INVALID)"
    )
