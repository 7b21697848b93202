"""Local Network Access: may a page reach the address space of the IP the browser connects to?

Chromium decides by the address really connected to (not the host name): a page may reach a
more private space (public -> local -> loopback) only from a secure context and with the user's
permission. fetch()'s ``targetAddressSpace`` must then name the space actually reached.
"""

from __future__ import annotations

import ipaddress

from corscheck.core.csp import treats_as_public_address
from corscheck.core.messages import CorsError, CorsErrorKind
from corscheck.core.model import AddressSpace, LnaPermission, Page
from corscheck.core.origin import Origin, ip_literal, is_localhost_name

_PRIVACY = (AddressSpace.LOOPBACK, AddressSpace.LOCAL, AddressSpace.PUBLIC)


def address_space(address: str) -> AddressSpace:
    """The space of an IP address (Python's private ranges stand in for Chromium's local ones)."""
    ip = ipaddress.ip_address(address.strip("[]"))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return AddressSpace.LOOPBACK
    if ip.is_private or ip.is_link_local:
        return AddressSpace.LOCAL
    return AddressSpace.PUBLIC


def page_address_space(page: Page, origin: Origin) -> AddressSpace | None:
    """Where the page is: CSP treat-as-public-address wins, then the IP it was loaded from.

    Without that IP (no --page), an IP-literal or localhost origin gives its own space and any
    other host name is taken to be public, as every deployed site is. An opaque origin (``null``)
    says nothing of where its page came from: None.
    """
    if treats_as_public_address(page.csp):
        return AddressSpace.PUBLIC
    if page.address_space is not None:
        return page.address_space
    if origin.opaque:
        return None
    if is_localhost_name(origin.host):
        return AddressSpace.LOOPBACK
    literal = ip_literal(origin.host)
    return address_space(str(literal)) if literal is not None else AddressSpace.PUBLIC


def is_assumed(page: Page, origin: Origin) -> bool:
    """True when the page's space is only guessed from a host name (no --page, no CSP directive)."""
    known = treats_as_public_address(page.csp) or page.address_space is not None
    named = not (is_localhost_name(origin.host) or ip_literal(origin.host))
    return not known and named


def more_private(target: AddressSpace, page: AddressSpace) -> bool:
    return _PRIVACY.index(target) < _PRIVACY.index(page)


def local_network_error(
    *,
    page_space: AddressSpace,
    secure_page: bool,
    target: AddressSpace,
    target_option: AddressSpace | None,
    permission: LnaPermission,
) -> CorsError | None:
    """Chromium's refusal for a connection to ``target``, or None when it goes ahead.

    A permission still to be asked (``prompt``) lets it through: the caller warns instead.
    """
    if not more_private(target, page_space):
        return None
    if target_option is not None and target_option is not target:
        return CorsError(CorsErrorKind.LNA_TARGET_MISMATCH, hint=target.value, target=target_option.value)
    if not secure_page:
        return CorsError(CorsErrorKind.LNA_INSECURE_CONTEXT, hint=target.value)
    if permission is LnaPermission.DENIED:
        return CorsError(CorsErrorKind.LNA_PERMISSION_DENIED, hint=target.value)
    return None
