"""A raw-socket HTTP/1.1 server for the Chromium conformance suite.

Four listening ports share one case registry: the *page* origin the fetch runs from, the *case*
origin it fetches, an *other* origin for redirect chains, and a *secure* one speaking https (a trustme
certificate) for pages that must be https. Each case lives under ``/c/<case id>/`` on every port; a
case with its own page serves it at ``/c/<case id>/__page`` with the case's page headers. Responses are written byte-for-byte as configured (no header normalisation, unlike
http.server), and every request is recorded per case with its header lines exactly as received.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLANK_PAGE = b"<!doctype html><meta charset=utf-8><title>corscheck browser tests</title>"
BODY = b"ok"
CASE_PREFIX = "/c/"
REASONS = {
    200: "OK",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    404: "Not Found",
}
ROLES = ("page", "case", "other", "secure")
#: Where a case's own page is served: http://127.0.0.1, https://127.0.0.1, or http under a name
#: that Chromium maps to 127.0.0.1 (LAUNCH_ARGS) but that is not loopback by name.
PAGE_HOSTS = {"http": ("http", "127.0.0.1", "page"), "https": ("https", "127.0.0.1", "secure")}
NAMED_PAGE_HOST = "page.test"
PAGE_PATH = "/__page"


@dataclass
class Received:
    """One request as the server saw it."""

    role: str  # which port: page, case or other
    method: str
    path: str
    #: (name, value) pairs in wire order, name case kept, value with surrounding spaces trimmed.
    headers: list[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def header(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "method": self.method,
            "path": self.path,
            "headers": [list(pair) for pair in self.headers],
        }


@dataclass
class ServedCase:
    """A case's routes: relative path -> {method or "*": {"status": int, "headers": [line, ...]}}."""

    routes: dict[str, dict[str, dict[str, Any]]]
    received: list[Received] = field(default_factory=list)
    #: "http", "https" or "named" for a case with its own page (None: the shared blank page).
    page_kind: str | None = None
    page_headers: tuple[str, ...] = ()
    #: A Content-Security-Policy given by <meta http-equiv> in the page's head.
    page_meta_csp: str | None = None
    #: The host name the page is loaded by (a *.test name), instead of 127.0.0.1.
    page_host: str | None = None


class CaseServer:
    """Serves registered cases on three loopback ports and records what each case received."""

    def __init__(self) -> None:
        import trustme

        self._cases: dict[str, ServedCase] = {}
        self._lock = threading.Lock()
        #: The authority that signed the secure port's certificate (clients trust it via ca_file()).
        self.ca = trustme.CA()
        self._ca_file: Path | None = None
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # The *.test names reach 127.0.0.1 (Chromium's host resolver rules; compare.py for corscheck):
        # the cookie cases need hosts of one site and of another.
        names = ("127.0.0.1", "localhost", "*.site.test", "*.other.test")
        self.ca.issue_cert(*names).configure_cert(self._tls)
        self._sockets = {role: self._listen() for role in ROLES}
        self.ports = {role: sock.getsockname()[1] for role, sock in self._sockets.items()}
        self.origins = {
            role: f"{'https' if role == 'secure' else 'http'}://127.0.0.1:{port}"
            for role, port in self.ports.items()
        }
        self._closed = False
        for role, sock in self._sockets.items():
            threading.Thread(target=self._accept_loop, args=(role, sock), daemon=True).start()

    # -- registry -------------------------------------------------------------------------------

    def register(
        self,
        case_id: str,
        routes: dict[str, dict[str, dict[str, Any]]],
        page_kind: str | None = None,
        page_headers: tuple[str, ...] = (),
        page_meta_csp: str | None = None,
        page_host: str | None = None,
    ) -> None:
        with self._lock:
            self._cases[case_id] = ServedCase(
                routes,
                page_kind=page_kind,
                page_headers=page_headers,
                page_meta_csp=page_meta_csp,
                page_host=page_host,
            )

    def ca_file(self) -> Path:
        """The CA certificate as a PEM file (what --cacert takes), written on first use."""
        if self._ca_file is None:
            self._ca_file = Path(tempfile.mkdtemp(prefix="corscheck-ca-")) / "ca.pem"
            self.ca.cert_pem.write_to_path(str(self._ca_file))
        return self._ca_file

    def page_url(self, case_id: str) -> str:
        """The URL of the page the case's fetch() runs on, as the browser loads it."""
        case = self._cases[case_id]
        kind = case.page_kind
        if kind is None:
            return self.origins["page"] + "/"
        if kind == "named":
            return f"http://{NAMED_PAGE_HOST}:{self.ports['page']}{CASE_PREFIX}{case_id}{PAGE_PATH}"
        base = self.origins[PAGE_HOSTS[kind][2]]
        if case.page_host is not None:
            base = base.replace("//127.0.0.1:", f"//{case.page_host}:")
        return base + CASE_PREFIX + case_id + PAGE_PATH

    def page_load_url(self, case_id: str) -> str:
        """The same page at 127.0.0.1, for a client without Chromium's host mapping."""
        scheme, _, rest = self.page_url(case_id).partition("://")
        port_and_path = rest.split(":", 1)[1]
        return f"{scheme}://127.0.0.1:{port_and_path}"

    def page_origin(self, case_id: str) -> str:
        scheme, _, rest = self.page_url(case_id).partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"

    def received(self, case_id: str) -> list[Received]:
        with self._lock:
            return list(self._cases[case_id].received)

    def clear(self, case_id: str) -> None:
        with self._lock:
            self._cases[case_id].received.clear()

    def expand(self, text: str, case_id: str) -> str:
        """Fill URL templates: {case}/{other}/{page} are a case's base URL on that port,
        {origin} the page origin, {prefix} the case's path prefix, {*_port} the bare ports."""
        prefix = CASE_PREFIX + case_id
        values = {"origin": self.page_origin(case_id), "prefix": prefix}
        for role in ROLES:
            values[role] = self.origins[role] + prefix
            values[f"{role}_port"] = str(self.ports[role])
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    def close(self) -> None:
        self._closed = True
        for sock in self._sockets.values():
            sock.close()
        if self._ca_file is not None:
            shutil.rmtree(self._ca_file.parent, ignore_errors=True)

    # -- network --------------------------------------------------------------------------------

    @staticmethod
    def _listen() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        return sock

    def _accept_loop(self, role: str, sock: socket.socket) -> None:
        while not self._closed:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_connection, args=(role, conn), daemon=True).start()

    def _serve_connection(self, role: str, conn: socket.socket) -> None:
        # Without TCP_NODELAY, Nagle plus delayed ACK adds ~40 ms per exchange.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(10)
        try:
            if role == "secure":
                conn = self._tls.wrap_socket(conn, server_side=True)
            request = _read_request(conn, role)
            if request is not None:
                conn.sendall(self._respond(request))
        except OSError:
            pass
        finally:
            conn.close()

    def _respond(self, request: Received) -> bytes:
        if request.path == "/" and request.role == "page":
            return _encode(200, ["Content-Type: text/html; charset=utf-8"], BLANK_PAGE, request.method)
        case_id, rel_path = split_case_path(request.path)
        with self._lock:
            case = self._cases.get(case_id) if case_id else None
            if case is not None and rel_path == PAGE_PATH and case.page_kind is not None:
                headers = [
                    self.expand(line, case_id)
                    for line in ["Content-Type: text/html; charset=utf-8", *case.page_headers]
                ]
                return _encode(200, headers, _page_body(case), request.method)
            if case is not None:
                case.received.append(request)
        route = case.routes.get(rel_path) if case else None
        if route is None:
            return _encode(404, [], b"no such case or path", request.method)
        reply = route.get(request.method) or route.get("*")
        if reply is None:
            return _encode(405, [], b"no reply for this method", request.method)
        lines = [self.expand(line, case_id) for line in reply.get("headers", [])]
        return _encode(reply.get("status", 200), lines, BODY, request.method)


def _page_body(case: ServedCase) -> bytes:
    if case.page_meta_csp is None:
        return BLANK_PAGE
    meta = f'<meta http-equiv="Content-Security-Policy" content="{case.page_meta_csp}">'
    return BLANK_PAGE.replace(b"<title>", meta.encode() + b"<title>")


def split_case_path(path: str) -> tuple[str | None, str]:
    """``/c/<id>/rest?q`` -> (id, "/rest")."""
    path = path.split("?", 1)[0]
    if not path.startswith(CASE_PREFIX):
        return None, path
    case_id, _, rest = path[len(CASE_PREFIX) :].partition("/")
    return case_id, "/" + rest


def _read_request(conn: socket.socket, role: str) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, path, _version = request_line.split(" ", 2)
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.append((name, value.strip(" \t")))
    length = int(next((v for n, v in headers if n.lower() == "content-length"), "0") or 0)
    while len(body) < length:  # drain the body so the client never sees a reset
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Received(role, method, path, headers)


def _encode(status: int, header_lines: list[str], body: bytes, method: str) -> bytes:
    """The response exactly as configured, plus Content-Length and Connection: close."""
    head = f"HTTP/1.1 {status} {REASONS.get(status, 'Whatever')}\r\n"
    head += "".join(line + "\r\n" for line in header_lines)
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    payload = head.encode("utf-8")
    return payload if method == "HEAD" else payload + body
