"""Mixed content: an https page may not fetch an http URL unless its host is loopback by name."""

from __future__ import annotations

from corscheck.core.model import AddressSpace
from corscheck.core.origin import Origin, Url, is_potentially_trustworthy

#: fetch()'s targetAddressSpace values that turn the block into a console warning.
_RELAXING_TARGETS = (AddressSpace.LOCAL, AddressSpace.LOOPBACK)


def is_mixed_content(page: Origin, url: Url) -> bool:
    """Decided by the URL's host name: 127.*, [::1], localhost and *.localhost are trusted,
    a name that merely resolves to 127.0.0.1 is not."""
    return page.scheme == "https" and not is_potentially_trustworthy(url)


def blocks(page: Origin, url: Url, target_option: AddressSpace | None) -> bool:
    return is_mixed_content(page, url) and target_option not in _RELAXING_TARGETS
