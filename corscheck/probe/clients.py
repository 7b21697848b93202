"""httpx clients as a browser simulation needs them: no redirects followed, TLS state only for https."""

from __future__ import annotations

import http.cookiejar
import threading

import httpx

from corscheck.probe.deadline import DeadlineBackend

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
    """One httpx.Client per URL scheme, each built on first use.

    Building TLS state loads the CA certificates (about 50 ms), so a check of an http:// URL never
    pays for it; a redirect to https:// builds the https client then.
    """

    def __init__(self, *, verify: bool = True, transport: httpx.BaseTransport | None = None) -> None:
        self._verify = verify
        self._transport = transport
        self._by_scheme: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()  # a Probe may be shared by worker threads

    def for_url(self, url: httpx.URL) -> httpx.Client:
        # An in-process app answers every scheme through its one transport.
        scheme = "app" if self._transport is not None else url.scheme
        with self._lock:
            client = self._by_scheme.get(scheme)
            if client is None:
                verify = self._verify if scheme == "https" else False
                client = self._by_scheme[scheme] = httpx.Client(
                    transport=self._transport or _network_transport(verify),
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
            for client in self._by_scheme.values():
                client.close()
            self._by_scheme.clear()


def _network_transport(verify: bool) -> httpx.HTTPTransport:
    """httpx's transport, its sockets bounded by the check's deadline (see probe/deadline.py).

    httpx offers no option for httpcore's network backend, so it is swapped in on the pool.
    """
    # No connection limit: run's threads each need one at once (the body is never read, so a
    # connection is never reused; see Probe._send).
    transport = httpx.HTTPTransport(verify=verify, limits=httpx.Limits(max_connections=None), trust_env=False)
    pool = transport._pool
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport
