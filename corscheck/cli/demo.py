"""`corscheck demo`: real checks against a built-in loopback server, allowed and blocked side by side."""

from __future__ import annotations

import sys

from corscheck.cli.output import ColorMode, terminal_width, use_color


def demo() -> None:
    """Start a server on 127.0.0.1 with a few CORS policies and check each one as Chromium would."""
    from corscheck.demo import run_demo  # the demo needs httpx and rich; load them only here

    sys.stdout.write(run_demo(width=terminal_width(), color=use_color(ColorMode.AUTO, sys.stdout)))
