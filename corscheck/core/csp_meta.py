"""CSP policies a page declares in ``<meta>`` tags: read only when corscheck fetches the page
(--page), so a plain check never loads an HTML parser."""

from __future__ import annotations

from html.parser import HTMLParser

from corscheck.core.csp import TREAT_AS_PUBLIC_ADDRESS


class _MetaPolicies(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {name.lower(): value or "" for name, value in attrs}
        if values.get("http-equiv", "").lower() == "content-security-policy":
            self.found.append(values.get("content", ""))


def meta_policies(html: str) -> tuple[str, ...]:
    """``<meta http-equiv="Content-Security-Policy">`` policies in the start of a page.

    A meta policy cannot use treat-as-public-address (only a header can), so it is removed.
    """
    parser = _MetaPolicies()
    parser.feed(html)
    return tuple(
        "; ".join(p for p in policy.split(";") if TREAT_AS_PUBLIC_ADDRESS not in p.lower())
        for policy in parser.found
    )
