"""The audit's special-character table against Chromium: a page on `app.example.com<c>.evil.localhost`
loads (and its fetch() sends that Origin) exactly for the characters the table gives Chromium.

`.localhost` names resolve to loopback inside Chromium, through the same host-name check its
resolver applies to every name (the others fail with ERR_NAME_NOT_RESOLVED).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from corscheck.core.audit_probes import SPECIAL_CHARACTERS
from tests.browser.chromium import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"Chromium not found at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright")


@pytest.fixture(scope="module")
def origin_server():
    received: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>attacker page</html>"
            if self.path == "/api":
                received.append(self.headers.get("Origin"))
                body = b"ok"
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield server.server_port, received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("char", "engines"), SPECIAL_CHARACTERS, ids=[c for c, _ in SPECIAL_CHARACTERS])
def test_chromium_sends_the_origin_only_for_the_characters_the_table_says(char, engines, page, origin_server):
    port, received = origin_server
    page_origin = f"http://app.example.com{char}.evil.localhost:{port}"
    received.clear()
    try:
        page.goto(page_origin + "/", timeout=5000)
        page.evaluate(f"fetch('http://127.0.0.1:{port}/api').then(r => r.status)")
    except Exception:  # noqa: BLE001 - Playwright's error for a name Chromium will not resolve or parse
        pass
    sent = received[-1] if received else None
    assert (sent == page_origin) == ("chromium" in engines), sent
