"""Fetch the page a fetch() runs on (--page): its CSP, COEP and the address it was loaded from."""

from __future__ import annotations

from dataclasses import replace

import httpx

from corscheck.core.csp_meta import meta_policies
from corscheck.core.local_network import address_space
from corscheck.core.model import Page
from corscheck.probe.failures import network_failure
from corscheck.probe.network import NetworkSettings, ProxyRoutes, ssl_context

#: How much of the page body is read: a <meta> policy must come early in <head> to apply at all.
HEAD_BYTES = 64 * 1024
#: Redirects a browser would follow to load the page.
MAX_REDIRECTS = 20


class PageUnreachable(Exception):
    """The page could not be fetched; the message is one line."""


def load_page(url: str, *, timeout: float = 10.0, network: NetworkSettings | None = None) -> Page:
    """GET the page as a browser would load it (the same TLS and proxy settings as the checks) and
    keep what decides its fetch() calls."""
    network = network or NetworkSettings()
    proxy = ProxyRoutes(network).for_url(url)
    try:
        with httpx.Client(
            verify=ssl_context(network), proxy=proxy, trust_env=False, timeout=timeout
        ) as client:
            page = _load(client, url)
    except (httpx.TransportError, httpx.InvalidURL, httpx.TooManyRedirects) as exc:
        failure = network_failure(exc, url, timeout) if isinstance(exc, httpx.TransportError) else None
        reason = failure.message if failure else str(exc)
        raise PageUnreachable(f"cannot load the page {url}: {reason}") from None
    # Through a proxy the address connected to is the proxy's, which says nothing of the page.
    return page if proxy is None else replace(page, address_space=None)


def _load(client: httpx.Client, url: str) -> Page:
    for _ in range(MAX_REDIRECTS + 1):
        with client.stream("GET", url, headers={"Accept": "text/html,*/*"}) as response:
            if response.is_redirect and "location" in response.headers:
                url = str(response.url.join(response.headers["location"]))
                continue
            # Asked before the body is read: a server that closes after it leaves no peer to name.
            stream = response.extensions.get("network_stream")
            peer = stream.get_extra_info("server_addr") if stream is not None else None
            start = b""
            for chunk in response.iter_bytes():
                start += chunk
                if len(start) >= HEAD_BYTES:
                    break
            headers = response.headers
            return Page(
                url=str(response.url),
                csp=tuple(headers.get_list("content-security-policy"))
                + meta_policies(start[:HEAD_BYTES].decode(response.encoding or "utf-8", "replace")),
                csp_report_only=tuple(headers.get_list("content-security-policy-report-only")),
                coep=headers.get("cross-origin-embedder-policy"),
                address_space=address_space(peer[0]) if peer else None,
            )
    raise PageUnreachable(f"cannot load the page: more than {MAX_REDIRECTS} redirects")
