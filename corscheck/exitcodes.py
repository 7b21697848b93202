"""Process exit codes, and the one place that decides which one a check result earns."""

from __future__ import annotations

from enum import IntEnum

from corscheck.core.model import CheckResult, Verdict


class ExitCode(IntEnum):
    #: Allowed, and JavaScript can read every ``--expose`` header.
    OK = 0
    #: Blocked, opaque (no-cors), or an ``--expose`` header is unreadable.
    FAILED = 1
    #: Bad usage or bad input (malformed URL, origin, header).
    USAGE = 2
    #: The target could not be reached (DNS, refused, TLS, timeout, broken HTTP).
    UNREACHABLE = 3
    #: A bug in corscheck: one line on stderr instead of a traceback (as ty does). Not 1, which means
    #: "blocked".
    INTERNAL_ERROR = 101
    #: Ctrl-C, as httpie and shells report it.
    INTERRUPTED = 130


def exit_code_for(result: CheckResult) -> ExitCode:
    if result.verdict is Verdict.ERROR:
        # A redirect the browser refuses (bad scheme, too many hops) reached the server: that is a
        # failed check, not an unreachable target.
        reached = result.failure is None or result.failure.kind == "redirect"
        return ExitCode.FAILED if reached else ExitCode.UNREACHABLE
    if result.verdict in (Verdict.BLOCKED, Verdict.OPAQUE) or result.unreadable_expose:
        return ExitCode.FAILED
    return ExitCode.OK
