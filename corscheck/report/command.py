"""The `corscheck check` command line that makes the request a RequestSpec describes."""

from __future__ import annotations

import shlex

from corscheck.core.model import Credentials, RequestSpec


def check_command(spec: RequestSpec) -> str:
    """A copy-pasteable shell command (values quoted as the shell needs)."""
    words = ["corscheck", "check", spec.url, "--origin", spec.origin]
    if spec.method != "GET":
        words += ["-X", spec.method]
    for name, value in spec.headers:
        words += ["-H", f"{name}: {value}"]
    if spec.credentials is Credentials.INCLUDE:
        words += ["--credentials", "include"]
    for name in spec.expose:
        words += ["--expose", name]
    return shlex.join(words)
