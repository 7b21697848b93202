"""`corscheck demo`: real checks against a built-in loopback server, allowed and blocked side by side."""

from __future__ import annotations

import sys

from corscheck.cli.output import ColorMode, terminal_width, use_color


def demo() -> None:
    """Check everyday CORS policies on a built-in loopback server."""
    from corscheck.demo import run_demo  # the demo needs httpx and rich; load them only here

    sys.stdout.write(run_demo(width=terminal_width(), color=use_color(ColorMode.AUTO, sys.stdout)))
