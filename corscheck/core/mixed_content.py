"""Mixed content: an https page may not fetch an http URL unless its host is loopback by name
(in the engines that exempt loopback)."""

from __future__ import annotations

from corscheck.core.model import AddressSpace
from corscheck.core.origin import Origin, Url, is_potentially_trustworthy

#: fetch()'s targetAddressSpace values that turn the block into a console warning.
_RELAXING_TARGETS = (AddressSpace.LOCAL, AddressSpace.LOOPBACK)


def is_mixed_content(page: Origin, url: Url, trusts_loopback: bool = True) -> bool:
    """Decided by the URL's host name: 127.*, [::1], localhost and *.localhost are trusted (in an
    engine that exempts loopback), a name that merely resolves to 127.0.0.1 is not."""
    if page.scheme != "https":
        return False
    if trusts_loopback:
        return not is_potentially_trustworthy(url)
    return url.origin.scheme != "https"


def blocks(page: Origin, url: Url, target_option: AddressSpace | None, trusts_loopback: bool = True) -> bool:
    return is_mixed_content(page, url, trusts_loopback) and target_option not in _RELAXING_TARGETS
