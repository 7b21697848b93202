"""How servers are reached: curl's TLS and proxy options, and the environment variables curl reads.

Trust, first match wins: --cacert (replaces every other CA, as in curl), SSL_CERT_FILE, SSL_CERT_DIR
(as httpx reads them), else the operating system's trust store (through truststore), where a
corporate CA is usually installed. Proxies: --proxy, else the environment as httpx and urllib read it
(``https_proxy``/``HTTPS_PROXY``, ``http_proxy``/``HTTP_PROXY``, ``all_proxy``/``ALL_PROXY``; the
lower-case spelling wins when both are set); --noproxy, else ``no_proxy``/``NO_PROXY``, lists the hosts
reached directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from corscheck.core.errors import InputError

if TYPE_CHECKING:
    import ssl

#: Proxy schemes the probe speaks.
PROXY_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class NetworkSettings:
    """The network options of check, run and har --live, named as curl names them."""

    #: False with -k: certificates are not verified.
    verify: bool = True
    #: --cacert: the only CA certificates trusted.
    ca_cert: Path | None = None
    #: --cert: the client certificate (PEM, may hold the key too) for mutual TLS.
    cert: Path | None = None
    #: --key: the client certificate's private key, when --cert does not hold it.
    key: Path | None = None
    #: --proxy: None takes the environment's proxies, "" means no proxy at all.
    proxy: str | None = None
    #: --noproxy: comma-separated hosts reached directly ("*": all); None takes NO_PROXY.
    noproxy: str | None = None


def ssl_context(settings: NetworkSettings) -> ssl.SSLContext:
    """The TLS client context; InputError names a CA or certificate file that cannot be used."""
    import ssl  # ~10 ms: only https needs it

    try:
        context = _trust(settings)
    except (OSError, ssl.SSLError) as exc:
        source = settings.ca_cert or os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR")
        raise InputError(f"cannot use the CA certificates in {source}: {_reason(exc)}") from None
    if settings.cert is not None:
        try:
            context.load_cert_chain(settings.cert, settings.key)
        except (OSError, ssl.SSLError) as exc:
            files = f"{settings.cert} and {settings.key}" if settings.key else str(settings.cert)
            raise InputError(f"cannot use the client certificate in {files}: {_reason(exc)}") from None
    return context


def _trust(settings: NetworkSettings) -> ssl.SSLContext:
    import ssl

    if not settings.verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if settings.ca_cert is not None:
        return ssl.create_default_context(cafile=settings.ca_cert)
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import truststore  # ~25 ms: loaded only when an https URL is checked

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _reason(exc: OSError) -> str:
    reason = getattr(exc, "reason", None)  # an ssl.SSLError's short reason
    return reason or exc.strerror or str(exc)


class ProxyRoutes:
    """Which proxy, if any, each URL goes through; settled (and checked) once, before any request."""

    def __init__(self, settings: NetworkSettings) -> None:
        environment = _proxy_environment()
        if settings.proxy is not None:
            chosen = {"all": settings.proxy} if settings.proxy else {}
        else:
            chosen = {k: v for k, v in environment.items() if k in ("http", "https", "all") and v}
        #: URL scheme ("http", "https", or "all") → proxy URL.
        self._proxies = {scheme: _proxy_url(proxy) for scheme, proxy in chosen.items()}
        no_proxy = settings.noproxy if settings.noproxy is not None else environment.get("no", "")
        self._no_proxy = {"no": no_proxy}

    def for_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
        if proxy is None:
            return None
        import urllib.request  # ~20 ms (it loads http.client): only when a proxy is set

        host = parts.netloc.rpartition("@")[2]
        # urllib's NO_PROXY matcher (what httpx's trust_env applies); typeshed does not declare it.
        if urllib.request.proxy_bypass_environment(host, self._no_proxy):  # type: ignore[attr-defined]
            return None
        return proxy


def _proxy_environment() -> dict[str, str]:
    """The proxies the environment sets, as urllib reads them (``{"https": ..., "no": ...}``)."""
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return {}  # the common case, without importing urllib.request
    import urllib.request

    return urllib.request.getproxies_environment()


def _proxy_url(proxy: str) -> str:
    """The proxy as a URL; like curl, ``host:port`` means ``http://host:port``."""
    if "://" not in proxy:
        proxy = "http://" + proxy
    try:
        url = urlsplit(proxy)
        url.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise InputError(f"proxy {proxy!r} is not a URL: {exc}") from None
    if url.scheme not in PROXY_SCHEMES or not url.hostname:
        raise InputError(f"proxy {proxy!r}: give http://host:port or https://host:port")
    return proxy
