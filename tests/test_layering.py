"""Dependencies point inward: the core needs only the standard library, the report layer no httpx."""

import subprocess
import sys
from pathlib import Path

import corscheck

CORE = Path(corscheck.__file__).parent / "core"
HEAVY = ("httpx", "rich", "typer", "click", "anyio")


def imported_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_core_exit_codes_and_json_report_import_no_third_party_package():
    core = [f"corscheck.core.{path.stem}" for path in CORE.glob("*.py") if path.stem != "__init__"]
    light = [*core, "corscheck.exitcodes", "corscheck.report.json"]
    assert imported_after("import " + ", ".join(light)) & set(HEAVY) == set()


def test_probe_brings_httpx_but_neither_rich_nor_httpx_cli():
    loaded = imported_after("import corscheck.probe")
    assert "httpx" in loaded
    assert loaded & {"rich", "typer", "click", "pygments"} == set()
