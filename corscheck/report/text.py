"""The human report: verdict, the browser's console message, the exchange with the deciding headers
highlighted, and each finding with its fix. Built with rich, rendered to a string."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from corscheck.core.headers import printable
from corscheck.core.model import CheckResult, HeaderLines, RequestKind, Severity, Step, Verdict
from corscheck.core.profiles import PROFILES
from corscheck.core.rules import RULES
from corscheck.report import RenderOptions
from corscheck.report.sanitise import sanitise, shown
from corscheck.report.secrets import mask_lines

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
#: The response headers that decided each blocking finding, to highlight in the exchange.
DECIDING_HEADERS = {
    "CORS-ORIGIN-MISSING": (ACAO,),
    "CORS-ORIGIN-MULTIPLE": (ACAO,),
    "CORS-ORIGIN-INVALID": (ACAO,),
    "CORS-ORIGIN-MISMATCH": (ACAO,),
    "CORS-WILDCARD-CREDENTIALS": (ACAO, ACAC),
    "CORS-CREDENTIALS-NOT-TRUE": (ACAC,),
    "CORS-PREFLIGHT-REDIRECT": ("location",),
    "CORS-REDIRECT-CREDENTIALS": ("location",),
    "CORS-REDIRECT-LIMIT": ("location",),
    "CORS-REDIRECT-SCHEME": ("location",),
    "CORS-ACAM-INVALID": ("access-control-allow-methods",),
    "CORS-METHOD-NOT-ALLOWED": ("access-control-allow-methods",),
    "CORS-ACAH-INVALID": ("access-control-allow-headers",),
    "CORS-HEADER-NOT-ALLOWED": ("access-control-allow-headers",),
}
REFLECTION_PROBE_NOTE = (
    "corscheck's own extra request, from a made-up origin: does the server echo any Origin it is"
    " sent? (--no-probe-reflection skips it)"
)
SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
VERDICT_STYLES = {
    Verdict.ALLOWED: "bold green",
    Verdict.BLOCKED: "bold red",
    Verdict.ERROR: "bold red",
    Verdict.OPAQUE: "bold red",
}


def _interesting(name: str, expose: tuple[str, ...]) -> bool:
    """Lines shown without -v: the ones CORS is decided by, and the ones the page wants to read."""
    lower = name.lower()
    return (
        lower.startswith("access-control-")
        or lower in ("origin", "vary", "location")
        or lower in (e.lower() for e in expose)
    )


def _indented(renderable: RenderableType, columns: int) -> Padding:
    """Wrapped lines keep the indent of the first one."""
    return Padding(renderable, (0, 0, 0, columns), expand=False)


def _verdict(result: CheckResult, options: RenderOptions) -> Text:
    spec = result.spec
    line = Text(f"{result.verdict.upper()} ", style=VERDICT_STYLES[result.verdict])
    request = f"{result.method} {spec.url} from {spec.origin} (credentials: {spec.credentials})"
    line.append(shown(request, show_secrets=options.show_secrets))
    if result.verdict is Verdict.ALLOWED and result.unreadable_expose:
        unreadable = sanitise(", ".join(result.unreadable_expose))
        line.append(f"\nbut JavaScript cannot read: {unreadable}", style="bold red")
    if result.verdict is Verdict.OPAQUE:
        line.append(
            "\nJavaScript gets an opaque response: status 0, no headers, empty body", style="bold red"
        )
    if result.failure is not None:
        line.append(f"\n{shown(result.failure.message, show_secrets=options.show_secrets)}", style="red")
    if result.actual_withheld:
        line.append(
            "\nthe actual request was not sent (--preflight-only): its response is not judged", style="yellow"
        )
    return line


def _header_lines(
    lines: HeaderLines,
    arrow: str,
    options: RenderOptions,
    expose: tuple[str, ...],
    highlight: tuple[str, ...] = (),
    style: str = "",
) -> list[RenderableType]:
    shown: list[RenderableType] = []
    for name, value in mask_lines(lines, options.show_secrets):
        decided = name.lower() in highlight
        if options.verbose or decided or _interesting(name, expose):
            text = Text(f"{arrow} {sanitise(name)}: {printable(value)}", style=style if decided else "")
            shown.append(_indented(text, 4))
    present = {name.lower() for name, _ in lines}
    shown += [
        _indented(Text(f"{arrow} (no {name})", style=style), 4) for name in highlight if name not in present
    ]
    return shown


def _step(
    step: Step, number: int, options: RenderOptions, expose: tuple[str, ...], highlight: tuple[str, ...]
) -> list[RenderableType]:
    request, response = step.request, step.response
    outcome = {True: Text(" passed", style="green"), False: Text(" failed", style="bold red"), None: Text("")}
    sent = shown(f"{request.method} {request.url}", show_secrets=options.show_secrets)
    title = Text(f"{number}. {request.kind} ", style="bold") + Text(sent)
    lines: list[RenderableType] = [_indented(title + outcome[step.passed], 2)]
    if request.kind is RequestKind.REFLECTION_PROBE:
        lines.append(_indented(Text(REFLECTION_PROBE_NOTE, style="italic"), 4))
    lines += _header_lines(request.headers, ">", options, expose)
    if response is None:
        lines.append(_indented(Text("< no response", style="red"), 4))
        return lines
    status_line = sanitise(f"< {response.http_version} {response.status} {response.reason}")
    lines.append(_indented(Text(status_line), 4))
    style = "bold red" if step.passed is False else "bold green"
    lines += _header_lines(response.headers, "<", options, expose, highlight, style)
    return lines


def _exchange(result: CheckResult, options: RenderOptions) -> list[RenderableType]:
    blocking = result.findings[0].code if result.verdict is Verdict.BLOCKED else None
    deciding = DECIDING_HEADERS.get(blocking or "", ())
    heading = "Exchange" + ("" if options.verbose else " (-v shows every header)")
    lines: list[RenderableType] = [Text(heading, style="bold")]
    for number, step in enumerate(result.steps, start=1):
        # Highlight the headers that failed the check, or the allow-origin that let a step pass.
        highlight = deciding if step.passed is False else (ACAO,) if step.passed else ()
        lines += _step(step, number, options, result.spec.expose, highlight)
    if not result.steps:
        lines.append(_indented(Text("nothing was sent: the browser refused the request first"), 2))
    return lines


def _findings(result: CheckResult, options: RenderOptions) -> list[RenderableType]:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for finding in result.findings:
        detail = Text(finding.code, style="bold")
        if finding.next:
            detail.append("  would fail next", style="magenta")
        detail.append(f"\n{shown(finding.message, show_secrets=options.show_secrets, newlines=True)}")
        rule = RULES.get(finding.code)
        fix = finding.fix or (
            rule.fix if rule is not None and finding.severity is not Severity.INFO else None
        )
        if fix:
            detail.append("\nfix: ", style="bold green")
            detail.append(shown(fix, show_secrets=options.show_secrets, newlines=True))
        grid.add_row(Text(str(finding.severity), style=SEVERITY_STYLES[finding.severity]), detail)
    lines: list[RenderableType] = [Text("Findings", style="bold"), _indented(grid, 2)]
    if result.verdict is Verdict.BLOCKED and result.actual is None and result.spec.expose:
        lines += [
            Text(""),
            Text(
                f"--expose {sanitise(', '.join(result.spec.expose))} is judged once the preflight passes:"
                " the actual request was not sent."
            ),
        ]
    upcoming = sum(f.next for f in result.findings)
    if upcoming:
        lines.append(Text(""))
        lines.append(
            Text(
                f"The browser stops at the first failure; {upcoming} more would fail after it."
                " --fix-for FRAMEWORK prints a server configuration that fixes them all."
            )
        )
    return lines


def to_text(renderables: list[RenderableType], *, width: int, color: bool) -> str:
    """Render with rich into a string: ANSI styles only when ``color``, no trailing spaces (rich pads
    wrapped blocks to their full width, which only gets in the way of copying), no_wrap Texts unwrapped."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    for renderable in renderables:
        # A Text marked no_wrap is a command or code to copy: one line, the terminal wraps it.
        console.print(renderable, soft_wrap=isinstance(renderable, Text) and bool(renderable.no_wrap))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def render(result: CheckResult, options: RenderOptions) -> str:
    blocks: list[list[RenderableType]] = [[_verdict(result, options)]]
    if result.browser_message:
        console_line = shown(result.browser_message, show_secrets=options.show_secrets, newlines=True)
        message = Text(console_line, style="red")
        title = PROFILES[result.spec.browser].title
        blocks.append([Text(f"{title} console", style="bold"), _indented(message, 2)])
    blocks.append(_exchange(result, options))
    if result.findings:
        blocks.append(_findings(result, options))
    if result.verdict is Verdict.ALLOWED and not result.actual_withheld:
        readable = ", ".join(result.exposed_headers) or "none"
        blocks.append([Text("JavaScript can read: ", style="bold") + Text(sanitise(readable))])
    lines: list[RenderableType] = []
    for block in blocks:
        lines += [Text(""), *block] if lines else block
    return to_text(lines, width=options.width, color=options.color)
