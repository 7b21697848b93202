"""The conformance cases: plain data in cases.json, loaded into small frozen records.

A case says what the page's fetch() does and how the server answers; it never says what should
happen. Chromium decides that at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES_FILE = Path(__file__).with_name("cases.json")
#: The cookie every browser context holds for 127.0.0.1 (cookies ignore ports), so that
#: credentials: "include" really sends one.
COOKIE_NAME, COOKIE_VALUE = "k", "v"


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    description: str
    #: URL template: {case}, {page} or {other} plus a path (see CaseServer.expand).
    url: str
    #: The method exactly as the page's script types it.
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: str
    #: relative path -> {method or "*": {"status": int, "headers": [raw header line, ...]}}
    responses: dict[str, dict[str, dict[str, Any]]]
    #: How many times the fetch runs in one browser context (2 shows preflight caching).
    repeat: int = 1
    #: fetch()'s mode and targetAddressSpace options.
    mode: str = "cors"
    target_address_space: str | None = None
    #: A string body (None: no body).
    body: str | None = None
    #: The case's own page: "http", "https" or "named" (see server.PAGE_HOSTS); None: the blank page.
    page: str | None = None
    #: Raw header lines of the page's response (CSP, COEP, ...).
    page_headers: tuple[str, ...] = ()
    #: A policy the page sets with <meta http-equiv="Content-Security-Policy">.
    page_meta_csp: str | None = None
    #: The Local Network Access permission: "denied" (headless Chromium's answer) or "granted".
    lna_permission: str = "denied"
    #: The page's host name (a *.test name Chromium maps to 127.0.0.1); None: 127.0.0.1.
    page_host: str | None = None
    #: Cookies put in the jar with Playwright's context.add_cookies (its dicts: name, value, url or
    #: domain and path, secure, sameSite, httpOnly; URL templates as in ``url``).
    cookies: tuple[dict[str, Any], ...] = ()
    #: Cookies a server sets, for what add_cookies cannot make (no SameSite: Playwright writes Lax):
    #: ``{"url": template, "set_cookie": header value}``; the browser visits that URL first.
    set_cookies: tuple[dict[str, str], ...] = ()
    #: The profile's third-party cookie setting: "block" (headless Chromium's default) or "allow".
    third_party_cookies: str = "block"


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    return [_case_from_json(raw) for raw in json.loads(path.read_text())]


def _case_from_json(raw: dict[str, Any]) -> Case:
    request = raw["request"]
    return Case(
        id=raw["id"],
        category=raw["category"],
        description=raw["description"],
        url=request.get("url", "{case}/r"),
        method=request.get("method", "GET"),
        headers=tuple((name, value) for name, value in request.get("headers", [])),
        credentials=request.get("credentials", "same-origin"),
        responses=raw["responses"],
        repeat=request.get("repeat", 1),
        mode=request.get("mode", "cors"),
        target_address_space=request.get("targetAddressSpace"),
        body=request.get("body"),
        page=raw.get("page", {}).get("kind"),
        page_headers=tuple(raw.get("page", {}).get("headers", [])),
        page_meta_csp=raw.get("page", {}).get("meta_csp"),
        lna_permission=raw.get("page", {}).get("lna_permission", "denied"),
        page_host=raw.get("page", {}).get("host"),
        cookies=tuple(raw.get("cookies", ())),
        set_cookies=tuple(raw.get("set_cookies", ())),
        third_party_cookies=raw.get("third_party_cookies", "block"),
    )
