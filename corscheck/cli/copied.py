"""Turn --from-curl / --from-fetch text (or - for stdin) into the RequestSpec to check."""

from __future__ import annotations

import sys

from corscheck.core.errors import InputError
from corscheck.core.model import Credentials, RequestSpec


def spec_from_copy(
    from_curl: str | None, from_fetch: str | None, origin: str | None, credentials: Credentials | None
) -> RequestSpec:
    """The fetch() behind a DevTools copy; --origin and --credentials override what the copy implies."""
    # The parsers load only when a copy is given: a plain `check URL` starts without them.
    from corscheck.inputs.copied import to_spec
    from corscheck.inputs.curl import parse_curl
    from corscheck.inputs.fetch_copy import parse_fetch

    if from_curl is not None and from_fetch is not None:
        raise InputError("use --from-curl or --from-fetch, not both")
    text = from_curl if from_curl is not None else from_fetch
    assert text is not None
    if text == "-":
        text = sys.stdin.read()
    copied = parse_curl(text) if from_curl is not None else parse_fetch(text)
    return to_spec(copied, origin=origin, credentials=credentials)
