"""The network options of check, run and har --live, defined once with curl's names and meanings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from corscheck.probe.network import NetworkSettings

Insecure = Annotated[
    bool,
    typer.Option(
        "--insecure",
        "-k",
        help="Do not verify TLS certificates (prints a warning; the JSON says tls_verify: false).",
        envvar="CORSCHECK_INSECURE",
    ),
]
CaCert = Annotated[
    Path | None,
    typer.Option(
        "--cacert",
        help="Trust only the CA certificates in this PEM file (instead of the system's).",
        metavar="FILE",
        show_default=False,
    ),
]
Cert = Annotated[
    Path | None,
    typer.Option(
        "--cert", "-E", help="Client certificate (PEM) for mutual TLS.", metavar="FILE", show_default=False
    ),
]
Key = Annotated[
    Path | None,
    typer.Option(
        "--key", help="Private key (PEM) of --cert, if not in that file.", metavar="FILE", show_default=False
    ),
]
Proxy = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        "-x",
        help="Send requests through this proxy ('' for none) instead of HTTPS_PROXY/HTTP_PROXY/ALL_PROXY.",
        metavar="URL",
        show_default=False,
    ),
]
NoProxy = Annotated[
    str | None,
    typer.Option(
        "--noproxy",
        help="Comma-separated hosts to reach without the proxy ('*' for all), instead of NO_PROXY.",
        metavar="HOSTS",
        show_default=False,
    ),
]

PreflightOnly = Annotated[
    bool,
    typer.Option(
        "--preflight-only",
        help="Send no write: only the preflight, and the actual request only when it is GET or HEAD.",
    ),
]


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
