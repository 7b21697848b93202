"""Pure renderers: a CheckResult in, a string out. The shell decides where the string goes.

Reporters are looked up by name and imported only when used, so ``--json`` never loads rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from corscheck.core.model import CheckResult


@dataclass(frozen=True)
class RenderOptions:
    #: Show Authorization, Cookie, Set-Cookie and Proxy-Authorization values instead of masking them.
    show_secrets: bool = False
    #: Human output only: ANSI colour and styles.
    color: bool = False
    #: Human output only: every header line sent and received, not just the deciding ones.
    verbose: bool = False
    #: Human output only: columns to wrap at.
    width: int = 100
    #: False under -k: recorded in the JSON report.
    tls_verify: bool = True


Renderer = Callable[[CheckResult, RenderOptions], str]

#: Reporter name → module with a ``render(result, options) -> str``.
REPORTERS = {"text": "corscheck.report.text", "json": "corscheck.report.json"}


def reporter(name: str) -> Renderer:
    render: Renderer = importlib.import_module(REPORTERS[name]).render
    return render
