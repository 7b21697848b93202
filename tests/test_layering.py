"""Dependencies point inward: the core needs only the standard library, the report layer no httpx."""

import subprocess
import sys

import pytest

HEAVY = ("httpx", "rich", "typer", "click", "anyio")


def imported_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


@pytest.mark.parametrize(
    "module",
    ["core.engine", "core.rules", "core.model", "core.lint", "core.explain", "exitcodes", "report.json"],
)
def test_module_imports_no_third_party_package(module):
    assert imported_after(f"import corscheck.{module}") & set(HEAVY) == set()


def test_probe_brings_httpx_but_neither_rich_nor_httpx_cli():
    loaded = imported_after("import corscheck.probe")
    assert "httpx" in loaded
    assert loaded & {"rich", "typer", "click", "pygments"} == set()
