"""Credentials in header values and URLs: masked in every output unless --show-secrets.

Only values are masked; names stay, so a reader still sees that a token was sent and where. The
lists are documented in the README ("Secrets"); a name matches case-insensitively.
"""

from __future__ import annotations

import re

from corscheck.core.model import HeaderLines

MASK = "<masked>"

#: Headers whose value is a credential, by exact name.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "set-cookie2",
        "www-authenticate",
        "proxy-authenticate",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-xsrf-token",
        "x-amz-security-token",
        "x-goog-api-key",
    }
)
#: A header whose name contains one of these is a credential too (X-Session-Token, X-Client-Secret).
SECRET_HEADER_WORDS = ("token", "secret", "password", "api-key", "apikey")

#: Query parameters whose value is a credential, by exact name.
SECRET_PARAMS = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "access_token",
        "id_token",
        "refresh_token",
        "auth",
        "code",
        "signature",
        "sig",
        "secret",
        "client_secret",
        "password",
        "passwd",
        "pwd",
        "session",
        "sessionid",
        "jwt",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
    }
)
#: A parameter whose name contains one of these is a credential too (authToken, my_secret).
SECRET_PARAM_WORDS = ("token", "secret", "password", "signature", "api_key", "apikey")

#: ``name=value`` after ``?``, ``&`` or ``;`` in a URL, wherever the URL appears in a text.
_PARAM = re.compile(r"(?<=[?&;])([^=&#?;\s'\"]+)=([^&#;\s'\"]*)")
#: The password of ``scheme://user:password@host``.
_PASSWORD = re.compile(r"(?<=://)([^/?#@\s:'\"]*):([^/?#@\s'\"]+)@")


def is_secret_header(name: str) -> bool:
    lower = name.lower()
    if lower.startswith("access-control-"):  # names other headers; never a credential itself
        return False
    return lower in SECRET_HEADERS or any(word in lower for word in SECRET_HEADER_WORDS)


def _is_secret_param(name: str) -> bool:
    lower = name.lower()
    return lower in SECRET_PARAMS or any(word in lower for word in SECRET_PARAM_WORDS)


def mask_value(name: str, value: str, show_secrets: bool) -> str:
    return value if show_secrets or not is_secret_header(name) else MASK


def mask_lines(lines: HeaderLines, show_secrets: bool) -> HeaderLines:
    return tuple((name, mask_value(name, value, show_secrets)) for name, value in lines)


def mask_text(text: str, show_secrets: bool) -> str:
    """``text`` (a URL, or a message quoting URLs) with secret query values and URL passwords masked."""
    if show_secrets or ("=" not in text and "@" not in text):
        return text
    text = _PARAM.sub(lambda m: f"{m[1]}={MASK}" if _is_secret_param(m[1]) else m[0], text)
    return _PASSWORD.sub(lambda m: f"{m[1]}:{MASK}@", text)
