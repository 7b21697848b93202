"""`corscheck demo`: real checks against a built-in loopback server, allowed and blocked side by side."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from corscheck.cli import options
from corscheck.cli.output import ColorMode, terminal_width, use_color


def demo(
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Keep the demo server up (until Ctrl-C) for your own check commands."),
    ] = False,
    color: options.Color = ColorMode.AUTO,
    no_color: options.NoColor = False,
) -> None:
    """Check everyday CORS policies on a built-in loopback server."""
    from corscheck import demo as demo_module  # the demo needs httpx and rich; load them only here

    if not serve:
        color_on = use_color(color, sys.stdout, no_color=no_color)
        sys.stdout.write(demo_module.run_demo(width=terminal_width(), color=color_on))
        return
    with demo_module.serving() as base_url:
        print(demo_module.serve_instructions(base_url), flush=True)
        threading.Event().wait()  # until Ctrl-C, which exits 130 like every interrupted command
