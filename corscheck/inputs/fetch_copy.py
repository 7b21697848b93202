"""Parse DevTools' "Copy as fetch" and "Copy as fetch (Node.js)" (Chromium, Firefox) into a CopiedRequest."""

from __future__ import annotations

import json
import re
from typing import Any

from corscheck.core.errors import InputError
from corscheck.core.model import Credentials
from corscheck.inputs.copied import CopiedRequest

_CALL = re.compile(
    r"^\s*(?:await\s+)?fetch\(\s*(?P<url>\"(?:[^\"\\]|\\.)*\")\s*(?:,\s*(?P<init>\{.*\}))?\s*\)\s*;?\s*$",
    re.S,
)


def parse_fetch(text: str) -> CopiedRequest:
    """The request a copied fetch() call makes; InputError when it is not one."""
    match = _CALL.match(text)
    if match is None:
        raise InputError('not a copied fetch() call: expected fetch("URL", {...});')
    try:
        url = json.loads(match["url"])
        init: dict[str, Any] = json.loads(match["init"]) if match["init"] else {}
    except json.JSONDecodeError as exc:
        raise InputError(f"the copied fetch() call is not valid JSON inside: {exc.msg}") from None
    if not isinstance(init, dict) or not isinstance(init.get("headers", {}), dict):
        raise InputError("the fetch() options are not an object with a headers object")
    headers = tuple((str(n), str(v)) for n, v in init.get("headers", {}).items())
    credentials = init.get("credentials")
    try:
        mode = Credentials(credentials) if credentials is not None else None
    except ValueError:
        raise InputError(f"unknown fetch() credentials mode {credentials!r}") from None
    referrer = init.get("referrer")
    return CopiedRequest(
        url=url,
        method=str(init.get("method", "GET")),
        headers=headers,
        credentials=mode,
        referrer=referrer if isinstance(referrer, str) else None,
    )
