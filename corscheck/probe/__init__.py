"""The imperative shell: send the engine's planned requests over HTTP (probe/wire.py for live URLs,
httpx's transports for in-process apps)."""

import sys

# httpx's __init__ imports its own command line (click, rich, pygments) whenever they are installed,
# doubling its import time; corscheck never uses it. A None entry makes that optional import fail
# quietly, and httpx falls back to a stub.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from corscheck.probe.apps import app_transport  # noqa: E402
from corscheck.probe.send import Probe, run_check  # noqa: E402

__all__ = ["Probe", "app_transport", "run_check"]
