"""A configuration snippet, syntax-highlighted by rich when colour is on."""

from __future__ import annotations


def highlight(code: str, lexer: str, *, color: bool, width: int) -> str:
    """``code`` as-is without colour (copy-paste safe), else with ANSI syntax colours."""
    if not color:
        return code
    from rich.syntax import Syntax

    from corscheck.report.text import to_text

    return to_text(
        [Syntax(code, lexer, theme="ansi_dark", background_color="default")], width=width, color=True
    )
