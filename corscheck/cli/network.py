"""The network settings of check, run and har --live, from their options (cli/options.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corscheck.probe.network import NetworkSettings


def network_settings(
    *,
    insecure: bool,
    cacert: Path | None,
    cert: Path | None,
    key: Path | None,
    proxy: str | None,
    noproxy: str | None,
) -> NetworkSettings:
    """The settings, after the one-line warning -k earns (on stderr, so --json stays one document)."""
    from corscheck.core.errors import InputError
    from corscheck.probe.network import NetworkSettings

    if key is not None and cert is None:
        raise InputError("--key needs --cert")
    if insecure:
        print("corscheck: warning: --insecure: TLS certificates are not verified", file=sys.stderr)
    return NetworkSettings(
        verify=not insecure, ca_cert=cacert, cert=cert, key=key, proxy=proxy, noproxy=noproxy
    )
