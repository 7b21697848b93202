"""`corscheck demo`: a loopback server with everyday CORS policies, and real checks against it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from corscheck.core.model import CheckResult, Credentials, RequestSpec, Verdict
from corscheck.core.rules import RULES

if TYPE_CHECKING:
    from rich.console import RenderableType

APP = "https://app.example"
ADMIN = "https://admin.example"
EVIL = "https://evil.example"

#: A policy: the request's method and Origin (None if absent) → the CORS header lines to answer with.
Policy = Callable[[str, str | None], list[tuple[str, str]]]


def _open(method: str, origin: str | None) -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", "*")]


def _one_origin_with_cookies(method: str, origin: str | None) -> list[tuple[str, str]]:
    return [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]


def _allow_list(method: str, origin: str | None) -> list[tuple[str, str]]:
    lines = [("Vary", "Origin")]
    if origin in (APP, ADMIN):
        lines.append(("Access-Control-Allow-Origin", origin))
    return lines


def _wildcard_with_cookies(method: str, origin: str | None) -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]


def _total_count_not_exposed(method: str, origin: str | None) -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", "*"), ("X-Total-Count", "42")]


def _trailing_slash(method: str, origin: str | None) -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", APP + "/")]


POLICIES: dict[str, Policy] = {
    "/open": _open,
    "/account": _one_origin_with_cookies,
    "/allow-list": _allow_list,
    "/wildcard-cookies": _wildcard_with_cookies,
    "/items": _total_count_not_exposed,
    "/slash": _trailing_slash,
}


@dataclass(frozen=True)
class Scenario:
    title: str
    path: str
    origin: str = APP
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: Credentials = Credentials.SAME_ORIGIN
    expose: tuple[str, ...] = ()

    def spec(self, base_url: str) -> RequestSpec:
        return RequestSpec(
            url=base_url + self.path,
            origin=self.origin,
            method=self.method,
            headers=self.headers,
            credentials=self.credentials,
            expose=self.expose,
        )


#: The scenario shown as a full report: a console line, the deciding header, a fix.
FULL_REPORT = "/slash"

SCENARIOS = (
    Scenario("Wide open: *", "/open"),
    Scenario(
        "Wide open: *, but a JSON PUT needs a preflight",
        "/open",
        method="PUT",
        headers=(("Content-Type", "application/json"),),
    ),
    Scenario("One origin, with cookies", "/account", credentials=Credentials.INCLUDE),
    Scenario("One origin, another caller", "/account", origin=EVIL, credentials=Credentials.INCLUDE),
    Scenario("Allow-list that echoes the origin", "/allow-list", origin=ADMIN),
    Scenario("Allow-list, origin not on it", "/allow-list", origin=EVIL),
    Scenario("Wildcard with cookies", "/wildcard-cookies", credentials=Credentials.INCLUDE),
    Scenario("X-Total-Count not exposed", "/items", expose=("X-Total-Count",)),
    Scenario("Trailing slash in the allowed origin", "/slash"),
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Without it Nagle and delayed ACK add ~40 ms to every keep-alive exchange.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self) -> None:
        policy = POLICIES.get(self.path)
        body = b"{}" if policy else b"not found"
        self.send_response(200 if policy else 404)
        for name, value in policy(self.command, self.headers.get("Origin")) if policy else []:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo prints its own table


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # corscheck closes each connection after the head; the reset that follows is expected


@contextmanager
def serving() -> Iterator[str]:
    """The demo server on a free 127.0.0.1 port, for the length of the block; yields its base URL."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_scenarios(base_url: str) -> list[tuple[Scenario, CheckResult]]:
    from corscheck.probe import Probe

    with Probe(timeout=5.0) as probe:
        return [(scenario, probe.check(scenario.spec(base_url))) for scenario in SCENARIOS]


def _outcome(result: CheckResult) -> tuple[str, str]:
    """The verdict as a reader should take it, and its colour."""
    if result.verdict is Verdict.ALLOWED and not result.unreadable_expose:
        return "allowed", "green"
    if result.verdict is Verdict.ALLOWED:
        return "header hidden", "yellow"
    return str(result.verdict), "red"


def _request(scenario: Scenario, result: CheckResult) -> str:
    request = f"{result.method} {scenario.path}\nfrom {scenario.origin}"
    if scenario.credentials is Credentials.INCLUDE:
        request += "\nwith cookies"
    if scenario.expose:
        request += f"\nreads {', '.join(scenario.expose)}"
    return request


def _reason(result: CheckResult) -> str:
    if _outcome(result)[0] == "allowed":
        return "JavaScript can read the body and " + ", ".join(result.exposed_headers)
    code = result.findings[0].code
    return f"{code}\n{RULES[code].title}"


#: Below this width the table's columns would cut origins and codes; each row becomes a block instead.
_TABLE_WIDTH = 100


def _summary(base_url: str, outcomes: list[tuple[Scenario, CheckResult]], width: int) -> list[RenderableType]:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    title = f"corscheck demo: real checks against {base_url}"
    if width < _TABLE_WIDTH:
        lines: list[RenderableType] = [Text(title, style="bold")]
        for scenario, result in outcomes:
            verdict, style = _outcome(result)
            lines += [
                Text(""),
                Text(scenario.title, style="bold") + Text("  ") + Text(verdict, style=f"bold {style}"),
            ]
            lines.append(Padding(Text(_request(scenario, result).replace("\n", ", ")), (0, 0, 0, 2)))
            lines.append(Padding(Text(_reason(result)), (0, 0, 0, 2)))
        return lines
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Server policy", ratio=3)
    table.add_column("Page's fetch()", ratio=3)
    table.add_column("Chromium", no_wrap=True)
    table.add_column("Why", ratio=4)
    for scenario, result in outcomes:
        verdict, style = _outcome(result)
        table.add_row(
            scenario.title, _request(scenario, result), Text(verdict, style=f"bold {style}"), _reason(result)
        )
    return [table]


def render_demo(
    base_url: str, outcomes: list[tuple[Scenario, CheckResult]], *, width: int, color: bool
) -> str:
    """The summary of every scenario, one of them as the full report `check` prints, and what next."""
    from rich.text import Text

    from corscheck.report import RenderOptions, reporter
    from corscheck.report.command import check_command
    from corscheck.report.text import to_text

    scenario, result = next((s, r) for s, r in outcomes if s.path == FULL_REPORT)
    summary = _summary(base_url, outcomes, width) + [
        Text(""),
        Text("Every row is a real `corscheck check`. Here is one in full:", style="bold"),
        Text(""),
        Text(f"$ {check_command(scenario.spec(base_url))}", no_wrap=True),
        Text(""),
    ]
    report = reporter("text")(result, RenderOptions(color=color, width=width))
    closing: list[RenderableType] = [
        Text(""),
        Text("The demo server stops now. Keep it up and try your own checks against it:", style="bold"),
        Text("  corscheck demo --serve", no_wrap=True),
    ]
    return to_text(summary, width=width, color=color) + report + to_text(closing, width=width, color=color)


def run_demo(*, width: int = 100, color: bool = False) -> str:
    with serving() as base_url:
        outcomes = run_scenarios(base_url)
    return render_demo(base_url, outcomes, width=width, color=color)


def serve_instructions(base_url: str) -> str:
    """What `corscheck demo --serve` prints: one copy-pasteable command per scenario."""
    from corscheck.report.command import check_command

    lines = [f"corscheck demo server on {base_url}; Ctrl-C stops it. Try:", ""]
    for scenario in SCENARIOS:
        lines += [f"# {scenario.title}", check_command(scenario.spec(base_url)), ""]
    return "\n".join(lines)
