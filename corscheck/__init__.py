"""corscheck: would a real browser let this page's JavaScript read that response?

The public API is what this package exports (``__all__``); every submodule is private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from corscheck.api import CheckOptions, CheckResult, check, check_async
    from corscheck.core.errors import InputError
    from corscheck.core.model import Credentials, Finding, Severity, Verdict

__all__ = [
    "CheckOptions",
    "CheckResult",
    "Credentials",
    "Finding",
    "InputError",
    "Severity",
    "Verdict",
    "__version__",
    "check",
    "check_async",
]

#: Public name → the private module that defines it. Loaded on first use, so that importing
#: corscheck (the command line, the pytest plugin) does not load httpx.
_EXPORTS = {
    "CheckOptions": "corscheck.api",
    "CheckResult": "corscheck.api",
    "check": "corscheck.api",
    "check_async": "corscheck.api",
    "InputError": "corscheck.core.errors",
    "Credentials": "corscheck.core.model",
    "Finding": "corscheck.core.model",
    "Severity": "corscheck.core.model",
    "Verdict": "corscheck.core.model",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'corscheck' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
