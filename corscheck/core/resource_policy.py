"""Cross-Origin-Resource-Policy, and the page's Cross-Origin-Embedder-Policy defaulting it.

Only no-cors responses are checked: a CORS response has already passed the CORS check.
"""

from __future__ import annotations

from corscheck.core.headers import combined
from corscheck.core.origin import Origin, ip_literal, registrable_domain

CORP = "Cross-Origin-Resource-Policy"


def coep_requires_corp(coep: str | None, include_credentials: bool) -> bool:
    """``require-corp`` always; ``credentialless`` only for requests that carry credentials."""
    value = (coep or "").split(";")[0].strip().lower()
    return value == "require-corp" or (value == "credentialless" and include_credentials)


def blocked_reason(
    headers: tuple[tuple[str, str], ...],
    *,
    page: Origin,
    target: Origin,
    coep_requires: bool,
    same_site_ip_hosts: bool = False,
    unknown_policy_is_absent: bool = True,
) -> str | None:
    """Chromium's ERR_BLOCKED_BY_RESPONSE reason (``NotSameOrigin`` ...), or None when allowed."""
    policy = (combined(headers, CORP) or "").strip()
    if policy not in ("same-origin", "same-site", "cross-origin"):
        if policy and not unknown_policy_is_absent:
            return None  # an engine that allows what it does not understand
        policy = ""  # an unknown value (case counts, two lines join into one) is no header at all
    if not policy and coep_requires:
        return None if page == target else "NotSameOriginAfterDefaultedToSameOriginByCoep"
    if policy == "same-origin" and page != target:
        return "NotSameOrigin"
    if policy == "same-site" and page != target and not _same_site(page, target, same_site_ip_hosts):
        return "NotSameSite"
    return None


def _same_site(page: Origin, target: Origin, ip_hosts: bool) -> bool:
    """CORP same-site: an IP host only matches itself, and only where the engine allows it
    (Chromium never); the same registrable domain; and an http page may not read an https
    response this way."""
    if ip_literal(page.host) is not None or ip_literal(target.host) is not None:
        return ip_hosts and page.host == target.host and (page.scheme == "https" or target.scheme != "https")
    if registrable_domain(page.host) != registrable_domain(target.host):
        return False
    return page.scheme == "https" or target.scheme != "https"
