"""httpx clients as a browser simulation needs them: no redirects followed, TLS state only for https."""

from __future__ import annotations

import http.cookiejar
import ssl
import threading

import httpx

from corscheck.probe.deadline import DeadlineBackend
from corscheck.probe.network import NetworkSettings, ProxyRoutes, ssl_context

#: Where keep_response leaves the response on its request.
KEPT_RESPONSE = "corscheck.kept_response"


def keep_response(response: httpx.Response) -> None:
    """Keep the response before httpx parses its Location: even with redirects off, httpx raises on
    a Location it cannot parse, and what such a Location means is for the engine (the browser) to say."""
    response.request.extensions[KEPT_RESPONSE] = response


class _NoCookieJar(http.cookiejar.CookieJar):
    """Stores nothing: the browser's cookies are the user's --cookie, sent as planned, and a
    client-side jar would only cost time on every response."""

    def extract_cookies(self, response: object, request: object) -> None:
        pass


class Clients:
    """One httpx.Client per URL scheme and proxy, each built on first use.

    Building TLS state loads the CA certificates (about 25 ms), so a check of an http:// URL never
    pays for it; a redirect to https:// builds the https client then. Given CA or client certificate
    files are loaded at once instead, so a bad file is a usage error before any request is sent.
    """

    def __init__(
        self, *, network: NetworkSettings | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._network = network or NetworkSettings()
        self._transport = transport
        # An in-process app is reached through no proxy.
        self._proxies = ProxyRoutes(self._network) if transport is None else None
        self._tls: ssl.SSLContext | None = None
        if self._network.ca_cert is not None or self._network.cert is not None:
            self._tls = ssl_context(self._network)
        self._by_route: dict[tuple[str, str | None], httpx.Client] = {}
        self._lock = threading.Lock()  # a Probe may be shared by worker threads

    def for_url(self, url: httpx.URL) -> httpx.Client:
        # An in-process app answers every scheme through its one transport.
        if self._proxies is None:
            route: tuple[str, str | None] = ("app", None)
        else:
            route = (url.scheme, self._proxies.for_url(url))
        with self._lock:
            client = self._by_route.get(route)
            if client is None:
                client = self._by_route[route] = httpx.Client(
                    transport=self._transport or self._network_transport(*route),
                    follow_redirects=False,
                    trust_env=False,
                    cookies=_NoCookieJar(),
                    event_hooks={"response": [keep_response]},
                )
            return client

    @property
    def in_process(self) -> bool:
        """True when requests go to an in-process app, not over the network."""
        return self._transport is not None

    def close(self) -> None:
        with self._lock:
            for client in self._by_route.values():
                client.close()
            self._by_route.clear()

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl_context(self._network)
        return self._tls

    def _network_transport(self, scheme: str, proxy: str | None) -> httpx.HTTPTransport:
        """httpx's transport, its sockets bounded by the check's deadline (see probe/deadline.py).

        httpx offers no option for httpcore's network backend, so it is swapped in on the pool.
        """
        verify: ssl.SSLContext | bool = self._tls_context() if scheme == "https" else False
        transport = httpx.HTTPTransport(
            verify=verify,
            proxy=proxy,
            # No connection limit: run's threads each need one at once. None kept alive: a connection
            # is closed after one response (see read_small_body).
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
            trust_env=False,
        )
        pool = transport._pool
        pool._network_backend = DeadlineBackend(pool._network_backend)
        return transport
