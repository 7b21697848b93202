"""Dependencies point inward: the core needs only the standard library, the report layer no httpx."""

import subprocess
import sys
from pathlib import Path

import corscheck

CORE = Path(corscheck.__file__).parent / "core"
HEAVY = ("httpx", "rich", "typer", "click", "anyio")


def imported_after(statement: str) -> set[str]:
    # A None entry is an import blocked on purpose (corscheck.probe blocks httpx._main), not a load.
    code = (
        f"import sys\n{statement}\n"
        "print(' '.join({m.split('.')[0] for m, module in sys.modules.items() if module is not None}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_core_exit_codes_and_json_report_import_no_third_party_package():
    core = [f"corscheck.core.{path.stem}" for path in CORE.glob("*.py") if path.stem != "__init__"]
    light = [*core, "corscheck.exitcodes", "corscheck.report.json"]
    assert imported_after("import " + ", ".join(light)) & set(HEAVY) == set()


def test_the_network_probe_imports_neither_httpx_nor_tls_nor_rich():
    """httpx costs ~140 ms to import and ssl ~10 ms: a check of an http:// URL needs neither."""
    loaded = imported_after("import corscheck.probe")
    assert loaded & {"httpx", "httpcore", "h11", "ssl", "http", "email", "rich", "typer", "click"} == set()


def test_an_in_process_app_brings_httpx_but_not_its_cli():
    loaded = imported_after(
        "import corscheck.probe\ncorscheck.probe.app_transport(lambda environ, start: [])"
    )
    assert "httpx" in loaded
    assert loaded & {"rich", "typer", "click", "pygments"} == set()
