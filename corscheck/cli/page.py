"""--page: load the page a fetch() runs on, once, and take its origin from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from corscheck.cli.output import fail
from corscheck.core.errors import InputError
from corscheck.core.model import Page
from corscheck.core.origin import parse_origin, parse_url
from corscheck.exitcodes import ExitCode

if TYPE_CHECKING:
    from corscheck.probe.network import NetworkSettings


def page_and_origin(
    url: str, origin: str | None, timeout: float, network: NetworkSettings
) -> tuple[Page, str]:
    """The page's facts and its origin; a page that cannot be loaded is one line and exit 3."""
    parse_url(url, "--page")
    from corscheck.probe.page import PageUnreachable, load_page  # httpx loads only when needed

    try:
        page = load_page(url, timeout=timeout, network=network)
    except PageUnreachable as exc:
        fail(str(exc), ExitCode.UNREACHABLE)
    page_origin = parse_url(page.url or url, "--page").origin.serialize()
    if origin is not None and parse_origin(origin).serialize() != page_origin:
        raise InputError(f"--origin {origin} is not the origin of --page {page.url} ({page_origin})")
    return page, page_origin
