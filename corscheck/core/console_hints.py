"""Console lines people paste first that are not a CORS error themselves, but travel with one:
what each means, and what to paste or run instead."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleHint:
    title: str
    explanation: str
    #: The request the line names, when it names one (for the `corscheck check` to run next).
    url: str | None = None
    method: str | None = None
    origin: str | None = None


_TYPE_ERROR = re.compile(
    r"TypeError: (?:Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)"
)
#: Chromium's network line for a refused request: ``GET https://api.example/x net::ERR_FAILED 200 (OK)``.
_NET_ERROR = re.compile(
    r"(?:(?P<method>[A-Z]+) )?(?P<url>https?://\S+) net::(?P<error>ERR_[A-Z_]+)"
    r"(?: (?P<status>\d{3})(?: \(.*\))?)?"
)
#: Chromium's Local Network Access refusal, inside the usual "Access to fetch at …" line.
_LOCAL_NETWORK = re.compile(
    r"(?:Access to \S+ at '(?P<url>[^']*)'.*?(?:from origin '(?P<origin>[^']*)'.*?)?)?"
    r"Permission was denied for this request to access the [`']?(?P<space>[\w-]+)[`']? address space",
    re.S,
)


def hint_for(text: str) -> ConsoleHint | None:
    """What a pasted line that is not a CORS reason means; None when corscheck does not know it."""
    text = text.strip()
    if (match := _LOCAL_NETWORK.search(text)) is not None:
        return ConsoleHint(
            "Local Network Access: the browser's permission, not the server's CORS headers",
            "Chromium asks the user before a page reaches a local or private address (localhost, 192.168.x.x,"
            f" 10.x.x.x, a .local name); the permission was denied or could not be asked (`{match['space']}`"
            " is the address space Chromium saw for the target). No response header changes this: allow"
            " local network access for the page's site in the browser (site settings), serve the page"
            " from the same local network, or call a public address instead.",
            url=match["url"],
            origin=match["origin"],
        )
    if (match := _NET_ERROR.search(text)) is not None:
        status = match["status"]
        answered = (
            f"The server did answer ({status}): the request reached it and the browser refused the"
            " response, which with net::ERR_FAILED almost always means a CORS check failed."
            if status
            else "No status: the request got no usable response (a failed preflight, DNS, TLS, a refused"
            " connection)."
        )
        return ConsoleHint(
            f"Chromium's network line for a failed request ({match['error']})",
            f"{answered} The reason is in the console line 'Access to fetch at … has been blocked by CORS"
            " policy: …' next to it; paste that line to `corscheck explain`, or run the check below.",
            url=match["url"],
            method=match["method"],
        )
    if _TYPE_ERROR.search(text):
        return ConsoleHint(
            "What JavaScript sees when a fetch() fails",
            "Every network-level failure, CORS included, rejects fetch() with this same TypeError: the"
            " browser keeps the reason from the page. The reason is in the console line just before it"
            " ('Access to fetch at … has been blocked by CORS policy: …'): paste that line to"
            " `corscheck explain`, or run `corscheck check URL --origin ORIGIN` with the page's origin"
            " (and -X / -H as the fetch() sets them).",
        )
    return None
