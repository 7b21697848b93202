"""A zoo of misconfigured servers, each written the way the mistake is written in the wild: the audit
finds every planted mistake with the browser-true risk, and nothing on the correct ones."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from corscheck.cli import app
from tests.fixes import servers
from tests.probe.forward_proxy import ForwardProxy

TRUSTED = "https://app.example.com"
#: (origin, method) → the CORS headers a hand-written server answers with.
Policy = Callable[[str | None, str], list[tuple[str, str]]]


#: The Cookie header a request carried → the body (chunked, as a streaming framework sends it).
Body = Callable[[str | None], bytes]


@contextmanager
def handwritten(policy: Policy, body: Body | None = None) -> Iterator[str]:
    """A hand-written http.server app; it records every method it receives."""
    methods: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            methods.append(self.command)
            self.send_response(200 if self.command != "OPTIONS" else 204)
            for name, value in policy(self.headers.get("Origin"), self.command):
                self.send_header(name, value)
            if body is not None and self.command == "GET":
                content = body(self.headers.get("Cookie"))
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                half = len(content) // 2
                for chunk in (content[:half], content[half:], b""):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                return
            content = b"" if self.command == "OPTIONS" else b'{"secret": 1}'
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_OPTIONS = do_DELETE = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/items"
        handwritten.methods = methods  # type: ignore[attr-defined]
        yield url
    finally:
        server.shutdown()
        server.server_close()


def echo_any(origin, method):
    return (
        [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
        if origin
        else []
    )


def allow_list(*allowed: str, credentials: str = "true") -> Policy:
    def policy(origin, method):
        if origin not in allowed:
            return [("Vary", "Origin")]
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", credentials),
            ("Access-Control-Allow-Methods", "GET, DELETE"),
            ("Vary", "Origin"),
        ]

    return policy


def public_api(origin, method):
    return [("Access-Control-Allow-Origin", "*")]


def audit(url: str, *extra: str) -> tuple[int, dict[str, str], dict]:
    result = CliRunner().invoke(app, ["audit", url, "--origin", TRUSTED, "--format", "json", "-q", *extra])
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    (audited,) = document["results"]
    assert audited["error"] is None, audited
    return result.exit_code, {f["code"]: f["risk"] for f in audited["findings"]}, audited


def test_hand_written_echo_of_any_origin_is_critical():
    with handwritten(echo_any) as url:
        code, found, audited = audit(url)
    assert code == 1
    assert found == {"AUDIT-ORIGIN-REFLECTED": "critical", "AUDIT-VARY-MISSING": "low"}
    assert audited["requests"] == 4  # stage 1 only: an echo of anything needs no allow-list probing


def test_null_in_an_allow_list_is_critical_and_nothing_else():
    with handwritten(allow_list(TRUSTED, "null")) as url:
        code, found, _ = audit(url)
    assert code == 1
    assert found == {"AUDIT-ORIGIN-NULL": "critical"}


def test_a_correct_strict_allow_list_has_no_finding():
    with handwritten(allow_list(TRUSTED)) as url:
        code, found, audited = audit(url, "--fail-on", "info")
    assert (code, found) == (0, {})
    assert audited["requests"] > 20  # the whole probe table was tried


def test_a_public_star_api_is_info_not_a_vulnerability():
    with handwritten(public_api) as url:
        code, found, _ = audit(url)
    assert (code, found) == (0, {"AUDIT-WILDCARD": "info"})


def test_http_and_development_origins_left_in_the_list():
    with handwritten(allow_list(TRUSTED, "http://app.example.com", "http://localhost:3000")) as url:
        code, found, audited = audit(url)
    assert code == 1
    assert found == {"AUDIT-ORIGIN-HTTP": "high", "AUDIT-ORIGIN-DEVELOPMENT": "medium"}
    development = next(f for f in audited["findings"] if f["code"] == "AUDIT-ORIGIN-DEVELOPMENT")
    assert development["origins"] == ["http://localhost:3000"]


def test_capitalised_true_allows_only_reads_without_cookies():
    def echo_with_capital_true(origin, method):
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "True"),
            ("Vary", "Origin"),
        ]

    with handwritten(echo_with_capital_true) as url:
        code, found, audited = audit(url)
    assert found == {"AUDIT-ORIGIN-REFLECTED": "low"}
    assert code == 0  # below the default --fail-on medium
    assert "'True'" in audited["findings"][0]["message"]


def test_a_preflight_that_lets_anyone_delete_is_critical_and_no_delete_is_sent():
    def strict_get_loose_preflight(origin, method):
        if method == "OPTIONS" and origin:
            return [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "DELETE"),
                ("Vary", "Origin"),
            ]
        return allow_list(TRUSTED)(origin, method)

    with handwritten(strict_get_loose_preflight) as url:
        code, found, audited = audit(url, "-X", "DELETE")
        methods = set(handwritten.methods)  # type: ignore[attr-defined]
    assert found == {"AUDIT-ORIGIN-REFLECTED": "critical"}
    assert "preflight for DELETE with cookies" in audited["findings"][0]["message"]
    assert methods == {"GET", "OPTIONS"}


def per_user(cookie: str | None) -> bytes:
    """The signed-in user's profile for the session cookie, an anonymous one without it."""
    user = "alice" if cookie == "sid=alice" else None
    return json.dumps({"user": user, "padding": "x" * 3000}).encode()


def test_a_per_user_response_readable_by_any_origin_without_cookies_is_medium():
    with handwritten(public_api, body=per_user) as url:
        code, found, audited = audit(url, "-b", "sid=alice")
        without_cookie = audit(url)
    assert code == 1
    assert found == {"AUDIT-WILDCARD": "info", "AUDIT-PER-USER-READ": "medium"}
    message = next(f["message"] for f in audited["findings"] if f["code"] == "AUDIT-PER-USER-READ")
    assert "any origin" in message and "network position" in message
    assert audited["requests"] == 4 + 2  # stage 1, then the GET with the cookie and once more without
    # Without -b nothing tells a per-user response from a public one: `*` stays info.
    assert without_cookie[:2] == (0, {"AUDIT-WILDCARD": "info"})


def test_a_per_user_response_an_allowed_development_origin_reads_without_cookies():
    def development_without_credentials(origin, method):
        if origin == "http://localhost:3000":
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return allow_list(TRUSTED)(origin, method)

    with handwritten(development_without_credentials, body=per_user) as url:
        code, found, audited = audit(url, "-b", "sid=alice")
    assert found == {"AUDIT-ORIGIN-DEVELOPMENT": "low", "AUDIT-PER-USER-READ": "medium"}
    finding = next(f for f in audited["findings"] if f["code"] == "AUDIT-PER-USER-READ")
    assert finding["origins"] == ["http://localhost:3000"]


def test_a_response_that_ignores_the_cookie_or_changes_every_time_is_not_per_user():
    served = iter(range(10**6))

    def same_for_everyone(cookie):
        return b'{"items": [1, 2, 3]}'

    def changes_every_time(cookie):
        return b'{"request": %d}' % next(served)

    for body in (same_for_everyone, changes_every_time):
        with handwritten(public_api, body=body) as url:
            code, found, _ = audit(url, "-b", "sid=alice")
        assert (code, found) == (0, {"AUDIT-WILDCARD": "info"}), body.__name__


@contextmanager
def named(url: str) -> Iterator[tuple[str, str]]:
    """The server as http://api.example.com/items, and a proxy that takes that name to it."""
    port = int(url.split(":")[2].split("/")[0])
    proxy = ForwardProxy(route_to=("127.0.0.1", port))
    try:
        yield "http://api.example.com/items", proxy.url
    finally:
        proxy.close()


def audit_learning(url: str, proxy: str) -> tuple[int, dict[str, str], dict]:
    """An audit given no --origin: it learns the trusted origins from what the server echoes."""
    result = CliRunner().invoke(app, ["audit", url, "--proxy", proxy, "--format", "json", "-q"])
    (audited,) = json.loads(result.stdout)["results"]
    assert audited["error"] is None, audited
    return result.exit_code, {f["code"]: f["risk"] for f in audited["findings"]}, audited


def test_without_origin_the_trusted_sibling_is_learned_and_its_prefix_check_found():
    def starts_with_www(origin, method):
        return (
            allow_list(origin)(origin, method) if (origin or "").startswith("https://www.example.com") else []
        )

    with handwritten(starts_with_www) as server, named(server) as (url, proxy):
        code, found, audited = audit_learning(url, proxy)
    assert audited["trusted"] == ["http://api.example.com", "https://www.example.com"]
    assert (code, found) == (1, {"AUDIT-ORIGIN-POST-DOMAIN": "critical"})
    assert "https://www.example.com.corscheck" in audited["findings"][0]["origins"][0]


def test_without_origin_a_learned_strict_list_is_probed_in_full_and_passes():
    with handwritten(allow_list("https://app.example.com")) as server, named(server) as (url, proxy):
        code, found, audited = audit_learning(url, proxy)
        text = CliRunner().invoke(app, ["audit", url, "--proxy", proxy, "-q"]).stdout
    # The text report names the origins the probes were derived from.
    assert "  trusted: http://api.example.com, https://app.example.com\n" in text
    assert audited["trusted"] == ["http://api.example.com", "https://app.example.com"]
    assert (code, found) == (0, {})
    assert audited["requests"] > 20  # the whole probe table, derived from the learned origin


# --- real frameworks, configured as the mistake is written in the wild ---------------------------


@pytest.mark.slow
def test_flask_cors_with_an_unanchored_regex():
    # flask-cors matches with re.match: anchored at the start only, and the dots are unescaped.
    snippet = 'from flask_cors import CORS\nCORS(app, origins=[r"https://.*.example.com"], supports_credentials=True)\n'
    with servers.flask(snippet) as url:
        code, found, _ = audit(url)
    assert code == 1
    assert found == {
        "AUDIT-ORIGIN-POST-DOMAIN": "critical",
        "AUDIT-ORIGIN-PRE-DOMAIN": "critical",
        "AUDIT-ORIGIN-UNESCAPED-DOT": "critical",
        "AUDIT-ORIGIN-SUBDOMAIN": "medium",
        "AUDIT-ORIGIN-PRE-SUBDOMAIN": "medium",
        "AUDIT-ORIGIN-CASE": "info",
    }


@pytest.mark.slow
def test_starlette_allow_origin_regex_trusts_every_subdomain():
    # Starlette fullmatches the regex: only the subdomain wildcard is left.
    snippet = (
        "from starlette.middleware.cors import CORSMiddleware\n"
        'app.add_middleware(CORSMiddleware, allow_origin_regex=r"https://.*\\.example\\.com",'
        " allow_credentials=True)\n"
    )
    with servers.starlette(snippet) as url:
        code, found, _ = audit(url)
    assert code == 1
    assert found == {"AUDIT-ORIGIN-SUBDOMAIN": "medium", "AUDIT-ORIGIN-PRE-SUBDOMAIN": "medium"}


@pytest.mark.slow
def test_express_cors_with_an_endswith_function():
    snippet = (
        'const cors = require("cors");\n'
        'app.use(cors({ credentials: true, origin: (origin, cb) => cb(null, !!origin && origin.endsWith("example.com")) }));\n'
    )
    with servers.express(snippet) as url:
        code, found, _ = audit(url)
    assert code == 1
    # endsWith ignores the scheme (http is let in) and accepts any look-alike ending in example.com.
    assert found == {
        "AUDIT-ORIGIN-PRE-DOMAIN": "critical",
        "AUDIT-ORIGIN-UNESCAPED-DOT": "critical",
        "AUDIT-ORIGIN-HTTP": "high",
        "AUDIT-ORIGIN-SUBDOMAIN": "medium",
        "AUDIT-ORIGIN-PRE-SUBDOMAIN": "medium",
    }


@pytest.mark.slow
def test_express_cors_with_an_exact_list_has_no_finding():
    snippet = (
        f'const cors = require("cors");\napp.use(cors({{ credentials: true, origin: ["{TRUSTED}"] }}));\n'
    )
    with servers.express(snippet) as url:
        code, found, _ = audit(url, "--fail-on", "info")
    assert (code, found) == (0, {})


@pytest.mark.slow
def test_nginx_if_with_an_unanchored_regex():
    location = (
        "  location /items {\n"
        '    if ($http_origin ~ "https://app.example.com") {\n'
        "      add_header Access-Control-Allow-Origin $http_origin always;\n"
        "      add_header Access-Control-Allow-Credentials true always;\n"
        "      add_header Vary Origin always;\n"
        "    }\n"
        "    # proxy_pass http://backend;  (your existing handler)\n"
        "  }\n"
    )
    with servers.nginx(location) as url:
        code, found, _ = audit(url)
    assert code == 1
    assert found == {"AUDIT-ORIGIN-POST-DOMAIN": "critical", "AUDIT-ORIGIN-UNESCAPED-DOT": "critical"}
