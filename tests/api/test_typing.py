"""The public API is typed (py.typed) and light to import."""

import subprocess
import sys
import textwrap

import pytest

from tests.test_layering import imported_after

USER_CODE = """
import corscheck
from corscheck.pytest_plugin import Cors


def check_items(app: object) -> bool:
    result: corscheck.CheckResult = corscheck.check(
        "/items", origin="https://app.example", credentials="include", expose=["X-Total-Count"], app=app
    )
    codes: list[str] = [finding.code for finding in result.findings]
    return result.allowed and result.verdict is corscheck.Verdict.ALLOWED and not codes


async def check_later() -> str:
    return (await corscheck.check_async("https://api.example/items", origin="null")).to_json()


def test_items(cors: Cors) -> None:
    cors.assert_allowed("/items", origin="https://app.example", method="PUT", headers={"X-Token": "1"})
"""


def test_import_corscheck_loads_neither_httpx_nor_the_api():
    assert imported_after("import corscheck") & {"httpx", "rich", "typer"} == set()
    assert imported_after("import corscheck.pytest_plugin") & {"httpx", "rich"} == set()


def test_names_exported_resolve():
    import corscheck

    assert all(getattr(corscheck, name) is not None for name in corscheck.__all__)
    with pytest.raises(AttributeError):
        corscheck.run_check  # noqa: B018 - private names are not exported


def test_user_code_is_mypy_strict_clean_and_a_wrong_call_is_caught(tmp_path):
    (tmp_path / "user_code.py").write_text(textwrap.dedent(USER_CODE))
    (tmp_path / "wrong_call.py").write_text(
        'import corscheck\ncorscheck.check("/items", origin="https://a.example", credentials="all")\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "user_code.py", "wrong_call.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, run.stdout
    assert errors[0].startswith("wrong_call.py:2") and 'Argument "credentials"' in errors[0]
